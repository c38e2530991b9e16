/**
 * Loading the hot state of a store: the vectors (`hot-vectors.ts`), every capsule's other fields packed into
 * typed arrays (`records.ts`) and the index, read from `hot.snapshot` when it belongs to the table's current
 * version (`snapshot.ts`), else by scanning the table, and checked against what sigla.json says SIGLA
 * committed. Saving the snapshot again is here too.
 */
import { StoreError } from "../errors.js";
import { HotVectors } from "./hot-vectors.js";
import { checkDecision, plannedKind } from "./index-choice.js";
import type { IndexKind } from "./index-policy.js";
import { dataFingerprint, RowDigest } from "./integrity.js";
import { readManifest } from "./manifest.js";
import { readTable } from "./reads.js";
import { CapsuleRecords, type RecordParts } from "./records.js";
import { readSnapshot, removeGraphs, type Snapshot, snapshotKey, writeSnapshot } from "./snapshot.js";
import { damaged, MISSING_FILE } from "./store-errors.js";
import type { StoreState } from "./store-state.js";
import {
  batchRows,
  discardFork,
  floorPast,
  readChanges,
  STATE_COLUMNS,
  type TableState,
} from "./table-changes.js";
import type { LoadSource } from "./types.js";
import { fitHalves, indexOver } from "./upkeep.js";
import { restoreIndex, type SavedIndex } from "./vector-index.js";
import { withLocalTurn } from "./write-lock.js";

/** Names of the snapshot sections holding the records (see `records.ts`). */
const RECORD_SECTIONS = ["start", "length", "linkStart", "linkCount", "bytes", "links"] as const;

/** The hot state as read from a snapshot, a scan or the changes since the state in use. */
interface LoadedState extends TableState {
  index?: SavedIndex;
}

/**
 * Picks up writes made by other processes since this one last read the table. Waits for this process's
 * own writes to the store to finish first, so a reload never lands in the middle of one.
 */
export async function refresh(s: StoreState): Promise<void> {
  s.assertOpen();
  await withLocalTurn(s.path, () => sync(s));
}

/** `refresh` for callers that already hold the write lock or the local turn. */
export async function sync(s: StoreState): Promise<void> {
  await s.table.checkoutLatest();
  if ((await s.table.version()) !== s.syncedVersion) await reload(s, { changes: true });
}

export interface ReloadOptions {
  /** After a scan (at open), write the snapshot for the next open. */
  saveScanned?: boolean;
  /** Check the table against what sigla.json says SIGLA committed (default true). */
  verify?: boolean;
  /** Read only the rows written since the state in use when that is enough (`table-changes.ts`). */
  changes?: boolean;
}

/**
 * Rebuilds the in-memory state from the table (on open, and when another process wrote): from the rows
 * written since the state in use when asked and enough, else from the snapshot when it belongs to
 * exactly the table's current version, else by scanning the table.
 *
 * The new state is built beside the one in use and swapped in in one step: reads running meanwhile (a
 * server's, while an object store is read for a second or more) see the old state whole, never new
 * vectors with old records or index.
 */
export async function reload(s: StoreState, options: ReloadOptions = {}): Promise<void> {
  const started = performance.now();
  const { state, tableVersion, from } = await load(s, options);
  const restored = from === "snapshot";
  const { hot, records } = state;
  const loaded = hot.precision;
  // Another process may have decided the index since this one read sigla.json.
  const decided = checkDecision((await readManifest(s.path))?.index) ?? s.manifest.index;
  const planned = plannedKind(hot.size, s.settings.indexPolicy, decided);
  // A snapshot saved under a graph holds halves; IVF and the exact scan restore over float32.
  if (planned !== "hnsw") hot.expand();
  const saved = state.index?.kind === planned ? state.index : undefined;
  const restoredIndex = saved && (await restoreIndex(hot, s.path, saved));
  // Another process's writes: the index in memory catches up with them rather than being built again.
  const previous = s.index;
  const carried =
    !restoredIndex && previous?.kind === planned ? await previous.carriedTo?.(hot, s.hot) : undefined;
  const kept = restoredIndex || carried;
  const { index, decision = decided } = kept ? { index: kept } : await indexOver(hot, planned);
  fitHalves(hot, index.kind, decision);
  let maxId = -1;
  for (const id of hot.ids) if (id > maxId) maxId = id;
  // The swap: no await from here to its end.
  s.hot = hot;
  s.records = records;
  s.index = index;
  s.digest = state.digest;
  s.badHash = new Set(state.badHash);
  s.manifest.index = decision;
  s.manifest.nextId = Math.max(s.manifest.nextId, maxId + 1);
  s.syncedVersion = tableVersion;
  s.rowFloor = state.rowFloor;
  s.lastLoad = { from, rows: state.rowsRead, ms: Math.round(performance.now() - started) };
  s.ftsStale = true;
  // A snapshot whose vectors are now held in another precision is saved again on close.
  s.snapshotOf =
    restored && (restoredIndex || planned === "flat") && hot.precision === loaded
      ? { version: tableVersion, index }
      : undefined;
  if (options.saveScanned && !restored) await saveSnapshot(s);
}

