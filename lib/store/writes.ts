/**
 * Adding, replacing, patching and deleting capsules. Each is one commit under the write lock (`commit.ts`);
 * the in-memory state changes only after that commit succeeded, so a failed batch leaves the store exactly
 * as before.
 */
import { config } from "../config.js";
import { embedPaced } from "../embed/paced.js";
import { InvalidInputError, StoreError, throwIfCancelled, UnknownIdError } from "../errors.js";
import { commitRows } from "./commit.js";
import { matchingIds } from "./filter-cache.js";
import { sync } from "./hot-state.js";
import { plannedKind } from "./index-choice.js";
import { linkedRows, patchedRows } from "./links.js";
import { readManifest } from "./manifest.js";
import { fetchCapsules, storedVectors } from "./reads.js";
import type { StoreState } from "./store-state.js";
import type { CapsuleRow } from "./table-schema.js";
import type { AddOptions, Capsule, CapsuleInput, CapsulePatch } from "./types.js";
import { afterCommit, chooseIndex, fitPrecision, maintain } from "./upkeep.js";
import {
  type CheckedInput,
  checkId,
  checkInput,
  checkPatch,
  checkPositiveInt,
  checkVector,
  checkWhere,
} from "./validate.js";
import type { VectorIndex } from "./vector-index.js";
import { withWriteLock } from "./write-lock.js";

/**
 * Adds capsules in one atomic write and returns their ids (increasing). Texts without a vector are
 * embedded first; each new capsule is linked to its `autoLinkK` nearest capsules, both ways.
 */
export async function addCapsules(
  s: StoreState,
  inputs: CapsuleInput[],
  options: AddOptions,
): Promise<number[]> {
  if (!Array.isArray(inputs)) throw new InvalidInputError("addCapsules takes an array of capsules");
  const checked = inputs.map((input, i) => checkInput(input, i, s.dim));
  const replace = (options.replace ?? []).map((id, i) => checkId(id, `replace[${i}]`));
  const expect = options.expect && checkExpect(options.expect);
  const autoLinkK = checkPositiveInt(options.autoLinkK ?? s.settings.autoLinkK, "autoLinkK", 0);
  await embedMissing(s, checked, options);
  if (checked.length === 0 && replace.length === 0) return [];
  return withWriteLock(
    s.path,
    async () => {
      await sync(s);
      throwIfCancelled(options.signal, "addCapsules");
      if (expect) await checkExpected(s, expect);
      return commitAdd(s, checked, replace, {
        autoLinkK,
        onProgress: options.onProgress,
        signal: options.signal,
      });
    },
    { signal: options.signal },
  );
}

type Expected = NonNullable<AddOptions["expect"]>;

function checkExpect(expect: Expected): Expected {
  if (!Array.isArray(expect.ids)) throw new InvalidInputError("expect.ids must be an array of capsule ids");
  return { where: checkWhere(expect.where), ids: expect.ids.map((id, i) => checkId(id, `expect.ids[${i}]`)) };
}

/**
 * `AddOptions.expect`, checked under the write lock against the table as it is now. Read past the filter
 * cache: a one-off filter per ingested file would only push out the filters queries reuse.
 */
async function checkExpected(s: StoreState, expect: Expected): Promise<void> {
  const now = await matchingIds(s, expect.where);
  const wanted = Int32Array.from(expect.ids).sort();
  if (now.length === wanted.length && now.every((id, i) => id === wanted[i])) return;
  throw new StoreError(
    "SIGLA_CONFLICT",
    `the capsules matching ${expect.where} changed while this write waited (another process wrote them: ${now.length} now, ${wanted.length} expected); nothing was written`,
  );
}

/** Embeds the texts that came without a vector, in calls short enough for an abort to act quickly. */
async function embedMissing(s: StoreState, checked: CheckedInput[], options: AddOptions): Promise<void> {
  const missing = checked.filter((c) => !c.vector);
  const total = checked.length;
  const before = total - missing.length;
  options.onProgress?.(before, total, "embed");
  // Calls sized from the measured time per text to end well under a second, so an abort (checked
  // between calls) takes effect within about one; a fixed batch of 64 can run for tens of seconds.
  const vectors = await embedPaced(
    s.embedder,
    missing.map((c) => c.text),
    {
      signal: options.signal,
      what: "addCapsules",
      maxBatch: config().encoderBatch,
      onProgress: (done) => options.onProgress?.(before + done, total, "embed"),
    },
  );
  missing.forEach((c, i) => {
    c.vector = checkVector(vectors[i], s.dim, "embedding");
  });
}

/** Deletes a capsule and the links that point to it; false when there was no such capsule. */
export async function deleteCapsule(s: StoreState, id: number): Promise<boolean> {
  checkId(id);
  return withWriteLock(s.path, async () => {
    await sync(s);
    if (!s.hot.has(id)) return false;
    await commitAdd(s, [], [id]);
    return true;
  });
}

