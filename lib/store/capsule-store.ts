/**
 * CapsuleStore: capsules (text + embedding + tags + links + meta) in a LanceDB table, the store of record,
 * with a hot in-memory copy of the vectors and links for search, auto-linking and graph walks.
 *
 * Every write is one LanceDB commit (an `add`, or a `mergeInsert` that inserts new rows, rewrites the links
 * of touched rows and deletes removed ones together), taken under a cross-process write lock; the in-memory
 * state changes only after the commit succeeds, so a failed batch leaves the store exactly as before.
 *
 * In memory: the vectors (`hot-vectors.ts`), every capsule's other fields packed into typed arrays
 * (`records.ts`) and the index lists; nothing else. `open` reads them from `hot.snapshot` when it belongs to
 * the table's current version (`snapshot.ts`), else scans the table; `close` saves them when they changed.
 */
import { randomUUID } from "node:crypto";
import { cp, mkdir, readdir, stat } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import "./lancedb-env.js";
import * as lancedb from "@lancedb/lancedb";
import { config } from "../config.js";
import { folderBytes } from "../disk.js";
import { createEmbedder } from "../embed/create-embedder.js";
import type { Embedder } from "../embed/embedder.js";
import { embedPaced } from "../embed/paced.js";
import { InvalidInputError, SiglaError, StoreError, throwIfCancelled, UnknownIdError } from "../errors.js";
import { type BfsNode, bfs, randomWalk } from "../graph/walk.js";
import { gatherTopK } from "../kernels/ort-kernels.js";
import { exactTopK } from "../kernels/top-k.js";
import { capsuleFilter } from "./filter.js";
import { HotVectors } from "./hot-vectors.js";
import { checkIndexKind, checkIndexPolicy, chooseIndexKind } from "./index-policy.js";
import { dataFingerprint, RowDigest } from "./integrity.js";
import { FORMAT_VERSION, MANIFEST_FILE, type Manifest, readManifest, writeManifest } from "./manifest.js";
import { CapsuleRecords, type RecordParts, sha256Of } from "./records.js";
import { readSnapshot, removeSnapshot, type Snapshot, snapshotKey, writeSnapshot } from "./snapshot.js";
import {
  CAPSULE_COLUMNS,
  type CapsuleRow,
  capsuleSchema,
  rowsToArrow,
  rowToCapsule,
  TABLE_NAME,
} from "./table-schema.js";
import type {
  AddOptions,
  Capsule,
  CapsuleHit,
  CapsuleInput,
  CapsulePatch,
  IndexKind,
  IndexPolicy,
  ListOptions,
  OpenOptions,
  QueryOptions,
  SearchOptions,
  StoreStats,
} from "./types.js";
import {
  type CheckedInput,
  checkId,
  checkInput,
  checkPatch,
  checkPositiveInt,
  checkText,
  checkTopK,
  checkVector,
  checkWhere,
  LIMITS,
  shortError,
} from "./validate.js";
import {
  createIndex,
  ORT_MIN_ROWS,
  restoreIndex,
  type SavedIndex,
  type VectorIndex,
} from "./vector-index.js";
import { withLocalTurn, withWriteLock } from "./write-lock.js";

const RRF_K = 60;

export function sha256(text: string): string {
  return sha256Of(text);
}

/** Names of the snapshot sections holding the records (see `records.ts`). */
const RECORD_SECTIONS = ["start", "length", "linkStart", "linkCount", "bytes", "links"] as const;

function sqlList(ids: Iterable<number>): string {
  return [...ids].join(", ");
}

async function pathKind(path: string): Promise<"missing" | "file" | "dir"> {
  try {
    return (await stat(path)).isDirectory() ? "dir" : "file";
  } catch {
    return "missing";
  }
}

/** The table folder is gone while sigla.json says capsules were written to it (`doctor` can start anew). */
export class TableMissingError extends StoreError {
  constructor(dir: string, rows?: number) {
    super(
      "SIGLA_STORE_DAMAGED",
      `the capsule table of ${dir} is missing (${TABLE_NAME}.lance), but sigla.json records ${rows ?? "some"} capsules written to it; restore the folder from a backup, or run \`sigla doctor --repair --accept-loss -s ${dir}\` to start an empty table`,
    );
  }
}

/** A store path as given by a caller: a string without NUL bytes. */
function checkPath(path: unknown): string {
  if (typeof path !== "string" || path.trim() === "") {
    throw new StoreError("SIGLA_STORE_PATH", `a store path must be a non-empty string, got ${typeof path}`);
  }
  if (path.includes("\0")) throw new StoreError("SIGLA_STORE_PATH", "a store path cannot hold a NUL byte");
  return path;
}

/** `SIGLA_STORE_DAMAGED` for a LanceDB failure on the table: one line of its cause, and what to do. */
function damaged(dir: string, what: string, cause: unknown): StoreError {
  return new StoreError(
    "SIGLA_STORE_DAMAGED",
    `${what} of ${dir}: ${shortError(cause)}; run \`sigla doctor -s ${dir}\` to check every row`,
    { cause },
  );
}

/**
 * Every commit is a table version with files of its own. After this many versions the writer compacts the
 * table and removes versions older than `RETAIN_VERSIONS_MS` (readers on an older version move to the
 * latest when a file is gone), so thousands of small writes leave a bounded number of files.
 */
const COMPACT_EVERY = 50;
const RETAIN_VERSIONS_MS = 10_000;

/** LanceDB's words for a file of the table that is not there. */
const MISSING_FILE = /object at location|os error 2|no such file|LanceError\(IO\)/i;

/** LanceDB's name for the full-text index on `text`. */
const FTS_INDEX = "text_idx";
/** Unindexed rows tolerated before the full-text index is rebuilt: this many, or this share of the indexed. */
const FTS_REBUILD_MIN = 1000;
const FTS_REBUILD_SHARE = 0.1;

export class CapsuleStore {
  private closed = false;
  // Set by `reload`, which `open` runs before handing the store out.
  private index!: VectorIndex;
  private hot!: HotVectors;
  private records!: CapsuleRecords;
  private syncedVersion = 0;
  private ftsStale = true;
  /** The row digest of the table version held in memory (see `integrity.ts`). */
  private digest = new RowDigest();
  /** Capsules whose text no longer matches its stored hash; reading one is `SIGLA_HASH_MISMATCH`. */
  private badHash = new Set<number>();
  /** The table version and index that `hot.snapshot` holds, when this process knows it to be current. */
  private snapshotOf?: { version: number; index: VectorIndex };

  private constructor(
    /** Absolute path of the store folder. */
    readonly path: string,
    readonly embedder: Embedder,
    private readonly db: lancedb.Connection,
    private table: lancedb.Table,
    private manifest: Manifest,
    readonly indexPolicy: IndexPolicy,
    readonly autoLinkK: number,
    private readonly compactEvery: number,
  ) {}