/** Reads the state of the table's current version, moving to the latest while other processes commit. */
async function load(
  s: StoreState,
  options: ReloadOptions,
): Promise<{ state: LoadedState; tableVersion: number; from: LoadSource }> {
  const verify = options.verify !== false;
  for (let attempt = 0; ; attempt++) {
    const tableVersion = await s.table.version();
    const rows = await readTable(s, () => s.table.countRows());
    // A table made anew (doctor) starts its versions and fragments again: only a scan reads it.
    const changed =
      options.changes && tableVersion > s.syncedVersion ? await readChanges(s, rows) : undefined;
    if (changed) {
      // Changes that do not add up to what SIGLA committed are read again by a scan, which says what is
      // wrong; false: another commit landed meanwhile (verifyTable moved to it).
      const fits =
        !verify || (await verifyTable(s, tableVersion, rows, changed.digest).catch(() => undefined));
      if (fits) return { state: changed, tableVersion, from: "changes" };
      discardFork(s, changed.hot);
      if (fits === false && attempt < 3) continue;
    }
    const read = await readSnapshot(s.path, { tableVersion, rows, dim: s.dim });
    // The data files are listed only when there is a snapshot of this version to check them against.
    const fromSnapshot =
      read.status === "ok" ? adoptSnapshot(s, read.snapshot, await dataFingerprint(s.tableDir)) : undefined;
    let state: LoadedState;
    try {
      state = fromSnapshot ?? (await scanTable(s, rows));
    } catch (error) {
      // Another process's clean-up removed files of the version being read: read the latest instead.
      // Tried again for as long as the table keeps moving; a file missing from a version that stays
      // the latest is damage.
      const cause = (error as { cause?: unknown }).cause;
      if (attempt >= 20 || !MISSING_FILE.test(String(cause))) throw error;
      await s.table.checkoutLatest();
      if ((await s.table.version()) === tableVersion) throw error;
      continue;
    }
    // Another process may have committed between reading the table and reading sigla.json: look again.
    if (!verify || (await verifyTable(s, tableVersion, state.hot.size, state.digest)) || attempt >= 3)
      return { state, tableVersion, from: fromSnapshot ? "snapshot" : "scan" };
    await s.table.checkoutLatest();
  }
}

/**
 * The hot vectors, records and saved index of a snapshot, or undefined when its parts do not fit, when it
 * was taken in another store, or when a data file of the table changed since it was taken.
 */
function adoptSnapshot(s: StoreState, snapshot: Snapshot, fingerprint: string): LoadedState | undefined {
  const { sections, info } = snapshot;
  if (info.storeId !== s.manifest.storeId || info.fingerprint !== fingerprint) return undefined;
  if (typeof info.digest !== "string" || !Array.isArray(info.badHash)) return undefined;
  try {
    const vectors = (sections.vectors ?? sections["vectors.f16"]) as Float32Array | Uint16Array;
    const centre = sections["vectors.centre"] as Float32Array | undefined;
    const hot = HotVectors.adopt(s.dim, sections.ids as Int32Array, vectors, centre, info.decoded === true);
    const parts = Object.fromEntries(RECORD_SECTIONS.map((name) => [name, sections[`records.${name}`]]));
    const records = CapsuleRecords.fromParts(parts as unknown as RecordParts);
    if (records.size !== hot.size || hot.ids.some((id) => !records.has(id))) return undefined;
    const kind = info.indexKind as IndexKind;
    // An index's own checks refuse parts that do not fit (ivf: a label per row; hnsw: its graph file).
    const index =
      kind === "ivf" || kind === "hnsw"
        ? {
            kind,
            params: (info.indexParams ?? {}) as Record<string, number>,
            centroids: (sections["index.centroids"] ?? new Float32Array(0)) as Float32Array,
            labels: (sections["index.labels"] ?? new Int32Array(0)) as Int32Array,
          }
        : undefined;
    const rowFloor = typeof info.rowFloor === "number" ? info.rowFloor : undefined;
    return {
      hot,
      records,
      index,
      digest: RowDigest.parse(info.digest),
      badHash: info.badHash as number[],
      rowFloor,
      rowsRead: 0,
    };
  } catch {
    return undefined;
  }
}

/**
 * Checks the table against what sigla.json says SIGLA committed: true when it fits, false when a newer
 * commit landed meanwhile (read again), and `SIGLA_STORE_DAMAGED` when rows were lost, changed or added
 * behind SIGLA's back, or newer versions of the table are missing.
 */
