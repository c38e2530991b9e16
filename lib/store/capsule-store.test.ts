import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { tempDir, tempPath } from "../../test/helpers/temp.js";
import { bruteForce, clusteredVectors } from "../../test/helpers/vectors.js";
import { loadUseLite } from "../embed/use-lite.js";
import { isSiglaError } from "../errors.js";
import { CapsuleStore, sha256 } from "./capsule-store.js";
import { AUTO_MIN, exactBatchesFaster, plannedKind } from "./index-choice.js";

const embedder = await loadUseLite();
const DIM = embedder.dim;

async function rejectsWith(promise: Promise<unknown>, code: string, includes?: string): Promise<void> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isSiglaError(error), `expected a SiglaError, got ${String(error)}`);
    assert.is((error as { code: string }).code, code);
    if (includes) assert.ok(String((error as Error).message).includes(includes), (error as Error).message);
    return;
  }
  assert.unreachable(`expected ${code}`);
}

const docs = [
  { text: "FAISS is a library for efficient similarity search of dense vectors", tags: ["faiss", "search"] },
  { text: "LanceDB stores vectors in the Lance columnar format built on Apache Arrow", tags: ["lancedb"] },
  { text: "Bread is baked in an oven from flour, water, yeast and salt", tags: ["food"] },
  { text: "HNSW builds a navigable small world graph for nearest neighbour search", tags: ["faiss", "hnsw"] },
  { text: "The football match ended in a draw after extra time", tags: ["sport"] },
];

test("open creates an empty store that remembers its embedder", async () => {
  const path = tempPath();
  const store = await CapsuleStore.open(path, { embedder });
  assert.is(await store.count(), 0);
  assert.is(store.dim, 512);
  assert.is(store.indexKind, "flat");
  await store.close();
  const again = await CapsuleStore.open(path);
  assert.is(again.embedder.id, "use-lite");
  await again.close();
});

test("addCapsule and addCapsules give increasing ids and store text, tags, meta and hash", async () => {
  const store = await CapsuleStore.open(tempPath(), { embedder });
  const first = await store.addCapsule(docs[0].text, { tags: docs[0].tags, meta: { lang: "en" } });
  const rest = await store.addCapsules(docs.slice(1));
  assert.equal([first, ...rest], [0, 1, 2, 3, 4]);
  const got = await store.get(0);
  assert.is(got?.text, docs[0].text);
  assert.equal(got?.tags, ["faiss", "search"]);
  assert.equal(got?.meta, { lang: "en" });
  assert.is(got?.sha256, sha256(docs[0].text));
  assert.is(await store.get(99), undefined);
  assert.is(await store.count(), 5);
  await store.close();
});

test("query ranks by meaning and filters by tags and where", async () => {
  const store = await CapsuleStore.open(tempPath(), { embedder });
  await store.addCapsules(docs);
  const [best] = await store.query("how do I bake a loaf of bread?", { topK: 3 });
  assert.is(best.id, 2);
  assert.ok(best.score > 0 && best.score <= 1.0001);
  const tagged = await store.query("graph based vector index", { topK: 5, tags: ["faiss"] });
  assert.equal(tagged.map((h) => h.id).sort(), [0, 3]);
  const both = await store.query("vector index", { topK: 5, tags: ["faiss", "hnsw"] });
  assert.equal(
    both.map((h) => h.id),
    [3],
  );
  const where = await store.query("vector index", { topK: 5, where: "id >= 3" });
  assert.ok(where.every((h) => h.id >= 3));
  const byVector = await store.query(store.vectorOf(4) as Float32Array, { topK: 1 });
  assert.is(byVector[0].id, 4);
  await rejectsWith(store.query("x", { where: "no_such_column = 1" }), "SIGLA_INVALID_INPUT", "bad filter");
  await store.close();
});