  /**
   * Opens the store at `path`, creating it when the folder is missing or empty. An existing store keeps its
   * embedder: `auto` means that embedder, and naming another is an `EmbedderMismatchError`.
   */
  static async open(path: string, options: OpenOptions = {}): Promise<CapsuleStore> {
    const dir = resolve(checkPath(path));
    const indexPolicy = checkIndexPolicy(options.indexPolicy ?? config().indexPolicy);
    const autoLinkK = checkPositiveInt(options.autoLinkK ?? config().autoLinkK, "autoLinkK", 0);
    const compactEvery = checkPositiveInt(options.compactEvery ?? COMPACT_EVERY, "compactEvery", 0);
    const kind = await pathKind(dir);
    if (kind === "file") throw new StoreError("SIGLA_STORE_PATH", `${dir} is a file, not a store folder`);
    let manifest = kind === "dir" ? await readManifest(dir) : undefined;
    if (!manifest && options.create === false) {
      throw new StoreError("SIGLA_STORE_PATH", `no SIGLA store at ${dir} (no sigla.json)`);
    }
    // A store being created by another process at this moment shows only its lock and temporary files.
    const foreign = (name: string) => !name.startsWith(".lock") && !name.startsWith(`${MANIFEST_FILE}.`);
    if (!manifest && kind === "dir" && (await readdir(dir)).some(foreign)) {
      throw new StoreError(
        "SIGLA_STORE_PATH",
        `${dir} is not empty and holds no SIGLA store (no sigla.json)`,
      );
    }
    const embedder = await createEmbedder(options.embedder, {
      stored: manifest?.embedder,
      log: options.log,
      onProgress: options.onDownload,
    });
    if (!manifest) {
      await mkdir(dir, { recursive: true });
      const fresh: Manifest = {
        format: FORMAT_VERSION,
        embedder: { id: embedder.id, dim: embedder.dim },
        createdAt: new Date().toISOString(),
        nextId: 0,
        storeId: randomUUID(),
      };
      // Under the lock, so two processes creating one store agree on one manifest (the first one's).
      manifest = await withWriteLock(dir, async () => {
        const written = await readManifest(dir);
        if (written) return written;
        await writeManifest(dir, fresh);
        return fresh;
      });
      if (manifest !== fresh) {
        await createEmbedder(embedder, { stored: manifest.embedder });
      }
    }
    const db = await lancedb.connect(dir);
    const table = await CapsuleStore.openTable(db, dir, manifest);
    const store = new CapsuleStore(dir, embedder, db, table, manifest, indexPolicy, autoLinkK, compactEvery);
    try {
      if (!manifest.storeId) await store.adoptStoreId();
      await store.reload(true, options.verify !== false);
    } catch (error) {
      table.close();
      db.close();
      throw error;
    }
    return store;
  }

  /** Gives a store written before store ids existed its own (once, under the write lock). */
  private async adoptStoreId(): Promise<void> {
    try {
      await withWriteLock(this.path, async () => {
        const current = await readManifest(this.path);
        this.manifest.storeId = current?.storeId ?? randomUUID();
        if (!current?.storeId)
          await writeManifest(this.path, { ...(current ?? this.manifest), storeId: this.manifest.storeId });
      });
    } catch {
      // A read-only folder: the store opens without an id (its snapshot is then bound by version only).
      this.manifest.storeId = undefined;
    }
  }

  private static async openTable(
    db: lancedb.Connection,
    dir: string,
    manifest: Manifest,
  ): Promise<lancedb.Table> {
    const dim = manifest.embedder.dim;
    try {
      const names = await db.tableNames();
      if (!names.includes(TABLE_NAME)) {
        if ((manifest.check?.rows ?? manifest.nextId) > 0)
          throw new TableMissingError(dir, manifest.check?.rows);
        // A new table starts its versions again: a snapshot left from an earlier one must never match.
        await removeSnapshot(dir);
        // "exist_ok": another process creating the same new store at the same moment is no error.
        return await db.createEmptyTable(TABLE_NAME, capsuleSchema(dim), { mode: "create", existOk: true });
      }
      const table = await db.openTable(TABLE_NAME);
      const field = (await table.schema()).fields.find((f) => f.name === "vector");
      const size = (field?.type as { listSize?: number } | undefined)?.listSize;
      if (size !== dim) {
        throw new StoreError(
          "SIGLA_STORE_DAMAGED",
          `table vectors have dimension ${size}, the manifest says ${dim}`,
        );
      }
      return table;
    } catch (error) {
      if (error instanceof SiglaError) throw error;
      throw damaged(dir, "cannot open the capsule table", error);
    }
  }

  /**
   * Rebuilds the in-memory state from the table (on open, and when another process wrote): from the
   * snapshot when it belongs to exactly the table's current version, else by scanning the table. After a
   * scan at open (`saveScanned`), the snapshot is written for the next open.
   */
  private async reload(saveScanned = false, verify = true): Promise<void> {
    const dim = this.dim;
    let tableVersion: number;
    let rows: number;
    let state: {
      hot: HotVectors;
      records: CapsuleRecords;
      index?: SavedIndex;
      digest: RowDigest;
      badHash: number[];
    };
    let restored = false;
    for (let attempt = 0; ; attempt++) {
      tableVersion = await this.table.version();
      rows = await this.run(() => this.table.countRows());
      const read = await readSnapshot(this.path, { tableVersion, rows, dim });
      // The data files are listed only when there is a snapshot of this version to check them against.
      const fromSnapshot =
        read.status === "ok"
          ? this.fromSnapshot(read.snapshot, await dataFingerprint(this.tableDir))
          : undefined;
      restored = fromSnapshot !== undefined;
      try {
        state = fromSnapshot ?? (await this.scan(rows));
      } catch (error) {
        // Another process's clean-up removed files of the version being read: read the latest instead.
        // Tried again for as long as the table keeps moving; a file missing from a version that stays
        // the latest is damage.
        const cause = (error as { cause?: unknown }).cause;
        if (attempt >= 20 || !MISSING_FILE.test(String(cause))) throw error;
        await this.table.checkoutLatest();
        if ((await this.table.version()) === tableVersion) throw error;
        continue;
      }
      // Another process may have committed between reading the table and reading sigla.json: look again.
      if (!verify || (await this.verifyTable(tableVersion, state.hot.size, state.digest)) || attempt >= 3)
        break;
      await this.table.checkoutLatest();
    }
    const { hot, records } = state;
    let maxId = -1;
    for (const id of hot.ids) if (id > maxId) maxId = id;
    this.hot = hot;
    this.records = records;
    this.digest = state.digest;
    this.badHash = new Set(state.badHash);
    this.manifest.nextId = Math.max(this.manifest.nextId, maxId + 1);
    this.syncedVersion = tableVersion;
    this.ftsStale = true;
    const kind = chooseIndexKind(hot.size, this.indexPolicy);
    const saved = state.index?.kind === kind ? state.index : undefined;
    const index = saved && restoreIndex(hot, this.table, saved);
    this.index = index ?? (await this.buildIndex(kind));
    this.snapshotOf =
      restored && (index || kind === "flat") ? { version: tableVersion, index: this.index } : undefined;
    await this.indexTable(() => this.index.sync?.());
    if (saveScanned && !restored) await this.saveSnapshot();
  }

