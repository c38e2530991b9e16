/**
 * The ivf index: inverted lists over k-means centroids, kept in memory; `nprobe` is calibrated at build time
 * against exact search on a sample of the store so recall@10 meets `RECALL_TARGET`. The lists hold capsule
 * ids (never vectors) and are saved with the store's snapshot, so an open restores them without a build.
 */

import { groupedTopK } from "../../kernels/grouped-topk.js";
import { assign, kmeans } from "../../kernels/kmeans.js";
import { gatherTopK, gemmTopK, pairScores } from "../../kernels/ort-kernels.js";
import { ScratchPool } from "../../kernels/scratch.js";
import { emptyTopK, offer, type TopK } from "../../kernels/top-k.js";
import type { HotVectors } from "../hot-vectors.js";
import { idMap, setInIdMap } from "../id-map.js";
import type { IndexKind } from "../index-policy.js";
import type { SavedIndex, VectorIndex } from "../vector-index.js";
import { CALIBRATION_TARGET, sampleRows } from "./calibration.js";
import { rowsToIds, scan, topLists } from "./exact-scan.js";
import { olderExact } from "./older.js";

/**
 * What searching costs, in units of one query·row product inside the batched exact scan (measured at
 * 10k-50k × 384 on two cores): the scan also streams each row through memory once per call (~8 units),
 * gathering a probed list's row costs ~30 (scattered reads), and scoring it against a query ~5 (small
 * matrices: one or a few queries per list). A probe whose gathers cost more than the scan (a quarter of
 * the store for one query; uneven lists on real-text embeddings) scans instead (`scanProbed`).
 */
const STREAM_ROW_COST = 8;
/** The scan keeps `OVERFETCH ×` the rows the probed share is expected to need, at most `MAX_OVERFETCH × k`. */
const OVERFETCH = 1.5;
const MAX_OVERFETCH = 16;
const GATHER_ROW_COST = 30;
const PAIR_COST = 5;

/** Inverted lists over k-means centroids, in memory; candidates are scored exactly by ORT. */
export class IvfIndex implements VectorIndex {
  readonly kind: IndexKind = "ivf";
  private centroids: Float32Array = new Float32Array(0);
  private lists: number[][] = [];
  private listOf = idMap(0);
  private builtSize = 0;
  /** Row buffers for single queries, reused (a pool, so concurrent searches never share one). */
  private readonly scratch = new ScratchPool();
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

  /**
   * One query: its probed lists' rows gathered into a reused buffer and scored in one call. A batch: the
   * queries grouped by probed list (`groupByList`), each list scored against its queries, lists of
   * similar shape in one call (`groupedTopK`).
   */
  async search(queries: Float32Array, k: number, effort = 1): Promise<TopK> {
    const { hot } = this;
    const dim = hot.dim;
    const m = queries.length / dim;
    const probed = await this.probes(queries, effort);
    const probedRows = this.probedSize(probed);
    const groups =
      m > 1
        ? [...groupByList(probed, m)].map(([list, members]) => ({
            queries: members,
            rows: this.listRows(list),
          }))
        : [];
    let gathered = m > 1 ? 0 : probedRows;
    for (const group of groups) gathered += group.rows.length;
    const probeCost = GATHER_ROW_COST * gathered + PAIR_COST * probedRows;
    if (probeCost > (STREAM_ROW_COST + m) * hot.size) {
      return rowsToIds(await this.scanProbed(queries, probed, k), hot);
    }
    if (m === 1) return rowsToIds(await this.gatherProbed(queries, probed, 0, k), hot);
    const out = emptyTopK(m, k);
    await groupedTopK(queries, hot.matrix, dim, groups, out);
    return rowsToIds(out, hot);
  }

  /** Exact top-k rows among the rows of the lists probed for query `q`, gathered into a reused buffer. */
  private async gatherProbed(queries: Float32Array, probed: TopK, q: number, k: number): Promise<TopK> {
    const { hot } = this;
    const dim = hot.dim;
    const lists = probed.rows.subarray(q * probed.k, (q + 1) * probed.k);
    let size = 0;
    for (const list of lists) size += this.lists[list].length;
    const out = emptyTopK(1, k);
    const rows = this.scratch.take(size);
    try {
      let count = 0;
      for (const list of lists) for (const id of this.lists[list]) rows[count++] = hot.rowIndex(id);
      if (count > 0) {
        const query = queries.subarray(q * dim, (q + 1) * dim);
        const found = await gatherTopK(query, hot.matrix, dim, rows.subarray(0, count), k);
        out.rows.set(found.rows);
        out.scores.set(found.scores);
      }
    } finally {
      this.scratch.give(rows);
    }
    return out;
  }

