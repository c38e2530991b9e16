/**
 * One system under benchmark (SIGLA, bare LanceDB, Chroma, the exact scan): load the same rows, build its
 * index, answer top-k queries at each setting of a sweep. The harness runs every system on the same
 * vectors and queries and measures around these calls; a system only does the work.
 */

import type { RowFilter } from "../filters.js";

/**
 * The rows of a run: ids `0..n-1` for row-major `vectors` (`count × dim`), with texts where the dataset has
 * them, and each row's filter bucket (0–99, `filters.ts`), which every system stores as its filterable field.
 */
export interface BenchRows {
  dim: number;
  count: number;
  vectors: Float32Array;
  texts?: string[];
  buckets: Uint8Array;
}

/** One search setting of a sweep (nprobes, ef, refine…); `label` names it in tables and charts. */
export interface SweepPoint {
  label: string;
  params: Record<string, number | string>;
}

/** What loading took, split where the system splits it (bare LanceDB: add, then index build). */
export interface IngestTiming {
  addMs: number;
  buildMs: number;
}

export interface BenchSystem {
  /** `sigla`, `sigla-nolink`, `lancedb`, `chroma`, `exact`. */
  readonly name: string;
  /** The index and its parameters, as the report prints them. */
  describe(): string;
  /** Loads every row and builds the index. Called once. */
  ingest(rows: BenchRows): Promise<IngestTiming>;
  /** The settings to sweep for a recall-vs-QPS curve (at least one), after `ingest`. */
  sweep(): SweepPoint[];
  /** Top-k row ids of one query, best first; with `filter`, among the rows it keeps only. */
  search(query: Float32Array, k: number, point: SweepPoint, filter?: RowFilter): Promise<number[]>;
  /** Top-k row ids of many queries in one call (the batched QPS). */
  searchBatch(queries: Float32Array[], k: number, point: SweepPoint): Promise<number[][]>;
  /**
   * Closes the data and opens it again from disk as a new process would, then answers one query: the
   * start-up time is measured around this call.
   */
  reopen(): Promise<void>;
  /**
   * Opens the data an earlier process stored in the work folder, with no ingest: the serving-memory probe
   * (`serving-memory.ts`) runs it in a fresh process. Absent for a system that keeps nothing on disk
   * (exact) or serves from a process of its own (Chroma).
   */
  attach?(): Promise<void>;
  /** Bytes on disk of everything the system stored. */
  diskBytes(): Promise<number>;
  /** Resident bytes of a separate server process, if the system has one (Chroma); else undefined. */
  serverRss(): Promise<number | undefined>;
  /** Closes everything, stops any server and removes the system's temporary data. Safe to call twice. */
  close(): Promise<void>;
}

export interface SystemOptions {
  /** An empty folder the system owns for this run (the harness removes it afterwards). */
  workDir: string;
  dim: number;
  /** One progress line (the harness prefixes the system name). */
  log: (line: string) => void;
}
