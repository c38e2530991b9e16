/** Builds `DslError`s whose message starts with where the problem is, so every front end shows it. */
import { DslError } from "../errors.js";

/**
 * A `DslError` with the message prefixed by `position N: ` (a 0-based offset in the program text) or,
 * for programs built by hand, `step N: ` (1-based); `position` is kept on the error when known.
 */
export function dslError(
  code: "SIGLA_DSL_PARSE" | "SIGLA_DSL_ARGUMENT",
  message: string,
  at: { position?: number; step?: number } = {},
): DslError {
  const where =
    at.position !== undefined
      ? `position ${at.position}: `
      : at.step !== undefined
        ? `step ${at.step}: `
        : "";
  return new DslError(code, `${where}${message}`, at.position);
}
