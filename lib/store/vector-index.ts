/**
 * The search side of a store: what every index kind does, and the factory that makes one. Each kind lives in
 * `indexes/`:
 *
 * - flat (`indexes/flat.ts`): exact scan (ORT matrix kernels above a few thousand rows, JS below).
 * - ivf (`indexes/ivf.ts`): inverted lists over k-means centroids, in memory, calibrated to `RECALL_TARGET`
 *   and saved with the store's snapshot.
 * - hnsw (`indexes/graph.ts`): an in-process HNSW graph (usearch) over int8 copies of the hot vectors,
 *   re-ranked exactly, calibrated to `RECALL_TARGET` and saved beside the snapshot.
 */
import type { TopK } from "../kernels/top-k.js";
import type { HotVectors } from "./hot-vectors.js";
import type { IndexKind } from "./index-policy.js";
import { FlatIndex } from "./indexes/flat.js";
import { GraphIndex } from "./indexes/graph.js";
import { IvfIndex } from "./indexes/ivf.js";

export { RECALL_TARGET } from "./indexes/calibration.js";
export { ORT_MIN_ROWS } from "./indexes/exact-scan.js";

/**
 * One index over a store's hot vectors. It answers top-k queries, is told about rows as they come and go,
 * and finds the neighbours a new capsule is auto-linked to. Results are capsule ids with cosine scores, best
 * first; unused slots hold id -1.
 */
export interface VectorIndex {
  /** Which kind of index this is. */
  readonly kind: IndexKind;
  /** Builds the in-memory structures over every hot row (and calibrates them, for ivf and hnsw). */
  build(): Promise<void>;
  /**
   * Top-k capsule ids for each query (row-major queries, `k` slots each). `effort` scales the calibrated
   * search width (ivf: lists probed, hnsw: candidates) for recall-vs-speed sweeps; 1 is the calibrated setting,
   * flat ignores it.
   */
  search(queries: Float32Array, k: number, effort?: number): Promise<TopK>;
  /**
   * Top-k of one query among the capsules `accept` lets through, for an index that can filter while it
   * re-scores (hnsw: its candidates at `effort` are re-scored only when accepted, so a filter keeping half the
   * store costs about an unfiltered query). Indexes without it are asked for more hits instead.
   */
  searchAccepted?(
    query: Float32Array,
    k: number,
    effort: number,
    accept: (id: number) => boolean,
  ): Promise<TopK>;
  /** Called after rows with these ids were appended to the hot vectors. */
  added(ids: readonly number[]): Promise<void>;
  /** Called before the rows with these ids are removed from the hot vectors. */
  removed(ids: readonly number[]): void;
  /**
   * For each new id (already appended), its `k` nearest capsules among smaller ids (older capsules),
   * skipping `excluded` (capsules being removed in the same write).
   */
  linkNew(
    ids: readonly number[],
    k: number,
    excluded: ReadonlySet<number>,
    onProgress?: (done: number, total: number) => void,
  ): Promise<number[][]>;
  /**
   * This index moved onto `hot`, a later state of the table read after another process wrote, by the
   * capsules added and removed since `previous` (the hot rows it was kept over); undefined when a build is
   * better. This index may answer searches until the store swaps the new one in, and is dropped then.
   */
  carriedTo?(hot: HotVectors, previous: HotVectors): Promise<VectorIndex | undefined>;
  /** True when deletes have worn the index down enough that the next write should rebuild it. */
  readonly worn?: boolean;
  /** Recall@10 its calibration measured (hnsw: on held-out rows); `auto` leaves out a kind far below target. */
  readonly calibratedRecall?: number;
  /** The tuned parameters (ivf: nlist, nprobe; hnsw: width), for stats and reports. */
  readonly params: Record<string, number>;
  /** What a snapshot keeps of the index, so `restoreIndex` can bring it back without a build. */
  saved?(): SavedIndex;
  /**
   * Writes what the snapshot does not hold (the hnsw graph) into the store folder `dir`, for the table
   * version `version`, and returns the parameters `restoreIndex` finds and checks it by.
   */
  saveFile?(dir: string, version: number): Promise<Record<string, number>>;
}

/** An index as a snapshot keeps it: its kind and parameters, and the IVF lists as one label per hot row. */
export interface SavedIndex {
  kind: IndexKind;
  params: Record<string, number>;
  /** ivf: the list centroids; hnsw: the one mean row the graph's vectors are centred on. */
  centroids: Float32Array;
  /** `labels[row]`: the list of hot row `row`. */
  labels: Int32Array;
}

/**
 * An index restored from a snapshot of the same hot rows (`dir`: the store folder, where an hnsw graph
 * lies), or undefined when `saved` does not fit them.
 */
export async function restoreIndex(
  hot: HotVectors,
  dir: string,
  saved: SavedIndex,
): Promise<VectorIndex | undefined> {
  if (saved.kind === "ivf") {
    const index = new IvfIndex(hot);
    return index.restore(saved) ? index : undefined;
  }
  if (saved.kind === "hnsw") {
    const index = new GraphIndex(hot);
    return (await index.restore(saved, dir)) ? index : undefined;
  }
  return undefined;
}

/** Creates the index of the given kind over the hot vectors (call `build` before use). */
export function createIndex(kind: IndexKind, hot: HotVectors): VectorIndex {
  if (kind === "ivf") return new IvfIndex(hot);
  if (kind === "hnsw") return new GraphIndex(hot);
  return new FlatIndex(hot);
}
