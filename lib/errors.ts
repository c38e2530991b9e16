/**
 * Every error SIGLA raises on purpose is a `SiglaError`: a stable `code`, a message that names what is
 * wrong, and an optional `cause`. Each class fixes the codes it may carry, so tsc proves every throw site.
 * Anything else thrown (a bug, a LanceDB failure) is `SIGLA_INTERNAL`. Front ends print `errorText`:
 * `code: message` and never a stack trace (unless `SIGLA_DEBUG` is set). The marker symbol lets
 * `isSiglaError` work across duplicate copies of the module.
 */
const MARKER = Symbol.for("sigla.error");

/** The longest error message a door prints. */
export const MAX_ERROR_LINE = 500;

/** A message's first non-empty line, cut to `max` characters with an ellipsis. */
export function firstLine(message: string, max = MAX_ERROR_LINE): string {
  const first = (message.split(/\r?\n/).find((line) => line.trim() !== "") ?? "").trimEnd();
  return first.length > max ? `${first.slice(0, max - 1).trimEnd()}…` : first;
}

/** Every code a SIGLA error can carry; each `SiglaError` subclass narrows it to the codes it may throw. */
export type ErrorCode =
  | "SIGLA_INVALID_INPUT"
  | "SIGLA_DIMENSION_MISMATCH"
  | "SIGLA_UNKNOWN_ID"
  | "SIGLA_STORE_PATH"
  | "SIGLA_STORE_DAMAGED"
  | "SIGLA_STORE_LOCKED"
  | "SIGLA_CONFLICT"
  | "SIGLA_INDEX_UNAVAILABLE"
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
  | "SIGLA_BENCH"
  | "SIGLA_ARCHIVE_INVALID"
  | "SIGLA_ARCHIVE_UNSAFE"
  | "SIGLA_ARCHIVE_TOO_LARGE"
  | "SIGLA_MODULE_INVALID"
  | "SIGLA_MODULE_NOT_FOUND"
  | "SIGLA_MODULE_DEVICE"
  | "SIGLA_MODULE_SKILL"
  | "SIGLA_MODULE_BUDGET"
  | "SIGLA_UNAUTHORIZED"
  | "SIGLA_RATE_LIMITED"
  | "SIGLA_TOO_LARGE"
  | "SIGLA_NOT_FOUND"
  | "SIGLA_UNAVAILABLE"
  | "SIGLA_INTERNAL";

/**
 * The base of every SIGLA error. Throw a subclass: each one names the codes it may carry. A bare
 * `SiglaError` is for code that passes another error's code on (wrapping it with more context).
 */
