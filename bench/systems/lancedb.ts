/**
 * Bare LanceDB (`@lancedb/lancedb`) as a careful user would run it: the rows handed over as one Arrow table
 * built on the same Float32Array (no JS-array conversion charged to it), then an IVF_HNSW_SQ index with
 * cosine distance and LanceDB's defaults (1 partition below 1M rows, m 20, ef_construction 300). The sweep
 * varies `ef` and, because SQ caps recall, LanceDB's `refineFactor` re-ranking with the full vectors
 * (LanceDB needs ef ≥ k × refine); from 200k rows also 400 × 20 and 800 × 40. Each row's filter bucket
 * is an `int` column with a bitmap index (100 distinct values), and a filtered search is
 * `.where("bucket < keep")` (LanceDB prefilters by default).
 */
import { join } from "node:path";
import * as lancedb from "@lancedb/lancedb";
import { folderBytes } from "../../lib/disk.js";
import { arrow, vectorColumn } from "../../lib/store/table-schema.js";
import type { RowFilter } from "../filters.js";
import type { BenchRows, BenchSystem, SweepPoint, SystemOptions } from "./types.js";

const SWEEP: Array<[ef: number, refine: number]> = [
  [16, 1],
  [32, 1],
  [64, 1],
  [128, 1],
  [50, 5],
  [64, 5],
  [100, 10],
  [200, 20],
];
/** Wider settings from `LARGE_FROM` rows: on clustered 1M, ef 200 × refine 20 stops at 0.958, 400 reaches 0.991. */
const LARGE_SWEEP: Array<[ef: number, refine: number]> = [
  [280, 20],
  [400, 20],
  [800, 40],
];
const LARGE_FROM = 200_000;

/** `id` + `bucket` + `vector` columns over the rows, the vectors zero-copy. */
export function arrowTable(rows: Pick<BenchRows, "count" | "dim" | "vectors" | "buckets">) {
  return new arrow.Table({
    id: arrow.vectorFromArray(Int32Array.from({ length: rows.count }, (_, i) => i)),
    bucket: arrow.vectorFromArray(Int32Array.from(rows.buckets)),
    vector: vectorColumn(rows.vectors, rows.dim),
  });
}

export async function openLance(options: SystemOptions): Promise<BenchSystem> {
  const path = join(options.workDir, "lancedb");
  let db = await lancedb.connect(path);
  let table: lancedb.Table | undefined;
  let sweep = SWEEP;
  const query = (q: Float32Array, k: number, point: SweepPoint, filter?: RowFilter) => {
    const search = (table as lancedb.Table)
      .vectorSearch(Array.from(q))
      .distanceType("cosine")
      .ef(Number(point.params.ef))
      .refineFactor(Number(point.params.refine))
      .select(["id"])
      .limit(k);
    return filter ? search.where(`bucket < ${filter.keep}`) : search;
  };
  return {
    name: "lancedb",
    describe: () =>
      `LanceDB IVF_HNSW_SQ, cosine, defaults, bitmap index on bucket; sweep: ef × refineFactor ${sweep.map(([e, r]) => `${e}×${r}`).join(", ")}`,
    async ingest(rows) {
      if (rows.count >= LARGE_FROM) sweep = [...SWEEP, ...LARGE_SWEEP];
      let started = performance.now();
      table = await db.createTable("bench", arrowTable(rows));
      const addMs = performance.now() - started;
      options.log(`added ${rows.count} rows in ${(addMs / 1000).toFixed(1)} s; building IVF_HNSW_SQ`);
      started = performance.now();
      await table.createIndex("vector", { config: lancedb.Index.hnswSq({ distanceType: "cosine" }) });
      await table.createIndex("bucket", { config: lancedb.Index.bitmap() });
      return { addMs, buildMs: performance.now() - started };
    },
    sweep: () =>
      sweep.map(([ef, refine]) => ({ label: `ef=${ef} refine=${refine}`, params: { ef, refine } })),
    async search(q, k, point, filter) {
      return (await query(q, k, point, filter).toArray()).map((r) => Number(r.id));
    },
    async searchBatch(queries, k, point) {
      // One call with every query vector: LanceDB answers them together and tags rows with query_index.
      let batch = query(queries[0], k, point);
      for (const q of queries.slice(1)) batch = batch.addQueryVector(Array.from(q));
      const rows = await batch.toArray();
      const out: number[][] = queries.map(() => []);
      for (const r of rows) out[queries.length === 1 ? 0 : Number(r.query_index)].push(Number(r.id));
      return out;
    },
    async reopen() {
      table?.close();
      db.close();
      db = await lancedb.connect(path);
      table = await db.openTable("bench");
      await query(new Float32Array(options.dim).fill(1 / Math.sqrt(options.dim)), 10, {
        label: "",
        params: { ef: 64, refine: 1 },
      }).toArray();
    },
    async attach() {
      table = await db.openTable("bench");
    },
    diskBytes: () => folderBytes(path),
    serverRss: async () => undefined,
    async close() {
      table?.close();
      table = undefined;
      db.close();
    },
  };
}
