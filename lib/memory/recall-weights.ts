/**
 * The weights of memory recall: how much each candidate list, graph neighbour, date and version preference
 * counts, with the tuned defaults and the checked overrides a caller passes.
 */
import { InvalidInputError } from "../errors.js";

/**
 * The knobs of {@link recall}. Defaults ({@link DEFAULT_RECALL_WEIGHTS}) were tuned on the conversation
 * fixture of seed 1 with the offline use-lite embedder and checked on seed 2 (`npm run bench:memory`).
 */
export interface RecallWeights {
  /** Weight of the vector list in the reciprocal-rank fusion. */
  vector: number;
  /** Weight of the BM25 list in the fusion. */
  fts: number;
  /** The reciprocal-rank constant: a hit at rank r (0-based) adds weight / (rrfK + r + 1). */
  rrfK: number;
  /** Weight of the lists restricted to the query's date windows, relative to the unrestricted ones. */
  dateSearch: number;
  /**
   * Weight of the bridge searches — the query plus the names (capitalised words) found in the best
   * candidates — relative to the first ones: a second hop for questions that name a thing by its role ("the
   * dog that chewed my shoes" → "Nacho" → where Nacho's breed is said).
   */
  bridge: number;
  /** How many of the best first-round candidates names are taken from. */
  bridgeSeeds: number;
  /** How many of the best fused candidates spread score to their neighbourhood. */
  seeds: number;
  /** Share of a seed's score given to the turn right before or after it in the same session. */
  neighbour1: number;
  /** Share given to turns two away in the same session. */
  neighbour2: number;
  /** Share given to a capsule auto-linked to the seed. */
  link: number;
  /** Score × (1 + date) for capsules dated inside a window the query names. */
  date: number;
  /** Cosine at or above which two dated capsules count as two versions of one fact. */
  duplicateCosine: number;
  /** Factor on the version the query does not ask for (the older one for "now", the newer for "first"). */
  superseded: number;
  /**
   * For version questions, score × (1 + recency × t) with t from 0 to 1 across the leading candidates' dates:
   * 1 for the newest when the latest version is asked, for the oldest when the first is.
   */
  recency: number;
}

/**
 * Defaults, tuned by coordinate search on the conversation fixture of seed 1 (use-lite, 24 sessions) for
 * recall@10 + recall@5 / 2, and checked on seed 2. With paraphrased questions the vectors are the stronger
 * list (plain vector search finds about 0.69 of the evidence in its top 10, BM25 0.42), so BM25 weighs 0.75 of
 * a vector rank: it still adds the rare words (names, titles) that vectors blur. A neighbouring turn gets 0.6
 * of its seed's score because a fact and the words a question uses are often split over a turn and its reply.
 * The auto-links add little beyond the vector list (they are vector neighbours themselves): 0.05.
 */
export const DEFAULT_RECALL_WEIGHTS: Readonly<RecallWeights> = Object.freeze({
  vector: 1,
  fts: 0.75,
  rrfK: 10,
  dateSearch: 1,
  bridge: 1,
  bridgeSeeds: 3,
  seeds: 5,
  neighbour1: 0.6,
  neighbour2: 0.25,
  link: 0.05,
  date: 1,
  duplicateCosine: 0.6,
  superseded: 0.5,
  recency: 0.2,
});

/**
 * Weights for questions about ingested documents (the pipeline's knowledge recall). Documentation is asked
 * about in its own terms (option names, commands, versions), where BM25 is the stronger list: on the 778 Fiori
 * documents with use-lite, BM25 alone ranks the answering document in its top 5 for 64 of 67 questions and
 * vectors for 36; fused with the conversation defaults (BM25 at 0.75) the top 5 chunks hold it for 50, with
 * BM25 at 1 for 59, at 1.5 or 2 for 65 (`bench/datasets/fiori-qa.json`, reports/answers.md).
 */
export const KNOWLEDGE_RECALL_WEIGHTS: Readonly<Partial<RecallWeights>> = Object.freeze({ fts: 1.5 });

/** Defaults overridden by `weights`; `InvalidInputError` for an unknown key or a value that is not a finite number ≥ 0. */
export function checkWeights(weights: unknown): RecallWeights {
  if (weights === undefined) return { ...DEFAULT_RECALL_WEIGHTS };
  if (typeof weights !== "object" || weights === null || Array.isArray(weights)) {
    throw new InvalidInputError("weights must be an object of numbers");
  }
  const merged: RecallWeights = { ...DEFAULT_RECALL_WEIGHTS };
  for (const [key, value] of Object.entries(weights)) {
    if (!(key in DEFAULT_RECALL_WEIGHTS)) {
      throw new InvalidInputError(
        `unknown recall weight "${key}" (known: ${Object.keys(DEFAULT_RECALL_WEIGHTS).join(", ")})`,
      );
    }
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      throw new InvalidInputError(
        `recall weight ${key} must be a finite number ≥ 0, got ${JSON.stringify(value)}`,
      );
    }
    (merged as unknown as Record<string, number>)[key] = value;
  }
  merged.seeds = Math.floor(merged.seeds);
  merged.bridgeSeeds = Math.floor(merged.bridgeSeeds);
  return merged;
}
