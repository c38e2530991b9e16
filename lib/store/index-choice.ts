/**
 * Choosing a store's vector index by cost. Under the `auto` policy a small store is scanned exactly; from
 * `AUTO_MIN` capsules on, each candidate (exact scan, IVF at its calibrated probes, the hnsw graph at its
 * calibrated width) is built and timed on queries drawn from the store's own vectors, and the fastest is
 * kept. The choice is made again when the store has grown or shrunk `REDECIDE_FACTOR` times since, and is
 * recorded in sigla.json so every process on the store follows it without measuring again.
 */

import type { HotVectors } from "./hot-vectors.js";
import { INDEX_KINDS, type IndexKind, type IndexPolicy } from "./index-policy.js";
import { RECALL_TARGET, sampleRows } from "./indexes/calibration.js";
import { createIndex, type VectorIndex } from "./vector-index.js";

/** Below this many capsules `auto` scans exactly: a scan costs well under a millisecond there. */
export const AUTO_MIN = 20_000;
/** `auto` decides again once the store is this many times larger (or smaller) than at the last decision. */
export const REDECIDE_FACTOR = 2;
/** Queries timed per candidate, after a warm-up, and the time an exact scan may take before it is cut short. */
const TIMED_QUERIES = 64;
const WARM_UP = 4;
const MAX_TIMING_MS = 2_000;

/** A candidate whose calibration could not reach this recall@10 is left out of the choice. */
const MIN_CANDIDATE_RECALL = RECALL_TARGET - 0.03;

/** What `auto` chose, at which size, and what each candidate cost (mean ms per query). */
export interface IndexDecision {
  kind: IndexKind;
  /** Capsules in the store when the choice was made. */
  at: number;
  costs: Partial<Record<IndexKind, number>>;
  /** Seconds each candidate took to build (and calibrate). */
  buildSeconds?: Partial<Record<IndexKind, number>>;
  /** Mean ms per query when `BATCH_TIMED` queries go in one call (the exact scan batches as one product). */
  batchCosts?: Partial<Record<IndexKind, number>>;
}

/** Queries in the timed batch, and the smallest batch `queryBatch` hands to the exact scan when it is faster. */
const BATCH_TIMED = 64;
export const EXACT_BATCH_MIN = 16;

/**
 * Whether batches of `EXACT_BATCH_MIN` queries or more run faster as one exact product than through the
 * running index, as the decision that chose it measured (real-text embeddings at 50k: ~5× in the first benchmarks).
 */
export function exactBatchesFaster(decision: IndexDecision | undefined, running: IndexKind): boolean {
  const costs = decision?.batchCosts;
  if (!decision || !costs || running === "flat" || decision.kind !== running) return false;
  return (costs.flat ?? Number.POSITIVE_INFINITY) < (costs[decision.kind] ?? Number.POSITIVE_INFINITY);
}

/** `value` as a decision read back from sigla.json or a snapshot, or undefined when it is not one. */
export function checkDecision(value: unknown): IndexDecision | undefined {
  const d = value as IndexDecision | undefined;
  if (!d || typeof d !== "object" || !(INDEX_KINDS as readonly unknown[]).includes(d.kind)) return undefined;
  if (!Number.isInteger(d.at) || d.at < 0 || typeof d.costs !== "object" || d.costs === null)
    return undefined;
  return d;
}

/**
 * The kind to run on for `count` capsules when no measurement is needed, or "measure" when `auto` must
 * time the candidates: pinned policies give their kind, small stores the exact scan, and a decision made
 * at a comparable size its kind.
 */
export function plannedKind(
  count: number,
  policy: IndexPolicy,
  decision: IndexDecision | undefined,
): IndexKind | "measure" {
  if (policy !== "auto") return policy;
  if (count < AUTO_MIN) return "flat";
  if (decision && decision.at >= AUTO_MIN && withinFactor(count, decision.at)) return decision.kind;
  return "measure";
}

function withinFactor(count: number, at: number): boolean {
  return count < at * REDECIDE_FACTOR && count * REDECIDE_FACTOR > at;
}

/** Progress of a decision: which candidate is being built or timed. */
export type DecisionProgress = (candidate: IndexKind, phase: "build" | "time") => void;

/**
 * Builds every candidate over the hot vectors, times each on the same sample of stored vectors, and
 * returns the fastest (built) with the decision. A candidate that cannot be built here (the hnsw graph on a
 * platform without usearch's binary) is left out.
 */
export async function decideIndex(
  hot: HotVectors,
  onProgress?: DecisionProgress,
): Promise<{ index: VectorIndex; decision: IndexDecision }> {
  // The exact scan and IVF candidates read the float32 matrix (the store fits the precision to the winner).
  hot.expand();
  const queries = sampleRows(hot, Math.min(TIMED_QUERIES + WARM_UP, hot.size), 29);
  const costs: Partial<Record<IndexKind, number>> = {};
  const batchCosts: Partial<Record<IndexKind, number>> = {};
  const buildSeconds: Partial<Record<IndexKind, number>> = {};
  let best: { index: VectorIndex; cost: number } | undefined;
  for (const kind of INDEX_KINDS) {
    const index = createIndex(kind, hot);
    const started = performance.now();
    try {
      onProgress?.(kind, "build");
      await index.build();
    } catch {
      continue;
    }
    buildSeconds[kind] = round3((performance.now() - started) / 1000);
    // A graph whose recall levelled off far below the target (seen on real-text embeddings) is no candidate.
    if ((index.calibratedRecall ?? 1) < MIN_CANDIDATE_RECALL) continue;
    onProgress?.(kind, "time");
    const cost = await meanQueryMs(index, queries, hot.dim);
    costs[kind] = round3(cost);
    batchCosts[kind] = round3(await batchQueryMs(index, queries.subarray(0, BATCH_TIMED * hot.dim), hot.dim));
    if (!best || cost < best.cost) best = { index, cost };
  }
  // The exact scan always builds, so there is a best.
  const winner = best as { index: VectorIndex; cost: number };
  return {
    index: winner.index,
    decision: { kind: winner.index.kind, at: hot.size, costs, buildSeconds, batchCosts },
  };
}

/** Mean milliseconds of one top-10 query, one query at a time, after a warm-up. */
async function meanQueryMs(index: VectorIndex, queries: Float32Array, dim: number): Promise<number> {
  const m = queries.length / dim;
  const query = (q: number) => index.search(queries.subarray(q * dim, (q + 1) * dim), 10);
  for (let q = 0; q < Math.min(WARM_UP, m); q++) await query(q);
  const started = performance.now();
  let timed = 0;
  for (let q = Math.min(WARM_UP, m); q < m; q++) {
    await query(q);
    timed++;
    if (performance.now() - started > MAX_TIMING_MS) break;
  }
  return timed === 0 ? 0 : (performance.now() - started) / timed;
}

/** Mean milliseconds per query of one call with every query in `queries`, after a warm-up call. */
async function batchQueryMs(index: VectorIndex, queries: Float32Array, dim: number): Promise<number> {
  await index.search(queries, 10);
  const started = performance.now();
  await index.search(queries, 10);
  return (performance.now() - started) / (queries.length / dim);
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
