/**
 * The exact baseline: every query scored against every row (one ORT matrix product), no index. Its
 * answers are the ground truth, so its recall is 1 by construction; it is run for its speed.
 */
import { exactTopK } from "../dataset.js";
import type { BenchRows, BenchSystem } from "./types.js";

export async function openExact(): Promise<BenchSystem> {
  let data: BenchRows | undefined;
  const search = async (queries: Float32Array[], k: number) => {
    if (!data) throw new Error("exact: search before ingest");
    const { dim, vectors } = data;
    const matrix = new Float32Array(queries.length * dim);
    queries.forEach((q, i) => {
      matrix.set(q, i * dim);
    });
    const rows = await exactTopK(vectors, matrix, dim, k);
    return queries.map((_, i) => Array.from(rows.subarray(i * k, (i + 1) * k)));
  };
  return {
    name: "exact",
    describe: () => "brute force: one ORT MatMul + TopK over all rows in memory (no index, nothing on disk)",
    async ingest(rows) {
      data = rows;
      return { addMs: 0, buildMs: 0 };
    },
    sweep: () => [{ label: "exact", params: {} }],
    search: async (query, k) => (await search([query], k))[0],
    searchBatch: (queries, k) => search(queries, k),
    reopen: async () => {},
    diskBytes: async () => 0,
    serverRss: async () => undefined,
    close: async () => {},
  };
}
