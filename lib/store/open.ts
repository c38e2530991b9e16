/**
 * Opening a store folder (creating it when missing or empty) and copying one to a new folder.
 */
import { randomUUID } from "node:crypto";
import { cp, mkdir, readdir, stat } from "node:fs/promises";
import { relative, resolve } from "node:path";
import "./lancedb-env.js";
import * as lancedb from "@lancedb/lancedb";
import { config } from "../config.js";
import { createEmbedder } from "../embed/create-embedder.js";
import type { Embedder } from "../embed/embedder.js";
import { errorMessage, firstLine, SiglaError, StoreError } from "../errors.js";
import { reload } from "./hot-state.js";
import { checkIndexPolicy } from "./index-policy.js";
import { hasManifest, locate, type StoreLocation, storageOptions } from "./location.js";
import { FORMAT_VERSION, MANIFEST_FILE, type Manifest, readManifest, writeManifest } from "./manifest.js";
import { removeSnapshot } from "./snapshot.js";
import { damaged, TableMissingError } from "./store-errors.js";
import { StoreState } from "./store-state.js";
import { capsuleSchema, TABLE_NAME } from "./table-schema.js";
import type { OpenOptions } from "./types.js";
import { COMPACT_EVERY } from "./upkeep.js";
import { checkPositiveInt } from "./validate.js";
import { withWriteLock } from "./write-lock.js";

type PathKind = "missing" | "file" | "dir";

