/**
 * The state of one open store, shared by the modules that make up `CapsuleStore`: the LanceDB handles, the
 * manifest, the hot in-memory copy of the table (vectors, records, index) and what ties that copy to one
 * table version. The modules (`hot-state.ts`, `commit.ts`, `writes.ts`, `links.ts`, `search.ts`,
 * `upkeep.ts`) are functions over it; only they change it, and only after a commit succeeded.
 */
import { join } from "node:path";
import type * as lancedb from "@lancedb/lancedb";
import type { Embedder } from "../embed/embedder.js";
import { StoreError } from "../errors.js";
import type { HotVectors } from "./hot-vectors.js";
import type { IndexPolicy } from "./index-policy.js";
import { RowDigest } from "./integrity.js";
import type { Manifest } from "./manifest.js";
import type { CapsuleRecords } from "./records.js";
import { TABLE_NAME } from "./table-schema.js";
import type { StoreStats } from "./types.js";
import type { VectorIndex } from "./vector-index.js";

/** The settings a store is opened with, fixed for its lifetime. */
export interface StoreSettings {
  readonly indexPolicy: IndexPolicy;
  /** Auto-links per new capsule when a write does not say. */
  readonly autoLinkK: number;
  /** Table versions between compactions (0: never compact on its own). */
  readonly compactEvery: number;
}

export class StoreState {
  closed = false;
  // Set by `reload` (hot-state.ts), which `open` runs before handing the store out.
  index!: VectorIndex;
  hot!: HotVectors;
  records!: CapsuleRecords;
  /** The table version the hot state mirrors (-1: unknown, reload on the next sync). */
  syncedVersion = 0;
  /** The full-text index may lag the table (checked before the next full-text search). */
  ftsStale = true;
  /** How the state in memory was last read (`StoreStats.lastLoad`). */
  lastLoad: StoreStats["lastLoad"] = { from: "scan", rows: 0, ms: 0 };
  /** Rows inserted or rewritten since the state was read lie at this row address or above (`table-changes.ts`). */
  rowFloor?: number;
  /** The row digest of the table version held in memory (see `integrity.ts`). */
  digest = new RowDigest();
  /** Capsules whose text no longer matches its stored hash; reading one is `SIGLA_HASH_MISMATCH`. */
  badHash = new Set<number>();
  /** The table version and index that `hot.snapshot` holds, when this process knows it to be current. */
  snapshotOf?: { version: number; index: VectorIndex };

  constructor(
    /** Absolute path of the store folder (of a remote store: this machine's folder for its manifest, lock and snapshot). */
    readonly path: string,
    readonly embedder: Embedder,
    readonly db: lancedb.Connection,
    readonly table: lancedb.Table,
    public manifest: Manifest,
    readonly settings: StoreSettings,
    /** Where the table lives: `path` for a local store, the object-storage URI of a remote one. */
    readonly uri: string = path,
  ) {}

  /** The table lives on object storage (see `location.ts`). */
  get remote(): boolean {
    return this.uri !== this.path;
  }

  /** The dimension of every vector in this store. */
  get dim(): number {
    return this.manifest.embedder.dim;
  }

  /** The LanceDB table's folder. */
  get tableDir(): string {
    return join(this.path, `${TABLE_NAME}.lance`);
  }

  /** `SIGLA_STORE_CLOSED` once the store was closed. */
  assertOpen(): void {
    if (this.closed) throw new StoreError("SIGLA_STORE_CLOSED", `the store ${this.path} is closed`);
  }
}
