/**
 * The store with its snapshot (`hot.snapshot`): open reads it when it belongs to the table's current
 * version, and otherwise scans the table, never serving an older version, and writes a fresh one.
 */
import { open, readFile, rm, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { codeOf } from "../../test/helpers/errors.js";
import { tempPath } from "../../test/helpers/temp.js";
import { clusteredVectors } from "../../test/helpers/vectors.js";
import { CapsuleStore } from "./capsule-store.js";
import { doctor } from "./doctor.js";
import { readSnapshot, SNAPSHOT_FILE, snapshotKey, writeSnapshot } from "./snapshot.js";

const DIM = 16;
const vectors = clusteredVectors(40, DIM, 4, 11);
const fixedDim = { id: "fixed-16", dim: DIM, embed: async () => [] as Float32Array[] };

async function seeded(options: { autoLinkK?: number } = {}): Promise<CapsuleStore> {
  const store = await CapsuleStore.open(tempPath(), {
    embedder: fixedDim,
    autoLinkK: options.autoLinkK ?? 3,
  });
  await store.addCapsules(
    vectors.map((vector, i) => ({
      text: `capsule ${i}`,
      vector,
      tags: [i % 2 ? "odd" : "even"],
      meta: { i },
      source: i < 5 ? `/src/${i}.md` : undefined,
    })),
  );
  return store;
}

/** Everything a user can read back, for comparing two opens of one store. */
async function everything(store: CapsuleStore) {
  const capsules = [];
  for (let id = 0; id < vectors.length + 5; id++) capsules.push(await store.get(id));
  const hits = [];
  for (const q of vectors.slice(0, 8)) hits.push(await store.query(q, { topK: 5 }));
  return {
    capsules,
    hits,
    vectors: vectors.map((_, id) => store.vectorOf(id)),
    walk: await store.bfs(3, { depth: 2 }),
    count: await store.count(),
    // How the state was read differs by design (a write, a scan, the snapshot).
    stats: { ...(await store.stats()), diskBytes: 0, autoLinkK: 0, lastLoad: undefined },
  };
}

/** Rewrites the snapshot with the text of capsule 2 changed (same length), under `tableVersion`. */
async function tamperedSnapshot(path: string, tableVersion: number, rows: number): Promise<void> {
  const read = await readSnapshot(path, {
    tableVersion: (await snapshotKey(path))?.tableVersion ?? -1,
    rows,
    dim: DIM,
  });
  assert.is(read.status, "ok");
  if (read.status !== "ok") return;
  const bytes = read.snapshot.sections["records.bytes"] as Uint8Array;
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = text.indexOf("capsule 2");
  assert.ok(at >= 0);
  text.write("CAPSULE 2", at, "latin1");
  await writeSnapshot(path, { ...read.snapshot, tableVersion });
}

test("close writes the snapshot of the table version it mirrors; open serves everything from it", async () => {
  const store = await seeded();
  await store.updateCapsules([{ id: 4, tags: ["archive"], meta: { moved: true }, link: [30] }]);
  await store.delete(7);
  const before = await everything(store);
  const { path, tableVersion } = await store.stats();
  await store.close();
  assert.equal(await snapshotKey(path), { tableVersion, rows: vectors.length - 1, dim: DIM });
  const reopened = await CapsuleStore.open(path, { embedder: fixedDim });
  assert.equal(await everything(reopened), before);
  assert.is((await reopened.get(4))?.tags[0], "archive");
  assert.is(await reopened.get(7), undefined);
  // Writes after a snapshot open work as usual, and the next close saves them.
  const id = await reopened.addCapsule("one more", { vector: vectors[0] });
  assert.is(id, vectors.length);
  await reopened.close();
  const third = await CapsuleStore.open(path, { embedder: fixedDim });
  assert.is((await third.get(id))?.text, "one more");
  assert.is(await third.count(), vectors.length);
  await third.close();
});

test("a snapshot of the current version is what open serves (a tampered text shows through)", async () => {
  const store = await seeded();
  const { path, tableVersion } = await store.stats();
  await store.close();
  await tamperedSnapshot(path, tableVersion, vectors.length);
  const reopened = await CapsuleStore.open(path, { embedder: fixedDim });
  assert.is((await reopened.get(2))?.text, "CAPSULE 2");
  // Not rewritten: it is current.
  assert.is((await snapshotKey(path))?.tableVersion, tableVersion);
  await reopened.close();
});

test("a snapshot of an older table version is never served; open scans and writes a new one", async () => {
  const store = await seeded();
  const { path, tableVersion } = await store.stats();
  await store.close();
  // A snapshot that claims the version before the last write (as if the last writer never closed).
  await tamperedSnapshot(path, tableVersion - 1, vectors.length);
  const reopened = await CapsuleStore.open(path, { embedder: fixedDim });
  assert.is((await reopened.get(2))?.text, "capsule 2");
  // Rewritten at open, for the current version, with the table's content.
  assert.is((await snapshotKey(path))?.tableVersion, tableVersion);
  await reopened.close();
  const again = await CapsuleStore.open(path, { embedder: fixedDim });
  assert.is((await again.get(2))?.text, "capsule 2");
  await again.close();
});

test("a writer that never closed leaves a stale snapshot, which is not served", async () => {
  const store = await seeded();
  const path = store.path;
  await store.close();
  const writer = await CapsuleStore.open(path, { embedder: fixedDim });
  await writer.addCapsules([{ text: "added later", vector: vectors[1] }]);
  await writer.updateCapsules([{ id: 2, tags: ["changed"] }]);
  // No close: the snapshot still holds the earlier version.
  const reader = await CapsuleStore.open(path, { embedder: fixedDim });
  assert.is(await reader.count(), vectors.length + 1);
  assert.equal((await reader.get(2))?.tags, ["changed"]);
  assert.is((await reader.get(vectors.length))?.text, "added later");
  assert.is((await snapshotKey(path))?.tableVersion, (await writer.stats()).tableVersion);
  // refresh() after another handle's commit never serves the older snapshot either.
  await writer.addCapsule("newest", { vector: vectors[2] });
  await reader.refresh();
  assert.is((await reader.get(vectors.length + 1))?.text, "newest");
  await writer.close();
  await reader.close();
});

test("a damaged snapshot (altered, truncated, garbage) falls back to the table and is rewritten", async () => {
  const store = await seeded();
  const before = await everything(store);
  const { path, tableVersion } = await store.stats();
  await store.close();
  const file = join(path, SNAPSHOT_FILE);
  const whole = await readFile(file);
  const firstVector = whole.indexOf(Buffer.from(vectors[0].buffer, vectors[0].byteOffset, DIM * 4));
  assert.ok(firstVector > 0);
  const damages: Array<[string, () => Promise<void>]> = [
    [
      "a flipped vector byte",
      async () => {
        const fh = await open(file, "r+");
        await fh.write(Buffer.from([whole[firstVector + 5] ^ 0x40]), 0, 1, firstVector + 5);
        await fh.close();
      },
    ],
    ["truncated", () => truncate(file, whole.length - 100)],
    ["garbage", () => writeFile(file, "garbage")],
    ["empty", () => writeFile(file, "")],
  ];
  for (const [name, damage] of damages) {
    await writeFile(file, whole);
    await damage();
    const reopened = await CapsuleStore.open(path, { embedder: fixedDim });
    assert.equal(await everything(reopened), before, name);
    const read = await readSnapshot(path, { tableVersion, rows: vectors.length, dim: DIM });
    assert.is(read.status, "ok", `${name}: rewritten at open`);
    await reopened.close();
  }
});

test("a missing snapshot is written at open; a failed batch does not touch it", async () => {
  const store = await seeded();
  const { path, tableVersion } = await store.stats();
  await store.close();
  await rm(join(path, SNAPSHOT_FILE));
  const reopened = await CapsuleStore.open(path, { embedder: fixedDim });
  assert.equal(await snapshotKey(path), { tableVersion, rows: vectors.length, dim: DIM });
  const written = await readFile(join(path, SNAPSHOT_FILE));
  try {
    await reopened.addCapsules([{ text: "bad link", vector: vectors[0], links: [999] }]);
    assert.unreachable("expected SIGLA_UNKNOWN_ID");
  } catch (error) {
    assert.is((error as { code: string }).code, "SIGLA_UNKNOWN_ID");
  }
  await reopened.close();
  assert.ok(
    (await readFile(join(path, SNAPSHOT_FILE))).equals(written),
    "nothing changed, nothing rewritten",
  );
});

test("a table created anew never matches a snapshot left from an earlier one", async () => {
  const store = await seeded();
  const path = store.path;
  await store.close();
  await rm(join(path, "capsules.lance"), { recursive: true, force: true });
  // A lost table is damage, not an empty store; doctor --repair starts an empty one on purpose.
  assert.is(await codeOf(CapsuleStore.open(path, { embedder: fixedDim })), "SIGLA_STORE_DAMAGED");
  assert.ok((await doctor(path, { repair: true, acceptLoss: true, embedder: fixedDim })).ok);
  const reopened = await CapsuleStore.open(path, { embedder: fixedDim });
  assert.is(await reopened.count(), 0);
  // The new table reaches the old one's version and row count; its writer never closes.
  const ids = await reopened.addCapsules(vectors.map((vector, i) => ({ text: `new ${i}`, vector })));
  const reader = await CapsuleStore.open(path, { embedder: fixedDim });
  assert.is(await reader.count(), vectors.length);
  assert.is(await reader.get(2), undefined);
  assert.is((await reader.get(ids[2]))?.text, "new 2");
  await reader.close();
  await reopened.close();
});

test("ivf and hnsw lists come back from the snapshot: the same answers without a rebuild", async () => {
  const many = clusteredVectors(3000, DIM, 30, 5);
  for (const kind of ["ivf", "hnsw"] as const) {
    const store = await CapsuleStore.open(tempPath(), {
      embedder: fixedDim,
      autoLinkK: 0,
      indexPolicy: kind,
    });
    await store.addCapsules(many.map((vector, i) => ({ text: `v${i}`, vector })));
    const answers = [];
    for (const q of many.slice(0, 50)) answers.push((await store.query(q, { topK: 10 })).map((h) => h.id));
    const { path, tableVersion } = await store.stats();
    await store.close();
    const reopened = await CapsuleStore.open(path, { embedder: fixedDim, indexPolicy: kind });
    assert.is(reopened.indexKind, kind);
    assert.is((await reopened.stats()).tableVersion, tableVersion, `${kind}: open committed nothing`);
    const again = [];
    for (const q of many.slice(0, 50)) again.push((await reopened.query(q, { topK: 10 })).map((h) => h.id));
    assert.equal(again, answers, kind);
    await reopened.close();
  }
});

test.run();
