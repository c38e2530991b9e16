/**
 * The session metrics (Iskra §3.1): pain, clarity, drift and trust, each a number in [0, 1] computed by a
 * pure, deterministic function of the message text, its embedding and the retrieval results — plus the two
 * policies that follow from them between turns, the session goal (`updateGoal`) and the phase
 * (`nextPhase`). No I/O: every input is an argument, every threshold a named constant. One file per
 * metric; the word lists they read are data modules (`pain-words.ts`, `clarity-words.ts`).
 */
export {
  CLARITY_LOW,
  CLARITY_WEIGHTS,
  clarityOf,
  explainSpecificity,
  isQuestion,
  MARGIN_FOLLOWERS,
  MARGIN_GAIN,
  retrievalMargin,
  SPECIFICITY_FULL_WORDS,
  type SpecificityReport,
  specificityOf,
  wordCount,
} from "./clarity.js";
export {
  DRIFT_COS_SAME,
  DRIFT_COS_UNRELATED,
  DRIFT_HIGH,
  driftOf,
  GOAL_EMA_ALPHA,
  GOAL_RESET_DRIFT,
  updateGoal,
  type VectorLike,
} from "./drift.js";
export {
  explainPain,
  PAIN_CAPS_FACTOR,
  PAIN_HIGH,
  PAIN_INTENSIFIER_FACTOR,
  PAIN_NEGATION_FACTOR,
  type PainReport,
  type PainSignal,
  painOf,
} from "./pain.js";
export { DEEPENING_FROM_TURN, EXPLORING_FROM_TURN, nextPhase } from "./phase.js";
export { evidenceTrust, LAYER_TRUST, PROVENANCE_TRUST, TRUST_LOW, trustOf } from "./trust.js";
