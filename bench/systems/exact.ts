/**
 * The exact baseline: every query scored against every row (one ORT matrix product), no index. Its
 * answers are the ground truth, so its recall is 1 by construction; it is run for its speed. Under a
 * filter it scores the kept rows only (gathered once per filter, as a scan over a filtered column would).
 */
import { exactTopK } from "../dataset.js";
import { gatherRows, keptRows, type RowFilter } from "../filters.js";
import type { BenchRows, BenchSystem } from "./types.js";

/** The rows a search scans: all, or a filter's gathered rows with their ids. */
interface Scan {
  vectors: Float32Array;
  ids?: Int32Array;
}

export async function openExact(): Promise<BenchSystem> {
  let data: BenchRows | undefined;
  const subsets = new Map<string, Scan>();
  const scanOf = (rows: BenchRows, filter?: RowFilter): Scan => {
    if (!filter) return { vectors: rows.vectors };
    let scan = subsets.get(filter.label);
    if (!scan) {
      const ids = keptRows(rows.buckets, filter);
      scan = { vectors: gatherRows(rows.vectors, rows.dim, ids), ids };
      subsets.set(filter.label, scan);
    }
    return scan;
  };
  const search = async (queries: Float32Array[], k: number, filter?: RowFilter) => {
    if (!data) throw new Error("exact: search before ingest");
    const { dim } = data;
    const scan = scanOf(data, filter);
    const kk = Math.min(k, scan.vectors.length / dim);
    const matrix = new Float32Array(queries.length * dim);
    queries.forEach((q, i) => {
      matrix.set(q, i * dim);
    });
    const rows = await exactTopK(scan.vectors, matrix, dim, kk);
    return queries.map((_, i) =>
      Array.from(rows.subarray(i * kk, (i + 1) * kk), (r) => (scan.ids ? scan.ids[r] : r)),
    );
  };
  return {
    name: "exact",
    describe: () => "brute force: one ORT MatMul + TopK over all rows in memory (no index, nothing on disk)",
    async ingest(rows) {
      data = rows;
      return { addMs: 0, buildMs: 0 };
    },
    sweep: () => [{ label: "exact", params: {} }],
    search: async (query, k, _point, filter) => (await search([query], k, filter))[0],
    searchBatch: (queries, k) => search(queries, k),
    reopen: async () => {},
    diskBytes: async () => 0,
    serverRss: async () => undefined,
    close: async () => {},
  };
}
