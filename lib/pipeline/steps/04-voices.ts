/** Step 4, voices: which facets speak, from the metrics (KAIN on pain, SAM on low clarity, …). */
import { selectVoices } from "../voices.js";
import type { Step } from "./step.js";

export const voices: Step = async (state) => {
  const chosen = selectVoices(state.metrics, { shared: state.session.shared });
  state.voice = chosen.primary;
  state.voices = chosen.active;
  return {
    summary: `${chosen.primary}${chosen.active.length > 1 ? ` (+${chosen.active.filter((v) => v !== chosen.primary).join(", ")})` : ""}`,
    data: {
      primary: chosen.primary,
      active: chosen.active,
      reasons: chosen.reasons,
      metrics: { ...state.metrics },
    },
  };
};