  /**
   * The hot vectors, records and saved index of a snapshot, or undefined when its parts do not fit, when it
   * was taken in another store, or when a data file of the table changed since it was taken.
   */
  private fromSnapshot(
    snapshot: Snapshot,
    fingerprint: string,
  ):
    | { hot: HotVectors; records: CapsuleRecords; index?: SavedIndex; digest: RowDigest; badHash: number[] }
    | undefined {
    const { sections, info } = snapshot;
    if (info.storeId !== this.manifest.storeId || info.fingerprint !== fingerprint) return undefined;
    if (typeof info.digest !== "string" || !Array.isArray(info.badHash)) return undefined;
    try {
      const hot = HotVectors.adopt(this.dim, sections.ids as Int32Array, sections.vectors as Float32Array);
      const parts = Object.fromEntries(RECORD_SECTIONS.map((name) => [name, sections[`records.${name}`]]));
      const records = CapsuleRecords.fromParts(parts as unknown as RecordParts);
      if (records.size !== hot.size || hot.ids.some((id) => !records.has(id))) return undefined;
      const kind = info.indexKind as IndexKind;
      const index =
        (kind === "ivf" || kind === "hnsw") && sections["index.centroids"] && sections["index.labels"]
          ? {
              kind,
              params: (info.indexParams ?? {}) as Record<string, number>,
              centroids: sections["index.centroids"] as Float32Array,
              labels: sections["index.labels"] as Int32Array,
            }
          : undefined;
      return { hot, records, index, digest: RowDigest.parse(info.digest), badHash: info.badHash as number[] };
    } catch {
      return undefined;
    }
  }

  /**
   * Checks the table against what sigla.json says SIGLA committed: true when it fits, false when a newer
   * commit landed meanwhile (read again), and `SIGLA_STORE_DAMAGED` when rows were lost, changed or added
   * behind SIGLA's back, or newer versions of the table are missing.
   */
  private async verifyTable(version: number, rows: number, digest: RowDigest): Promise<boolean> {
    const manifest = (await readManifest(this.path)) ?? this.manifest;
    const { check, pending } = manifest;
    if (!check) return true;
    const repair = `run \`sigla doctor -s ${this.path}\` for details; restore a backup of the folder, or accept the table as it is now with \`sigla doctor --repair --accept-loss\``;
    if (check.version > version) {
      await this.table.checkoutLatest();
      if ((await this.table.version()) >= check.version) return false;
      throw new StoreError(
        "SIGLA_STORE_DAMAGED",
        `the capsule table of ${this.path} is at version ${version}, but SIGLA committed version ${check.version} (${check.rows} capsules): the newest table versions are missing (deleted manifests, or a folder restored from an older copy); ${repair}`,
      );
    }
    const text = digest.toString();
    if ([check, pending].some((c) => c && c.rows === rows && c.digest === text)) return true;
    throw new StoreError(
      "SIGLA_STORE_DAMAGED",
      `the capsule table of ${this.path} holds ${rows} capsules that differ from the ${check.rows} SIGLA committed (row digest ${text}, expected ${check.digest}): rows were lost, changed or added outside SIGLA, or a data file is damaged; ${repair}`,
    );
  }

  /** Reads every row of the table, in batches, into new hot vectors and records. */
  private async scan(
    rows: number,
  ): Promise<{ hot: HotVectors; records: CapsuleRecords; digest: RowDigest; badHash: number[] }> {
    const dim = this.dim;
    const hot = new HotVectors(dim, Math.max(1024, rows));
    const records = CapsuleRecords.empty();
    const digest = new RowDigest();
    const badHash: number[] = [];
    try {
      // Streamed batch by batch (1024 rows each), so the table is never held twice in memory.
      for await (const batch of this.table.query().select([...CAPSULE_COLUMNS, "vector"])) {
        const column = (name: string) => {
          const child = batch.getChild(name);
          if (!child) throw new Error(`no column ${name}`);
          return child;
        };
        const ids = column("id").toArray() as Int32Array;
        const vectors = column("vector").data[0];
        const values = vectors.children[0];
        const start = values.offset + vectors.offset * dim;
        const flat = (values.values as Float32Array).subarray(start, start + batch.numRows * dim);
        hot.append(ids, flat);
        const [text, tags, links, meta, source, sha, createdAt] = [
          "text",
          "tags",
          "links",
          "meta",
          "source",
          "sha256",
          "created_at",
        ].map(column);
        for (let i = 0; i < batch.numRows; i++) {
          const capsule = {
            id: ids[i],
            text: String(text.get(i)),
            tags: Array.from(tags.get(i)?.toArray() ?? [], String),
            links: links.get(i)?.toArray() ?? [],
            meta: String(meta.get(i)),
            source: source.get(i) ?? null,
            sha256: String(sha.get(i)),
            createdAt: Number(createdAt.get(i)),
          };
          const hashOk = capsule.sha256 === sha256(capsule.text);
          if (!hashOk) badHash.push(capsule.id);
          records.put(capsule, hashOk);
          digest.toggle(capsule.id, capsule.sha256, flat.subarray(i * dim, (i + 1) * dim));
        }
      }
    } catch (error) {
      throw damaged(this.path, "cannot read the capsules", error);
    }
    if (new Set(hot.ids).size !== hot.size) {
      throw new StoreError(
        "SIGLA_STORE_DAMAGED",
        `the capsule table of ${this.path} holds the same id twice; run \`sigla doctor -s ${this.path}\``,
      );
    }
    return { hot, records, digest, badHash };
  }

  /**
   * Writes the in-memory state as the snapshot of the version it mirrors, unless another process already
   * saved a newer one. Best effort: the snapshot is a cache, and a failed write only means the next open
   * scans the table.
   */
  private async saveSnapshot(): Promise<void> {
    const version = this.syncedVersion;
    try {
      const existing = await snapshotKey(this.path);
      if (existing && existing.tableVersion > version) return;
      const records = this.records.parts();
      const saved = this.index.saved?.();
      const sections: Snapshot["sections"] = { ids: this.hot.ids, vectors: this.hot.matrix };
      for (const name of RECORD_SECTIONS) sections[`records.${name}`] = records[name];
      if (saved) {
        sections["index.centroids"] = saved.centroids;
        sections["index.labels"] = saved.labels;
      }
      const info = {
        ...(saved ? { indexKind: saved.kind, indexParams: saved.params } : { indexKind: this.index.kind }),
        storeId: this.manifest.storeId,
        fingerprint: await dataFingerprint(this.tableDir),
        digest: this.digest.toString(),
        badHash: [...this.badHash],
      };
      await writeSnapshot(this.path, {
        tableVersion: version,
        rows: this.hot.size,
        dim: this.dim,
        info,
        sections,
      });
      this.snapshotOf = { version, index: this.index };
    } catch {
      // Left to the next open.
    }
  }

