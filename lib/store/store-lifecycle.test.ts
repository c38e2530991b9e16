import { rm } from "node:fs/promises";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { tempPath } from "../../test/helpers/temp.js";
import { clusteredVectors } from "../../test/helpers/vectors.js";
import { loadUseLite } from "../embed/use-lite.js";
import { isSiglaError } from "../errors.js";
import { CapsuleStore } from "./capsule-store.js";
import { FLAT_MAX } from "./index-policy.js";

const embedder = await loadUseLite();

async function code(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    assert.ok(isSiglaError(error), String(error));
    return (error as { code: string }).code;
  }
}

test("refresh picks up another handle's writes", async () => {
  const path = tempPath();
  const writer = await CapsuleStore.open(path, { embedder });
  const reader = await CapsuleStore.open(path, { embedder });
  await writer.addCapsule("written by the other handle");
  assert.is(await reader.count(), 0);
  await reader.refresh();
  assert.is(await reader.count(), 1);
  assert.is((await reader.query("the other handle", { topK: 1 }))[0].text, "written by the other handle");
  // A write through the stale handle first catches up, so ids never collide.
  assert.is(await writer.addCapsule("second"), 1);
  assert.is(await reader.addCapsule("third"), 2);
  await writer.close();
  await reader.close();
});

test("a store whose table files are gone is reported as damaged", async () => {
  const path = tempPath();
  const store = await CapsuleStore.open(path, { embedder });
  await store.addCapsules([{ text: "one" }, { text: "two" }]);
  await store.close();
  await rm(join(path, "capsules.lance", "_versions"), { recursive: true, force: true });
  assert.is(await code(CapsuleStore.open(path)), "SIGLA_STORE_DAMAGED");
});

test("the auto policy switches from exact search to IVF when the store grows past FLAT_MAX", async () => {
  const vectors = clusteredVectors(FLAT_MAX + 10, embedder.dim, 50, 21);
  const store = await CapsuleStore.open(tempPath(), { embedder, autoLinkK: 0 });
  await store.addCapsules(vectors.slice(0, FLAT_MAX - 10).map((vector, i) => ({ text: `v${i}`, vector })));
  assert.is(store.indexKind, "flat");
  const probe = vectors[123];
  const exact = (await store.query(probe, { topK: 10 })).map((h) => h.id);
  await store.addCapsules(vectors.slice(FLAT_MAX - 10).map((vector, i) => ({ text: `w${i}`, vector })));
  assert.is(store.indexKind, "ivf");
  const stats = await store.stats();
  assert.is(stats.indexKind, "ivf");
  const found = (await store.query(probe, { topK: 10 })).map((h) => h.id);
  assert.is(found[0], 123);
  assert.ok(found.filter((id) => exact.includes(id)).length >= 8);
  await store.close();
});

test("a filter with thousands of matches ranks them exactly, like the unfiltered exact search", async () => {
  const vectors = clusteredVectors(3000, embedder.dim, 30, 4);
  const store = await CapsuleStore.open(tempPath(), { embedder, autoLinkK: 0, indexPolicy: "flat" });
  await store.addCapsules(
    vectors.map((vector, i) => ({ text: `v${i}`, vector, tags: [i % 2 ? "odd" : "even"] })),
  );
  const probe = vectors[7];
  const all = await store.query(probe, { topK: 10 });
  const filtered = await store.query(probe, { topK: 10, where: "id >= 0" });
  assert.equal(
    filtered.map((h) => h.id),
    all.map((h) => h.id),
  );
  const odd = await store.query(probe, { topK: 10, tags: ["odd"] });
  assert.is(odd.length, 10);
  assert.ok(odd.every((h) => h.id % 2 === 1));
  await store.close();
});

test.run();
