/**
 * Exact top-k over the hot vectors, the baseline every index kind falls back on or is calibrated against,
 * and the small TopK helpers the kinds share.
 */
import { gemmTopK } from "../../kernels/ort-kernels.js";
import { emptyTopK, offer, type TopK } from "../../kernels/top-k.js";
import type { HotVectors } from "../hot-vectors.js";

/**
 * Below this many rows (of 384 dims, one query) a JS scan beats the fixed cost of an ORT call; the kernels
 * pick JS by the same measure (`JS_MAX_WORK`), and it is the smallest block a batch scan is cut into.
 */
export const ORT_MIN_ROWS = 128;

/** Maps the row numbers of a TopK to capsule ids in place. */
export function rowsToIds(result: TopK, hot: HotVectors): TopK {
  const ids = hot.ids;
  for (let i = 0; i < result.rows.length; i++) if (result.rows[i] >= 0) result.rows[i] = ids[result.rows[i]];
  return result;
}

/**
 * Most scores one ORT call may hold (1M floats, 4 MB). A kernel's temporaries go to the C allocator, which
 * keeps freed blocks of a few MB for reuse instead of returning them to the system, so large scans go
 * block by block: resident memory stays flat, and the speed is the same.
 */
const MAX_SCORES = 1 << 20;
/** Rows decoded at a time from hot vectors held as halves (24 MB of floats at 384 dims). */
const HALF_BLOCK_ROWS = 16_384;

/** Exact top-k rows over the first `rows` hot rows. */
export function scan(hot: HotVectors, queries: Float32Array, k: number, rows = hot.size): Promise<TopK> {
  return inBlocks(hot, queries, k, rows, (base) => gemmTopK(queries, base, hot.dim, k));
}

/**
 * Runs `score` over blocks of the first `rows` hot rows (few enough that a block's scores stay within
 * `MAX_SCORES`) and merges the blocks' top-k, rows counted from the first hot row.
 */
async function inBlocks(
  hot: HotVectors,
  queries: Float32Array,
  k: number,
  rows: number,
  score: (base: Float32Array, start: number, end: number) => Promise<TopK>,
): Promise<TopK> {
  const dim = hot.dim;
  const m = queries.length / dim;
  if (rows === 0) return emptyTopK(m, k);
  const most = Math.max(ORT_MIN_ROWS, Math.floor(MAX_SCORES / m));
  const block = hot.precision === "f16" ? Math.min(most, HALF_BLOCK_ROWS) : most;
  if (block >= rows) {
    const found = await score(hot.rowsAsFloats(0, rows), 0, rows);
    return found.k === k ? found : widen(found, k);
  }
  const out = emptyTopK(m, k);
  for (let start = 0; start < rows; start += block) {
    const end = Math.min(rows, start + block);
    const found = await score(hot.rowsAsFloats(start, end), start, end);
    for (let q = 0; q < m; q++) {
      for (let j = 0; j < found.k; j++) {
        const row = found.rows[q * found.k + j];
        if (row >= 0) offer(out, q * k, start + row, found.scores[q * found.k + j]);
      }
    }
  }
  return out;
}

/** Pads a TopK with fewer slots per query (k clamped to the row count) to `k` slots. */
function widen(found: TopK, k: number): TopK {
  const m = found.rows.length / Math.max(found.k, 1);
  const out = emptyTopK(m, k);
  for (let q = 0; q < m; q++) {
    out.rows.set(found.rows.subarray(q * found.k, (q + 1) * found.k), q * k);
    out.scores.set(found.scores.subarray(q * found.k, (q + 1) * found.k), q * k);
  }
  return out;
}

/** Per query, up to `k` ids of its top-k slots, skipping empty slots and `excluded` ids. */
export function topLists(best: TopK, k: number, excluded: ReadonlySet<number>): number[][] {
  const out: number[][] = [];
  for (let q = 0; q < best.rows.length / best.k; q++) {
    const ids: number[] = [];
    for (let j = 0; j < best.k && ids.length < k; j++) {
      const id = best.rows[q * best.k + j];
      if (id >= 0 && !excluded.has(id)) ids.push(id);
    }
    out.push(ids);
  }
  return out;
}
