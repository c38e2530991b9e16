/**
 * A handle catching up with another process's writes by reading only the rows written since its state:
 * adds with their auto-links, patches that keep the count, and a handle's own writes in between; deletes
 * and a table made anew fall back to a scan. Every time, the state must equal a fresh scan of the table.
 */
import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { clusteredVectors } from "../../bench/datasets/clustered.js";
import { tempPath } from "../../test/helpers/temp.js";
import { CapsuleStore } from "./capsule-store.js";

const DIM = 16;
const vectors = clusteredVectors({ count: 700, dim: DIM, clusters: 12, spread: 1, seed: 3 });
const embedder = { id: "fixed-16", dim: DIM, embed: async () => [] as Float32Array[] };
const open = (path: string) => CapsuleStore.open(path, { embedder, autoLinkK: 3 });
const rows = (from: number, to: number, tag = "t") =>
  vectors.slice(from, to).map((vector, i) => ({ text: `capsule ${from + i}`, vector, tags: [tag] }));

/** Every capsule and vector of `store` equals what a scan of the table (no snapshot) reads. */
async function sameAsScan(store: CapsuleStore, path: string): Promise<void> {
  for (const name of readdirSync(path)) if (name.startsWith("hot.")) rmSync(join(path, name));
  const scanned = await CapsuleStore.open(path, { embedder, autoLinkK: 3 });
  try {
    assert.is((await scanned.stats()).lastLoad.from, "scan");
    const want = await scanned.list({ limit: 10_000 });
    assert.equal(await store.list({ limit: 10_000 }), want);
    for (const { id } of want) assert.equal(store.vectorOf(id), scanned.vectorOf(id), `vector of ${id}`);
    for (const probe of [vectors[5], vectors[650]]) {
      assert.equal(await store.query(probe, { topK: 5 }), await scanned.query(probe, { topK: 5 }));
    }
  } finally {
    await scanned.close();
  }
}

test("another process's auto-linked adds and its patches are read as the rows they wrote", async () => {
  const path = tempPath();
  const writer = await open(path);
  await writer.addCapsules(rows(0, 500));
  const reader = await open(path);
  const added = await writer.addCapsules(rows(500, 505, "late"));
  await reader.refresh();
  let load = (await reader.stats()).lastLoad;
  assert.is(load.from, "changes");
  // The 5 new rows and the older capsules they linked to (rewritten with the link back), not 505.
  assert.ok(load.rows >= 5 && load.rows <= 5 + 5 * 3, `read ${load.rows} rows`);
  assert.is(await reader.count(), 505);
  const late = (await reader.get(added[0]))?.links ?? [];
  assert.is(late.length, 3);
  for (const other of late) assert.ok((await reader.get(other))?.links.includes(added[0]));
  assert.is((await reader.query(vectors[502], { topK: 1 }))[0].id, added[2]);
  // A patch keeps the count: only the rewritten rows tell it apart.
  await writer.updateCapsule(7, { tags: ["patched"], link: [added[4]] });
  await reader.refresh();
  load = (await reader.stats()).lastLoad;
  assert.is(load.from, "changes");
  assert.equal((await reader.get(7))?.tags, ["patched"]);
  assert.ok((await reader.get(added[4]))?.links.includes(7));
  assert.equal(
    (await reader.query(vectors[7], { topK: 3, tags: ["patched"] })).map((c) => c.id),
    [7],
  );
  await writer.close();
  await sameAsScan(reader, path);
  await reader.close();
});

test("a handle's own writes, then another's, then a reopen from the snapshot: still only the new rows", async () => {
  const path = tempPath();
  const first = await open(path);
  await first.addCapsules(rows(0, 300));
  const second = await open(path);
  await second.addCapsules(rows(300, 400, "second"));
  await first.addCapsules(rows(400, 410, "first"));
  await second.refresh();
  assert.is((await second.stats()).lastLoad.from, "changes");
  assert.is(await second.count(), 410);
  await second.close();
  const again = await open(path);
  assert.is((await again.stats()).lastLoad.from, "snapshot");
  await first.addCapsules(rows(410, 412, "first"));
  await again.refresh();
  const load = (await again.stats()).lastLoad;
  assert.is(load.from, "changes", "the snapshot keeps where the rows read end");
  assert.ok(load.rows < 50, `read ${load.rows} rows`);
  await first.close();
  await sameAsScan(again, path);
  await again.close();
});

test("another process's delete or compaction is read by a scan or by the rewritten rows, and adds up", async () => {
  const path = tempPath();
  const writer = await open(path);
  const ids = await writer.addCapsules(rows(0, 600));
  const reader = await open(path);
  await writer.delete(ids[10]);
  await reader.refresh();
  assert.is((await reader.stats()).lastLoad.from, "scan", "a delete is not in the new rows");
  assert.is(await reader.count(), 599);
  assert.is(await reader.get(ids[10]), undefined);
  // Compaction rewrites every row into new fragments: all of them are read, and nothing changes.
  await writer.addCapsules(rows(600, 610));
  await writer.optimize({ keepVersionsMs: 0 });
  await reader.refresh();
  assert.is(await reader.count(), 609);
  await writer.close();
  await sameAsScan(reader, path);
  await reader.close();
});
test.run();
