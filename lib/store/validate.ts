/** Checks of caller input, so bad input fails with a typed error before anything is written. */
import { DimensionMismatchError, firstLine, InvalidInputError } from "../errors.js";
import { normalize } from "../math/vectors.js";
import type { CapsuleInput, CapsulePatch } from "./types.js";

export function checkText(text: unknown, where = "text"): string {
  if (typeof text !== "string") throw new InvalidInputError(`${where} must be a string, got ${typeof text}`);
  if (text.trim() === "") throw new InvalidInputError(`${where} is empty`);
  return text;
}

export function checkId(id: unknown, where = "id"): number {
  if (typeof id !== "number" || !Number.isInteger(id) || id < 0 || id > 0x7fffffff) {
    throw new InvalidInputError(`${where} must be a non-negative integer, got ${JSON.stringify(id)}`);
  }
  return id;
}

/**
 * A caller's SQL filter, checked to be one expression: parentheses balanced outside string literals, no
 * `;`, no comments, no `$`. Callers wrap it in parentheses, so it can never close a group and widen the filter it
 * is combined with (`id = 1) OR (1=1`). Every entry point that takes a `where` checks through this.
 */
export function checkWhere(where: unknown, what = "where"): string {
  if (typeof where !== "string" || where.trim() === "") {
    throw new InvalidInputError(`${what} must be a non-empty SQL filter`);
  }
  if (where.length > 10_000) throw new InvalidInputError(`${what} is longer than 10,000 characters`);
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < where.length; i++) {
    const c = where[i];
    if (quote) {
      if (c === quote) {
        if (where[i + 1] === quote) i++;
        else quote = undefined;
      }
      continue;
    }
    const bad = (why: string) =>
      new InvalidInputError(`${what} "${where.slice(0, 200)}": ${why} at ${i + 1}`);
    if (c === "'" || c === '"' || c === "`") quote = c;
    else if (c === "(") depth++;
    else if (c === ")" && --depth < 0) throw bad('")" closes a group it did not open');
    else if (c === ";") throw bad('";" ends the filter early (one expression only)');
    else if (c === "\0") throw bad("a NUL byte");
    // LanceDB's parser reads `$$…$$` as a string, which this scan does not track, and `$1` as a bind
    // parameter, which a filter never has: any `$` outside quotes is refused.
    else if (c === "$") throw bad("\"$\" (dollar-quoted strings are not accepted; use '…')");
    else if ((c === "-" && where[i + 1] === "-") || (c === "/" && where[i + 1] === "*")) {
      throw bad("a comment");
    }
  }
  if (quote) throw new InvalidInputError(`${what} "${where.slice(0, 200)}": a string is not closed`);
  if (depth > 0) throw new InvalidInputError(`${what} "${where.slice(0, 200)}": ${depth} "(" not closed`);
  return where.trim();
}

/**
 * One short line of an error from a native layer: LanceDB's messages run to several KB with Rust source
 * paths and backtraces; a user needs the first sentence.
 */
export function shortError(error: unknown, max = 300): string {
  const text = error instanceof Error ? error.message : String(error);
  const withoutSources = text.replace(/,?[ \t]*[\w/.-]+\.rs:\d+(:\d+)?/g, "").replace(/[ \t]+/g, " ");
  return firstLine(withoutSources, max).trim() || "unknown error";
}

/** A SQL string literal for LanceDB filters: single-quoted, quotes doubled. */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

export function checkPositiveInt(value: unknown, where: string, min = 1, max = 0x7fffffff): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidInputError(
      `${where} must be an integer from ${min} to ${max}, got ${typeof value === "bigint" ? value : JSON.stringify(value)}`,
    );
  }
  return value;
}

/**
 * Upper bounds on result sizes and walks, so no argument can make one call run for minutes or exhaust
 * memory (`topK` 2^31−1 used to block a query for nine minutes). Every entry point checks through these.
 */
export const LIMITS = {
  /** Hits one query or search may return. */
  topK: 10_000,
  /** Steps of one random walk. */
  walkSteps: 100_000,
  /** Hops of one breadth-first walk. */
  depth: 64,
  /** Rows one `list` may return. */
  list: 1_000_000,
} as const;

