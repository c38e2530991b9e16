/** The exact fallback of approximate auto-linking: a new capsule's nearest among all older capsules. */
import { gatherTopK } from "../../kernels/ort-kernels.js";
import { offer, type TopK } from "../../kernels/top-k.js";
import type { HotVectors } from "../hot-vectors.js";

/**
 * For each new capsule whose `k` slots in `best` (capsule ids) are not all filled, searches exactly among
 * every older capsule (smaller id, not `excluded`) and replaces its slots. An index's probes miss older
 * neighbours only for the first capsules of a store or of a large batch, which have few older capsules to
 * scan. `vectorOf(q)` is the vector of `ids[q]`.
 */
export async function olderExact(
  hot: HotVectors,
  ids: readonly number[],
  vectorOf: (q: number) => Float32Array,
  best: TopK,
  k: number,
  excluded: ReadonlySet<number>,
): Promise<void> {
  const dim = hot.dim;
  let byId: Int32Array | undefined;
  for (let q = 0; q < ids.length; q++) {
    if (best.rows[q * k + k - 1] >= 0) continue;
    byId ??= Int32Array.from(hot.ids).sort();
    const older = byId.subarray(0, lowerBound(byId, ids[q])).filter((id) => !excluded.has(id));
    if (older.length === 0) continue;
    const found = await gatherTopK(
      vectorOf(q),
      hot.matrix,
      dim,
      Int32Array.from(older, (id) => hot.rowIndex(id)),
      k,
    );
    best.rows.fill(-1, q * k, (q + 1) * k);
    best.scores.fill(Number.NEGATIVE_INFINITY, q * k, (q + 1) * k);
    for (let j = 0; j < found.k; j++) {
      if (found.rows[j] >= 0) offer(best, q * k, hot.ids[found.rows[j]], found.scores[j]);
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