test("search: full-text finds exact words, hybrid fuses both rankings", async () => {
  const store = await CapsuleStore.open(tempPath(), { embedder });
  await store.addCapsules(docs);
  const fts = await store.search("yeast", { mode: "fts" });
  assert.equal(
    fts.map((h) => h.id),
    [2],
  );
  const hybrid = await store.search("navigable small world graph", { mode: "hybrid", topK: 3 });
  assert.is(hybrid[0].id, 3);
  const vector = await store.search("baking bread", { mode: "vector", topK: 1 });
  assert.is(vector[0].id, 2);
  // New capsules are found by full-text search too (the index is refreshed after writes).
  await store.addCapsule("Sourdough needs a starter culture of wild yeast");
  const again = await store.search("sourdough", { mode: "fts" });
  assert.is(again[0].id, 5);
  await rejectsWith(store.search("x", { mode: "nope" as "fts" }), "SIGLA_INVALID_INPUT");
  await store.close();
});

test("full-text search sees later writes without rebuilding its index; deletes drop out", async () => {
  const store = await CapsuleStore.open(tempPath(), { embedder, autoLinkK: 0 });
  await store.addCapsules(docs);
  assert.equal(
    (await store.search("yeast", { mode: "fts" })).map((h) => h.id),
    [2],
  );
  const [id] = await store.addCapsules([{ text: "Kombucha is fermented tea with a yeast culture" }]);
  assert.equal(
    (await store.search("kombucha", { mode: "fts" })).map((h) => h.id),
    [id],
  );
  assert.equal((await store.search("yeast", { mode: "fts" })).map((h) => h.id).sort(), [2, id].sort());
  await store.updateCapsule(id, { tags: ["drink"] });
  assert.equal(
    (await store.search("kombucha", { mode: "fts" })).map((h) => h.id),
    [id],
    "an update is found once",
  );
  await store.delete(2);
  assert.equal(
    (await store.search("yeast", { mode: "fts" })).map((h) => h.id),
    [id],
  );
  const stats = await (
    store as unknown as { table: { indexStats(n: string): Promise<{ numUnindexedRows: number }> } }
  ).table.indexStats("text_idx");
  assert.ok((stats?.numUnindexedRows ?? 0) > 0, "the late rows were searched without a rebuild");
  await store.close();
});

test("auto-linking links each new capsule to its k nearest older capsules, both ways", async () => {
  const vectors = clusteredVectors(120, DIM, 6, 3);
  const store = await CapsuleStore.open(tempPath(), { embedder, autoLinkK: 3 });
  const ids = await store.addCapsules(vectors.map((vector, i) => ({ text: `capsule ${i}`, vector })));
  for (const [i, id] of ids.entries()) {
    const capsule = await store.get(id);
    const older = i === 0 ? [] : bruteForce(vectors[i], vectors, 3, i);
    for (const expected of older)
      assert.ok(capsule?.links.includes(expected), `capsule ${i} lacks link ${expected}`);
    for (const other of capsule?.links ?? []) {
      assert.ok((await store.get(other))?.links.includes(id), `link ${id}-${other} is not symmetric`);
    }
  }
  await store.close();
});

test("a batch links exactly like the same capsules added one by one", async () => {
  const vectors = clusteredVectors(40, DIM, 4, 5);
  const inputs = vectors.map((vector, i) => ({ text: `c${i}`, vector }));
  const batch = await CapsuleStore.open(tempPath(), { embedder, autoLinkK: 4 });
  await batch.addCapsules(inputs);
  const single = await CapsuleStore.open(tempPath(), { embedder, autoLinkK: 4 });
  for (const input of inputs) await single.addCapsules([input]);
  for (let id = 0; id < inputs.length; id++) {
    assert.equal(
      (await batch.get(id))?.links.sort((a, b) => a - b),
      (await single.get(id))?.links.sort((a, b) => a - b),
    );
  }
  await batch.close();
  await single.close();
});

