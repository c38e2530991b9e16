/**
 * Which index a store runs on, by size: exact search while a scan is cheap, inverted lists in the middle,
 * a graph index for large stores. Switched after adds, never during a query.
 */
import type { IndexKind, IndexPolicy } from "./types.js";

/** Below this many capsules `auto` uses exact search. */
export const FLAT_MAX = 30_000;
/** Below this many capsules (and from FLAT_MAX up) `auto` uses IVF; above it, HNSW. */
export const IVF_MAX = 200_000;

export function chooseIndexKind(count: number, policy: IndexPolicy): IndexKind {
  if (policy !== "auto") return policy;
  if (count < FLAT_MAX) return "flat";
  if (count < IVF_MAX) return "ivf";
  return "hnsw";
}