  /**
   * Runs table index work (FTS, HNSW), which commits a new table version of its own. When that version is the
   * only one since this process last synced, it is ours and need not be reloaded by the next `refresh`.
   */
  private async indexTable(work: () => Promise<void> | undefined): Promise<void> {
    const before = await this.table.version();
    await work();
    const after = await this.table.version();
    if (before === this.syncedVersion && after === before + 1) this.syncedVersion = after;
  }

  private async buildIndex(kind: IndexKind): Promise<VectorIndex> {
    const index = createIndex(kind, this.hot, this.table);
    await index.build();
    return index;
  }

  /**
   * Picks up writes made by other processes since this one last read the table. Waits for this process's
   * own writes to the store to finish first, so a reload never lands in the middle of one.
   */
  async refresh(): Promise<void> {
    this.assertOpen();
    await withLocalTurn(this.path, () => this.sync());
  }

  /** `refresh` for callers that already hold the write lock or the local turn. */
  private async sync(): Promise<void> {
    await this.table.checkoutLatest();
    if ((await this.table.version()) !== this.syncedVersion) await this.reload();
  }

  /** The LanceDB table's folder. */
  private get tableDir(): string {
    return join(this.path, `${TABLE_NAME}.lance`);
  }

  /** The dimension of every vector in this store. */
  get dim(): number {
    return this.manifest.embedder.dim;
  }

  /** The index kind queries run on now. */
  get indexKind(): IndexKind {
    return this.index.kind;
  }

  /** The index's tuned parameters (ivf: nlist, nprobe; hnsw: ef, refine), for reports. */
  get indexParams(): Readonly<Record<string, number>> {
    return this.index.params;
  }

  /** Adds one capsule and returns its id. */
  async addCapsule(text: string, options: Omit<CapsuleInput, "text"> = {}): Promise<number> {
    const [id] = await this.addCapsules([{ ...options, text }]);
    return id;
  }

  /**
   * Adds capsules in one atomic write and returns their ids (increasing). Texts without a vector are
   * embedded first; each new capsule is linked to its `autoLinkK` nearest capsules, both ways.
   */
  async addCapsules(inputs: CapsuleInput[], options: AddOptions = {}): Promise<number[]> {
    this.assertOpen();
    if (!Array.isArray(inputs)) throw new InvalidInputError("addCapsules takes an array of capsules");
    const checked = inputs.map((input, i) => checkInput(input, i, this.dim));
    const replace = (options.replace ?? []).map((id, i) => checkId(id, `replace[${i}]`));
    const autoLinkK = checkPositiveInt(options.autoLinkK ?? this.autoLinkK, "autoLinkK", 0);
    await this.embedMissing(checked, options);
    if (checked.length === 0 && replace.length === 0) return [];
    return withWriteLock(
      this.path,
      async () => {
        await this.sync();
        throwIfCancelled(options.signal, "addCapsules");
        return this.commitAdd(checked, replace, autoLinkK);
      },
      { signal: options.signal },
    );
  }

  private async embedMissing(checked: CheckedInput[], options: AddOptions): Promise<void> {
    const missing = checked.filter((c) => !c.vector);
    const total = checked.length;
    const before = total - missing.length;
    options.onProgress?.(before, total);
    // Calls sized from the measured time per text to end well under a second, so an abort (checked
    // between calls) takes effect within about one; a fixed batch of 64 can run for tens of seconds.
    const vectors = await embedPaced(
      this.embedder,
      missing.map((c) => c.text),
      {
        signal: options.signal,
        what: "addCapsules",
        maxBatch: config().encoderBatch,
        onProgress: (done) => options.onProgress?.(before + done, total),
      },
    );
    missing.forEach((c, i) => {
      c.vector = checkVector(vectors[i], this.dim, "embedding");
    });
  }

  private async commitAdd(
    checked: CheckedInput[],
    replace: number[],
    autoLinkK = this.autoLinkK,
  ): Promise<number[]> {
    const { hot, records } = this;
    for (const id of replace) if (!hot.has(id)) throw new UnknownIdError(id);
    const removed = new Set(replace);
    for (const c of checked) {
      for (const id of c.links) {
        if (!hot.has(id) || removed.has(id)) throw new UnknownIdError(id, "linked capsule");
      }
    }
    // Ids only grow, even after deletes by another process this one has not seen: ask sigla.json too.
    const firstId = Math.max(this.manifest.nextId, (await readManifest(this.path))?.nextId ?? 0);
    const ids = checked.map((_, i) => firstId + i);
    const flat = new Float32Array(checked.length * this.dim);
    checked.forEach((c, i) => {
      flat.set(c.vector as Float32Array, i * this.dim);
    });

    // Tentatively append the new vectors so the index can link them; undone if the write fails.
    const before = hot.size;
    const previous = this.index;
    let index = previous;
    let rows: CapsuleRow[];
    let updated: CapsuleRow[];
    hot.append(ids, flat);
    try {
      const kind = chooseIndexKind(hot.size - removed.size, this.indexPolicy);
      if (kind !== previous.kind) index = await this.buildIndex(kind);
      else await index.added(ids);
      const auto =
        autoLinkK > 0 && ids.length > 0 ? await index.linkNew(ids, autoLinkK, removed) : ids.map(() => []);
      ({ rows, updated } = await this.linkedRows(checked, ids, auto, removed));
      const digest = this.digest.clone();
      for (const id of removed) {
        digest.toggle(id, records.capsule(id)?.sha256 ?? "", hot.vector(id) as Float32Array);
      }
      for (const row of rows) digest.toggle(row.id, row.sha256, row.vector);
      this.manifest.nextId = firstId + ids.length;
      await this.write(rows, updated, removed, digest);
    } catch (error) {
      if (index === previous) previous.removed(ids);
      hot.truncate(before);
      throw error;
    }

    // Committed: now mirror the change in memory.
    this.index = index;
    index.removed([...removed]);
    for (const id of removed) {
      hot.remove(id);
      records.delete(id);
    }
    for (const id of removed) this.badHash.delete(id);
    for (const row of rows) records.put({ ...row, meta: JSON.stringify(row.meta) }, true);
    for (const row of updated) records.setLinks(row.id, row.links);
    await this.afterCommit(() => this.indexTable(() => index.sync?.()));
    await this.afterCommit(() => this.maintain());
    return ids;
  }