test("an add reports each stage in order: embed, index, link, write", async () => {
  const vectors = clusteredVectors(300, DIM, 6, 9);
  const store = await CapsuleStore.open(tempPath(), { embedder, autoLinkK: 3, indexPolicy: "hnsw" });
  const stages = async (inputs: Array<{ text: string; vector?: Float32Array }>) => {
    const events: Array<[string, number, number]> = [];
    await store.addCapsules(inputs, {
      onProgress: (done, total, stage) => events.push([stage, done, total]),
    });
    const order = events.map(([stage]) => stage).filter((stage, i, all) => stage !== all[i - 1]);
    return { events, order };
  };
  // Texts without a vector are embedded first; the first add builds the graph.
  const first = await stages([
    { text: "a capsule embedded here" },
    ...vectors.slice(1).map((vector, i) => ({ text: `c${i}`, vector })),
  ]);
  assert.equal(first.order, ["embed", "index", "link", "write"]);
  assert.equal(first.events.at(-1), ["write", 300, 300]);
  assert.equal(first.events.filter(([stage]) => stage === "link").at(-1), ["link", 300, 300]);
  // A one-capsule add goes through the same stages; without auto-linking there is no link stage.
  const second = await stages([{ text: "one more", vector: vectors[0] }]);
  assert.equal(second.order, ["embed", "index", "link", "write"]);
  const unlinked = [] as string[];
  await store.addCapsules([{ text: "unlinked", vector: vectors[1] }], {
    autoLinkK: 0,
    onProgress: (_done, _total, stage) => unlinked.push(stage),
  });
  assert.equal([...new Set(unlinked)], ["embed", "index", "write"]);
  // An abort during a stage lands before the write: nothing of the batch is stored.
  const count = await store.count();
  for (const at of ["index", "link"]) {
    const controller = new AbortController();
    try {
      await store.addCapsules(
        vectors.slice(0, 50).map((vector, i) => ({ text: `aborted ${i}`, vector })),
        {
          signal: controller.signal,
          onProgress: (_done, _total, stage) => stage === at && controller.abort(),
        },
      );
      assert.unreachable(`an abort in ${at} should cancel the add`);
    } catch (error) {
      assert.is((error as { code?: string }).code, "SIGLA_CANCELLED", String(error));
    }
    assert.is(await store.count(), count, `nothing written after an abort in ${at}`);
  }
  const [next] = await store.addCapsules([{ text: "after the aborts", vector: vectors[2] }]);
  assert.is((await store.get(next))?.text, "after the aborts");
  await store.close();
});

test("autoLinkK 0 turns auto-linking off; explicit links are kept both ways", async () => {
  const store = await CapsuleStore.open(tempPath(), { embedder, autoLinkK: 0 });
  await store.addCapsules(docs);
  assert.equal((await store.get(1))?.links, []);
  const id = await store.addCapsule("Arrow is a columnar memory format", { links: [1] });
  assert.equal((await store.get(id))?.links, [1]);
  assert.equal((await store.get(1))?.links, [id]);
  assert.equal(
    (await store.neighbours(1)).map((c) => c.id),
    [id],
  );
  await store.close();
});

test("delete removes the capsule and every link pointing to it", async () => {
  const store = await CapsuleStore.open(tempPath(), { embedder, autoLinkK: 2 });
  await store.addCapsules(docs);
  const linked = (await store.get(2))?.links ?? [];
  assert.ok(linked.length > 0);
  assert.is(await store.delete(2), true);
  assert.is(await store.get(2), undefined);
  assert.is(await store.count(), 4);
  for (const id of [0, 1, 3, 4]) assert.not.ok((await store.get(id))?.links.includes(2));
  assert.is(await store.delete(2), false);
  // Ids keep increasing after a delete of the newest capsule.
  await store.delete(4);
  assert.is(await store.addCapsule("new after delete"), 5);
  await store.close();
});

test("bfs and random walks follow the links", async () => {
  const store = await CapsuleStore.open(tempPath(), { embedder, autoLinkK: 0 });
  // A chain 0-1-2-3 and a branch 1-4.
  await store.addCapsule("zero");
  await store.addCapsule("one", { links: [0] });
  await store.addCapsule("two", { links: [1] });
  await store.addCapsule("three", { links: [2] });
  await store.addCapsule("four", { links: [1] });
  const walk = await store.bfs(0, { depth: 2 });
  assert.equal(
    walk.map((n) => [n.id, n.depth]),
    [
      [0, 0],
      [1, 1],
      [2, 2],
      [4, 2],
    ],
  );
  assert.equal(
    (await store.bfs(0, { depth: 0 })).map((n) => n.id),
    [0],
  );
  const path = await store.randomWalk(0, { steps: 6, seed: 7 });
  assert.is(path.length, 7);
  for (let i = 1; i < path.length; i++) assert.ok((await store.get(path[i - 1]))?.links.includes(path[i]));
  assert.equal(await store.randomWalk(0, { steps: 6, seed: 7 }), path);
  await rejectsWith(store.bfs(42), "SIGLA_UNKNOWN_ID");
  await store.close();
});

