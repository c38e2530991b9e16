/**
 * The search side of a store. Every index kind answers top-k queries over the hot vectors, is told about
 * rows as they come and go, and finds the neighbours a new capsule is auto-linked to. Results are capsule
 * ids with cosine scores, best first; unused slots hold id -1.
 *
 * - flat: exact scan (ORT matrix kernels above a few thousand rows, JS below).
 * - ivf: inverted lists over k-means centroids, kept in memory; `nprobe` is calibrated at build time
 *   against exact search on a sample of the store so recall@10 meets `RECALL_TARGET`. The lists hold capsule
 *   ids (never vectors) and are saved with the store's snapshot, so an open restores them without a build.
 * - hnsw: LanceDB's IVF_HNSW_SQ index on the table, with candidates re-ranked exactly from the hot vectors;
 *   `ef` is calibrated the same way. Auto-linking at this size goes through an in-memory IVF.
 */
import "./lancedb-env.js";
import * as lancedb from "@lancedb/lancedb";
import { assign, kmeans } from "../kernels/kmeans.js";
import { gatherTopK, gemmTopK, pairScores } from "../kernels/ort-kernels.js";
import { dot, emptyTopK, exactTopK, offer, type TopK } from "../kernels/top-k.js";
import { seededRandom } from "../random.js";
import type { HotVectors } from "./hot-vectors.js";
import { idMap, setInIdMap } from "./id-map.js";
import type { IndexKind } from "./types.js";

/** Recall@10 against exact search that ivf and hnsw are tuned to reach. */
export const RECALL_TARGET = 0.98;
/**
 * Calibration uses stored vectors as queries, which sit closer to their lists than fresh queries do; aiming a
 * little higher keeps fresh queries at the target (seen: calibrated at 0.98, fresh queries got 0.978).
 */
const CALIBRATION_TARGET = Math.min(1, RECALL_TARGET + 0.015);
/** Below this many rows a JS scan beats the fixed cost of an ORT call. */
export const ORT_MIN_ROWS = 2048;
/** Rows per block when linking a large batch exactly. */
const LINK_BLOCK = 1024;

export interface VectorIndex {
  readonly kind: IndexKind;
  /** Builds the in-memory structures over every hot row. */
  build(): Promise<void>;
  /**
   * Top-k capsule ids for each query (row-major queries). `effort` scales the calibrated search width
   * (ivf: lists probed, hnsw: ef) for recall-vs-speed sweeps; 1 is the calibrated setting, flat ignores it.
   */
  search(queries: Float32Array, k: number, effort?: number): Promise<TopK>;
  /** Called after rows were appended to the hot vectors. */
  added(ids: readonly number[]): Promise<void>;
  /** Called before rows are removed from the hot vectors. */
  removed(ids: readonly number[]): void;
  /** For each new id, its `k` nearest capsules among smaller ids (older capsules), skipping `excluded`. */
  linkNew(ids: readonly number[], k: number, excluded: ReadonlySet<number>): Promise<number[][]>;
  /** Brings table-side structures up to date after a commit. */
  sync?(): Promise<void>;
  /** The tuned parameters, for stats and reports. */
  readonly params: Record<string, number>;
  /** What a snapshot keeps of the index so `restoreIndex` can bring it back without a build. */
  saved?(): SavedIndex;
}

/** An index as a snapshot keeps it: its kind and parameters, and the IVF lists as one label per hot row. */
export interface SavedIndex {
  kind: IndexKind;
  params: Record<string, number>;
  centroids: Float32Array;
  /** `labels[row]`: the list of hot row `row`. */
  labels: Int32Array;
}

