/** The flat index: exact search over every hot vector, and exact auto-linking. */
import { pairScores } from "../../kernels/ort-kernels.js";
import { dot, emptyTopK, offer, type TopK } from "../../kernels/top-k.js";
import type { HotVectors } from "../hot-vectors.js";
import type { IndexKind } from "../index-policy.js";
import type { VectorIndex } from "../vector-index.js";
import { rowsToIds, scan, topLists } from "./exact-scan.js";

/** Rows per block when linking a large batch exactly. */
const LINK_BLOCK = 1024;

/** Exact search: a scan of every hot vector. Always right; its cost grows with the store. */
export class FlatIndex implements VectorIndex {
  readonly kind: IndexKind = "flat";
  readonly params = {};
  constructor(private readonly hot: HotVectors) {}

  async build(): Promise<void> {}
  async added(): Promise<void> {}
  removed(): void {}

  async search(queries: Float32Array, k: number): Promise<TopK> {
    return rowsToIds(await scan(this.hot, queries, k), this.hot);
  }

  /** Exact: new rows sit at the end of the hot matrix in id order, so "older" means "an earlier row". */
  async linkNew(
    ids: readonly number[],
    k: number,
    excluded: ReadonlySet<number>,
    onProgress?: (done: number, total: number) => void,
  ): Promise<number[][]> {
    const { hot } = this;
    const dim = hot.dim;
    const wide = k + excluded.size;
    const first = hot.rowIndex(ids[0]);
    const best = emptyTopK(ids.length, wide);
    for (let start = 0; start < ids.length; start += LINK_BLOCK) {
      const end = Math.min(ids.length, start + LINK_BLOCK);
      const queries = hot.matrix.subarray((first + start) * dim, (first + end) * dim);
      if (first + start > 0) {
        const older = await scan(hot, queries, wide, first + start);
        for (let q = 0; q < end - start; q++) {
          for (let j = 0; j < older.k; j++) {
            const row = older.rows[q * older.k + j];
            if (row >= 0) offer(best, (start + q) * wide, row, older.scores[q * older.k + j]);
          }
        }
      }
      // Within the block: the strict lower triangle of its similarity matrix (ORT for large blocks).
      const size = end - start;
      const rows = Int32Array.from({ length: size }, (_, i) => first + start + i);
      const block = size >= 64 ? await pairScores(hot.matrix, dim, rows, rows) : undefined;
      for (let q = 1; q < size; q++) {
        for (let j = 0; j < q; j++) {
          const score = block ? block[q * size + j] : dot(queries, q, queries, j, dim);
          offer(best, (start + q) * wide, first + start + j, score);
        }
      }
      onProgress?.(end, ids.length);
    }
    return topLists(rowsToIds(best, hot), k, excluded);
  }
}