test("save copies the store and open restores everything", async () => {
  const store = await CapsuleStore.open(tempPath(), { embedder });
  await store.addCapsules(docs);
  const target = tempPath("copy");
  await store.save(target);
  const before = await store.query("bread", { topK: 3 });
  await store.close();
  const copy = await CapsuleStore.open(target);
  assert.is(await copy.count(), 5);
  assert.equal(await copy.query("bread", { topK: 3 }), before);
  assert.equal((await copy.get(3))?.links, before.length ? (await copy.get(3))?.links : []);
  await rejectsWith(copy.save(target), "SIGLA_STORE_PATH", "not empty");
  await copy.close();
});

test("a write with expect holds only while the capsules it names are still those: else SIGLA_CONFLICT, nothing written", async () => {
  const path = tempPath();
  const store = await CapsuleStore.open(path, { embedder });
  const other = await CapsuleStore.open(path, { embedder });
  const [a] = await store.addCapsules([{ text: "draft one", source: "notes.md" }]);
  const expect = { where: "source = 'notes.md'", ids: [a] };
  // Another handle (another process) rewrites the source first: this write's view of it is stale.
  await other.addCapsules([{ text: "draft two", source: "notes.md" }], { replace: [a], expect });
  await rejectsWith(
    store.addCapsules([{ text: "draft three", source: "notes.md" }], { replace: [a], expect }),
    "SIGLA_CONFLICT",
    "source = 'notes.md'",
  );
  assert.equal(
    (await store.list()).map((c) => c.text),
    ["draft two"],
  );
  await rejectsWith(
    store.addCapsules([{ text: "x" }], {
      expect: { where: "source = 'x'", ids: "1" as unknown as number[] },
    }),
    "SIGLA_INVALID_INPUT",
    "expect.ids",
  );
  await rejectsWith(
    store.addCapsules([{ text: "x" }], { expect: { where: "no_such_column = 1", ids: [] } }),
    "SIGLA_INVALID_INPUT",
  );
  assert.is(await store.count(), 1);
  await store.close();
  await other.close();
});

test("bad input gets typed errors and writes nothing", async () => {
  const store = await CapsuleStore.open(tempPath(), { embedder });
  await store.addCapsules(docs.slice(0, 2));
  await rejectsWith(store.addCapsule(""), "SIGLA_INVALID_INPUT", "empty");
  await rejectsWith(store.addCapsule(42 as unknown as string), "SIGLA_INVALID_INPUT", "string");
  await rejectsWith(store.addCapsules([{ text: "x", vector: [1, 2, 3] }]), "SIGLA_DIMENSION_MISMATCH", "512");
  await rejectsWith(store.query([1, 2]), "SIGLA_DIMENSION_MISMATCH");
  await rejectsWith(store.addCapsule("x", { links: [77] }), "SIGLA_UNKNOWN_ID", "77");
  // A batch with one bad capsule adds none of them.
  await rejectsWith(
    store.addCapsules([{ text: "fine" }, { text: "bad link", links: [99] }]),
    "SIGLA_UNKNOWN_ID",
  );
  await rejectsWith(
    store.addCapsules([{ text: "fine" }, { text: "  " }]),
    "SIGLA_INVALID_INPUT",
    "capsule 1",
  );
  const aborted = new AbortController();
  aborted.abort();
  await rejectsWith(
    store.addCapsules([{ text: "cancelled" }], { signal: aborted.signal }),
    "SIGLA_CANCELLED",
  );
  assert.is(await store.count(), 2);
  assert.equal(
    (await store.list()).map((c) => c.id),
    [0, 1],
  );
  await rejectsWith(store.query("x", { topK: 0 }), "SIGLA_INVALID_INPUT", "topK");
  await store.close();
  await rejectsWith(store.count(), "SIGLA_STORE_CLOSED");
});

