/**
 * The candidate pool of memory recall: every capsule a search or the graph reached, with the parts of its
 * score and the ways it was reached. Deterministic order: best total score first, ties by id.
 */
import type { CapsuleStore } from "../store/capsule-store.js";
import type { Capsule } from "../store/types.js";

/** How a hit was reached; a hit can be reached several ways. */
export type RecallVia = "vector" | "fts" | "link" | "neighbour-turn" | "date";

/** The store methods recall uses. */
export type RecallStore = Pick<CapsuleStore, "search" | "list" | "vectorOf">;

/** A capsule in the pool. */
export interface Candidate {
  capsule: Capsule;
  /** Score from the lists (fusion), with the date boost. */
  base: number;
  /** Best share received from a seed, per way. */
  neighbour: number;
  link: number;
  via: Set<RecallVia>;
  /** Epoch ms of `meta.at`, when present. */
  at?: number;
}

/** Epoch ms of a capsule's `meta.at` (ISO), when it has a valid one. */
export function dateOf(capsule: Capsule): number | undefined {
  const at = (capsule.meta as { at?: unknown } | undefined)?.at;
  if (typeof at !== "string") return undefined;
  const ms = Date.parse(at);
  return Number.isNaN(ms) ? undefined : ms;
}

/** The pool's entry for `capsule`, added with a zero score when new. */
export function candidateOf(candidates: Map<number, Candidate>, capsule: Capsule): Candidate {
  let c = candidates.get(capsule.id);
  if (!c) {
    c = { capsule, base: 0, neighbour: 0, link: 0, via: new Set(), at: dateOf(capsule) };
    candidates.set(capsule.id, c);
  }
  return c;
}

/** A candidate's score: lists, neighbours and links together. */
export function total(c: Candidate): number {
  return c.base + c.neighbour + c.link;
}

/** Best total first, ties by id. */
export function byScore(a: Candidate, b: Candidate): number {
  return total(b) - total(a) || a.capsule.id - b.capsule.id;
}
