/**
 * The hnsw index: an in-process HNSW graph (usearch, native, prebuilt in its npm package) over int8 copies
 * of the hot vectors. Candidates are re-scored exactly from the float hot vectors, so quantisation costs
 * no recall once the search width is calibrated; the width is the number of candidates asked for (usearch
 * explores at least that many nodes), calibrated to `GRAPH_TARGET` on rows of the store held out of it.
 *
 * Where the rows vary about their mean in a few directions (lorem's vectors do), the graph holds their
 * coordinates on those principal axes in float16 and walks by distance there (`projection.ts`). Otherwise
 * it holds each vector minus the store's mean, renormalised, in int8. Embeddings of real text share a large
 * common direction (a random-weight MiniLM's lorem vectors: mean of norm 0.995, every pair at cosine > 0.98),
 * and int8 keeps about 1/127 of a unit vector's scale: it kept the common direction and rounded away what
 * tells neighbours apart (candidate recall 0.09 at width 1024 on lorem 50k); centring alone brought it to
 * 0.97 at width 256. A centred graph's products are cosines about the mean, so its candidates are ordered
 * by q·x estimated from them and from each row's residual (`residuals.ts`) before the first few are
 * re-scored; a projected graph's distances already rank as q·x does.
 *
 * LanceDB stays the store of record. The graph is a cache kept in memory, saved beside `hot.snapshot` as
 * `hot.<table version>.usearch` and bound to that version: it is restored only with the snapshot of the
 * same version, and rebuilt from the hot vectors otherwise. Adds and deletes reach it with every commit.
 */

import { createReadStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { crc32 } from "node:zlib";
import type * as Usearch from "usearch";
import { StoreError } from "../../errors.js";
import { emptyTopK, offer, type TopK } from "../../kernels/top-k.js";
import { sampleIndices, seededRandom } from "../../random.js";
import type { HotVectors } from "../hot-vectors.js";
import type { IndexKind } from "../index-policy.js";
import { graphFile } from "../snapshot.js";
import type { SavedIndex, VectorIndex } from "../vector-index.js";
import { RECALL_TARGET } from "./calibration.js";
import { rowsToIds, scan, topLists } from "./exact-scan.js";
import { olderExact } from "./older.js";
import { Projection } from "./projection.js";
import { Residuals } from "./residuals.js";

/**
 * Graph degree and build breadth. On centred lorem 50k (MiniLM-shaped) degree 24 reaches recall 0.984 at
 * width 256 where degree 16 needs 384 for 0.986 (~1.4× the time per query), for 15% more build time
 * (7.3 s against 6.4 s on 2 cores) and 64 more bytes of links per row.
 */
const CONNECTIVITY = 24;
const EXPANSION_ADD = 64;
/**
 * Degree and build breadth from `LARGE_GRAPH` rows. On clustered 1M, at degree 24, a graph built at 64 levels
 * off (recall@10 0.961 at width 1024, 0.976 at 2048, whatever the re-scoring depth); built at 128 it finds
 * 0.982 at width 512 (3.3 ms). Degree 32 at 128 finds 0.977 at width 256 and 0.987 at 384 (2.0 and 2.6 ms,
 * 64 re-scored), as good as degree 24 built at 256 (0.976 at 320) for three quarters of its build time.
 * At 50k and 200k, degree 24 built at 64 meets every target (reports/bench-store.md), so smaller graphs keep
 * the cheaper build and the smaller links.
 */
const LARGE_CONNECTIVITY = 32;
const LARGE_EXPANSION_ADD = 128;
const LARGE_GRAPH = 500_000;
/** Search widths tried by calibration, smallest first (candidates per query at k = 10). */
const WIDTHS = [12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 320, 384, 512, 768, 1024];
/** Linking asks for this many times `k` older candidates before falling back to an exact scan. */
const LINK_MARGIN = 3;
/**
 * The narrowest a linking search goes. Links need a capsule's 5 or so nearest, not a query's calibrated top
 * 10 at 0.98 recall: at 200k clustered rows the query width is 512, and linking at it took 400 s of a 500 s add.
 */
const LINK_MIN_WIDTH = 64;
/** Queries per linking search call. */
const LINK_CHUNK = 8192;
/** The widest a linking search goes; capsules with fewer older neighbours in reach are linked exactly. */
const MAX_LINK_WIDTH = 1024;
/**
 * The recall the width is calibrated to. Held-out rows are fresh queries, so it sits just above the target;
 * where recall levels off below it (near ties in dense clusters), the width is where it levels off: the
 * first within `LEVELLED_OFF` of the best seen up to the widest width.
 */
const GRAPH_TARGET = RECALL_TARGET + 0.005;
const LEVELLED_OFF = 0.002;
/** Rows held out of a new graph and used as fresh queries to calibrate its width. */
const CALIBRATION_QUERIES = 200;
/** Below this many rows the graph is not calibrated: `SMALL_WIDTH` candidates are most of the store. */
const MIN_CALIBRATED = 1000;
const SMALL_WIDTH = 64;
/** Adds of at least this share of the graph are followed by a check that every node can be reached. */
const RECONNECT_SHARE = 0.05;
/** Times unreachable nodes are added again before the graph is left as it is (one round has sufficed). */
const RECONNECT_ROUNDS = 3;
/**
 * Graphs up to this many nodes are checked. usearch keeps a walk's candidates in a sorted buffer, so a walk
 * over every node grows faster than the graph: 0.7 s at 200k lorem rows (13 re-added), 55 s at 1M clustered
 * rows (1,579 re-added, and those re-adds left 549 more unreachable).
 */
const RECONNECT_MAX_NODES = 250_000;
/** Share of deleted nodes after which the graph is rebuilt (deleted nodes still route searches). */
const REBUILD_DELETED_SHARE = 0.2;

const THREADS = Math.max(1, availableParallelism());

let usearch: Promise<typeof Usearch> | undefined;

/** The usearch module, loaded once; a platform without its prebuilt binary gets a clear error. */
export function loadUsearch(): Promise<typeof Usearch> {
  usearch ??= import("usearch").catch((error: unknown) => {
    usearch = undefined;
    throw new StoreError(
      "SIGLA_INDEX_UNAVAILABLE",
      `the hnsw index needs usearch's native binary, which did not load on ${process.platform}-${process.arch} (${String(error)}); use the ivf or flat index (SIGLA_INDEX=ivf)`,
      { cause: error },
    );
  });
  return usearch;
}

export class GraphIndex implements VectorIndex {
  readonly kind: IndexKind = "hnsw";
  private graph?: Usearch.Index;
  /** Candidates fetched per query at k = 10 (usearch explores at least as many nodes). */
  width = SMALL_WIDTH;
  /** Of those, how many (best first by their int8 distance) are re-scored exactly, at k = 10. */
  rescore = SMALL_WIDTH;
  /** Nodes deleted since the graph was built (usearch keeps them as tombstones). */
  private deleted = 0;
  /** Recall@10 the calibration measured at the chosen width, on held-out rows. */
  calibratedRecall = 1;
  /** Rows when the graph was built and calibrated; it is built again once the store doubled. */
  private builtSize = 0;
  /** The mean of the hot rows when the graph was built, taken off every vector the graph sees. */
  private mean: Float32Array;
  /**
   * usearch's int8 inner product per unit of the float one (its int8 values are not the floats × 127), fitted
   * at build; 0 when unknown (a small or older graph): candidates are then re-scored in the graph's own order.
   */
  private productScale = 0;
  /** Per row, what the graph's renormalisation took off, to order candidates by q·x (`residuals.ts`). */
  private residuals?: Residuals;
  /** The principal subspace the graph walks in, where the rows have one (`projection.ts`). */
  private projection?: Projection;

  constructor(private readonly hot: HotVectors) {
    this.mean = new Float32Array(hot.dim);
  }

  get params(): Record<string, number> {
    return {
      width: this.width,
      rescore: this.rescore,
      connectivity: this.graph?.connectivity() ?? this.shape().connectivity,
      productScale: this.productScale,
      deleted: this.deleted,
      builtSize: this.builtSize,
      projectedDims: this.projection?.dims ?? 0,
    };
  }

  /** The degree and build breadth for a graph of the hot rows (a loaded graph keeps those it was built with). */
  private shape(): { connectivity: number; expansion_add: number } {
    return this.hot.size >= LARGE_GRAPH
      ? { connectivity: LARGE_CONNECTIVITY, expansion_add: LARGE_EXPANSION_ADD }
      : { connectivity: CONNECTIVITY, expansion_add: EXPANSION_ADD };
  }

  /** A new empty graph shaped for the hot rows, in the projection's subspace where there is one. */
  private async create(projection = this.projection): Promise<Usearch.Index> {
    const { Index, MetricKind, ScalarKind } = await loadUsearch();
    // Centred rows are unit vectors: inner product is cosine, and int8 keeps each row in `dim` bytes.
    // Projected rows keep their lengths (distance ranks as q·x), which int8's per-row scaling would lose.
    return new Index({
      dimensions: projection?.dims ?? this.hot.dim,
      metric: projection ? MetricKind.L2sq : MetricKind.IP,
      quantization: projection ? ScalarKind.F16 : ScalarKind.I8,
      ...this.shape(),
      expansion_search: WIDTHS[0],
      multi: false,
    });
  }

  /**
   * Builds the graph over every hot row. A sample of rows is held out of the graph at first and used as
   * fresh queries to calibrate the width (a row already in the graph is found too easily), then added.
   */
  async build(): Promise<void> {
    const { hot } = this;
    this.mean = meanRow(hot);
    this.productScale = 0;
    this.projection = await Projection.fit(hot, this.mean);
    this.residuals = this.projection ? undefined : new Residuals(this.mean);
    this.residuals?.measure(hot, hot.ids);
    const graph = await this.create();
    const held = sampleIndices(
      hot.size,
      hot.size >= MIN_CALIBRATED ? CALIBRATION_QUERIES : 0,
      seededRandom(17),
    );
    const isHeld = new Uint8Array(hot.size);
    for (const row of held) isHeld[row] = 1;
    const restRows = hot.ids.map((_, row) => row).filter((row) => !isHeld[row]);
    const rest = restRows.map((row) => hot.ids[row]);
    if (rest.length > 0) graph.add(toKeys(rest), await this.encodeRows(restRows), THREADS);
    this.graph = graph;
    this.deleted = 0;
    this.builtSize = hot.size;
    ({ width: this.width, rescore: this.rescore } =
      held.length > 0 ? await this.calibrate(held, isHeld) : { width: SMALL_WIDTH, rescore: SMALL_WIDTH });
    if (held.length > 0) await this.added(Array.from(held, (row) => hot.ids[row]));
    await this.reconnect();
  }

  /**
   * The smallest width whose re-ranked top 10 finds `GRAPH_TARGET` of the exact top 10 among the
   * rows in the graph, for the held-out rows as queries; then the fewest of its candidates that need
   * re-scoring to find as much, taken in the order of their estimated score (`residuals.ts`): int8
   * products rank all but near ties right, and each re-scored row is a row read and decoded in JS.
   */
  private async calibrate(held: Int32Array, isHeld: Uint8Array): Promise<{ width: number; rescore: number }> {
    const { hot } = this;
    const dim = hot.dim;
    const m = held.length;
    const queries = new Float32Array(m * dim);
    held.forEach((row, i) => {
      hot.copyRow(row, queries, i);
    });
    this.productScale = this.projection ? 0 : this.fitProductScale(queries, m);
    // The exact top 10 among rows in the graph: the held-out rows are skipped.
    const wide = await scan(hot, queries, 10 + m);
    const truth: number[][] = [];
    for (let q = 0; q < m; q++) {
      const rows = Array.from(wide.rows.subarray(q * wide.k, (q + 1) * wide.k));
      truth.push(
        rows
          .filter((row) => row >= 0 && !isHeld[row])
          .slice(0, 10)
          .map((row) => hot.ids[row]),
      );
    }
    const recall = (width: number, rescore: number) => {
      const got = this.searchSync(queries, 10, 1, width, rescore);
      let found = 0;
      let wanted = 0;
      truth.forEach((want, q) => {
        const mine = new Set(got.rows.subarray(q * 10, (q + 1) * 10));
        wanted += want.length;
        for (const id of want) if (mine.has(id)) found++;
      });
      return found / Math.max(1, wanted);
    };
    const curve: Array<{ width: number; recall: number }> = [];
    for (const width of WIDTHS) {
      curve.push({ width, recall: width >= hot.size ? 1 : recall(width, width) });
      if ((curve.at(-1)?.recall ?? 0) >= GRAPH_TARGET) break;
    }
    const best = curve.reduce((top, point) => Math.max(top, point.recall), 0);
    const enough = Math.min(GRAPH_TARGET, best - LEVELLED_OFF);
    const { width, recall: full } = curve.find((point) => point.recall >= enough) ?? curve[curve.length - 1];
    this.calibratedRecall = full;
    const rescore = WIDTHS.find((r) => r >= width || recall(width, r) >= full - LEVELLED_OFF) ?? width;
    return { width, rescore: Math.min(width, rescore) };
  }

  /** The parameters a snapshot keeps; the graph itself goes to its own file (see `saveFile`). */
  saved(): SavedIndex {
    const { mean, projection } = this;
    const centroids = new Float32Array(mean.length + (projection?.axes.length ?? 0));
    centroids.set(mean);
    if (projection) centroids.set(projection.axes, mean.length);
    return { kind: "hnsw", params: this.params, centroids, labels: new Int32Array(0) };
  }

  /**
   * Writes the graph as `hot.<version>.usearch` in `dir` (through a temporary file and a rename, so a
   * reader sees a whole file or none) and returns its version, size and CRC-32 for `restore` to check.
   */
  async saveFile(dir: string, version: number): Promise<Record<string, number>> {
    const file = graphFile(dir, version);
    const temporary = `${file}.${process.pid}.tmp`;
    try {
      this.graph?.save(temporary);
      const check = await fileCheck(temporary);
      await rename(temporary, file);
      return { graphVersion: version, graphBytes: check.bytes, graphCrc: check.crc };
    } finally {
      await rm(temporary, { force: true });
    }
  }

  /**
   * Takes back a graph saved with the snapshot of these hot rows: false (nothing changed) when the file is
   * missing or damaged, or does not hold exactly the hot rows.
   */
  async restore(saved: SavedIndex, dir: string): Promise<boolean> {
    const { width, rescore, graphVersion, graphBytes, graphCrc, deleted, builtSize } = saved.params;
    const projectedDims = saved.params.projectedDims ?? 0;
    const numbers = [width, rescore, graphVersion, graphBytes, graphCrc, deleted, builtSize, projectedDims];
    if (!numbers.every(Number.isInteger) || width < 1 || rescore < 1) return false;
    const { hot } = this;
    // A graph saved without its mean (before centring) is not comparable with centred queries: rebuilt.
    if (saved.centroids.length !== hot.dim * (1 + projectedDims)) return false;
    const mean = saved.centroids.slice(0, hot.dim);
    const projection = projectedDims > 0 ? new Projection(mean, saved.centroids.slice(hot.dim)) : undefined;
    try {
      const file = graphFile(dir, graphVersion);
      // usearch trusts the sizes in a file's header: a damaged file can make it allocate for a minute.
      const check = await fileCheck(file);
      if (check.bytes !== graphBytes || check.crc !== graphCrc) return false;
      const graph = await this.create(projection);
      graph.load(file);
      if (graph.size() !== hot.size || graph.dimensions() !== (projection?.dims ?? hot.dim)) return false;
      const held = hot.size > 0 ? graph.contains(toKeys(hot.ids)) : true;
      if (Array.isArray(held) ? !held.every(Boolean) : !held) return false;
      this.graph = graph;
      this.projection = projection;
    } catch {
      return false;
    }
    this.width = width;
    this.rescore = rescore;
    this.deleted = deleted;
    this.builtSize = builtSize;
    this.mean = mean;
    // A graph saved before the scale was fitted keeps its own order, which its re-scoring depth was calibrated for.
    const { productScale } = saved.params;
    this.productScale = !projection && Number.isFinite(productScale) && productScale > 0 ? productScale : 0;
    this.residuals = this.productScale > 0 ? new Residuals(mean) : undefined;
    this.residuals?.measure(hot, hot.ids);
    return true;
  }

  async search(queries: Float32Array, k: number, effort = 1): Promise<TopK> {
    return this.searchSync(queries, k, effort);
  }

  async searchAccepted(
    query: Float32Array,
    k: number,
    effort: number,
    accept: (id: number) => boolean,
  ): Promise<TopK> {
    return this.searchSync(query, k, effort, this.width, this.rescore, accept);
  }

  /**
   * Top-k ids per query: usearch candidates re-scored exactly from the hot vectors; with `accept`, every
   * accepted candidate is re-scored and the others skipped. A search as wide as the store scores every row.
   */
  private searchSync(
    queries: Float32Array,
    k: number,
    effort: number,
    width = this.width,
    rescore = this.rescore,
    accept?: (id: number) => boolean,
  ): TopK {
    const { hot } = this;
    const dim = hot.dim;
    const m = queries.length / dim;
    const out = emptyTopK(m, k);
    const graph = this.graph;
    if (!graph || graph.size() === 0) return out;
    const count = Math.max(k, Math.round(width * effort * Math.max(1, k / 10)));
    // Asked for every row, the answer is exact: a walk need not reach every node of a graph (usearch builds
    // it on several threads, and a node left unreachable in one build was missed by an effort-1000 search).
    const found = count >= hot.size ? undefined : this.candidates(graph, this.encode(queries), m, count);
    // A narrower search (effort < 1) re-scores as deep as a calibrated one: the int8 order's mistakes near
    // the top do not shrink with the width, and re-scoring is cheap next to the walk (on clustered 1M,
    // width 256 finds 0.973 of the top 10 re-scoring 64 candidates, 0.942 re-scoring 32).
    const depth = accept
      ? count
      : Math.min(count, Math.max(k, Math.round(rescore * Math.max(1, effort) * Math.max(1, k / 10))));
    const reorder = this.productScale > 0 && this.residuals !== undefined && !accept;
    for (let q = 0; q < m; q++) {
      const toCentre = hot.toCentre(queries, q);
      const score = (row: number) => {
        if (row >= 0 && (!accept || accept(hot.ids[row])))
          offer(out, q * k, row, hot.dot(queries, q, row, toCentre));
      };
      if (!found) {
        for (let row = 0; row < hot.size; row++) score(row);
      } else if (reorder && depth < found.counts[q]) {
        for (const j of this.firstByEstimate(queries, q, found, depth))
          score(hot.rowIndex(found.keys[2 * j]));
      } else {
        const from = q * found.stride;
        const to = from + Math.min(found.counts[q], depth);
        for (let j = from; j < to; j++) score(hot.rowIndex(found.keys[2 * j]));
      }
    }
    return rowsToIds(out, hot);
  }

  async added(ids: readonly number[]): Promise<void> {
    if (!this.graph || ids.length === 0) return;
    const { hot } = this;
    if (hot.size >= Math.max(2 * this.builtSize, MIN_CALIBRATED)) return this.build();
    this.residuals?.measure(hot, ids);
    const vectors = await this.encodeRows(ids.map((id) => hot.rowIndex(id)));
    this.graph.add(toKeys(ids), vectors, ids.length > 64 ? THREADS : 1);
    if (ids.length >= RECONNECT_SHARE * this.graph.size()) await this.reconnect();
  }

  /**
   * Adds again the nodes that no walk reaches, so that every capsule can be found. HNSW prunes links as it
   * builds, and a node can be left with none into it: one build of 6,000 clustered rows on several threads
   * left 17 unreachable, and queries near them missed them at any effort short of scoring every row. A node
   * added again is linked from its neighbours. A walk as wide as the graph visits every reachable node once.
   */
  private async reconnect(): Promise<void> {
    const { graph, hot } = this;
    if (!graph || hot.size === 0 || graph.size() > RECONNECT_MAX_NODES) return;
    for (let round = 0; round < RECONNECT_ROUNDS; round++) {
      const reached = new Uint8Array(hot.size);
      const walk = graph.search(this.encode(hot.gather([0])), graph.size(), 1);
      for (const key of walk.keys) {
        const row = hot.rowIndex(Number(key));
        if (row >= 0) reached[row] = 1;
      }
      const lostRows = hot.ids.map((_, row) => row).filter((row) => !reached[row]);
      if (lostRows.length === 0) return;
      const lost = toKeys(lostRows.map((row) => hot.ids[row]));
      graph.remove(lost);
      graph.add(lost, await this.encodeRows(lostRows), lostRows.length > 64 ? THREADS : 1);
      this.deleted += lostRows.length;
    }
  }

  /**
   * The graph moved onto `hot` by its adds and deletes since `previous`, unless they are most of it. This
   * index shares the graph and keeps answering until the store swaps the new one in: the deleted are gone
   * from its answers and the added skipped (not in its hot rows).
   */
  async carriedTo(hot: HotVectors, previous: HotVectors): Promise<VectorIndex | undefined> {
    const gone = Array.from(previous.ids).filter((id) => !hot.has(id));
    const added = Array.from(hot.ids).filter((id) => !previous.has(id));
    if (!this.graph || gone.length + added.length > hot.size / 2) return undefined;
    const moved = new GraphIndex(hot);
    Object.assign(moved, {
      graph: this.graph,
      width: this.width,
      rescore: this.rescore,
      deleted: this.deleted,
      builtSize: this.builtSize,
      mean: this.mean,
      productScale: this.productScale,
      residuals: this.residuals,
      projection: this.projection,
    });
    moved.removed(gone);
    await moved.added(added);
    return moved;
  }

  removed(ids: readonly number[]): void {
    if (!this.graph || ids.length === 0) return;
    const removed = this.graph.remove(toKeys(ids));
    for (const n of Array.isArray(removed) ? removed : [removed]) this.deleted += n;
  }

  /** Whether enough deleted nodes piled up that a rebuild pays (see `REBUILD_DELETED_SHARE`). */
  get worn(): boolean {
    return this.deleted > REBUILD_DELETED_SHARE * Math.max(1, this.hot.size);
  }

  /**
   * Each new capsule's `k` nearest older capsules: the graph (which already holds the new ones) is asked
   * for enough candidates that `LINK_MARGIN × k` of them are expected to be older, given how many older
   * capsules there are; those whose older neighbours lie beyond `MAX_LINK_WIDTH` (the first capsules of a
   * large batch) are linked by an exact scan over the few older capsules.
   */
  async linkNew(
    ids: readonly number[],
    k: number,
    excluded: ReadonlySet<number>,
    onProgress?: (done: number, total: number) => void,
  ): Promise<number[][]> {
    const { hot } = this;
    const total = hot.size;
    const best = emptyTopK(ids.length, k);
    let firstNew = Number.POSITIVE_INFINITY;
    for (const id of ids) firstNew = Math.min(firstNew, id);
    const olderBefore = total - ids.length;
    // Queries grouped by the width their share of older capsules calls for (powers of two).
    const groups = new Map<number, number[]>();
    ids.forEach((id, q) => {
      const older = olderBefore + (id - firstNew);
      const want = Math.ceil((LINK_MARGIN * k + excluded.size) * (total / Math.max(1, older)));
      const width = Math.max(LINK_MIN_WIDTH, 2 ** Math.ceil(Math.log2(Math.max(2, want))));
      if (width > MAX_LINK_WIDTH || width >= total) return;
      const group = groups.get(width) ?? [];
      group.push(q);
      groups.set(width, group);
    });
    let done = ids.length - [...groups.values()].reduce((sum, group) => sum + group.length, 0);
    for (const [width, group] of groups) {
      // In chunks, so a million-capsule batch holds a few MB of queries and candidates at a time.
      for (let start = 0; start < group.length && this.graph; start += LINK_CHUNK) {
        const members = group.slice(start, start + LINK_CHUNK);
        const rows = members.map((q) => hot.rowIndex(ids[q]));
        const queries = hot.gather(rows);
        const found = this.candidates(this.graph, await this.encodeRows(rows), members.length, width);
        members.forEach((q, i) => {
          const toCentre = hot.toCentre(queries, i);
          for (let j = i * found.stride; j < i * found.stride + found.counts[i]; j++) {
            const id = found.keys[2 * j];
            const row = hot.rowIndex(id);
            if (row < 0 || id >= ids[q] || excluded.has(id)) continue;
            offer(best, q * k, id, hot.dot(queries, i, row, toCentre));
          }
        });
        done += members.length;
        onProgress?.(done, ids.length);
      }
    }
    await olderExact(hot, ids, best, k, excluded);
    onProgress?.(ids.length, ids.length);
    return topLists(best, k, excluded);
  }

  /** `vectors` as the graph holds them: projected where it has a subspace, centred otherwise. */
  private encode(vectors: Float32Array): Float32Array {
    return this.projection ? this.projection.project(vectors) : this.centred(vectors);
  }

  /** Hot rows `rows` as the graph holds them (projected a block at a time, or centred where they are copied). */
  private async encodeRows(rows: ArrayLike<number>): Promise<Float32Array> {
    if (this.projection) return this.projection.projectRows(this.hot, rows);
    const vectors = this.hot.gather(rows);
    return this.centred(vectors, vectors);
  }

  /**
   * `vectors` as a centred graph holds them: each row minus `mean`, scaled back to unit length, written to
   * `out` (which may be `vectors` itself).
   */
  private centred(vectors: Float32Array, out: Float32Array = new Float32Array(vectors.length)): Float32Array {
    const { mean } = this;
    const dim = mean.length;
    for (let at = 0; at < vectors.length; at += dim) {
      let norm = 0;
      for (let j = 0; j < dim; j++) {
        const value = vectors[at + j] - mean[j];
        out[at + j] = value;
        norm += value * value;
      }
      const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
      for (let j = 0; j < dim; j++) out[at + j] *= scale;
    }
    return out;
  }

  /** Positions in `found` of query `q`'s `depth` candidates with the best estimated q·x, best first. */
  private firstByEstimate(queries: Float32Array, q: number, found: Candidates, depth: number): Int32Array {
    const residuals = this.residuals as Residuals;
    const terms = residuals.queryTerms(queries, q);
    const first = emptyTopK(1, depth);
    const from = q * found.stride;
    for (let j = from; j < from + found.counts[q]; j++) {
      const cosine = -found.distances[j] / this.productScale;
      offer(first, 0, j, residuals.estimate(terms, found.keys[2 * j], cosine));
    }
    return first.rows.filter((j) => j >= 0);
  }

  /**
   * usearch's int8 product per unit of the float one, by least squares over the first candidates of
   * `m` queries (its int8 rounding shrinks small values, so it is not 127² exactly: ~14,200 on 384-d rows).
   */
  private fitProductScale(queries: Float32Array, m: number): number {
    const { graph, hot } = this;
    if (!graph || graph.size() === 0) return 0;
    const dim = hot.dim;
    const centredQueries = this.centred(queries);
    const found = this.candidates(graph, centredQueries, m, Math.min(32, graph.size()));
    const row = new Float32Array(dim);
    let cross = 0;
    let square = 0;
    for (let q = 0; q < m; q++) {
      for (let j = q * found.stride; j < q * found.stride + found.counts[q]; j++) {
        hot.copyRow(hot.rowIndex(found.keys[2 * j]), row, 0);
        const centredRow = this.centred(row);
        let product = 0;
        for (let d = 0; d < dim; d++) product += centredQueries[q * dim + d] * centredRow[d];
        cross += -found.distances[j] * product;
        square += product * product;
      }
    }
    return square > 0 ? cross / square : 0;
  }

  /**
   * Up to `count` candidates for each of `m` queries as the graph holds them (`encode`). Keys are read as
   * 32-bit words (little-endian; capsule ids are below 2³¹), which makes no BigInt per candidate: a hundred
   * objects of garbage per query otherwise.
   */
  private candidates(graph: Usearch.Index, encoded: Float32Array, m: number, count: number): Candidates {
    const found = graph.search(encoded, count, m > 1 ? THREADS : 1);
    const keys = new Uint32Array(found.keys.buffer, found.keys.byteOffset, found.keys.length * 2);
    const { distances } = found;
    const batch = found as Partial<Usearch.BatchMatches>;
    if (batch.counts) return { keys, distances, stride: count, counts: Array.from(batch.counts, Number) };
    return { keys, distances, stride: count, counts: [found.keys.length] };
  }
}

/** The size and CRC-32 of a file, read a MiB at a time. */
async function fileCheck(file: string): Promise<{ bytes: number; crc: number }> {
  let crc = 0;
  let bytes = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    crc = crc32(chunk as Buffer, crc);
    bytes += (chunk as Buffer).length;
  }
  return { bytes, crc };
}

/** A search's candidates: query `q` has `counts[q]` keys from `stride × q`, best first by int8 distance. */
interface Candidates {
  /** The keys as 32-bit words, a key's low word at `2 × i`. */
  keys: Uint32Array;
  /** usearch's int8 distances (for the inner product: minus the int8 product). */
  distances: Float32Array;
  stride: number;
  counts: ArrayLike<number>;
}

/** The mean of the hot rows, summed in doubles, read a block of rows at a time. */
function meanRow(hot: HotVectors): Float32Array {
  const { dim, size } = hot;
  const sum = new Float64Array(dim);
  for (let start = 0; start < size; start += 4096) {
    const block = hot.rowsAsFloats(start, Math.min(size, start + 4096));
    for (let at = 0; at < block.length; at += dim) for (let j = 0; j < dim; j++) sum[j] += block[at + j];
  }
  return Float32Array.from(sum, (value) => (size > 0 ? value / size : 0));
}

/** Capsule ids as usearch keys. */
function toKeys(ids: ArrayLike<number>): BigUint64Array {
  const keys = new BigUint64Array(ids.length);
  for (let i = 0; i < ids.length; i++) keys[i] = BigInt(ids[i]);
  return keys;
}