/** A `topK` (or `-k`) within 1..LIMITS.topK. */
export function checkTopK(value: unknown, where = "topK"): number {
  return checkPositiveInt(value, where, 1, LIMITS.topK);
}

/** Copies a vector into a unit-length Float32Array, checking its dimension and values. */
export function checkVector(vector: unknown, dim: number, where = "vector"): Float32Array {
  if (!(vector instanceof Float32Array) && !Array.isArray(vector)) {
    throw new InvalidInputError(`${where} must be a Float32Array or an array of numbers`);
  }
  if (vector.length !== dim) throw new DimensionMismatchError(dim, vector.length, where);
  if (Array.isArray(vector)) {
    const at = vector.findIndex((x) => typeof x !== "number");
    if (at >= 0) throw new InvalidInputError(`${where} holds a ${typeof vector[at]}, not a number, at ${at}`);
  }
  const out = Float32Array.from(vector as ArrayLike<number>);
  let sum = 0;
  for (let i = 0; i < dim; i++) {
    if (!Number.isFinite(out[i])) throw new InvalidInputError(`${where} holds a non-finite value at ${i}`);
    sum += out[i] * out[i];
  }
  if (sum === 0) throw new InvalidInputError(`${where} is all zeros`);
  return normalize(out);
}

function checkStrings(value: unknown, where: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((t) => typeof t !== "string" || t.trim() === "")) {
    throw new InvalidInputError(`${where} must be an array of non-empty strings`);
  }
  return [...new Set(value as string[])];
}

/** A capsule input with every field checked and defaulted. */
export interface CheckedInput {
  text: string;
  tags: string[];
  links: number[];
  meta: Record<string, unknown>;
  source: string | null;
  vector?: Float32Array;
}

function checkMeta(meta: unknown, where: string): Record<string, unknown> {
  if (typeof meta !== "object" || meta === null || Array.isArray(meta)) {
    throw new InvalidInputError(`${where}: meta must be a plain object`);
  }
  try {
    JSON.stringify(meta);
  } catch (error) {
    throw new InvalidInputError(`${where}: meta is not JSON-serialisable`, { cause: error });
  }
  return meta as Record<string, unknown>;
}

function checkIds(ids: unknown, where: string): number[] {
  if (ids === undefined) return [];
  if (!Array.isArray(ids)) throw new InvalidInputError(`${where} must be an array of ids`);
  return [...new Set(ids.map((id, j) => checkId(id, `${where}[${j}]`)))];
}

/** A patch with its id and link lists checked; tags and meta stay undefined when not changed. */
export interface CheckedPatch {
  id: number;
  tags?: string[];
  meta?: Record<string, unknown>;
  link: number[];
  unlink: number[];
}

export function checkPatch(patch: CapsulePatch, index: number): CheckedPatch {
  const where = `patch ${index}`;
  if (typeof patch !== "object" || patch === null) throw new InvalidInputError(`${where} must be an object`);
  return {
    id: checkId(patch.id, `${where}: id`),
    tags: patch.tags === undefined ? undefined : checkStrings(patch.tags, `${where}: tags`),
    meta: patch.meta === undefined ? undefined : checkMeta(patch.meta, where),
    link: checkIds(patch.link, `${where}: link`),
    unlink: checkIds(patch.unlink, `${where}: unlink`),
  };
}

export function checkInput(input: CapsuleInput, index: number, dim: number): CheckedInput {
  const where = `capsule ${index}`;
  if (typeof input !== "object" || input === null) throw new InvalidInputError(`${where} must be an object`);
  const text = checkText(input.text, `${where}: text`);
  const tags = checkStrings(input.tags, `${where}: tags`);
  const links = checkIds(input.links, `${where}: links`);
  const meta = checkMeta(input.meta ?? {}, where);
  if (input.source !== undefined && (typeof input.source !== "string" || input.source === "")) {
    throw new InvalidInputError(`${where}: source must be a non-empty string`);
  }
  const vector = input.vector === undefined ? undefined : checkVector(input.vector, dim, `${where}: vector`);
  return { text, tags, links, meta, source: input.source ?? null, vector };
}
