/**
 * Link bookkeeping. Links are undirected: every link is kept on both capsules, so each write that adds,
 * removes or patches capsules also rewrites the rows of the capsules on the other end.
 */
import { InvalidInputError, UnknownIdError } from "../errors.js";
import { commitRows } from "./commit.js";
import { sha256 } from "./hash.js";
import { sync } from "./hot-state.js";
import { changedTexts, fetchCapsules, storedVectors } from "./reads.js";
import type { CapsuleRecords } from "./records.js";
import type { StoreState } from "./store-state.js";
import type { CapsuleRow } from "./table-schema.js";
import type { Capsule } from "./types.js";
import { type CheckedInput, type CheckedPatch, checkId } from "./validate.js";
import { withWriteLock } from "./write-lock.js";

/** Link sets being edited, each starting from the capsule's current links the first time it is touched. */
class LinkChanges {
  readonly sets = new Map<number, Set<number>>();
  constructor(private readonly records: CapsuleRecords) {}

  /** The (editable) link set of `id`. */
  of(id: number): Set<number> {
    let set = this.sets.get(id);
    if (!set) {
      set = new Set(this.records.linksView(id));
      this.sets.set(id, set);
    }
    return set;
  }
}

/** The links of an existing capsule (`UnknownIdError` for any other id). */
export function checkedLinks(s: StoreState, id: number): number[] {
  s.assertOpen();
  checkId(id);
  if (!s.records.has(id)) throw new UnknownIdError(id);
  return s.records.linksOf(id);
}

/**
 * The rows to write: new capsules with their explicit and automatic links, and existing capsules whose
 * links change (they gain the new capsules, or lose removed ones).
 */
export async function linkedRows(
  s: StoreState,
  checked: CheckedInput[],
  ids: number[],
  auto: number[][],
  removed: ReadonlySet<number>,
): Promise<{ rows: CapsuleRow[]; updated: CapsuleRow[] }> {
  const newLinks = new Map<number, Set<number>>(ids.map((id) => [id, new Set<number>()]));
  const touched = new LinkChanges(s.records);
  checked.forEach((c, i) => {
    for (const other of [...c.links, ...auto[i]]) {
      newLinks.get(ids[i])?.add(other);
      if (newLinks.has(other)) newLinks.get(other)?.add(ids[i]);
      else touched.of(other).add(ids[i]);
    }
  });
  for (const gone of removed) {
    for (const other of s.records.linksView(gone)) if (!removed.has(other)) touched.of(other).delete(gone);
  }
  for (const gone of removed) touched.sets.delete(gone);
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
  return { rows, updated: await rowsWithLinks(s, touched.sets) };
}

/**
 * The rows of patched capsules and of the capsules they link to or unlink from, with their new links,
 * tags and meta. Every id must exist, and no capsule links to itself.
 */
export async function patchedRows(s: StoreState, patches: CheckedPatch[]): Promise<CapsuleRow[]> {
  const { hot } = s;
  const links = new LinkChanges(s.records);
  for (const p of patches) {
    if (!hot.has(p.id)) throw new UnknownIdError(p.id);
    for (const other of [...p.link, ...p.unlink]) {
      if (!hot.has(other)) throw new UnknownIdError(other, "linked capsule");
      if (other === p.id) throw new InvalidInputError(`capsule ${p.id} cannot link to itself`);
    }
    links.of(p.id);
    for (const other of p.link) {
      links.of(p.id).add(other);
      links.of(other).add(p.id);
    }
    for (const other of p.unlink) {
      links.of(p.id).delete(other);
      links.of(other).delete(p.id);
    }
  }
  const changed = new Map(patches.map((p) => [p.id, p]));
  return (await rowsWithLinks(s, links.sets)).map((row) => {
    const p = changed.get(row.id);
    return { ...row, tags: p?.tags ?? row.tags, meta: p?.meta ?? row.meta };
  });
}

/** Full rows of existing capsules with their links replaced (their exact vectors: `storedVectors`). */
async function rowsWithLinks(s: StoreState, changes: Map<number, Set<number>>): Promise<CapsuleRow[]> {
  const vectors = await storedVectors(s, changes.keys());
  return fetchCapsules(s, changes.keys()).map((capsule) => ({
    ...capsule,
    links: [...(changes.get(capsule.id) ?? [])],
    vector: vectors.get(capsule.id) as Float32Array,
  }));
}

/** Links that point to a missing capsule or that the other capsule does not list back. */
export function brokenLinks(s: StoreState): Array<[number, number]> {
  const { records } = s;
  const broken: Array<[number, number]> = [];
  for (const id of records.ids()) {
    for (const other of records.linksView(id)) {
      if (!records.has(other) || !records.linksView(other).includes(id)) broken.push([id, other]);
    }
  }
  return broken;
}

/**
 * Repairs rows in one commit: drops links to missing capsules, adds the missing half of one-way links,
 * and gives capsules whose text changed the hash of the text they hold now.
 */
export async function repairRows(
  s: StoreState,
  options: { rehash: boolean },
): Promise<{ links: number; hashes: number }> {
  return withWriteLock(s.path, async () => {
    await sync(s);
    const links = new LinkChanges(s.records);
    const broken = brokenLinks(s);
    for (const [id, other] of broken) {
      if (s.records.has(other)) links.of(other).add(id);
      else links.of(id).delete(other);
    }
    const rehash = options.rehash ? changedTexts(s) : [];
    for (const id of rehash) links.of(id);
    const digest = s.digest.clone();
    const vectors = await storedVectors(s, links.sets.keys());
    const rows = [...links.sets].map(([id, set]) => {
      const capsule = s.records.checkedCapsule(id)?.capsule as Capsule;
      const row = { ...capsule, links: [...set], vector: vectors.get(id) as Float32Array };
      if (options.rehash && s.badHash.has(id)) {
        digest.toggle(id, capsule.sha256, row.vector);
        row.sha256 = sha256(capsule.text);
        digest.toggle(id, row.sha256, row.vector);
      }
      return row;
    });
    await commitRows(s, [], rows, new Set(), digest);
    for (const row of rows) s.records.put({ ...row, meta: JSON.stringify(row.meta) });
    for (const id of rehash) s.badHash.delete(id);
    return { links: broken.length, hashes: rehash.length };
  });
}