  /**
   * The rows to write: new capsules with their explicit and automatic links, and existing capsules whose
   * links change (they gain the new capsules, or lose removed ones). Links are undirected.
   */
  private async linkedRows(
    checked: CheckedInput[],
    ids: number[],
    auto: number[][],
    removed: ReadonlySet<number>,
  ): Promise<{ rows: CapsuleRow[]; updated: CapsuleRow[] }> {
    const links = (id: number) => this.records.linksView(id);
    const newLinks = new Map<number, Set<number>>(ids.map((id) => [id, new Set<number>()]));
    const touched = new Map<number, Set<number>>();
    const touch = (id: number) => {
      if (!touched.has(id)) touched.set(id, new Set(links(id)));
      return touched.get(id) as Set<number>;
    };
    checked.forEach((c, i) => {
      for (const other of [...c.links, ...auto[i]]) {
        newLinks.get(ids[i])?.add(other);
        if (newLinks.has(other)) newLinks.get(other)?.add(ids[i]);
        else touch(other).add(ids[i]);
      }
    });
    for (const gone of removed) {
      for (const other of links(gone)) if (!removed.has(other)) touch(other).delete(gone);
    }
    for (const gone of removed) touched.delete(gone);
    const now = Date.now();
    const rows = checked.map((c, i) => ({
      id: ids[i],
      text: c.text,
      tags: c.tags,
      links: [...(newLinks.get(ids[i]) ?? [])],
      meta: c.meta,
      source: c.source,
      sha256: sha256(c.text),
      createdAt: now,
      vector: c.vector as Float32Array,
    }));
    return { rows, updated: this.rowsWithLinks(touched) };
  }

  /** Full rows of existing capsules with their links replaced (vectors from the hot copy). */
  private rowsWithLinks(changes: Map<number, Set<number>>): CapsuleRow[] {
    return this.fetch([...changes.keys()]).map((capsule) => ({
      ...capsule,
      links: [...(changes.get(capsule.id) ?? [])],
      vector: this.hot.vector(capsule.id) as Float32Array,
    }));
  }

  /**
   * One commit: inserts `rows`, overwrites `updated` ones, deletes `removed`, leaving the rows whose digest
   * is `digest`. sigla.json names that digest as pending before the commit and as committed after it, so
   * a kill at any point leaves a table that one of the two describes (see `verifyTable`).
   */
  private async write(
    rows: CapsuleRow[],
    updated: CapsuleRow[],
    removed: ReadonlySet<number>,
    digest: RowDigest,
  ): Promise<void> {
    if (rows.length === 0 && updated.length === 0 && removed.size === 0) return;
    // New rows are already in `hot` (appended tentatively); removed ones are not yet gone from it.
    const after = this.hot.size - removed.size;
    await this.recordTable(this.hot.size - rows.length, { rows: after, digest: digest.toString() });
    const data = rowsToArrow([...rows, ...updated], this.dim);
    try {
      if (updated.length === 0 && removed.size === 0) {
        await this.table.add(data);
      } else {
        let merge = this.table.mergeInsert("id").whenMatchedUpdateAll().whenNotMatchedInsertAll();
        if (removed.size > 0)
          merge = merge.whenNotMatchedBySourceDelete({ where: `id IN (${sqlList(removed)})` });
        await merge.execute(data);
      }
    } catch (error) {
      throw damaged(this.path, "cannot write to the capsule table", error);
    }
    this.syncedVersion = await this.table.version();
    this.digest = digest;
    this.ftsStale = true;
    try {
      await this.recordTable(after);
    } catch {
      // Committed all the same, and sigla.json names this table as pending: the next sync reloads it.
      this.syncedVersion = -1;
    }
  }

  /**
   * Writes sigla.json with the table as this process holds it (version, `rows`, digest) as committed, and
   * `pending` as the state a commit about to run will leave. Called only under the write lock and in sync
   * with the table, when this process knows the table exactly; that also heals a check left behind by a
   * writer killed after its commit. Starts from the manifest on disk, never from this process's older copy.
   */
  private async recordTable(rows: number, pending?: Manifest["pending"]): Promise<void> {
    const disk = await readManifest(this.path);
    this.manifest = {
      ...(disk ?? this.manifest),
      format: FORMAT_VERSION,
      nextId: Math.max(this.manifest.nextId, disk?.nextId ?? 0),
      // A table made anew (doctor) starts its versions again; so does the compaction count.
      optimizedVersion: Math.min(
        this.syncedVersion,
        Math.max(this.manifest.optimizedVersion ?? 0, disk?.optimizedVersion ?? 0),
      ),
      check: { version: this.syncedVersion, rows, digest: this.digest.toString() },
      pending,
    };
    await writeManifest(this.path, this.manifest);
  }

  /** Changes the tags, meta or links of one capsule; its text and vector stay. See `updateCapsules`. */
  async updateCapsule(id: number, patch: Omit<CapsulePatch, "id">): Promise<Capsule> {
    const [capsule] = await this.updateCapsules([{ ...patch, id }]);
    return capsule;
  }

  /**
   * Changes the tags, meta (replaced whole) or links of existing capsules in one atomic write and returns
   * them as stored. `link` and `unlink` act both ways, as all links do.
   */
  async updateCapsules(patches: CapsulePatch[]): Promise<Capsule[]> {
    this.assertOpen();
    if (!Array.isArray(patches)) throw new InvalidInputError("updateCapsules takes an array of patches");
    const checked = patches.map(checkPatch);
    return withWriteLock(this.path, async () => {
      await this.sync();
      const { hot } = this;
      const links = new Map<number, Set<number>>();
      const touch = (id: number) => {
        if (!links.has(id)) links.set(id, new Set(this.records.linksView(id)));
        return links.get(id) as Set<number>;
      };
      for (const p of checked) {
        if (!hot.has(p.id)) throw new UnknownIdError(p.id);
        for (const other of [...p.link, ...p.unlink]) {
          if (!hot.has(other)) throw new UnknownIdError(other, "linked capsule");
          if (other === p.id) throw new InvalidInputError(`capsule ${p.id} cannot link to itself`);
        }
        touch(p.id);
        for (const other of p.link) {
          touch(p.id).add(other);
          touch(other).add(p.id);
        }
        for (const other of p.unlink) {
          touch(p.id).delete(other);
          touch(other).delete(p.id);
        }
      }
      const changed = new Map(checked.map((p) => [p.id, p]));
      const rows = this.rowsWithLinks(links).map((row) => {
        const p = changed.get(row.id);
        return { ...row, tags: p?.tags ?? row.tags, meta: p?.meta ?? row.meta };
      });
      await this.write([], rows, new Set(), this.digest);
      for (const row of rows) this.records.put({ ...row, meta: JSON.stringify(row.meta) });
      await this.afterCommit(() => this.maintain());
      return this.fetch(checked.map((p) => p.id));
    });
  }

  /** Deletes a capsule and the links that point to it; returns false when there was no such capsule. */
  async delete(id: number): Promise<boolean> {
    this.assertOpen();
    checkId(id);
    return withWriteLock(this.path, async () => {
      await this.sync();
      if (!this.hot.has(id)) return false;
      await this.commitAdd([], [id]);
      return true;
    });
  }

  /** The capsule with this id, or undefined. */
  async get(id: number): Promise<Capsule | undefined> {
    this.assertOpen();
    checkId(id);
    if (!this.hot.has(id)) return undefined;
    return this.fetch([id])[0];
  }

