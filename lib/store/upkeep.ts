/**
 * Upkeep of the table and the indexes: building the vector index, keeping the full-text index fresh enough,
 * and compacting the table so thousands of small writes leave a bounded number of files.
 */
import "./lancedb-env.js";
import * as lancedb from "@lancedb/lancedb";
import { recordTable } from "./commit.js";
import type { HotVectors } from "./hot-vectors.js";
import { decideIndex, exactBatchesFaster, type IndexDecision } from "./index-choice.js";
import type { IndexKind } from "./index-policy.js";
import { damaged } from "./store-errors.js";
import type { StoreState } from "./store-state.js";
import { createIndex, type VectorIndex } from "./vector-index.js";

/**
 * Every commit is a table version with files of its own. After this many versions the writer compacts the
 * table and removes versions older than `RETAIN_VERSIONS_MS` (readers on an older version move to the
 * latest when a file is gone), so thousands of small writes leave a bounded number of files.
 */
export const COMPACT_EVERY = 50;
export const RETAIN_VERSIONS_MS = 10_000;

/** Rows from which a graph store holds its vectors as halves (below, float32 costs under 16 MB at 384 dims). */
const COMPACT_MIN = 10_000;

/** LanceDB's name for the full-text index on `text`. */
const FTS_INDEX = "text_idx";
/** Unindexed rows tolerated before the full-text index is rebuilt: this many, or this share of the indexed. */
const FTS_REBUILD_MIN = 1000;
const FTS_REBUILD_SHARE = 0.1;

/**
 * The index `plannedKind` asked for, built over `hot` (IVF and the exact scan read float32); for "measure",
 * the fastest candidate on those vectors, with the decision to keep in the manifest.
 */
export async function indexOver(
  hot: HotVectors,
  planned: IndexKind | "measure",
): Promise<{ index: VectorIndex; decision?: IndexDecision }> {
  if (planned === "measure") return decideIndex(hot);
  if (planned !== "hnsw") hot.expand();
  const index = createIndex(planned, hot);
  await index.build();
  return { index };
}

/** `indexOver` the store's hot vectors; a measured decision is written with the next commit. */
export async function chooseIndex(s: StoreState, planned: IndexKind | "measure"): Promise<VectorIndex> {
  const { index, decision } = await indexOver(s.hot, planned);
  if (decision) s.manifest.index = decision;
  return index;
}

/**
 * Runs table index work (the full-text index), which commits a new table version of its own. When that version is the
 * only one since this process last synced, it is ours and need not be reloaded by the next `refresh`.
 */
export async function indexTable(s: StoreState, work: () => Promise<void> | undefined): Promise<void> {
  const before = await s.table.version();
  await work();
  const after = await s.table.version();
  if (before === s.syncedVersion && after === before + 1) s.syncedVersion = after;
}

/**
 * Keeps the BM25 index fresh enough: built on the first full-text search, rebuilt after writes only once
 * the rows written since exceed `FTS_REBUILD_SHARE` of those indexed. LanceDB searches the unindexed rows
 * too (a scan of the new part), so results stay complete; a rebuild per write cost ~300 ms at 50k.
 */
export async function ensureFtsIndex(s: StoreState, rebuild = false): Promise<void> {
  if (!s.ftsStale && !rebuild) return;
  const stats = rebuild ? undefined : await s.table.indexStats(FTS_INDEX).catch(() => undefined);
  const behind = stats
    ? stats.numUnindexedRows > Math.max(FTS_REBUILD_MIN, FTS_REBUILD_SHARE * stats.numIndexedRows)
    : true;
  if (behind) {
    await indexTable(s, () => s.table.createIndex("text", { config: lancedb.Index.fts(), replace: true }));
  }
  s.ftsStale = false;
}

/**
 * Upkeep after a commit (an index sync, a compaction): the write has landed and is acknowledged whatever
 * happens here; a failure only leaves the upkeep for the next write (and `sigla doctor`).
 */
export async function afterCommit(s: StoreState, upkeep: () => Promise<void>): Promise<void> {
  try {
    await upkeep();
  } catch {
    s.syncedVersion = -1;
  }
}

/** Compacts the table when enough versions piled up since the last time (under the write lock). */
export async function maintain(s: StoreState): Promise<void> {
  const { compactEvery } = s.settings;
  if (compactEvery > 0 && s.syncedVersion - (s.manifest.optimizedVersion ?? 0) >= compactEvery) {
    await compact(s, new Date(Date.now() - RETAIN_VERSIONS_MS));
  }
}

/**
 * Merges small data files, updates the table's indices and removes table versions older than
 * `olderThan` with the files only they used. Rows do not change; the table gets a new version.
 */
export async function compact(
  s: StoreState,
  olderThan: Date,
): Promise<{ removedVersions: number; filesRemoved: number }> {
  const before = await s.table.version();
  let stats: lancedb.OptimizeStats;
  try {
    stats = await s.table.optimize({ cleanupOlderThan: olderThan });
  } catch (error) {
    throw damaged(s.path, "cannot compact the capsule table", error);
  }
  const after = await s.table.version();
  if (before === s.syncedVersion) s.syncedVersion = after;
  s.manifest.optimizedVersion = after;
  await recordTable(s, s.hot.size);
  return {
    removedVersions: stats.prune.oldVersionsRemoved,
    filesRemoved: stats.compaction.filesRemoved,
  };
}

/** Replaces the vector index with a new one of `kind`, or the fastest candidate for "measure". */
export async function rebuildIndex(s: StoreState, kind: IndexKind | "measure"): Promise<void> {
  s.index = await chooseIndex(s, kind);
  fitPrecision(s);
}

/**
 * Halves for the hot vectors when only the graph reads them at speed (it re-scores a few hundred rows per
 * query, and its decision found batches faster through it too); float32 when an exact scan or IVF does,
 * whose kernels read the float matrix. Called whenever the store's index changes.
 */
export function fitPrecision(s: StoreState): void {
  fitHalves(s.hot, s.index.kind, s.manifest.index);
}

/** `fitPrecision` for hot vectors the store has not adopted yet. */
export function fitHalves(hot: HotVectors, kind: IndexKind, decision: IndexDecision | undefined): void {
  const halves = kind === "hnsw" && hot.size >= COMPACT_MIN && !exactBatchesFaster(decision, "hnsw");
  if (halves) hot.compact();
  else hot.expand();
}
