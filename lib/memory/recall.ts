/**
 * Memory recall: the memory step's retrieval. Candidates come from a vector search and a BM25 search (and,
 * when the query names a time, the same two searches restricted to it), fused by weighted reciprocal rank.
 * The strongest candidates then pass part of their score to their graph neighbourhood: the store's auto-links
 * and, for conversation turns, the turns just before and after in the same session (an answer often sits in
 * the reply to the turn that matched the question, or the other way round). A second round of searches adds
 * the names found in the best first-round candidates to the query, for questions that need two hops.
 * Capsules dated inside a window the query names ("in March", "last week") are boosted, and when the query asks for the current (or the
 * first) version of a fact, the other versions of it — near-duplicates said earlier (or later) — are pushed
 * down. Copies of one text keep only their best-scored place. Everything is deterministic: ties break by id.
 *
 * Memory nodes among the hits have their hash re-checked (`SIGLA_HASH_MISMATCH` names the node).
 *
 * Works on any capsules. A capsule's date is its `meta.at` (ISO, as turns store it); capsules without one get
 * no date boost, and only turns (see `turns.ts`) have neighbouring turns.
 *
 * The parts: weights (`recall-weights.ts`), the candidate pool (`recall-candidates.ts`), the searches
 * (`recall-fuse.ts`), the graph step (`recall-graph.ts`) and version preference (`recall-versions.ts`).
 */
import { InvalidInputError } from "../errors.js";
import { capsuleFilter } from "../store/filter.js";
import type { CapsuleMeta } from "../store/types.js";
import { checkPositiveInt } from "../store/validate.js";
import { verifyNode } from "./layers.js";
import { inWindow, parseQueryTime } from "./query-dates.js";
import { byScore, type Candidate, type RecallStore, type RecallVia, total } from "./recall-candidates.js";
import { bridgeNames, dateFilter, fuse } from "./recall-fuse.js";
import { expand } from "./recall-graph.js";
import { preferVersion } from "./recall-versions.js";
import { checkWeights, type RecallWeights } from "./recall-weights.js";

export type { RecallStore, RecallVia } from "./recall-candidates.js";
export { DEFAULT_RECALL_WEIGHTS, KNOWLEDGE_RECALL_WEIGHTS, type RecallWeights } from "./recall-weights.js";

/** One recalled capsule, best first. */
export interface RecallHit {
  id: number;
  text: string;
  /** Fused score (higher is better); comparable within one call only. */
  score: number;
  tags: string[];
  meta: CapsuleMeta;
  via: RecallVia[];
}

/** Default number of hits returned. */
export const DEFAULT_RECALL_K = 10;
/** Default depth of each candidate list: at least this many, and at least 4 × k. */
const MIN_CANDIDATES = 50;

/** Options of {@link recall}. */
export interface RecallOptions {
  /** Hits returned (default 10). */
  k?: number;
  /** ISO date the question is asked; anchors "last week", "in March" (which March) and so on. */
  now?: string;
  /** Capsules must carry all of these tags (neighbours and linked capsules too). */
  tags?: string[];
  /** A LanceDB SQL filter every hit must pass (neighbours and linked capsules too). */
  where?: string;
  /** Overrides of {@link DEFAULT_RECALL_WEIGHTS}. */
  weights?: Partial<RecallWeights>;
  /** The query's embedding when the caller has it (searches then embed nothing). */
  vector?: Float32Array;
  /** `maxCandidates`: depth of each candidate list (default max(50, 4 × k)). */
  budget?: { maxCandidates?: number };
}

/** Recall's options, checked and defaulted. */
interface Checked {
  k: number;
  depth: number;
  now?: number;
  tags?: string[];
  where?: string;
  weights: RecallWeights;
}

/** Checks the query and options; `InvalidInputError` names the first bad one. */
function checkRecall(query: unknown, options: RecallOptions): Checked {
  if (typeof query !== "string" || query.trim() === "") {
    throw new InvalidInputError("recall needs a non-empty query string");
  }
  if (typeof options !== "object" || options === null)
    throw new InvalidInputError("recall options must be an object");
  const k = checkPositiveInt(options.k ?? DEFAULT_RECALL_K, "k");
  const depth = checkPositiveInt(
    options.budget?.maxCandidates ?? Math.max(MIN_CANDIDATES, 4 * k),
    "maxCandidates",
  );
  let now: number | undefined;
  if (options.now !== undefined) {
    now = typeof options.now === "string" ? Date.parse(options.now) : Number.NaN;
    if (Number.isNaN(now))
      throw new InvalidInputError(`now must be an ISO date, got ${JSON.stringify(options.now)}`);
  }
  const { tags, where } = options;
  if (tags !== undefined && (!Array.isArray(tags) || tags.some((t) => typeof t !== "string"))) {
    throw new InvalidInputError("tags must be an array of strings");
  }
  if (where !== undefined && (typeof where !== "string" || where.trim() === "")) {
    throw new InvalidInputError("where must be a non-empty SQL filter");
  }
  return { k, depth, now, tags, where, weights: checkWeights(options.weights) };
}

/** The best `k` candidates as hits, one per distinct text, memory nodes' hashes re-checked. */
function toHits(candidates: Map<number, Candidate>, k: number): RecallHit[] {
  // The same text said twice ("Thanks, that helps!") takes one place: the best-scored copy.
  const seen = new Set<string>();
  return [...candidates.values()]
    .sort(byScore)
    .filter((c) => {
      const first = !seen.has(c.capsule.sha256);
      seen.add(c.capsule.sha256);
      return first;
    })
    .slice(0, k)
    .map((c) => verifyNode(c.capsule) && c)
    .map((c) => ({
      id: c.capsule.id,
      text: c.capsule.text,
      score: total(c),
      tags: c.capsule.tags,
      meta: c.capsule.meta,
      via: (["vector", "fts", "date", "link", "neighbour-turn"] as const).filter((v) => c.via.has(v)),
    }));
}

/**
 * Finds the capsules that answer `query`, best first (see the module comment for how).
 *
 * @throws InvalidInputError for an empty query, a bad `k`, `now`, `tags`, `where`, weight or budget.
 */
export async function recall(
  store: RecallStore,
  query: string,
  options: RecallOptions = {},
): Promise<RecallHit[]> {
  const { k, depth, now, tags, where, weights } = checkRecall(query, options);
  const time = parseQueryTime(query, now);

  const candidates = new Map<number, Candidate>();
  const search = { depth, tags, where, weights, vector: options.vector };
  await fuse(store, candidates, time.content, dateFilter(time.windows), search, 1);
  if (weights.bridge > 0 && weights.bridgeSeeds > 0) {
    const best = [...candidates.values()].sort(byScore).slice(0, weights.bridgeSeeds);
    const names = bridgeNames(
      query,
      best.map((c) => c.capsule.text),
    );
    if (names.length > 0) {
      await fuse(store, candidates, `${time.content} ${names.join(" ")}`, undefined, search, weights.bridge);
    }
  }
  if (time.windows.length > 0) {
    for (const c of candidates.values()) {
      if (c.at !== undefined && time.windows.some((w) => inWindow(w, c.at as number))) {
        c.base *= 1 + weights.date;
        c.via.add("date");
      }
    }
  }
  await expand(store, candidates, capsuleFilter(tags, where), weights);
  if (time.version) preferVersion(store, candidates, time.version, weights, Math.max(k * 3, 30));
  return toHits(candidates, k);
}
