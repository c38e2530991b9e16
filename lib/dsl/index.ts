/**
 * The DSL: INTENT, RETRIEVE, EXPAND, MERGE and INJECT as typed functions over a capsule store, and as a
 * small text language (`INTENT "..." | RETRIEVE k=8 | EXPAND | MERGE | INJECT "..."`) for the REPL and
 * the notebook magics.
 */
export {
  type ArgumentKind,
  type ArgumentOperator,
  OPERATOR_ARGUMENTS,
} from "./arguments.js";
export { describeToken, type Token, type TokenKind, tokenize } from "./lexer.js";
export { textSimilarity } from "./near-duplicate.js";
export { EXPAND_DECAY, expand, inject, intent, merge, retrieve } from "./operators.js";
export { checkProgram, parseDsl } from "./parser.js";
export { type RunDslOptions, runDsl } from "./run.js";
export {
  checkTemplate,
  evidenceLines,
  renderTemplate,
  TEMPLATE_FIELDS,
  type TemplateField,
} from "./template.js";
export * from "./types.js";
