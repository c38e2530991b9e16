/**
 * The index kinds a store runs on and the policies that pick one: `auto` (the fastest measured on the
 * store's own vectors, see `index-choice.ts`) or a kind pinned by name.
 */
import { InvalidInputError } from "../errors.js";

/** The index kinds a store can run on: exact scan, inverted file lists, or a graph index. */
export const INDEX_KINDS = ["flat", "ivf", "hnsw"] as const;
/** An index kind (see `INDEX_KINDS`). */
export type IndexKind = (typeof INDEX_KINDS)[number];
/** The index policies: `auto` picks the kind by measured cost, a kind pins it. */
export const INDEX_POLICIES = ["auto", ...INDEX_KINDS] as const;
/** An index policy (see `INDEX_POLICIES`). */
export type IndexPolicy = (typeof INDEX_POLICIES)[number];

/** "a, b or c". */
function alternatives(names: readonly string[]): string {
  return `${names.slice(0, -1).join(", ")} or ${names[names.length - 1]}`;
}

/** `value` as an index kind; anything else is `SIGLA_INVALID_INPUT` naming `what`. */
export function checkIndexKind(value: unknown, what = "index kind"): IndexKind {
  if (!(INDEX_KINDS as readonly unknown[]).includes(value)) {
    throw new InvalidInputError(`${what} must be ${alternatives(INDEX_KINDS)}, got ${JSON.stringify(value)}`);
  }
  return value as IndexKind;
}

/** `value` as an index policy; anything else is `SIGLA_INVALID_INPUT` naming `what`. */
export function checkIndexPolicy(value: unknown, what = "indexPolicy"): IndexPolicy {
  if (!(INDEX_POLICIES as readonly unknown[]).includes(value)) {
    throw new InvalidInputError(
      `${what} must be ${alternatives(INDEX_POLICIES)}, got ${JSON.stringify(value)}`,
    );
  }
  return value as IndexPolicy;
}
