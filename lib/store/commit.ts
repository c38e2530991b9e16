/**
 * The one way rows reach the table: a single LanceDB commit, announced in sigla.json before it runs and
 * recorded there after it landed, so a kill at any point leaves a table sigla.json describes.
 */
import type { IndexDecision } from "./index-choice.js";
import type { RowDigest } from "./integrity.js";
import { FORMAT_VERSION, type Manifest, readManifest, writeManifest } from "./manifest.js";
import { damaged } from "./store-errors.js";
import type { StoreState } from "./store-state.js";
import { type CapsuleRow, rowsToArrow } from "./table-schema.js";

function sqlList(ids: Iterable<number>): string {
  return [...ids].join(", ");
}

/**
 * One commit: inserts `rows`, overwrites `updated` ones, deletes `removed`, leaving the rows whose digest
 * is `digest`. sigla.json names that digest as pending before the commit and as committed after it, so
 * a kill at any point leaves a table that one of the two describes (see `verifyTable`).
 */
export async function commitRows(
  s: StoreState,
  rows: CapsuleRow[],
  updated: CapsuleRow[],
  removed: ReadonlySet<number>,
  digest: RowDigest,
): Promise<void> {
  if (rows.length === 0 && updated.length === 0 && removed.size === 0) return;
  // New rows are already in `hot` (appended tentatively); removed ones are not yet gone from it.
  const after = s.hot.size - removed.size;
  await recordTable(s, s.hot.size - rows.length, { rows: after, digest: digest.toString() });
  const data = rowsToArrow([...rows, ...updated], s.dim);
  try {
    if (updated.length === 0 && removed.size === 0) {
      await s.table.add(data);
    } else {
      let merge = s.table.mergeInsert("id").whenMatchedUpdateAll().whenNotMatchedInsertAll();
      if (removed.size > 0)
        merge = merge.whenNotMatchedBySourceDelete({ where: `id IN (${sqlList(removed)})` });
      await merge.execute(data);
    }
  } catch (error) {
    throw damaged(s.path, "cannot write to the capsule table", error);
  }
  s.syncedVersion = await s.table.version();
  s.digest = digest;
  s.ftsStale = true;
  try {
    await recordTable(s, after);
  } catch {
    // Committed all the same, and sigla.json names this table as pending: the next sync reloads it.
    s.syncedVersion = -1;
  }
}

/**
 * Writes sigla.json with the table as this process holds it (version, `rows`, digest) as committed, and
 * `pending` as the state a commit about to run will leave. Called only under the write lock and in sync
 * with the table, when this process knows the table exactly; that also heals a check left behind by a
 * writer killed after its commit. Starts from the manifest on disk, never from this process's older copy.
 */
export async function recordTable(s: StoreState, rows: number, pending?: Manifest["pending"]): Promise<void> {
  const disk = await readManifest(s.path);
  s.manifest = {
    ...(disk ?? s.manifest),
    format: FORMAT_VERSION,
    nextId: Math.max(s.manifest.nextId, disk?.nextId ?? 0),
    // A table made anew (doctor) starts its versions again; so does the compaction count.
    optimizedVersion: Math.min(
      s.syncedVersion,
      Math.max(s.manifest.optimizedVersion ?? 0, disk?.optimizedVersion ?? 0),
    ),
    check: { version: s.syncedVersion, rows, digest: s.digest.toString() },
    pending,
    index: newerDecision(s.manifest.index, disk?.index),
  };
  await writeManifest(s.path, s.manifest);
}

/** Of this process's index decision and the one on disk, the one made at the larger size (the later one). */
function newerDecision(mine?: IndexDecision, disk?: IndexDecision): IndexDecision | undefined {
  if (!mine || !disk) return mine ?? disk;
  return mine.at >= disk.at ? mine : disk;
}
