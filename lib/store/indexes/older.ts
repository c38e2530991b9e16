/** The exact fallback of approximate auto-linking: a new capsule's nearest among all older capsules. */
import { pairScores } from "../../kernels/ort-kernels.js";
import { offer, type TopK } from "../../kernels/top-k.js";
import type { HotVectors } from "../hot-vectors.js";

/** Queries scored together: one product of `BLOCK` queries against their older capsules, in pieces. */
const BLOCK = 512;
/** Scores per product (2 MB), as the exact scan keeps its own. */
const MAX_SCORES = 1 << 19;

/**
 * For each new capsule `ids[q]` whose `k` slots in `best` (capsule ids) are not all filled, searches exactly
 * among every older capsule (smaller id, not `excluded`) and replaces its slots. An index's probes miss
 * older neighbours only for the first capsules of a store or of a large batch, which have few older
 * capsules to scan; they are done a block at a time, sorted by id, against the older capsules of the
 * block's newest one, so a block costs a few matrix products. (One gather per capsule made the first
 * 15k capsules of a 1M-row add cost most of its half hour of linking.)
 */
export async function olderExact(
  hot: HotVectors,
  ids: readonly number[],
  best: TopK,
  k: number,
  excluded: ReadonlySet<number>,
): Promise<void> {
  const pending = ids.map((_, q) => q).filter((q) => best.rows[q * k + k - 1] < 0);
  if (pending.length === 0) return;
  pending.sort((a, b) => ids[a] - ids[b]);
  const byId = Int32Array.from(hot.ids)
    .filter((id) => !excluded.has(id))
    .sort();
  const rowsById = Int32Array.from(byId, (id) => hot.rowIndex(id));
  for (let start = 0; start < pending.length; start += BLOCK) {
    const block = pending.slice(start, start + BLOCK);
    const older = lowerBound(byId, ids[block[block.length - 1]]);
    if (older === 0) continue;
    const queries = hot.gather(Int32Array.from(block, (q) => hot.rowIndex(ids[q])));
    const qRows = Int32Array.from(block, (_, i) => i);
    for (const q of block) {
      best.rows.fill(-1, q * k, (q + 1) * k);
      best.scores.fill(Number.NEGATIVE_INFINITY, q * k, (q + 1) * k);
    }
    const piece = Math.max(1, Math.floor(MAX_SCORES / block.length));
    for (let from = 0; from < older; from += piece) {
      const to = Math.min(older, from + piece);
      // One matrix of the block's queries and the piece's rows, in either precision of the hot vectors.
      const width = to - from;
      const base = new Float32Array((block.length + width) * hot.dim);
      base.set(queries);
      for (let j = 0; j < width; j++) hot.copyRow(rowsById[from + j], base, block.length + j);
      const scores = await pairScores(
        base,
        hot.dim,
        qRows,
        Int32Array.from({ length: width }, (_, j) => block.length + j),
      );
      block.forEach((q, i) => {
        // Only capsules older than this one: a prefix of the piece, as it is sorted by id.
        const end = Math.min(width, lowerBound(byId, ids[q]) - from);
        for (let j = 0; j < end; j++) offer(best, q * k, byId[from + j], scores[i * width + j]);
      });
    }
  }
}

/** Index of the first element of sorted `values` that is ≥ `target`. */
function lowerBound(values: Int32Array, target: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid] < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