async function pathKind(path: string): Promise<PathKind> {
  try {
    return (await stat(path)).isDirectory() ? "dir" : "file";
  } catch {
    return "missing";
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

/** The table's connection: the folder, or object storage with the `SIGLA_STORAGE_*` options. */
async function connect(where: StoreLocation): Promise<lancedb.Connection> {
  if (!where.remote) return lancedb.connect(where.uri);
  try {
    return await lancedb.connect(where.uri, { storageOptions: storageOptions() });
  } catch (error) {
    throw unreachable(where, error);
  }
}

/** Object storage that cannot be reached (or refuses us) is `SIGLA_STORE_PATH`, naming the URI and the way out. */
function unreachable(where: StoreLocation, error: unknown): StoreError {
  return new StoreError(
    "SIGLA_STORE_PATH",
    `cannot reach ${where.uri}: ${firstLine(errorMessage(error), 300)} (check the SIGLA_STORAGE_* settings and that the bucket exists)`,
    { cause: error },
  );
}

/** Schema metadata keys a remote store's table carries (see `manifestFromTable`). */
const META_EMBEDDER = "sigla.embedder";
const META_STORE_ID = "sigla.store_id";

/**
 * Opens the store at `path` (a folder, or a URI on object storage: see `location.ts`), creating it when it
 * is missing or empty, and loads its hot state. An existing store keeps its embedder: `auto` means that
 * embedder, and naming another is an `EmbedderMismatchError`.
 */
export async function openStore(path: string, options: OpenOptions): Promise<StoreState> {
  const where = locate(checkPath(path));
  const dir = where.dir;
  const settings = {
    indexPolicy: checkIndexPolicy(options.indexPolicy ?? config().indexPolicy),
    autoLinkK: checkPositiveInt(options.autoLinkK ?? config().autoLinkK, "autoLinkK", 0),
    compactEvery: checkPositiveInt(options.compactEvery ?? COMPACT_EVERY, "compactEvery", 0),
  };
  const kind = await pathKind(dir);
  if (kind === "file") throw new StoreError("SIGLA_STORE_PATH", `${dir} is a file, not a store folder`);
  // A remote store's connection comes first (its manifest may be in the table); a local folder's only once
  // its manifest says there is a store, because connecting creates the folder.
  let db = where.remote ? await connect(where) : undefined;
  let table: lancedb.Table | undefined;
  try {
    const { manifest, embedder } = await manifestAndEmbedder(where, kind, options, db);
    db ??= await connect(where);
    table = await openTable(db, where, manifest);
    const state = new StoreState(dir, embedder, db, table, manifest, settings, where.uri);
    if (!manifest.storeId) await adoptStoreId(state);
    await reload(state, { saveScanned: true, verify: options.verify !== false });
    return state;
  } catch (error) {
    table?.close();
    db?.close();
    throw error;
  }
}

/**
 * Whether a store is at `path`: its manifest on this machine, or, on object storage, its capsule table (a
 * machine that never opened the store has no manifest of it). Creates nothing.
 */
export async function storeExists(path: string): Promise<boolean> {
  const where = locate(checkPath(path));
  if (hasManifest(path)) return true;
  if (!where.remote) return false;
  const db = await connect(where);
  try {
    return (await tableNames(db, where)).includes(TABLE_NAME);
  } finally {
    db.close();
  }
}

/** The table names of a connection; on object storage, an unreachable bucket is `SIGLA_STORE_PATH`. */
async function tableNames(db: lancedb.Connection, where: StoreLocation): Promise<string[]> {
  try {
    return await db.tableNames();
  } catch (error) {
    throw where.remote
      ? unreachable(where, error)
      : damaged(where.dir, "cannot open the capsule table", error);
  }
}

/**
 * The manifest of a remote store this machine has not opened before, from its table's metadata; undefined
 * when there is no table yet.
 */
async function manifestFromTable(
  db: lancedb.Connection,
  where: StoreLocation,
): Promise<Manifest | undefined> {
  if (!(await tableNames(db, where)).includes(TABLE_NAME)) return undefined;
  const schema = await (await db.openTable(TABLE_NAME)).schema();
  const [id, dim] = (schema.metadata.get(META_EMBEDDER) ?? "").split("\n");
  if (!id || !Number(dim)) {
    throw new StoreError("SIGLA_STORE_PATH", `${where.uri} holds a capsule table without SIGLA's metadata`);
  }
  return {
    format: FORMAT_VERSION,
    embedder: { id, dim: Number(dim) },
    createdAt: new Date().toISOString(),
    nextId: 0,
    storeId: schema.metadata.get(META_STORE_ID),
  };
}

/** The store's manifest (written now for a new store) and the embedder that fits it. */
async function manifestAndEmbedder(
  where: StoreLocation,
  kind: PathKind,
  options: OpenOptions,
  db: lancedb.Connection | undefined,
): Promise<{ manifest: Manifest; embedder: Embedder }> {
  const dir = where.dir;
  let manifest = kind === "dir" ? await readManifest(dir) : undefined;
  const known = manifest ?? (db ? await manifestFromTable(db, where) : undefined);
  if (!known && options.create === false) {
    throw new StoreError("SIGLA_STORE_PATH", `no SIGLA store at ${where.uri} (no sigla.json)`);
  }
  // A store being created by another process at this moment shows only its lock and temporary files.
  const foreign = (name: string) => !name.startsWith(".lock") && !name.startsWith(`${MANIFEST_FILE}.`);
  if (!known && !where.remote && kind === "dir" && (await readdir(dir)).some(foreign)) {
    throw new StoreError("SIGLA_STORE_PATH", `${dir} is not empty and holds no SIGLA store (no sigla.json)`);
  }
  const embedder = await createEmbedder(options.embedder, {
    stored: known?.embedder,
    log: options.log,
    onProgress: options.onDownload,
  });
  if (!manifest) {
    await mkdir(dir, { recursive: true });
    const fresh: Manifest = known ?? {
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
  return { manifest, embedder };
}

/** Gives a store written before store ids existed its own (once, under the write lock). */
async function adoptStoreId(s: StoreState): Promise<void> {
  try {
    await withWriteLock(s.path, async () => {
      const current = await readManifest(s.path);
      s.manifest.storeId = current?.storeId ?? randomUUID();
      if (!current?.storeId)
        await writeManifest(s.path, { ...(current ?? s.manifest), storeId: s.manifest.storeId });
    });
  } catch {
    // A read-only folder: the store opens without an id (its snapshot is then bound by version only).
    s.manifest.storeId = undefined;
  }
}

/** The capsule table, created empty for a new store; its vectors must have the manifest's dimension. */
async function openTable(
  db: lancedb.Connection,
  where: StoreLocation,
  manifest: Manifest,
): Promise<lancedb.Table> {
  const dim = manifest.embedder.dim;
  const dir = where.dir;
  const names = await tableNames(db, where);
  try {
    if (!names.includes(TABLE_NAME)) {
      if ((manifest.check?.rows ?? manifest.nextId) > 0)
        throw new TableMissingError(dir, manifest.check?.rows);
      // A new table starts its versions again: a snapshot left from an earlier one must never match.
      await removeSnapshot(dir);
      // "exist_ok": another process creating the same new store at the same moment is no error.
      const metadata = new Map([[META_EMBEDDER, `${manifest.embedder.id}\n${dim}`]]);
      if (manifest.storeId) metadata.set(META_STORE_ID, manifest.storeId);
      return await db.createEmptyTable(TABLE_NAME, capsuleSchema(dim, metadata), {
        mode: "create",
        existOk: true,
      });
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

/** Copies the whole store to `target` (a missing or empty folder, not inside the store) under the write lock. */
export async function copyStore(s: StoreState, target: string): Promise<void> {
  if (s.remote) {
    throw new StoreError("SIGLA_STORE_PATH", `save copies a store folder; ${s.uri} is on object storage`);
  }
  const dir = resolve(checkPath(target));
  const kind = await pathKind(dir);
  if (kind === "file") throw new StoreError("SIGLA_STORE_PATH", `${dir} is a file, not a store folder`);
  if (kind === "dir" && (await readdir(dir)).length > 0) {
    throw new StoreError("SIGLA_STORE_PATH", `${dir} is not empty; save needs a new or empty folder`);
  }
  const inside = relative(s.path, dir);
  if (inside === "" || (!inside.startsWith("..") && !inside.startsWith("/"))) {
    throw new StoreError("SIGLA_STORE_PATH", `cannot save the store ${s.path} into itself (${dir})`);
  }
  await withWriteLock(s.path, async () => {
    await cp(s.path, dir, {
      recursive: true,
      filter: (src) => !/\.lock(-queue)?$/.test(src) && !src.endsWith(".tmp"),
    });
  });
}