/** Maps the row numbers of a TopK to capsule ids in place. */
function rowsToIds(result: TopK, hot: HotVectors): TopK {
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

/** Exact top-k rows over the first `rows` hot rows. */
async function scan(hot: HotVectors, queries: Float32Array, k: number, rows = hot.size): Promise<TopK> {
  const dim = hot.dim;
  const base = hot.matrix.subarray(0, rows * dim);
  if (rows < ORT_MIN_ROWS) return exactTopK(base, rows, dim, queries, k);
  const m = queries.length / dim;
  const block = Math.max(ORT_MIN_ROWS, Math.floor(MAX_SCORES / m));
  if (block >= rows) {
    const found = await gemmTopK(queries, base, dim, k);
    return found.k === k ? found : widen(found, k);
  }
  const out = emptyTopK(m, k);
  for (let start = 0; start < rows; start += block) {
    const end = Math.min(rows, start + block);
    const found = await gemmTopK(queries, base.subarray(start * dim, end * dim), dim, k);
    for (let q = 0; q < m; q++) {
      for (let j = 0; j < found.k; j++) {
        offer(out, q * k, start + found.rows[q * found.k + j], found.scores[q * found.k + j]);
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

function topLists(best: TopK, k: number, excluded: ReadonlySet<number>): number[][] {
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
  async linkNew(ids: readonly number[], k: number, excluded: ReadonlySet<number>): Promise<number[][]> {
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
    }
    return topLists(rowsToIds(best, hot), k, excluded);
  }
}

/** Inverted lists over k-means centroids, in memory; candidates are scored exactly by ORT. */
export class IvfIndex implements VectorIndex {
  readonly kind: IndexKind = "ivf";
  private centroids: Float32Array = new Float32Array(0);
  private lists: number[][] = [];
  private listOf = idMap(0);
  private builtSize = 0;
  nprobe = 1;

  constructor(private readonly hot: HotVectors) {}

  get params(): Record<string, number> {
    return { nlist: this.lists.length, nprobe: this.nprobe, builtSize: this.builtSize };
  }

  async build(): Promise<void> {
    const { hot } = this;
    const n = hot.size;
    const dim = hot.dim;
    const nlist = Math.max(1, Math.min(4096, Math.round(2 * Math.sqrt(n))));
    const sample = sampleRows(hot, Math.min(n, Math.max(nlist * 40, 10_000)), 7);
    this.centroids = await kmeans(sample, dim, nlist, { iterations: 8 });
    this.lists = Array.from({ length: this.centroids.length / dim }, () => []);
    this.listOf = idMap(hot.size);
    const labels = await assign(hot.matrix, this.centroids, dim);
    hot.ids.forEach((id, row) => {
      this.place(id, labels[row]);
    });
    this.builtSize = n;
    this.nprobe = await this.calibrate();
  }

  saved(): SavedIndex {
    const { hot } = this;
    const labels = new Int32Array(hot.size);
    hot.ids.forEach((id, row) => {
      labels[row] = this.listOf[id];
    });
    return { kind: "ivf", params: this.params, centroids: this.centroids, labels };
  }

  /** Takes back lists saved over the same hot rows; false (nothing changed) when they do not fit them. */
  restore(saved: SavedIndex): boolean {
    const { hot } = this;
    const { centroids, labels } = saved;
    const nlist = centroids.length / hot.dim;
    const { nprobe, builtSize } = saved.params;
    if (!Number.isInteger(nlist) || nlist < 1 || labels.length !== hot.size) return false;
    if (!Number.isInteger(nprobe) || nprobe < 1 || nprobe > nlist || !Number.isInteger(builtSize))
      return false;
    if (labels.some((list) => list < 0 || list >= nlist)) return false;
    this.centroids = centroids;
    this.lists = Array.from({ length: nlist }, () => []);
    this.listOf = idMap(hot.size);
    hot.ids.forEach((id, row) => {
      this.place(id, labels[row]);
    });
    this.nprobe = nprobe;
    this.builtSize = builtSize;
    return true;
  }

  private place(id: number, list: number): void {
    this.listOf = setInIdMap(this.listOf, id, list);
    this.lists[list].push(id);
  }

  /**
   * Smallest nprobe whose recall@10 on a sample of stored vectors (as queries, themselves excluded) reaches
   * the target. Exact within probed lists, so recall is the share of true neighbours whose list is probed.
   */
  private async calibrate(): Promise<number> {
    const { hot } = this;
    const nlist = this.lists.length;
    const queries = sampleRows(hot, Math.min(500, hot.size), 11);
    const m = queries.length / hot.dim;
    const truth = await scan(hot, queries, 11);
    const order = await gemmTopK(queries, this.centroids, hot.dim, nlist);
    const needed: number[] = [];
    for (let q = 0; q < m; q++) {
      const rank = new Int32Array(nlist);
      for (let r = 0; r < nlist; r++) rank[order.rows[q * nlist + r]] = r;
      // Skip the first hit: the query itself.
      for (let j = 1; j < 11; j++) {
        const row = truth.rows[q * 11 + j];
        if (row >= 0) needed.push(rank[this.listOf[hot.ids[row]]] + 1);
      }
    }
    needed.sort((a, b) => a - b);
    const at = Math.min(needed.length - 1, Math.ceil(CALIBRATION_TARGET * needed.length) - 1);
    return Math.max(1, Math.min(nlist, needed[Math.max(0, at)] ?? 1));
  }

  async added(ids: readonly number[]): Promise<void> {
    const { hot } = this;
    if (hot.size > 2 * this.builtSize) return this.build();
    const vectors = new Float32Array(ids.length * hot.dim);
    ids.forEach((id, i) => {
      vectors.set(hot.vector(id) as Float32Array, i * hot.dim);
    });
    const labels = await assign(vectors, this.centroids, hot.dim);
    ids.forEach((id, i) => {
      this.place(id, labels[i]);
    });
  }

  removed(ids: readonly number[]): void {
    for (const id of ids) {
      const list = this.listOf[id];
      if (list === undefined || list < 0) continue;
      const members = this.lists[list];
      members.splice(members.indexOf(id), 1);
      this.listOf[id] = -1;
    }
  }

  /** The `nprobe × effort` lists nearest to each query. */
  private async probes(queries: Float32Array, effort = 1): Promise<TopK> {
    const width = Math.max(1, Math.min(Math.round(this.nprobe * effort), this.lists.length));
    return gemmTopK(queries, this.centroids, this.hot.dim, width);
  }

  async search(queries: Float32Array, k: number, effort = 1): Promise<TopK> {
    const { hot } = this;
    const dim = hot.dim;
    const m = queries.length / dim;
    const probed = await this.probes(queries, effort);
    const out = emptyTopK(m, k);
    for (let q = 0; q < m; q++) {
      const rows: number[] = [];
      for (let p = 0; p < probed.k; p++) {
        for (const id of this.lists[probed.rows[q * probed.k + p]]) rows.push(hot.rowIndex(id));
      }
      if (rows.length === 0) continue;
      const found = await gatherTopK(
        queries.subarray(q * dim, (q + 1) * dim),
        hot.matrix,
        dim,
        Int32Array.from(rows),
        k,
      );
      out.rows.set(found.rows, q * k);
      out.scores.set(found.scores, q * k);
    }
    return rowsToIds(out, hot);
  }

  /**
   * Groups the new capsules by probed list and scores each group against the list's members in one ORT call,
   * keeping only older members: the same probes a query would make, for every new capsule at once.
   */
  async linkNew(ids: readonly number[], k: number, excluded: ReadonlySet<number>): Promise<number[][]> {
    const { hot } = this;
    const dim = hot.dim;
    const vectors = new Float32Array(ids.length * dim);
    ids.forEach((id, i) => {
      vectors.set(hot.vector(id) as Float32Array, i * dim);
    });
    const probed = await this.probes(vectors);
    const groups = new Map<number, number[]>();
    for (let q = 0; q < ids.length; q++) {
      for (let p = 0; p < probed.k; p++) {
        const list = probed.rows[q * probed.k + p];
        if (!groups.has(list)) groups.set(list, []);
        groups.get(list)?.push(q);
      }
    }
    const best = emptyTopK(ids.length, k);
    for (const [list, members] of groups) {
      let newest = -1;
      for (const q of members) if (ids[q] > newest) newest = ids[q];
      const older = this.lists[list].filter((id) => id < newest && !excluded.has(id));
      if (older.length === 0) continue;
      const qRows = Int32Array.from(members, (q) => hot.rowIndex(ids[q]));
      const mRows = Int32Array.from(older, (id) => hot.rowIndex(id));
      const scores = await pairScores(hot.matrix, dim, qRows, mRows);
      members.forEach((q, i) => {
        for (let j = 0; j < older.length; j++) {
          if (older[j] < ids[q]) offer(best, q * k, older[j], scores[i * older.length + j]);
        }
      });
    }
    await this.fillShort(ids, vectors, best, k, excluded);
    return topLists(best, k, excluded);
  }

  /**
   * The first capsules of a store have few older capsules in their probed lists; those that found fewer
   * than `k` are searched exactly among all older capsules (few, since they are early ones).
   */
  private async fillShort(
    ids: readonly number[],
    vectors: Float32Array,
    best: TopK,
    k: number,
    excluded: ReadonlySet<number>,
  ): Promise<void> {
    const { hot } = this;
    const dim = hot.dim;
    let byId: Int32Array | undefined;
    for (let q = 0; q < ids.length; q++) {
      if (best.rows[q * k + k - 1] >= 0) continue;
      byId ??= Int32Array.from(hot.ids).sort();
      const olderCount = lowerBound(byId, ids[q]);
      const older = byId.subarray(0, olderCount).filter((id) => !excluded.has(id));
      if (older.length === 0) continue;
      const found = await gatherTopK(
        vectors.subarray(q * dim, (q + 1) * dim),
        hot.matrix,
        dim,
        Int32Array.from(older, (id) => hot.rowIndex(id)),
        k,
      );
      best.rows.fill(-1, q * k, (q + 1) * k);
      best.scores.fill(Number.NEGATIVE_INFINITY, q * k, (q + 1) * k);
      for (let j = 0; j < found.k; j++) offer(best, q * k, hot.ids[found.rows[j]], found.scores[j]);
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

/** `count` distinct hot rows chosen by a seeded shuffle, copied into one matrix. */
function sampleRows(hot: HotVectors, count: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  const n = hot.size;
  const picked = new Float32Array(count * hot.dim);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (n - i));
    [order[i], order[j]] = [order[j], order[i]];
    picked.set(hot.matrix.subarray(order[i] * hot.dim, (order[i] + 1) * hot.dim), i * hot.dim);
  }
  return picked;
}

/** An index restored from a snapshot of the same hot rows, or undefined when `saved` does not fit them. */
export function restoreIndex(
  hot: HotVectors,
  table: lancedb.Table,
  saved: SavedIndex,
): VectorIndex | undefined {
  if (saved.kind === "ivf") {
    const index = new IvfIndex(hot);
    return index.restore(saved) ? index : undefined;
  }
  if (saved.kind === "hnsw") {
    const index = new HnswIndex(hot, table);
    return index.restore(saved) ? index : undefined;
  }
  return undefined;
}

/** Creates the index of the given kind over the hot vectors (call `build` before use). */
export function createIndex(kind: IndexKind, hot: HotVectors, table: lancedb.Table): VectorIndex {
  if (kind === "ivf") return new IvfIndex(hot);
  if (kind === "hnsw") return new HnswIndex(hot, table);
  return new FlatIndex(hot);
}