  /**
   * The probed lists' answer from the sequential exact scan: each query's best rows over the whole store,
   * deep enough that `k` of them are expected to lie in its probed lists, keeping those that do. The same
   * top-k as gathering the lists, since every row passed over scores lower. A query that keeps fewer (its
   * lists hold far less than the expected share of its neighbours) is gathered instead.
   */
  private async scanProbed(queries: Float32Array, probed: TopK, k: number): Promise<TopK> {
    const { hot } = this;
    const m = probed.rows.length / probed.k;
    const nlist = this.lists.length;
    const allowed = new Uint8Array(m * nlist);
    let least = hot.size;
    for (let q = 0; q < m; q++) {
      let size = 0;
      for (const list of probed.rows.subarray(q * probed.k, (q + 1) * probed.k)) {
        allowed[q * nlist + list] = 1;
        size += this.lists[list].length;
      }
      least = Math.min(least, size);
    }
    const deep = Math.ceil((OVERFETCH * k * hot.size) / Math.max(1, least));
    const found = await scan(hot, queries, Math.min(hot.size, deep, MAX_OVERFETCH * k));
    const out = emptyTopK(m, k);
    for (let q = 0; q < m; q++) {
      let kept = 0;
      for (let j = q * found.k; j < (q + 1) * found.k && kept < k; j++) {
        const row = found.rows[j];
        if (row < 0) break;
        const list = this.listOf[hot.ids[row]];
        if (list >= 0 && allowed[q * nlist + list] === 1) {
          out.rows[q * k + kept] = row;
          out.scores[q * k + kept++] = found.scores[j];
        }
      }
      const sawAll = found.k >= hot.size || found.rows[(q + 1) * found.k - 1] < 0;
      if (kept < k && !sawAll) {
        const one = await this.gatherProbed(queries, probed, q, k);
        out.rows.set(one.rows, q * k);
        out.scores.set(one.scores, q * k);
      }
    }
    return out;
  }

  /** How many rows the probed lists hold, summed over the queries. */
  private probedSize(probed: TopK): number {
    let size = 0;
    for (const list of probed.rows) size += this.lists[list].length;
    return size;
  }

  /** The hot rows of a list's members. */
  private listRows(list: number): Int32Array {
    const members = this.lists[list];
    const rows = new Int32Array(members.length);
    for (let i = 0; i < members.length; i++) rows[i] = this.hot.rowIndex(members[i]);
    return rows;
  }

  /**
   * Groups the new capsules by probed list and scores each group against the list's members in one ORT call,
   * keeping only older members: the same probes a query would make, for every new capsule at once.
   */
  async linkNew(
    ids: readonly number[],
    k: number,
    excluded: ReadonlySet<number>,
    onProgress?: (done: number, total: number) => void,
  ): Promise<number[][]> {
    const { hot } = this;
    const dim = hot.dim;
    const vectors = new Float32Array(ids.length * dim);
    ids.forEach((id, i) => {
      vectors.set(hot.vector(id) as Float32Array, i * dim);
    });
    const probed = await this.probes(vectors);
    const best = emptyTopK(ids.length, k);
    // Progress: the share of list groups scored, in capsules.
    const groups = groupByList(probed, ids.length);
    let done = 0;
    for (const [list, members] of groups) {
      onProgress?.(Math.floor((done++ * ids.length) / groups.size), ids.length);
      let newest = -1;
      for (const q of members) if (ids[q] > newest) newest = ids[q];
      const older = this.lists[list].filter((id) => id < newest && !excluded.has(id));
      if (older.length === 0) continue;
      const qRows = members.map((q) => hot.rowIndex(ids[q]));
      const mRows = Int32Array.from(older, (id) => hot.rowIndex(id));
      const scores = await pairScores(hot.matrix, dim, qRows, mRows);
      members.forEach((q, i) => {
        for (let j = 0; j < older.length; j++) {
          if (older[j] < ids[q]) offer(best, q * k, older[j], scores[i * older.length + j]);
        }
      });
    }
    // The first capsules of a store have few older capsules in their probed lists.
    await olderExact(hot, ids, best, k, excluded);
    onProgress?.(ids.length, ids.length);
    return topLists(best, k, excluded);
  }
}

/** The queries that probe each list: list → query numbers, in query order. */
function groupByList(probed: TopK, m: number): Map<number, Int32Array> {
  const counts = new Map<number, number>();
  for (let i = 0; i < m * probed.k; i++) counts.set(probed.rows[i], (counts.get(probed.rows[i]) ?? 0) + 1);
  const groups = new Map<number, Int32Array>();
  const filled = new Map<number, number>();
  for (const [list, count] of counts) {
    groups.set(list, new Int32Array(count));
    filled.set(list, 0);
  }
  for (let q = 0; q < m; q++) {
    for (let p = 0; p < probed.k; p++) {
      const list = probed.rows[q * probed.k + p];
      const at = filled.get(list) as number;
      (groups.get(list) as Int32Array)[at] = q;
      filled.set(list, at + 1);
    }
  }
  return groups;
}