  /** The stored (unit-length) vector of a capsule. */
  vectorOf(id: number): Float32Array | undefined {
    this.assertOpen();
    return this.hot.vector(id)?.slice();
  }

  async count(): Promise<number> {
    this.assertOpen();
    return this.hot.size;
  }

  /** Capsules matching a LanceDB SQL filter, in id order (no vectors). */
  async list(options: ListOptions = {}): Promise<Capsule[]> {
    this.assertOpen();
    const where = options.where === undefined ? undefined : checkWhere(options.where);
    const limit =
      options.limit === undefined ? undefined : checkPositiveInt(options.limit, "limit", 1, LIMITS.list);
    const rows = await this.run(() => {
      let query = this.table.query().select(CAPSULE_COLUMNS);
      if (where) query = query.where(where);
      if (limit !== undefined) query = query.limit(limit);
      return query.toArray();
    }, where);
    const capsules = rows.map(rowToCapsule).sort((a, b) => a.id - b.id);
    this.assertHashes(capsules.filter((c) => c.sha256 !== sha256(c.text)).map((c) => c.id));
    return capsules;
  }

  /** Capsules by id, in the order asked (unknown ids are skipped); fresh copies of the in-memory records. */
  private fetch(ids: Iterable<number>): Capsule[] {
    const out: Capsule[] = [];
    const bad: number[] = [];
    for (const id of ids) {
      const read = this.records.checkedCapsule(id);
      if (!read) continue;
      if (!read.hashOk) bad.push(id);
      out.push(read.capsule);
    }
    this.assertHashes(bad);
    return out;
  }

  /** Reading a capsule whose text no longer matches its hash fails loudly, naming it and the way out. */
  private assertHashes(bad: number[]): void {
    if (bad.length === 0) return;
    throw new StoreError(
      "SIGLA_HASH_MISMATCH",
      `capsule${bad.length > 1 ? "s" : ""} ${bad.slice(0, 10).join(", ")}${bad.length > 10 ? ` and ${bad.length - 10} more` : ""} of ${this.path}: the text no longer matches its sha256 (changed outside SIGLA); run \`sigla doctor -s ${this.path}\``,
    );
  }

  /**
   * Runs a LanceDB read. A caller's filter that LanceDB rejects is `SIGLA_INVALID_INPUT` (one line, not
   * LanceDB's page of Rust paths); files of this handle's version removed by another process's clean-up
   * mean moving to the latest version and reading once more; anything else is `SIGLA_STORE_DAMAGED`.
   */
  private async run<T>(call: () => Promise<T>, filter?: string): Promise<T> {
    try {
      return await call();
    } catch (first) {
      if (filter && !MISSING_FILE.test(String(first))) {
        throw new InvalidInputError(`bad filter "${filter.slice(0, 200)}": ${shortError(first)}`, {
          cause: first,
        });
      }
      try {
        await this.table.checkoutLatest();
        return await call();
      } catch (error) {
        if (error instanceof SiglaError) throw error;
        throw damaged(this.path, "cannot read the capsule table", error);
      }
    }
  }

  /** The query vector of a text (embedded) or a vector (checked and normalised). */
  private async queryVector(textOrVector: string | Float32Array | number[]): Promise<Float32Array> {
    if (typeof textOrVector === "string") {
      const [vector] = await this.embedder.embed([checkText(textOrVector, "query")]);
      return checkVector(vector, this.dim, "query embedding");
    }
    return checkVector(textOrVector, this.dim, "query vector");
  }

  /** The LanceDB filter of a query's tags and `where`, both checked first. */
  private filterOf(options: QueryOptions): string | undefined {
    const { tags, where } = options;
    if (tags !== undefined && (!Array.isArray(tags) || tags.some((t) => typeof t !== "string"))) {
      throw new InvalidInputError("tags must be an array of strings");
    }
    return capsuleFilter(tags, where === undefined ? undefined : checkWhere(where));
  }

  /** Semantic search: the `topK` capsules closest to a text or vector, optionally filtered. */
  async query(
    textOrVector: string | Float32Array | number[],
    options: QueryOptions = {},
  ): Promise<CapsuleHit[]> {
    this.assertOpen();
    const topK = checkTopK(options.topK ?? 5);
    const filter = this.filterOf(options);
    const vector = await this.queryVector(textOrVector);
    const ranked = await this.vectorRank(vector, topK, filter, this.effortOf(options));
    return this.hits(ranked);
  }

  /**
   * Many vectors at once, scored together by the index (one ORT call per block instead of one per query):
   * the `topK` hits of each vector, in order. Unfiltered: use `query` with tags or `where`.
   */
  async queryBatch(
    vectors: readonly (Float32Array | number[])[],
    options: Pick<QueryOptions, "topK" | "effort"> = {},
  ): Promise<CapsuleHit[][]> {
    this.assertOpen();
    const topK = checkTopK(options.topK ?? 5);
    const matrix = new Float32Array(vectors.length * this.dim);
    vectors.forEach((v, i) => {
      matrix.set(checkVector(v, this.dim, `query vector ${i}`), i * this.dim);
    });
    const found = await this.index.search(matrix, topK, this.effortOf(options));
    return Promise.all(
      vectors.map((_, q) => {
        const ranked: Array<[number, number]> = [];
        for (let j = q * topK; j < (q + 1) * topK; j++) {
          if (found.rows[j] >= 0) ranked.push([found.rows[j], found.scores[j]]);
        }
        return this.hits(ranked);
      }),
    );
  }

  private effortOf(options: QueryOptions): number {
    const { effort = 1 } = options;
    if (!(typeof effort === "number" && effort > 0 && Number.isFinite(effort))) {
      throw new InvalidInputError(`effort must be a positive number, got ${String(effort)}`);
    }
    return effort;
  }

  private async vectorRank(
    vector: Float32Array,
    topK: number,
    filter?: string,
    effort = 1,
  ): Promise<Array<[number, number]>> {
    const { hot } = this;
    let result: { rows: Int32Array; scores: Float32Array };
    if (filter) {
      const rows = await this.run(() => this.table.query().where(filter).select(["id"]).toArray(), filter);
      const candidates = Int32Array.from(rows, (r) => hot.rowIndex(Number(r.id))).filter((r) => r >= 0);
      // Many candidates: score them in one ORT call; few: a JS loop costs less than the call.
      result =
        candidates.length >= ORT_MIN_ROWS
          ? await gatherTopK(vector, hot.matrix, hot.dim, candidates, topK)
          : exactTopK(hot.matrix, hot.size, hot.dim, vector, topK, candidates);
      result.rows.forEach((row, i) => {
        if (row >= 0) result.rows[i] = hot.ids[row];
      });
    } else {
      result = await this.index.search(vector, topK, effort);
    }
    const ranked: Array<[number, number]> = [];
    result.rows.forEach((id, i) => {
      if (id >= 0) ranked.push([id, result.scores[i]]);
    });
    return ranked;
  }

