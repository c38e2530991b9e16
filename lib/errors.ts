/**
 * Every error SIGLA raises on purpose is a `SiglaError`: a stable `code`, a message that names what is
 * wrong, and an optional `cause`. Front ends print `code: message` and never a stack trace (unless
 * `SIGLA_DEBUG` is set). The marker symbol lets `isSiglaError` work across duplicate copies of the module.
 */
const MARKER = Symbol.for("sigla.error");

/** The longest error message a door prints. */
export const MAX_ERROR_LINE = 500;

/** A message's first non-empty line, cut to `max` characters with an ellipsis. */
export function firstLine(message: string, max = MAX_ERROR_LINE): string {
  const first = (message.split(/\r?\n/).find((line) => line.trim() !== "") ?? "").trimEnd();
  return first.length > max ? `${first.slice(0, max - 1).trimEnd()}…` : first;
}

export type ErrorCode =
  | "SIGLA_INVALID_INPUT"
  | "SIGLA_DIMENSION_MISMATCH"
  | "SIGLA_UNKNOWN_ID"
  | "SIGLA_STORE_PATH"
  | "SIGLA_STORE_DAMAGED"
  | "SIGLA_STORE_LOCKED"
  | "SIGLA_STORE_CLOSED"
  | "SIGLA_EMBEDDER_MISMATCH"
  | "SIGLA_EMBEDDER_UNAVAILABLE"
  | "SIGLA_MODEL_LOAD"
  | "SIGLA_MODEL_NOT_FOUND"
  | "SIGLA_MODEL_INVALID"
  | "SIGLA_MODEL_PULL"
  | "SIGLA_INGEST"
  | "SIGLA_CONFIG"
  | "SIGLA_CANCELLED"
  | "SIGLA_DSL_PARSE"
  | "SIGLA_DSL_ARGUMENT"
  | "SIGLA_SCHEMA"
  | "SIGLA_HASH_MISMATCH"
  | "SIGLA_GATE_REJECTED"
  | "SIGLA_SESSION"
  | "SIGLA_USAGE"
  | "SIGLA_BENCH";

export class SiglaError extends Error {
  readonly code: ErrorCode;
  readonly [MARKER] = true;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }

  /**
   * `code: message`, the one line a front end shows: the message's first line, cut to `max` characters
   * (a parser's dump or a Rust backtrace runs to kilobytes).
   */
  toLine(max = MAX_ERROR_LINE): string {
    return `${this.code}: ${firstLine(this.message, max)}`;
  }
}

export function isSiglaError(value: unknown): value is SiglaError {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[MARKER] === true;
}

/** Bad arguments from the caller: empty text, wrong types, unknown options. */
export class InvalidInputError extends SiglaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("SIGLA_INVALID_INPUT", message, options);
  }
}

/** A vector whose length is not the store's dimension. */
export class DimensionMismatchError extends SiglaError {
  constructor(
    readonly expected: number,
    readonly actual: number,
    what = "vector",
  ) {
    super("SIGLA_DIMENSION_MISMATCH", `${what} has dimension ${actual}, the store expects ${expected}`);
  }
}

/** A link or lookup that names a capsule id the store does not hold. */
export class UnknownIdError extends SiglaError {
  constructor(
    readonly id: number,
    what = "capsule",
  ) {
    super("SIGLA_UNKNOWN_ID", `${what} ${id} does not exist in this store`);
  }
}

/** Problems with the store itself: its path, its files, its lock, its lifecycle. */
export class StoreError extends SiglaError {}

/** The store was written with another embedder than the one asked for. */
export class EmbedderMismatchError extends SiglaError {
  constructor(stored: string, requested: string) {
    super(
      "SIGLA_EMBEDDER_MISMATCH",
      `this store was written with embedder "${stored}"; "${requested}" cannot read it (open it with "auto" or "${stored}")`,
    );
  }
}

/** An embedder or model that cannot be loaded or run. */
export class EmbedderError extends SiglaError {}

/**
 * A language model that cannot be used: `SIGLA_MODEL_NOT_FOUND` (no such file, or a hub model not in the
 * cache), `SIGLA_MODEL_INVALID` (not a model file, truncated, or a folder that holds none or several),
 * `SIGLA_MODEL_LOAD` (the file is whole but the backend cannot load or run it), `SIGLA_MODEL_PULL` (a
 * download that failed: offline, unknown model, interrupted).
 */
export class ModelError extends SiglaError {
  constructor(
    code: "SIGLA_MODEL_NOT_FOUND" | "SIGLA_MODEL_INVALID" | "SIGLA_MODEL_LOAD" | "SIGLA_MODEL_PULL",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** Ingest problems: unreadable files, unsupported formats. */
export class IngestError extends SiglaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("SIGLA_INGEST", message, options);
  }
}

/** A bad environment variable or option value. */
export class ConfigError extends SiglaError {
  constructor(message: string) {
    super("SIGLA_CONFIG", message);
  }
}

/** Long work stopped through an AbortSignal; nothing of the unfinished step was written. */
export class CancelledError extends SiglaError {
  constructor(what: string) {
    super("SIGLA_CANCELLED", `${what} was cancelled; nothing of it was written`);
  }
}

/**
 * A DSL program that cannot run: `SIGLA_DSL_PARSE` when the text does not parse (the message names the
 * position and what was expected), `SIGLA_DSL_ARGUMENT` for an unknown operator or a bad argument.
 */
export class DslError extends SiglaError {
  constructor(
    code: "SIGLA_DSL_PARSE" | "SIGLA_DSL_ARGUMENT",
    message: string,
    /** 0-based character offset in the program, when known. */
    readonly position?: number,
  ) {
    super(code, message);
  }
}

/** Memory layer problems: a node that breaks the ArchiveNode schema, a hash that no longer matches. */
export class MemoryError extends SiglaError {}

/** A gate (redaction, SIFT) refused to move a node up; `reasons` lists every failed check. */
export class GateRejectedError extends SiglaError {
  constructor(
    readonly gate: string,
    readonly reasons: string[],
  ) {
    super("SIGLA_GATE_REJECTED", `${gate} gate refused: ${reasons.join("; ")}`);
  }
}

/** Throws a `CancelledError` naming `what` when the signal has fired. */
export function throwIfCancelled(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new CancelledError(what);
}

/** The message of anything thrown (an `Error`'s message, anything else as a string). */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Wraps anything thrown into a `SiglaError` so front ends can always print one line. */
export function toSiglaError(error: unknown): SiglaError {
  if (isSiglaError(error)) return error;
  return new SiglaError("SIGLA_USAGE", errorMessage(error), { cause: error });
}

/** A benchmark run that cannot go on: a system's server did not start, a worker failed, a report is malformed. */
export class BenchError extends SiglaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("SIGLA_BENCH", message, options);
  }
}
