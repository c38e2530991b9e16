/**
 * Search by meaning among the capsules a filter lets through. The filter is resolved once per table version
 * (`filter-cache.ts`); then a selective filter is an exact scan of its few rows, and a broad one asks the
 * index for enough more hits that `k` of them are expected to pass, keeping those that do, and scans its
 * rows exactly only when too few did, or when the index decision's costs say the exact answer is the
 * cheaper of the two. An index that filters while it re-scores (the graph) is asked for `k` accepted hits.
 * Works with any `VectorIndex`.
 */
import { gatherTopK, gemmABt, gemmTopK } from "../kernels/ort-kernels.js";
import { ScratchPool } from "../kernels/scratch.js";
import { emptyTopK, offer, type TopK } from "../kernels/top-k.js";
import { DECODED_MATCH_ROWS, type FilterMatch, resolveFilter } from "./filter-cache.js";
import type { IndexDecision } from "./index-choice.js";
import type { IndexKind } from "./index-policy.js";
import { rowsToIds } from "./indexes/exact-scan.js";
import type { StoreState } from "./store-state.js";

/**
 * A filter that keeps at most this share of the store is scanned exactly: the index would have to return
 * `k / share` hits, deep in its ranking where its recall falls, and the scan is short.
 */
export const EXACT_SHARE = 0.1;
/** Filters matching at most this many capsules are always scanned exactly (~0.2 ms at 384 dims). */
const EXACT_ROWS = 2048;
/** How many more hits than expected the index is asked for, against bad luck in where matches lie. */
const MARGIN = 1.5;
/**
 * An index that filters while it re-scores searches `BROAD_SHARE / share` times its calibrated width (at
 * least once): the 10 nearest matches of a filter keeping half lie among the ~20 nearest capsules, which the
 * width calibrated for 10 finds less surely (lorem 50k, 50% filter: recall 0.975 at 1×).
 */
const BROAD_SHARE = 0.75;

const scratch = new ScratchPool();

/**
 * The `k` capsules nearest `vector` among those `filter` lets through (ids, best first; -1 in unused
 * slots). `effort` scales the index's search width, as for unfiltered queries.
 */
export async function filteredTopK(
  s: StoreState,
  vector: Float32Array,
  k: number,
  filter: string,
  effort: number,
): Promise<TopK> {
  const match = await resolveFilter(s, filter);
  const { hot, index } = s;
  const share = match.count / Math.max(1, hot.size);
  if (match.count === 0) return emptyTopK(1, k);
  // An index that filters while it re-scores looks `boost` times wider; another is asked for `wide` hits,
  // which its probes find at no extra cost.
  const boost = Math.max(1, BROAD_SHARE / share);
  const wide = Math.min(hot.size, Math.ceil((k / share) * MARGIN));
  if (
    index.kind === "flat" ||
    share <= EXACT_SHARE ||
    match.count <= EXACT_ROWS ||
    scanCheaper(s.manifest.index, index.kind, index.searchAccepted ? boost : 1)
  ) {
    return exactAmong(s, vector, k, match);
  }
  const found = index.searchAccepted
    ? await index.searchAccepted(vector, k, effort * boost, (id) => match.has(id))
    : await index.search(vector, wide, effort);
  const out = emptyTopK(1, k);
  let kept = 0;
  for (let j = 0; j < found.k && kept < k; j++) {
    const id = found.rows[j];
    if (id >= 0 && match.has(id)) {
      out.rows[kept] = id;
      out.scores[kept++] = found.scores[j];
    }
  }
  // Too few passed (the matches lie away from this query): the exact answer, at the cost of a scan.
  return kept === k ? out : exactAmong(s, vector, k, match);
}

/**
 * Whether the exact answer to a broad filter (one full product, see `exactAmong`) is expected to cost less
 * than the running index at `factor` times its usual cost, from the single-query costs its decision
 * measured.
 */
export function scanCheaper(decision: IndexDecision | undefined, kind: IndexKind, factor: number): boolean {
  const exact = decision?.costs.flat;
  const indexed = decision?.kind === kind ? decision.costs[decision.kind] : undefined;
  if (exact === undefined || indexed === undefined) return false;
  return exact < indexed * factor;
}

/**
 * Exact top-k among the matching capsules' hot rows: a selective filter's rows are gathered and scored, a
 * broad one's are picked from one product over every row (gathering 25k of 50k rows first took 21 ms,
 * the contiguous product 4.6 ms).
 */
async function exactAmong(s: StoreState, vector: Float32Array, k: number, match: FilterMatch): Promise<TopK> {
  const { hot } = s;
  const rows = scratch.take(match.count);
  try {
    const count = match.rowsIn(hot, rows);
    const out = emptyTopK(1, k);
    if (count === 0) return out;
    const kept = rows.subarray(0, count);
    if (match.decoded) {
      // Halves, a narrow filter: its rows were decoded once, when the filter was resolved.
      const { rows: decodedRows, vectors } = match.decoded;
      const found = await gemmTopK(vector, vectors, hot.dim, Math.min(k, decodedRows.length));
      for (let j = 0; j < found.k; j++)
        if (found.rows[j] >= 0) offer(out, 0, decodedRows[found.rows[j]], found.scores[j]);
    } else if (hot.precision === "f16") {
      // Halves, a broad filter (more rows than a match keeps decoded): decoded and scored a block at a time.
      for (let start = 0; start < count; start += DECODED_MATCH_ROWS) {
        const block = kept.subarray(start, start + DECODED_MATCH_ROWS);
        const found = await gemmTopK(vector, hot.gather(block), hot.dim, Math.min(k, block.length));
        for (let j = 0; j < found.k; j++)
          if (found.rows[j] >= 0) offer(out, 0, block[found.rows[j]], found.scores[j]);
      }
    } else if (count <= Math.max(EXACT_ROWS, EXACT_SHARE * hot.size)) {
      const found = await gatherTopK(vector, hot.matrix, hot.dim, kept, k);
      out.rows.set(found.rows);
      out.scores.set(found.scores);
    } else {
      const scores = await gemmABt(vector, hot.matrix, hot.dim);
      for (const row of kept) offer(out, 0, row, scores[row]);
    }
    return rowsToIds(out, hot);
  } finally {
    scratch.give(rows);
  }
}
