/**
 * The hnsw index: LanceDB's IVF_HNSW_SQ index on the table, with candidates re-ranked exactly from the hot
 * vectors; `ef` is calibrated against exact search. Auto-linking at this size goes through an in-memory IVF.
 */
import "../lancedb-env.js";
import * as lancedb from "@lancedb/lancedb";
import { gatherTopK } from "../../kernels/ort-kernels.js";
import { emptyTopK, type TopK } from "../../kernels/top-k.js";
import type { HotVectors } from "../hot-vectors.js";
import type { IndexKind } from "../index-policy.js";
import type { SavedIndex, VectorIndex } from "../vector-index.js";
import { CALIBRATION_TARGET, sampleRows } from "./calibration.js";
import { rowsToIds, scan } from "./exact-scan.js";
import { IvfIndex } from "./ivf.js";

/** LanceDB's IVF_HNSW_SQ on the table, re-ranked exactly; new capsules are linked through an in-memory IVF. */
export class HnswIndex implements VectorIndex {
  readonly kind: IndexKind = "hnsw";
  private readonly linker: IvfIndex;
  private indexedRows = 0;
  ef = 64;
  /** Candidates fetched per result before the exact re-rank. */
  refine = 4;

  constructor(
    private readonly hot: HotVectors,
    private readonly table: lancedb.Table,
  ) {
    this.linker = new IvfIndex(hot);
  }

  get params(): Record<string, number> {
    return { ef: this.ef, refine: this.refine, indexedRows: this.indexedRows };
  }

  saved(): SavedIndex {
    return { ...this.linker.saved(), kind: "hnsw", params: { ...this.linker.params, ...this.params } };
  }

  /**
   * Takes back a saved linker and the state of the table index (valid: a snapshot belongs to exactly one
   * table version, so the index it describes is the one on the table).
   */
  restore(saved: SavedIndex): boolean {
    const { ef, refine, indexedRows } = saved.params;
    if (![ef, refine, indexedRows].every(Number.isInteger) || ef < 1 || refine < 1 || indexedRows < 0) {
      return false;
    }
    if (!this.linker.restore(saved)) return false;
    this.ef = ef;
    this.refine = refine;
    this.indexedRows = indexedRows;
    return true;
  }

  /** Builds the in-memory linker; the table index follows in `sync`, after the rows are committed. */
  async build(): Promise<void> {
    await this.linker.build();
  }

  /** Rebuilds the table index when more than a tenth of the rows are not in it (LanceDB scans those). */
  async sync(): Promise<void> {
    const rows = await this.table.countRows();
    if (rows === 0 || (this.indexedRows > 0 && rows - this.indexedRows <= rows / 10)) return;
    await this.table.createIndex("vector", {
      config: lancedb.Index.hnswSq({
        distanceType: "cosine",
        numPartitions: Math.max(1, Math.round(rows / 100_000)),
        m: 20,
        efConstruction: 200,
      }),
      replace: true,
    });
    this.indexedRows = rows;
    this.ef = await this.calibrate();
  }

  private async candidates(query: Float32Array, limit: number, ef: number): Promise<number[]> {
    const rows = await this.table
      .vectorSearch(query)
      .column("vector")
      .distanceType("cosine")
      .ef(Math.max(ef, limit))
      .limit(limit)
      .select(["id", "_distance"])
      .toArray();
    return rows.map((r) => Number(r.id));
  }

  private async calibrate(): Promise<number> {
    const { hot } = this;
    const queries = sampleRows(hot, Math.min(100, hot.size), 13);
    const m = queries.length / hot.dim;
    const truth = rowsToIds(await scan(hot, queries, 10), hot);
    for (const ef of [32, 64, 128, 256, 512]) {
      let found = 0;
      for (let q = 0; q < m; q++) {
        const got = new Set(
          await this.candidates(queries.subarray(q * hot.dim, (q + 1) * hot.dim), 10 * this.refine, ef),
        );
        for (let j = 0; j < 10; j++) if (got.has(truth.rows[q * 10 + j])) found++;
      }
      if (found >= CALIBRATION_TARGET * m * 10) return ef;
    }
    return 512;
  }

  async search(queries: Float32Array, k: number, effort = 1): Promise<TopK> {
    const { hot } = this;
    const dim = hot.dim;
    const m = queries.length / dim;
    if (this.indexedRows === 0) return rowsToIds(await scan(hot, queries, k), hot);
    const out = emptyTopK(m, k);
    const ef = Math.max(k, Math.round(this.ef * effort));
    for (let q = 0; q < m; q++) {
      const query = queries.subarray(q * dim, (q + 1) * dim);
      const ids = await this.candidates(query, k * this.refine, ef);
      const rows = Int32Array.from(ids, (id) => hot.rowIndex(id)).filter((r) => r >= 0);
      if (rows.length === 0) continue;
      const found = await gatherTopK(query, hot.matrix, dim, rows, k);
      out.rows.set(found.rows, q * k);
      out.scores.set(found.scores, q * k);
    }
    return rowsToIds(out, hot);
  }

  async added(ids: readonly number[]): Promise<void> {
    await this.linker.added(ids);
  }

  removed(ids: readonly number[]): void {
    this.linker.removed(ids);
  }

  linkNew(ids: readonly number[], k: number, excluded: ReadonlySet<number>): Promise<number[][]> {
    return this.linker.linkNew(ids, k, excluded);
  }
}