  private async hits(ranked: Array<[number, number]>): Promise<CapsuleHit[]> {
    const capsules = this.fetch(ranked.map(([id]) => id));
    const score = new Map(ranked);
    return capsules.map((c) => ({ ...c, score: score.get(c.id) ?? 0 }));
  }

  /**
   * Search by meaning (`vector`, as `query`), by words (`fts`, BM25 over the text), or both fused by
   * reciprocal rank (`hybrid`). Scores are cosine for vector, BM25 for fts, RRF for hybrid.
   */
  async search(text: string, options: SearchOptions = {}): Promise<CapsuleHit[]> {
    this.assertOpen();
    const mode = options.mode ?? "hybrid";
    if (!["vector", "fts", "hybrid"].includes(mode)) {
      throw new InvalidInputError(`mode must be vector, fts or hybrid, got ${JSON.stringify(mode)}`);
    }
    checkText(text, "search text");
    const topK = checkTopK(options.topK ?? 5);
    if (mode === "vector") return this.query(options.vector ?? text, options);
    const filter = this.filterOf(options);
    const depth = mode === "hybrid" ? Math.max(topK * 4, 20) : topK;
    const words = await this.ftsRank(text, depth, filter);
    if (mode === "fts") return this.hits(words);
    const meaning = await this.vectorRank(await this.queryVector(options.vector ?? text), depth, filter);
    const fused = new Map<number, number>();
    for (const list of [meaning, words]) {
      list.forEach(([id], rank) => {
        fused.set(id, (fused.get(id) ?? 0) + 1 / (RRF_K + rank + 1));
      });
    }
    const ranked = [...fused].sort((a, b) => b[1] - a[1]).slice(0, topK);
    return this.hits(ranked);
  }

  /**
   * Keeps the BM25 index fresh enough: built on the first full-text search, rebuilt after writes only once
   * the rows written since exceed `FTS_REBUILD_SHARE` of those indexed. LanceDB searches the unindexed rows
   * too (a scan of the new part), so results stay complete; a rebuild per write cost ~300 ms at 50k.
   */
  private async ensureFtsIndex(rebuild = false): Promise<void> {
    if (!this.ftsStale && !rebuild) return;
    const stats = rebuild ? undefined : await this.table.indexStats(FTS_INDEX).catch(() => undefined);
    const behind = stats
      ? stats.numUnindexedRows > Math.max(FTS_REBUILD_MIN, FTS_REBUILD_SHARE * stats.numIndexedRows)
      : true;
    if (behind) {
      await this.indexTable(() =>
        this.table.createIndex("text", { config: lancedb.Index.fts(), replace: true }),
      );
    }
    this.ftsStale = false;
  }

  /**
   * BM25 ranks of the capsules matching `text`, over every committed capsule: the table is moved to its
   * latest version first (another process may have written), and an index whose files are damaged or
   * gone is built again once before the store is reported damaged.
   */
  private async ftsRank(text: string, limit: number, filter?: string): Promise<Array<[number, number]>> {
    await this.refresh();
    if (this.hot.size === 0) return [];
    // Building the index commits a table version: a write, so under the write lock like every other.
    const buildIndex = (rebuild: boolean) =>
      withWriteLock(this.path, async () => {
        await this.sync();
        await this.ensureFtsIndex(rebuild);
      });
    // A bad filter fails here, as a bad filter, before an index is built or rebuilt (a commit).
    if (filter)
      await this.run(() => this.table.query().where(filter).select(["id"]).limit(1).toArray(), filter);
    const search = async () => {
      let query = this.table
        .query()
        .fullTextSearch(text, { columns: ["text"] })
        .select(["id", "_score"])
        .limit(limit);
      if (filter) query = query.where(filter);
      return query.toArray();
    };
    let rows: Array<Record<string, unknown>>;
    try {
      if (this.ftsStale) await buildIndex(false);
      rows = await search();
    } catch {
      try {
        await buildIndex(true);
        rows = await search();
      } catch (error) {
        throw damaged(this.path, "the full-text index cannot be searched or rebuilt", error);
      }
    }
    return rows.map((r) => [Number(r.id), Number(r._score ?? 0)]);
  }

  /**
   * Upkeep after a commit (an index sync, a compaction): the write has landed and is acknowledged whatever
   * happens here; a failure only leaves the upkeep for the next write (and `sigla doctor`).
   */
  private async afterCommit(upkeep: () => Promise<void>): Promise<void> {
    try {
      await upkeep();
    } catch {
      this.syncedVersion = -1;
    }
  }

  /** Compacts the table when enough versions piled up since the last time (under the write lock). */
  private async maintain(): Promise<void> {
    if (
      this.compactEvery > 0 &&
      this.syncedVersion - (this.manifest.optimizedVersion ?? 0) >= this.compactEvery
    ) {
      await this.compact(new Date(Date.now() - RETAIN_VERSIONS_MS));
    }
  }

  /**
   * Merges small data files, updates the table's indices and removes table versions older than
   * `olderThan` with the files only they used. Rows do not change; the table gets a new version.
   */
  private async compact(olderThan: Date): Promise<{ removedVersions: number; filesRemoved: number }> {
    const before = await this.table.version();
    let stats: lancedb.OptimizeStats;
    try {
      stats = await this.table.optimize({ cleanupOlderThan: olderThan });
    } catch (error) {
      throw damaged(this.path, "cannot compact the capsule table", error);
    }
    const after = await this.table.version();
    if (before === this.syncedVersion) this.syncedVersion = after;
    this.manifest.optimizedVersion = after;
    await this.recordTable(this.hot.size);
    return {
      removedVersions: stats.prune.oldVersionsRemoved,
      filesRemoved: stats.compaction.filesRemoved,
    };
  }

  /** Rebuilds the vector index as the given kind (or the policy's choice for the current size). */
  async rebuildIndex(options: { kind?: IndexKind } = {}): Promise<IndexKind> {
    this.assertOpen();
    const kind = checkIndexKind(options.kind ?? chooseIndexKind(this.hot.size, this.indexPolicy));
    const index = await this.buildIndex(kind);
    await this.indexTable(() => index.sync?.());
    this.index = index;
    return kind;
  }

  /** The capsules linked to `id`. */
  async neighbours(id: number): Promise<Capsule[]> {
    return this.fetch(this.linksOf(id));
  }

  private linksOf(id: number): number[] {
    this.assertOpen();
    checkId(id);
    if (!this.records.has(id)) throw new UnknownIdError(id);
    return this.records.linksOf(id);
  }

  /** Breadth-first walk over links from `id`, up to `depth` hops (default 2). */
  async bfs(id: number, options: { depth?: number } = {}): Promise<BfsNode[]> {
    this.linksOf(id);
    const depth = checkPositiveInt(options.depth ?? 2, "depth", 0, LIMITS.depth);
    return bfs(id, (node) => this.records.linksOf(node), depth);
  }