export class SiglaError extends Error {
  /** The stable code callers and tests match on; the message is for people and may change. */
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

/** Whether `value` is a `SiglaError` (from any copy of this module). */
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

/**
 * Problems with the store itself: `SIGLA_STORE_PATH` (not a store, not a folder, not empty),
 * `SIGLA_STORE_DAMAGED` (files that do not match what SIGLA wrote), `SIGLA_STORE_LOCKED` (another writer
 * holds it), `SIGLA_STORE_CLOSED` (used after `close`), `SIGLA_HASH_MISMATCH` (a capsule's text changed
 * outside SIGLA), `SIGLA_INDEX_UNAVAILABLE` (the hnsw index's native library did not load here),
 * `SIGLA_CONFLICT` (a conditional write whose condition another process's write broke; nothing written).
 */
export class StoreError extends SiglaError {
  constructor(
    code:
      | "SIGLA_STORE_PATH"
      | "SIGLA_STORE_DAMAGED"
      | "SIGLA_STORE_LOCKED"
      | "SIGLA_STORE_CLOSED"
      | "SIGLA_HASH_MISMATCH"
      | "SIGLA_INDEX_UNAVAILABLE"
      | "SIGLA_CONFLICT",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** The store was written with another embedder than the one asked for. */
export class EmbedderMismatchError extends SiglaError {
  constructor(stored: string, requested: string) {
    super(
      "SIGLA_EMBEDDER_MISMATCH",
      `this store was written with embedder "${stored}"; "${requested}" cannot read it (open it with "auto" or "${stored}")`,
    );
  }
}

/**
 * An embedder that cannot be used: `SIGLA_MODEL_LOAD` (its model or runtime does not load or run),
 * `SIGLA_EMBEDDER_UNAVAILABLE` (not in the cache, hub unreachable, closed, or answers with the wrong shape).
 */
export class EmbedderError extends SiglaError {
  constructor(
    code: "SIGLA_MODEL_LOAD" | "SIGLA_EMBEDDER_UNAVAILABLE",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

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

/**
 * Long work stopped through an AbortSignal (or Ctrl-C): `<what> was cancelled; <outcome>`. The outcome
 * says what was kept; by default "nothing of it was written" (the unfinished step wrote nothing). An
 * empty outcome leaves the clause out. `cause` is the signal's reason, when there is one.
 */
export class CancelledError extends SiglaError {
  constructor(what: string, options: { outcome?: string; cause?: unknown } = {}) {
    const outcome = options.outcome ?? "nothing of it was written";
    super("SIGLA_CANCELLED", outcome ? `${what} was cancelled; ${outcome}` : `${what} was cancelled`, {
      cause: options.cause,
    });
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

/**
 * Memory layer problems: `SIGLA_SCHEMA` (a node that breaks the ArchiveNode schema), `SIGLA_HASH_MISMATCH`
 * (a node whose content no longer matches its hash).
 */
export class MemoryError extends SiglaError {
  constructor(code: "SIGLA_SCHEMA" | "SIGLA_HASH_MISMATCH", message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/**
 * An archive (`.capsulegraph`, `.capsulemod`) that cannot be unpacked: `SIGLA_ARCHIVE_INVALID` (not a tar,
 * damaged, a file whose sha256 differs from its manifest), `SIGLA_ARCHIVE_UNSAFE` (an entry that would land
 * outside the target: `..`, an absolute path, a link, a device), `SIGLA_ARCHIVE_TOO_LARGE` (more bytes or
 * files than the bound: a tar or zip bomb). A refused archive leaves nothing behind.
 */
export class ArchiveError extends SiglaError {
  constructor(
    code: "SIGLA_ARCHIVE_INVALID" | "SIGLA_ARCHIVE_UNSAFE" | "SIGLA_ARCHIVE_TOO_LARGE",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/**
 * A `.capsulemod` module that cannot be used: `SIGLA_MODULE_INVALID` (a wrong type, a missing file, a bad
 * meta.json), `SIGLA_MODULE_NOT_FOUND` (no module with that id in the registry), `SIGLA_MODULE_DEVICE` (it
 * needs a device this machine lacks), `SIGLA_MODULE_SKILL` (no module has that skill), `SIGLA_MODULE_BUDGET`
 * (one module larger than the whole memory budget of the loader).
 */
export class ModuleError extends SiglaError {
  constructor(
    code:
      | "SIGLA_MODULE_INVALID"
      | "SIGLA_MODULE_NOT_FOUND"
      | "SIGLA_MODULE_DEVICE"
      | "SIGLA_MODULE_SKILL"
      | "SIGLA_MODULE_BUDGET",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** A saved session that cannot be read back: a damaged line or file, a file of another session. */
export class SessionError extends SiglaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("SIGLA_SESSION", message, options);
  }
}

/** What the HTTP server refuses before any command runs: no key, too many requests, a body too large, no such route, shutting down. */
export class ServerError extends SiglaError {
  constructor(
    code:
      | "SIGLA_UNAUTHORIZED"
      | "SIGLA_RATE_LIMITED"
      | "SIGLA_TOO_LARGE"
      | "SIGLA_NOT_FOUND"
      | "SIGLA_UNAVAILABLE",
    message: string,
  ) {
    super(code, message);
  }
}

/** A command typed wrong at a door: an unknown command, magic or flag, a missing argument (with the usage). */
export class UsageError extends SiglaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("SIGLA_USAGE", message, options);
  }
}

/**
 * Anything thrown that SIGLA did not raise on purpose: a bug, a failure inside a library (LanceDB, a
 * runtime). The message is the original's; `cause` keeps the original, stack included.
 */
export class InternalError extends SiglaError {
  constructor(message: string, options: { cause: unknown }) {
    super("SIGLA_INTERNAL", message, options);
  }
}

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
  if (signal?.aborted) throw new CancelledError(what, { cause: signal.reason });
}

/** The message of anything thrown (an `Error`'s message, anything else as a string). */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Whether `error` is the platform's cancellation: a `DOMException` (or any error) named `AbortError`. */
export function isAbortError(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { name?: unknown }).name === "AbortError";
}

/**
 * Wraps anything thrown into a `SiglaError` so front ends can always print one line: a `SiglaError` as it
 * is, an `AbortError` (an aborted signal's default reason, an aborted fetch) as `CancelledError`, anything
 * else as `InternalError` keeping the original as `cause`.
 */
export function toSiglaError(error: unknown): SiglaError {
  if (isSiglaError(error)) return error;
  if (isAbortError(error)) return new CancelledError("the operation", { outcome: "", cause: error });
  return new InternalError(errorMessage(error), { cause: error });
}

/** Whether `SIGLA_DEBUG` asks for stack traces (set, and not "0"), as `config().debug` reads it. */
export function debugEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.SIGLA_DEBUG && env.SIGLA_DEBUG !== "0");
}

/**
 * What a door prints for anything thrown: the one line `CODE: message` (the message's first line, cut to
 * `max` characters) and, when `debug` (default: `SIGLA_DEBUG` is set), the stack on the lines after it —
 * for an `InternalError` the stack of the original error it wraps, where the bug is. No trailing newline.
 *
 * @example errorText(new Error("boom")) // "SIGLA_INTERNAL: boom"
 */
export function errorText(error: unknown, options: { debug?: boolean; max?: number } = {}): string {
  const { debug = debugEnabled(), max = MAX_ERROR_LINE } = options;
  const sigla = toSiglaError(error);
  const line = sigla.toLine(max);
  if (!debug) return line;
  const source = sigla.code === "SIGLA_INTERNAL" ? sigla.cause : sigla;
  const stack = source instanceof Error ? source.stack : undefined;
  return stack ? `${line}\n${stack}` : line;
}

/** A benchmark run that cannot go on: a system's server did not start, a worker failed, a report is malformed. */
export class BenchError extends SiglaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("SIGLA_BENCH", message, options);
  }
}
