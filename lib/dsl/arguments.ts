/**
 * The `key=value` arguments each operator takes, their types and ranges, and the one check both the
 * parser and the typed operators run, so `k=0` in a program and `{ k: 0 }` in code fail the same way.
 */
import type { SearchMode } from "../store/types.js";
import { LIMITS } from "../store/validate.js";
import { dslError } from "./dsl-error.js";
import type { DslOperator, ExpandOptions, MergeOptions, RetrieveOptions } from "./types.js";

/** The type of one argument. */
export type ArgumentKind =
  | { kind: "int"; min: number; max: number }
  | { kind: "fraction" }
  | { kind: "string" }
  | { kind: "list" }
  | { kind: "enum"; values: readonly string[] };

const SEARCH_MODES: readonly SearchMode[] = ["hybrid", "vector", "fts"];

/**
 * The arguments of the operators that take `key=value` arguments (INTENT and INJECT take none). Counts and
 * hops are bounded by the store's `LIMITS`, the same bounds as every other door: `k` and `limit` by
 * `LIMITS.topK`, `depth` by `LIMITS.depth`.
 */
export const OPERATOR_ARGUMENTS: Record<"RETRIEVE" | "EXPAND" | "MERGE", Record<string, ArgumentKind>> = {
  RETRIEVE: {
    k: { kind: "int", min: 1, max: LIMITS.topK },
    tags: { kind: "list" },
    mode: { kind: "enum", values: SEARCH_MODES },
    where: { kind: "string" },
    q: { kind: "string" },
  },
  EXPAND: {
    depth: { kind: "int", min: 0, max: LIMITS.depth },
    limit: { kind: "int", min: 1, max: LIMITS.topK },
  },
  MERGE: { k: { kind: "int", min: 1, max: LIMITS.topK }, dedupe: { kind: "fraction" } },
};

/** Operators with `key=value` arguments. */
export type ArgumentOperator = keyof typeof OPERATOR_ARGUMENTS;

/** Where a problem is, for the error message: a text offset or a step number. */
export interface At {
  position?: number;
  step?: number;
}

/** The spec of `op`'s argument `key`; an unknown key is a `SIGLA_DSL_ARGUMENT` error listing the known ones. */
export function argumentKind(op: ArgumentOperator, key: string, at: At = {}): ArgumentKind {
  const specs = OPERATOR_ARGUMENTS[op];
  if (!Object.hasOwn(specs, key)) {
    throw dslError(
      "SIGLA_DSL_ARGUMENT",
      `${op} has no argument "${key}" (it takes ${Object.keys(specs).join(", ")})`,
      at,
    );
  }
  return specs[key];
}

/** Checks one argument value against its spec and returns it typed; throws `SIGLA_DSL_ARGUMENT` naming both. */
export function checkArgument(op: ArgumentOperator, key: string, value: unknown, at: At = {}): unknown {
  const spec = argumentKind(op, key, at);
  const bad = (expected: string): never => {
    throw dslError("SIGLA_DSL_ARGUMENT", `${op} ${key} must be ${expected}, got ${show(value)}`, at);
  };
  switch (spec.kind) {
    case "int":
      if (typeof value !== "number" || !Number.isInteger(value) || value < spec.min || value > spec.max) {
        bad(`an integer from ${spec.min} to ${spec.max}`);
      }
      return value;
    case "fraction":
      if (typeof value !== "number" || !(value > 0 && value <= 1)) bad("a number above 0 and at most 1");
      return value;
    case "string":
      if (typeof value !== "string" || value.trim() === "") bad("a non-empty string");
      return value;
    case "list":
      if (!Array.isArray(value) || value.some((v) => typeof v !== "string" || v.trim() === "")) {
        bad("a list of non-empty strings");
      }
      return value;
    case "enum": {
      const lower = typeof value === "string" ? value.toLowerCase() : undefined;
      if (lower === undefined || !spec.values.includes(lower)) bad(`one of ${spec.values.join(", ")}`);
      return lower;
    }
  }
}

function show(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  return JSON.stringify(value) ?? String(value);
}

/**
 * Checks every key of an options object (unknown keys included; `undefined` values are skipped) and
 * returns the checked values. This is what the typed operators run on the options they are given.
 */
export function checkOptions(
  op: ArgumentOperator,
  options: object | undefined,
  at: At = {},
): Record<string, unknown> {
  if (options !== undefined && (typeof options !== "object" || options === null || Array.isArray(options))) {
    throw dslError("SIGLA_DSL_ARGUMENT", `${op} options must be an object`, at);
  }
  const checked: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options ?? {})) {
    if (value !== undefined) checked[key] = checkArgument(op, key, value, at);
  }
  return checked;
}

/** Retrieve options with defaults filled in. */
export type ResolvedRetrieve = RetrieveOptions & Required<Pick<RetrieveOptions, "k" | "mode">>;
/** Expand options with defaults filled in. */
export type ResolvedExpand = ExpandOptions & Required<Pick<ExpandOptions, "depth">>;
/** Merge options with defaults filled in. */
export type ResolvedMerge = MergeOptions & Required<Pick<MergeOptions, "dedupe">>;

/** Checked RETRIEVE options with the defaults `k=5`, `mode=hybrid`. */
export function resolveRetrieve(options?: RetrieveOptions, at: At = {}): ResolvedRetrieve {
  return { k: 5, mode: "hybrid", ...(checkOptions("RETRIEVE", options, at) as RetrieveOptions) };
}

/** Checked EXPAND options with the default `depth=1`. */
export function resolveExpand(options?: ExpandOptions, at: At = {}): ResolvedExpand {
  return { depth: 1, ...(checkOptions("EXPAND", options, at) as ExpandOptions) };
}

/** Checked MERGE options with the default `dedupe=0.9`. */
export function resolveMerge(options?: MergeOptions, at: At = {}): ResolvedMerge {
  return { dedupe: 0.9, ...(checkOptions("MERGE", options, at) as MergeOptions) };
}

/** Checks a text an operator takes (INTENT's text, INJECT's template, RETRIEVE's positional query). */
export function checkText(op: DslOperator, what: string, value: unknown, at: At = {}): string {
  if (typeof value !== "string" || value.trim() === "") {
    throw dslError("SIGLA_DSL_ARGUMENT", `${op} ${what} must be a non-empty string, got ${show(value)}`, at);
  }
  return value;
}