  /** A seeded random walk over links from `id` (default 10 steps, seed 0). */
  async randomWalk(id: number, options: { steps?: number; seed?: number } = {}): Promise<number[]> {
    this.linksOf(id);
    const steps = checkPositiveInt(options.steps ?? 10, "steps", 0, LIMITS.walkSteps);
    const seed = options.seed ?? 0;
    if (!Number.isInteger(seed)) throw new InvalidInputError(`seed must be an integer, got ${seed}`);
    return randomWalk(id, (node) => this.records.linksOf(node), steps, seed);
  }

  /**
   * Compacts the table now and removes table versions older than `keepVersionsMs` (default 10 s, as
   * writes do on their own every `compactEvery` versions; 0 keeps only the current version, which ends
   * every way back to an earlier state of the table).
   */
  async optimize(
    options: { keepVersionsMs?: number } = {},
  ): Promise<{ removedVersions: number; filesRemoved: number }> {
    this.assertOpen();
    const keep = checkPositiveInt(options.keepVersionsMs ?? RETAIN_VERSIONS_MS, "keepVersionsMs", 0);
    return withWriteLock(this.path, async () => {
      await this.sync();
      const result = await this.compact(new Date(Date.now() - keep));
      await this.saveSnapshot();
      return result;
    });
  }

  // What `doctor.ts` reads and repairs; not for other callers.

  /** The table checked against sigla.json: undefined when it fits, else what is wrong. @internal */
  async integrityProblem(): Promise<string | undefined> {
    this.assertOpen();
    try {
      for (let attempt = 0; attempt < 5; attempt++) {
        if (await this.verifyTable(this.syncedVersion, this.hot.size, this.digest)) return undefined;
        // Another process committed meanwhile: read the table again (which checks it too).
        await this.refresh();
      }
      return undefined;
    } catch (error) {
      if (error instanceof StoreError && error.code === "SIGLA_STORE_DAMAGED") return error.message;
      throw error;
    }
  }

  /** Capsules whose text does not match its hash. @internal */
  get changedTexts(): number[] {
    return [...this.badHash].sort((a, b) => a - b);
  }

  /** Links that point to a missing capsule or that the other capsule does not list back. @internal */
  brokenLinks(): Array<[number, number]> {
    const broken: Array<[number, number]> = [];
    for (const id of this.records.ids()) {
      for (const other of this.records.linksView(id)) {
        if (!this.records.has(other) || !this.records.linksView(other).includes(id)) broken.push([id, other]);
      }
    }
    return broken;
  }

  /**
   * Repairs rows in one commit: drops links to missing capsules, adds the missing half of one-way links,
   * and gives capsules whose text changed the hash of the text they hold now. @internal
   */
  async repairRows(options: { rehash: boolean }): Promise<{ links: number; hashes: number }> {
    return withWriteLock(this.path, async () => {
      await this.sync();
      const links = new Map<number, Set<number>>();
      const touch = (id: number) => {
        if (!links.has(id)) links.set(id, new Set(this.records.linksView(id)));
        return links.get(id) as Set<number>;
      };
      const broken = this.brokenLinks();
      for (const [id, other] of broken) {
        if (this.records.has(other)) touch(other).add(id);
        else touch(id).delete(other);
      }
      const rehash = options.rehash ? this.changedTexts : [];
      for (const id of rehash) touch(id);
      const digest = this.digest.clone();
      const rows = [...links].map(([id, set]) => {
        const capsule = this.records.checkedCapsule(id)?.capsule as Capsule;
        const row = { ...capsule, links: [...set], vector: this.hot.vector(id) as Float32Array };
        if (options.rehash && this.badHash.has(id)) {
          digest.toggle(id, capsule.sha256, row.vector);
          row.sha256 = sha256(capsule.text);
          digest.toggle(id, row.sha256, row.vector);
        }
        return row;
      });
      await this.write([], rows, new Set(), digest);
      for (const row of rows) this.records.put({ ...row, meta: JSON.stringify(row.meta) });
      for (const id of rehash) this.badHash.delete(id);
      return { links: broken.length, hashes: rehash.length };
    });
  }

  /** Builds the full-text index again, whatever state it is in. @internal */
  async rebuildFullText(): Promise<void> {
    await withWriteLock(this.path, async () => {
      await this.sync();
      await this.ensureFtsIndex(true);
    });
  }

  /** Records the table as it is now as what SIGLA committed (after the user chose to accept it). @internal */
  async acceptTable(): Promise<void> {
    await withWriteLock(this.path, async () => {
      // What is accepted is the table as it is now, not as this handle last read it.
      await this.table.checkoutLatest();
      if ((await this.table.version()) !== this.syncedVersion) await this.reload(false, false);
      await this.recordTable(this.hot.size);
    });
  }

  /** Writes the snapshot again from the state in memory. @internal */
  async rewriteSnapshot(): Promise<void> {
    await removeSnapshot(this.path);
    await this.saveSnapshot();
  }

  /** Size, embedder, index and link counts of the store. */
  async stats(): Promise<StoreStats> {
    this.assertOpen();
    const links = this.records.linkEntries;
    return {
      path: this.path,
      count: this.hot.size,
      dim: this.dim,
      embedder: this.manifest.embedder.id,
      indexKind: this.index.kind,
      indexPolicy: this.indexPolicy,
      autoLinkK: this.autoLinkK,
      links: links / 2,
      tableVersion: this.syncedVersion,
      diskBytes: await folderBytes(this.path),
    };
  }

  /** Copies the whole store to `target` (a missing or empty folder); `open(target)` restores it. */
  async save(target: string): Promise<void> {
    this.assertOpen();
    const dir = resolve(checkPath(target));
    const kind = await pathKind(dir);
    if (kind === "file") throw new StoreError("SIGLA_STORE_PATH", `${dir} is a file, not a store folder`);
    if (kind === "dir" && (await readdir(dir)).length > 0) {
      throw new StoreError("SIGLA_STORE_PATH", `${dir} is not empty; save needs a new or empty folder`);
    }
    const inside = relative(this.path, dir);
    if (inside === "" || (!inside.startsWith("..") && !inside.startsWith("/"))) {
      throw new StoreError("SIGLA_STORE_PATH", `cannot save the store ${this.path} into itself (${dir})`);
    }
    await withWriteLock(this.path, async () => {
      await cp(this.path, dir, {
        recursive: true,
        filter: (src) => !/\.lock(-queue)?$/.test(src) && !src.endsWith(".tmp"),
      });
    });
  }

  /**
   * Writes the snapshot when the in-memory state changed since it was read or written, then releases the
   * table; the store cannot be used afterwards.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const { snapshotOf } = this;
    if (snapshotOf?.version !== this.syncedVersion || snapshotOf.index !== this.index) {
      await this.saveSnapshot();
    }
    this.table.close();
    this.db.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreError("SIGLA_STORE_CLOSED", `the store ${this.path} is closed`);
  }
}
