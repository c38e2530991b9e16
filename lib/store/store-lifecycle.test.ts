import { rm } from "node:fs/promises";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { tempPath } from "../../test/helpers/temp.js";
import { clusteredVectors } from "../../test/helpers/vectors.js";
import { loadUseLite } from "../embed/use-lite.js";
import { isSiglaError } from "../errors.js";
import { CapsuleStore } from "./capsule-store.js";
import { AUTO_MIN } from "./index-choice.js";
import { readManifest } from "./manifest.js";

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

test("past AUTO_MIN the auto policy times every kind, keeps the fastest, and records it for every process", async () => {
  const vectors = clusteredVectors(AUTO_MIN + 10, embedder.dim, 50, 21);
  const path = tempPath();
  const store = await CapsuleStore.open(path, { embedder, autoLinkK: 0 });
  await store.addCapsules(vectors.slice(0, AUTO_MIN - 10).map((vector, i) => ({ text: `v${i}`, vector })));
  assert.is(store.indexKind, "flat");
  assert.is((await readManifest(path))?.index, undefined, "nothing measured below AUTO_MIN");
  const probe = vectors[123];
  const exact = (await store.query(probe, { topK: 10 })).map((h) => h.id);
  await store.addCapsules(vectors.slice(AUTO_MIN - 10).map((vector, i) => ({ text: `w${i}`, vector })));
  const decision = (await readManifest(path))?.index;
  assert.ok(decision, "the decision is in sigla.json");
  assert.equal(Object.keys(decision.costs).sort(), ["flat", "hnsw", "ivf"]);
  assert.equal(Object.keys(decision.batchCosts ?? {}).sort(), ["flat", "hnsw", "ivf"]);
  const fastest = Object.entries(decision.costs).sort((a, b) => (a[1] ?? 0) - (b[1] ?? 0))[0][0];
  assert.is(decision.kind, fastest);
  assert.is(decision.at, AUTO_MIN + 10);
  assert.is(store.indexKind, decision.kind);
  assert.equal((await store.stats()).indexDecision, decision, "stats show what was measured");
  const found = (await store.query(probe, { topK: 10 })).map((h) => h.id);
  // One query at a time, as the batch below: an approximate index may miss a row's own vector now and then
  // (one probe alone failed once in CI under load), so the check is over twenty.
  let selfFound = 0;
  for (let i = 100; i < 120; i++) {
    if ((await store.query(vectors[i], { topK: 10 })).some((h) => h.id === i)) selfFound++;
  }
  assert.ok(selfFound >= 18, `${selfFound} of 20 single queries found their own capsule`);
  // A batch answers each query, whichever path (the index or one exact product) the decision favours. An
  // approximate index is calibrated to recall@10 0.98, so it may miss a query's own row now and then (the
  // graph: 3 of 200 in one build of three).
  const batch = await store.queryBatch(vectors.slice(0, 40), { topK: 3 });
  const selfFirst = batch.filter((hits, i) => hits[0].id === i).length;
  assert.ok(selfFirst >= 38, `${selfFirst} of 40 queries found their own capsule first`);
  assert.ok(found.filter((id) => exact.includes(id)).length >= 8);
  await store.close();
  // Another process without the snapshot follows the recorded decision instead of measuring again.
  await rm(join(path, "hot.snapshot"));
  const again = await CapsuleStore.open(path, { embedder });
  assert.is(again.indexKind, decision.kind);
  assert.equal((await readManifest(path))?.index, decision);
  await again.close();
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
