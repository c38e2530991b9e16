/** Step 5, reasoning mode: fast, deep or debate, and whether the shadow protocol holds. */
import { selectMode } from "../mode.js";
import type { AfterVoices, Moded } from "../turn.js";
import type { Step } from "./step.js";

export const reasoningMode: Step<AfterVoices, Moded> = async (state) => {
  const chosen = selectMode({ metrics: state.metrics, voices: state.voices, text: state.text });
  return {
    out: { mode: chosen.mode, shadowProtocol: chosen.shadowProtocol },
    summary: `${chosen.mode}${chosen.shadowProtocol ? ", shadow protocol" : ""}: ${chosen.reason}`,
    data: { mode: chosen.mode, shadowProtocol: chosen.shadowProtocol, reason: chosen.reason },
  };
};