test("store paths: a file, a foreign folder, another embedder, a damaged store", async () => {
  const dir = tempDir();
  const file = join(dir, "file.txt");
  await writeFile(file, "hello");
  await rejectsWith(CapsuleStore.open(file, { embedder }), "SIGLA_STORE_PATH", "is a file");
  await rejectsWith(CapsuleStore.open(dir, { embedder }), "SIGLA_STORE_PATH", "no sigla.json");

  const path = tempPath();
  const store = await CapsuleStore.open(path, { embedder });
  await store.addCapsules(docs);
  await store.close();
  await rejectsWith(
    CapsuleStore.open(path, { embedder: "transformers:Xenova/all-MiniLM-L6-v2" }),
    "SIGLA_EMBEDDER_MISMATCH",
  );

  await writeFile(join(path, "sigla.json"), "{ not json");
  await rejectsWith(CapsuleStore.open(path), "SIGLA_STORE_DAMAGED", "not valid JSON");
});

test("rebuildIndex switches kinds; ivf and hnsw keep recall against exact search", async () => {
  const vectors = clusteredVectors(3000, DIM, 30, 9);
  const store = await CapsuleStore.open(tempPath(), { embedder, autoLinkK: 0, indexPolicy: "flat" });
  await store.addCapsules(vectors.map((vector, i) => ({ text: `v${i}`, vector })));
  const queries = clusteredVectors(40, DIM, 30, 9).map((q) => q);
  const exact = [];
  for (const q of queries) exact.push((await store.query(q, { topK: 10 })).map((h) => h.id));
  for (const kind of ["ivf", "hnsw"] as const) {
    assert.is(await store.rebuildIndex({ kind }), kind);
    assert.is(store.indexKind, kind);
    let found = 0;
    for (const [i, q] of queries.entries()) {
      const got = new Set((await store.query(q, { topK: 10 })).map((h) => h.id));
      found += exact[i].filter((id) => got.has(id)).length;
    }
    assert.ok(found / (10 * queries.length) >= 0.95, `${kind} recall ${found / (10 * queries.length)}`);
  }
  await rejectsWith(store.rebuildIndex({ kind: "lsh" as "flat" }), "SIGLA_INVALID_INPUT");
  await store.close();
});

test("index policy: exact below AUTO_MIN, then measured, and measured again after doubling; a kind pins it", () => {
  const decision = { kind: "hnsw" as const, at: 40_000, costs: { flat: 3, ivf: 0.6, hnsw: 0.3 } };
  assert.is(plannedKind(0, "auto", undefined), "flat");
  assert.is(plannedKind(AUTO_MIN - 1, "auto", decision), "flat");
  assert.is(plannedKind(AUTO_MIN, "auto", undefined), "measure");
  assert.is(plannedKind(79_999, "auto", decision), "hnsw");
  assert.is(plannedKind(20_001, "auto", decision), "hnsw");
  assert.is(plannedKind(80_000, "auto", decision), "measure");
  assert.is(plannedKind(20_000, "auto", decision), "measure");
  assert.is(plannedKind(5, "hnsw", undefined), "hnsw");
  assert.is(plannedKind(1_000_000, "ivf", decision), "ivf");
  // Batches go to the exact scan only when the decision measured it faster for the kind running.
  const batchCosts = { flat: 0.05, ivf: 0.2, hnsw: 0.1 };
  assert.ok(exactBatchesFaster({ ...decision, batchCosts }, "hnsw"));
  assert.not.ok(exactBatchesFaster({ ...decision, batchCosts }, "ivf"), "another kind is running");
  assert.not.ok(exactBatchesFaster({ ...decision, batchCosts: { ...batchCosts, flat: 0.2 } }, "hnsw"));
  assert.not.ok(exactBatchesFaster(decision, "hnsw"), "not measured");
});

test.run();