/**
 * One commit that inserts `checked` (with their explicit and automatic links) and removes `replace`
 * (with the links that point to them). Called under the write lock, in sync with the table. An abort is
 * honoured between the stages (index, link, write), before anything is written.
 */
async function commitAdd(
  s: StoreState,
  checked: CheckedInput[],
  replace: number[],
  options: Pick<AddOptions, "autoLinkK" | "onProgress" | "signal"> = {},
): Promise<number[]> {
  const { autoLinkK = s.settings.autoLinkK, onProgress, signal } = options;
  const { hot, records } = s;
  for (const id of replace) if (!hot.has(id)) throw new UnknownIdError(id);
  const removed = new Set(replace);
  for (const c of checked) {
    for (const id of c.links) {
      if (!hot.has(id) || removed.has(id)) throw new UnknownIdError(id, "linked capsule");
    }
  }
  // Ids only grow, even after deletes by another process this one has not seen: ask sigla.json too.
  const firstId = Math.max(s.manifest.nextId, (await readManifest(s.path))?.nextId ?? 0);
  const ids = checked.map((_, i) => firstId + i);
  const flat = new Float32Array(checked.length * s.dim);
  checked.forEach((c, i) => {
    flat.set(c.vector as Float32Array, i * s.dim);
  });

  // Tentatively append the new vectors so the index can link them; undone if the write fails.
  const before = hot.size;
  const previous = s.index;
  let index = previous;
  let rows: CapsuleRow[];
  let updated: CapsuleRow[];
  hot.append(ids, flat);
  try {
    const planned = plannedKind(hot.size - removed.size, s.settings.indexPolicy, s.manifest.index);
    onProgress?.(0, 1, "index");
    if (planned !== previous.kind || previous.worn) index = await chooseIndex(s, planned);
    else await index.added(ids);
    onProgress?.(1, 1, "index");
    throwIfCancelled(signal, "addCapsules");
    const link = (done: number, total: number) => onProgress?.(done, total, "link");
    const auto =
      autoLinkK > 0 && ids.length > 0
        ? await index.linkNew(ids, autoLinkK, removed, link)
        : ids.map(() => []);
    ({ rows, updated } = await linkedRows(s, checked, ids, auto, removed));
    const digest = s.digest.clone();
    const removedVectors = await storedVectors(s, removed);
    for (const id of removed) {
      digest.toggle(id, records.capsule(id)?.sha256 ?? "", removedVectors.get(id) as Float32Array);
    }
    for (const row of rows) digest.toggle(row.id, row.sha256, row.vector);
    throwIfCancelled(signal, "addCapsules");
    s.manifest.nextId = firstId + ids.length;
    onProgress?.(0, rows.length, "write");
    await commitRows(s, rows, updated, removed, digest);
    onProgress?.(rows.length, rows.length, "write");
  } catch (error) {
    if (index === previous) previous.removed(ids);
    hot.truncate(before);
    throw error;
  }
  await mirrorAdd(s, index, rows, updated, removed);
  return ids;
}

/** After an add committed: the same change in memory, then the upkeep it calls for. */
async function mirrorAdd(
  s: StoreState,
  index: VectorIndex,
  rows: CapsuleRow[],
  updated: CapsuleRow[],
  removed: ReadonlySet<number>,
): Promise<void> {
  const { hot, records } = s;
  s.index = index;
  fitPrecision(s);
  index.removed([...removed]);
  for (const id of removed) {
    hot.remove(id);
    records.delete(id);
  }
  for (const id of removed) s.badHash.delete(id);
  for (const row of rows) records.put({ ...row, meta: JSON.stringify(row.meta) }, true);
  for (const row of updated) records.setLinks(row.id, row.links);
  await afterCommit(s, () => maintain(s));
}

/**
 * Changes the tags, meta (replaced whole) or links of existing capsules in one atomic write and returns
 * them as stored. `link` and `unlink` act both ways, as all links do.
 */
export async function updateCapsules(s: StoreState, patches: CapsulePatch[]): Promise<Capsule[]> {
  if (!Array.isArray(patches)) throw new InvalidInputError("updateCapsules takes an array of patches");
  const checked = patches.map(checkPatch);
  return withWriteLock(s.path, async () => {
    await sync(s);
    const rows = await patchedRows(s, checked);
    await commitRows(s, [], rows, new Set(), s.digest);
    for (const row of rows) s.records.put({ ...row, meta: JSON.stringify(row.meta) });
    await afterCommit(s, () => maintain(s));
    return fetchCapsules(
      s,
      checked.map((p) => p.id),
    );
  });
}
