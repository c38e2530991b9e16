import type { Embedder, EmbedderSpec } from "../embed/embedder.js";
import type { HotPrecision } from "./hot-vectors.js";
import type { IndexDecision } from "./index-choice.js";
import type { IndexKind, IndexPolicy } from "./index-policy.js";

/** Defined with the lists of kinds and policies, in `index-policy.ts`. */
export type { IndexKind, IndexPolicy } from "./index-policy.js";

/** Plain JSON metadata kept with a capsule. */
export type CapsuleMeta = Record<string, unknown>;

/** One stored capsule, as read back (without its vector). */
export interface Capsule {
  id: number;
  text: string;
  tags: string[];
  /** Ids of linked capsules; links are undirected, so each also lists this id. */
  links: number[];
  meta: CapsuleMeta;
  /** Provenance key (e.g. the absolute path of an ingested file), or null. */
  source: string | null;
  /** `sha256:<hex>` of the text. */
  sha256: string;
  /** Milliseconds since the epoch when the capsule was added. */
  createdAt: number;
}

/** A capsule found by a query, with its similarity score (cosine; higher is closer). */
export interface CapsuleHit extends Capsule {
  score: number;
}

/** What `addCapsules` takes for one capsule. */
export interface CapsuleInput {
  text: string;
  tags?: string[];
  /** Ids of existing capsules to link to (both ways). */
  links?: number[];
  meta?: CapsuleMeta;
  /** A precomputed embedding; when absent the store's embedder computes it. */
  vector?: Float32Array | number[];
  source?: string;
}

/** A change to an existing capsule: fields left out stay as they are. */
export interface CapsulePatch {
  id: number;
  /** Replaces the tags. */
  tags?: string[];
  /** Replaces the meta object. */
  meta?: CapsuleMeta;
  /** Ids to link to (both ways). */
  link?: number[];
  /** Ids to unlink from (both ways). */
  unlink?: number[];
}

/** Options of `CapsuleStore.open`. */
export interface OpenOptions {
  /** Embedder spec or instance; `auto` (default) on an existing store means the store's own embedder. */
  embedder?: EmbedderSpec | Embedder;
  indexPolicy?: IndexPolicy;
  /** Neighbours each new capsule is linked to; 0 turns auto-linking off. Default 5. */
  autoLinkK?: number;
  /**
   * Create the store when the folder is missing or empty (default true). Read-only doors (stats, search)
   * pass false, so a mistyped path is an error instead of a new empty store.
   */
  create?: boolean;
  /**
   * Compact the table and remove old versions after this many table versions (default 50; 0 never).
   * Every write is a version with files of its own, so without it small writes pile up files forever.
   */
  compactEvery?: number;
  /**
   * Check the table against what sigla.json says was committed (default true). Only `doctor` opens a
   * damaged store with false, to report and repair it.
   */
  verify?: boolean;
  /** Where `auto` reports which embedder it chose (stderr by default). */
  log?: (line: string) => void;
  /** Download progress of model files, when a transformers model is fetched on first use. */
  onDownload?: (progress: { file: string; loaded: number; total: number }) => void;
}

/** Options of one `addCapsules` write. */
export interface AddOptions {
  /** Ids deleted in the same atomic write (used to replace a changed file's chunks). */
  replace?: number[];
  /**
   * Writes only if the capsules matching the filter `where` are still exactly `ids` once the write lock is
   * held; else `SIGLA_CONFLICT`, and nothing is written. Ingest uses it, so two processes writing one file
   * at once cannot both add its chunks.
   */
  expect?: { where: string; ids: readonly number[] };
  /** Auto-linking for this batch only (0 turns it off); the store's `autoLinkK` by default. */
  autoLinkK?: number;
  signal?: AbortSignal;
  /**
   * Progress of each stage of the add, in order: `embed` (texts embedded), then under the write lock
   * `index` (0/1 and 1/1 around the new vectors entering the index, which is rebuilt or decided again
   * when the store's growth calls for it), `link` (new capsules linked) and `write` (rows committed). A
   * million-row add spends minutes after its last embedding; the stages show where.
   */
  onProgress?: (done: number, total: number, stage: AddStage) => void;
}

/** The stages of an add that report progress (see `AddOptions.onProgress`). */
export type AddStage = "embed" | "index" | "link" | "write";

/** Options of a vector query: how many hits, which capsules may be hits, and how wide to search. */
export interface QueryOptions {
  topK?: number;
  /** Capsules must carry all of these tags. */
  tags?: string[];
  /** A LanceDB SQL filter over the table's columns (id, text, tags, source, sha256, meta, created_at). */
  where?: string;
  /**
   * Search width relative to the index's calibrated one (ivf: lists probed, hnsw: ef), for recall-vs-speed
   * sweeps. Default 1; ignored by a flat index and by filtered queries (which are exact).
   */
  effort?: number;
}

/** How `search` finds capsules: by vector, by full text (BM25), or both, fused by reciprocal rank. */
export type SearchMode = "vector" | "fts" | "hybrid";
/** Options of `CapsuleStore.search`: a query's options plus the search mode (default `hybrid`). */
export interface SearchOptions extends QueryOptions {
  mode?: SearchMode;
  /**
   * The text's embedding, when the caller has it already (a pipeline turn embeds its message once and
   * passes the vector to every search of the turn); the text still drives full-text search.
   */
  vector?: Float32Array;
}

/** Options of `CapsuleStore.list`: an SQL filter and the most capsules to return. */
export interface ListOptions {
  where?: string;
  limit?: number;
}

/** What `stats()` reports. */
export interface StoreStats {
  path: string;
  count: number;
  dim: number;
  embedder: string;
  indexKind: IndexKind;
  indexPolicy: IndexPolicy;
  /** What the `auto` policy measured when it last chose (absent below `AUTO_MIN` or when pinned). */
  indexDecision?: IndexDecision;
  autoLinkK: number;
  /** How the in-memory copy holds the vectors: float32, or halves under a graph index (see `HotVectors`). */
  vectorPrecision: HotPrecision;
  links: number;
  tableVersion: number;
  diskBytes: number;
  /**
   * How the state in memory was last read from the table: only the rows written since the state before
   * it (`changes`, after another process wrote), the snapshot, or a scan of every row; `rows` read, in `ms`.
   */
  lastLoad: { from: LoadSource; rows: number; ms: number };
}

/** Where a state in memory was read from: the rows written since the one before, the snapshot, or every row. */
export type LoadSource = "changes" | "snapshot" | "scan";
