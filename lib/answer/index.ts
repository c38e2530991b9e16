/**
 * The offline answerer: pure functions the pipeline calls to answer from evidence without a language
 * model — question types, sentence units with exact offsets, the answer-first composer, follow-up
 * resolution, the distress acknowledgement, the Λ next step and citation locators.
 */
export { type Locator, locatorOf } from "./citation.js";
export { composeAnswer, MAX_CANDIDATES, SUMMARY_MAX_CHARS, SUPPORT_SHARE } from "./compose.js";
export { type FollowUpContext, resolveFollowUp } from "./follow-up.js";
export { acknowledgement, type NextStepEvidence, type NextStepInput, nextStep } from "./guidance.js";
export { questionType } from "./question-type.js";
export { splitSentences, type TextUnit, type UnitKind } from "./split.js";
export type * from "./types.js";