export async function verifyTable(
  s: StoreState,
  version: number,
  rows: number,
  digest: RowDigest,
): Promise<boolean> {
  const manifest = (await readManifest(s.path)) ?? s.manifest;
  const { check, pending } = manifest;
  if (!check) return true;
  const repair = `run \`sigla doctor -s ${s.path}\` for details; restore a backup of the folder, or accept the table as it is now with \`sigla doctor --repair --accept-loss\``;
  if (check.version > version) {
    await s.table.checkoutLatest();
    if ((await s.table.version()) >= check.version) return false;
    throw new StoreError(
      "SIGLA_STORE_DAMAGED",
      `the capsule table of ${s.path} is at version ${version}, but SIGLA committed version ${check.version} (${check.rows} capsules): the newest table versions are missing (deleted manifests, or a folder restored from an older copy); ${repair}`,
    );
  }
  const text = digest.toString();
  if ([check, pending].some((c) => c && c.rows === rows && c.digest === text)) return true;
  throw new StoreError(
    "SIGLA_STORE_DAMAGED",
    `the capsule table of ${s.path} holds ${rows} capsules that differ from the ${check.rows} SIGLA committed (row digest ${text}, expected ${check.digest}): rows were lost, changed or added outside SIGLA, or a data file is damaged; ${repair}`,
  );
}

/** Reads every row of the table, in batches, into new hot vectors and records. */
async function scanTable(s: StoreState, rows: number): Promise<LoadedState> {
  const hot = new HotVectors(s.dim, Math.max(1024, rows));
  const records = CapsuleRecords.empty();
  const digest = new RowDigest();
  const badHash: number[] = [];
  let rowFloor = 0;
  try {
    // Streamed batch by batch (1024 rows each), so the table is never held twice in memory.
    for await (const batch of s.table.query().select(STATE_COLUMNS)) {
      for (const { capsule, hashOk, vector, address } of batchRows(batch, s.dim)) {
        hot.append([capsule.id], vector);
        if (!hashOk) badHash.push(capsule.id);
        records.put(capsule, hashOk);
        digest.toggle(capsule.id, capsule.sha256, vector);
        rowFloor = floorPast(rowFloor, address);
      }
    }
  } catch (error) {
    throw damaged(s.path, "cannot read the capsules", error);
  }
  if (new Set(hot.ids).size !== hot.size) {
    throw new StoreError(
      "SIGLA_STORE_DAMAGED",
      `the capsule table of ${s.path} holds the same id twice; run \`sigla doctor -s ${s.path}\``,
    );
  }
  return { hot, records, digest, badHash, rowFloor, rowsRead: hot.size };
}

/**
 * Writes the in-memory state as the snapshot of the version it mirrors, unless another process already
 * saved a newer one. Best effort: the snapshot is a cache, and a failed write only means the next open
 * scans the table.
 */
export async function saveSnapshot(s: StoreState): Promise<void> {
  const version = s.syncedVersion;
  try {
    const existing = await snapshotKey(s.path);
    if (existing && existing.tableVersion > version) return;
    const records = s.records.parts();
    const saved = s.index.saved?.();
    // Vectors held as halves are saved as halves with their centre, so the next open reads half as much.
    const vectors = s.hot.stored;
    const sections: Snapshot["sections"] =
      vectors instanceof Uint16Array
        ? { ids: s.hot.ids, "vectors.f16": vectors, "vectors.centre": s.hot.centre }
        : { ids: s.hot.ids, vectors };
    for (const name of RECORD_SECTIONS) sections[`records.${name}`] = records[name];
    if (saved) {
      sections["index.centroids"] = saved.centroids;
      sections["index.labels"] = saved.labels;
    }
    // The graph goes first, so a snapshot never names a graph file that is not there.
    if (saved && s.index.saveFile) {
      saved.params = { ...saved.params, ...(await s.index.saveFile(s.path, version)) };
    }
    const info = {
      ...(saved ? { indexKind: saved.kind, indexParams: saved.params } : { indexKind: s.index.kind }),
      storeId: s.manifest.storeId,
      fingerprint: await dataFingerprint(s.tableDir),
      digest: s.digest.toString(),
      badHash: [...s.badHash],
      // Float32 decoded from halves is saved as it is, and must not pass for the table's exact vectors.
      decoded: s.hot.precision === "f32" && !s.hot.exact,
      rowFloor: s.rowFloor,
    };
    await writeSnapshot(s.path, { tableVersion: version, rows: s.hot.size, dim: s.dim, info, sections });
    await removeGraphs(s.path, version);
    s.snapshotOf = { version, index: s.index };
  } catch {
    // Left to the next open.
  }
}
