/** Step 4, voices: which facets speak, from the metrics (KAIN on pain, SAM on low clarity, …). */
import type { AfterTelos, Voiced } from "../turn.js";
import { selectVoices } from "../voices.js";
import type { Step } from "./step.js";

export const voices: Step<AfterTelos, Voiced> = async (state) => {
  const chosen = selectVoices(state.metrics, { shared: state.session.shared });
  const others = chosen.active.filter((v) => v !== chosen.primary);
  return {
    out: { voice: chosen.primary, voices: chosen.active },
    summary: `${chosen.primary}${others.length ? ` (+${others.join(", ")})` : ""}`,
    data: {
      primary: chosen.primary,
      active: chosen.active,
      reasons: chosen.reasons,
      metrics: { ...state.metrics },
    },
  };
};
