/**
 * The hnsw graph (usearch) as a store's index: saved beside the snapshot and bound to its table version,
 * rebuilt when its file is missing, damaged or of another version, kept in step with adds and deletes,
 * and auto-linking new capsules like an exact search would.
 */
import { readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { clusteredVectors as clustered } from "../../bench/datasets/clustered.js";
import { recallAtK } from "../../bench/measure.js";
import { tempPath } from "../../test/helpers/temp.js";
import { bruteForce, lowRankRows } from "../../test/helpers/vectors.js";
import { CapsuleStore } from "./capsule-store.js";

const DIM = 32;
const data = clustered({ count: 4000, dim: DIM, clusters: 40, spread: 1, seed: 5 });
const queries = clustered({ count: 40, dim: DIM, clusters: 40, spread: 1, seed: 6 });
const fixedDim = { id: "fixed-32", dim: DIM, embed: async () => [] as Float32Array[] };
const ids = (hits: { id: number }[]) => hits.map((h) => h.id);
const exact = queries.map((q) => bruteForce(q, data, 10));

async function graphStore(path: string, autoLinkK = 0): Promise<CapsuleStore> {
  return CapsuleStore.open(path, { embedder: fixedDim, autoLinkK, indexPolicy: "hnsw" });
}

const graphs = (path: string) => readdirSync(path).filter((name) => name.endsWith(".usearch"));

async function answers(store: CapsuleStore): Promise<number[][]> {
  return (await store.queryBatch(queries, { topK: 10 })).map(ids);
}

test("the graph is saved with the snapshot and comes back from it: same answers, same file", async () => {
  const path = tempPath();
  const store = await graphStore(path);
  await store.addCapsules(data.map((vector, i) => ({ text: `row ${i}`, vector })));
  const before = await answers(store);
  assert.ok(recallAtK(exact, before) >= 0.95);
  await store.close();
  const [file] = graphs(path);
  assert.match(file, /^hot\.\d+\.usearch$/);
  const written = statSync(join(path, file)).mtimeMs;
  const again = await graphStore(path);
  assert.equal(await answers(again), before);
  await again.close();
  assert.equal(graphs(path), [file], "an unchanged store writes no new graph");
  assert.is(statSync(join(path, file)).mtimeMs, written);
});

test("a large graph store holds its vectors as halves, saves and reopens them so; an exact index goes back to float32", async () => {
  // Halves from 10,000 capsules (below that, float32 costs little).
  const drawn = clustered({ count: 12_040, dim: DIM, clusters: 60, spread: 1, seed: 8 });
  const many = drawn.slice(0, 12_000);
  const asked = drawn.slice(12_000);
  const truth = asked.map((q) => bruteForce(q, many, 10));
  const answersOf = async (store: CapsuleStore) => (await store.queryBatch(asked, { topK: 10 })).map(ids);
  const path = tempPath();
  const store = await graphStore(path);
  await store.addCapsules(many.map((vector, i) => ({ text: `row ${i}`, vector })));
  assert.is((await store.stats()).vectorPrecision, "f16");
  const before = await answersOf(store);
  assert.ok(recallAtK(truth, before) >= 0.95, "halves keep the recall");
  // A stored vector comes back within half precision (of its distance from the centre) of what was added.
  const back = store.vectorOf(1234) as Float32Array;
  for (let j = 0; j < DIM; j++) assert.ok(Math.abs(back[j] - many[1234][j]) <= 2 ** -10);
  await store.close();
  const again = await graphStore(path);
  assert.is((await again.stats()).vectorPrecision, "f16", "restored from the snapshot as halves");
  assert.equal(await answersOf(again), before);
  // Adds, deletes, link updates and a filtered (exact) search work on halves; the table keeps exact vectors.
  const [late] = await again.addCapsules([{ text: "late", vector: asked[0], tags: ["late"], links: [7] }]);
  assert.is((await again.query(asked[0], { topK: 1 }))[0].id, late);
  assert.equal(ids(await again.query(asked[0], { topK: 3, tags: ["late"] })), [late]);
  await again.delete(late);
  assert.equal(await answersOf(again), before);
  await again.close();
  // Read from the table alone (no snapshot, an exact index): rows rewritten with new links kept their
  // exact vectors, and the row digest still matches what SIGLA committed (open checks it).
  for (const name of readdirSync(path)) if (name.startsWith("hot.")) rmSync(join(path, name));
  const scanned = await CapsuleStore.open(path, { embedder: fixedDim, indexPolicy: "flat" });
  assert.is((await scanned.stats()).vectorPrecision, "f32");
  const seven = scanned.vectorOf(7) as Float32Array;
  assert.equal(
    Array.from(seven),
    Array.from(many[7]),
    "capsule 7 was rewritten with a link, its vector untouched",
  );
  assert.equal(
    recallAtK(truth, await answersOf(scanned)),
    1,
    "the exact scan over the table's float32 vectors",
  );
  await scanned.close();
  // A graph store switched to the exact index goes back to float32 (decoded from its halves).
  const switched = await graphStore(path);
  assert.is((await switched.stats()).vectorPrecision, "f16");
  await switched.rebuildIndex({ kind: "flat" });
  assert.is((await switched.stats()).vectorPrecision, "f32");
  assert.ok(recallAtK(truth, await answersOf(switched)) >= 0.99);
  // Float32 decoded from halves is not the table's: capsules rewritten with a new link keep their exact
  // vectors, in the process that decoded them and after a reopen from the snapshot it saved.
  await switched.addCapsules([{ text: "after the switch", vector: asked[1], links: [7] }]);
  await switched.close();
  for (const [link, vector] of [
    [8, asked[2]],
    [9, asked[3]],
  ] as const) {
    const exactIndex = await CapsuleStore.open(path, { embedder: fixedDim, indexPolicy: "flat" });
    assert.is((await exactIndex.stats()).vectorPrecision, "f32");
    await exactIndex.addCapsules([{ text: `linked to ${link}`, vector, links: [link] }]);
    await exactIndex.close();
  }
  for (const name of readdirSync(path)) if (name.startsWith("hot.")) rmSync(join(path, name));
  const rescanned = await CapsuleStore.open(path, { embedder: fixedDim, indexPolicy: "flat" });
  for (const id of [7, 8, 9])
    assert.equal(Array.from(rescanned.vectorOf(id) as Float32Array), Array.from(many[id]));
  await rescanned.close();
});

test("a missing, damaged or foreign graph file is rebuilt from the table, never served", async () => {
  const path = tempPath();
  const store = await graphStore(path);
  await store.addCapsules(data.map((vector, i) => ({ text: `row ${i}`, vector })));
  await store.close();
  const [file] = graphs(path);
  const damage: Array<() => void> = [
    () => truncateSync(join(path, file), 100),
    () => writeFileSync(join(path, file), "not a graph"),
  ];
  for (const harm of damage) {
    harm();
    const reopened = await graphStore(path);
    assert.is(reopened.indexKind, "hnsw");
    const got = await answers(reopened);
    // A graph built again is approximate like the first (threads make each build differ), so it is held to
    // exact search; a foreign or damaged graph served would find almost nothing.
    assert.ok(recallAtK(exact, got) >= 0.9, "the rebuilt graph answers like exact search");
    await reopened.rewriteSnapshot();
    await reopened.close();
  }
  // A graph of fewer rows under the current file name (another version's) does not fit the hot rows.
  const small = await graphStore(tempPath());
  await small.addCapsules(data.slice(0, 100).map((vector, i) => ({ text: `row ${i}`, vector })));
  await small.close();
  const store2 = await graphStore(path);
  await store2.close();
  const [current] = graphs(path);
  const [foreign] = graphs(small.path);
  writeFileSync(join(path, current), readFileSync(join(small.path, foreign)));
  const reopened = await graphStore(path);
  assert.ok(recallAtK(exact, await answers(reopened)) >= 0.9, "the foreign graph is not served");
  await reopened.close();
});

test("adds and deletes reach the graph with each commit; older graphs are removed", async () => {
  const path = tempPath();
  const store = await graphStore(path);
  const first = await store.addCapsules(data.slice(0, 3000).map((vector, i) => ({ text: `a${i}`, vector })));
  await store.close();
  const reopened = await graphStore(path);
  const late = await reopened.addCapsules(data.slice(3000).map((vector, i) => ({ text: `b${i}`, vector })));
  // Each late capsule is its own nearest neighbour.
  for (const [i, id] of late.entries()) {
    if (i % 97 !== 0) continue;
    assert.is((await reopened.query(data[3000 + i], { topK: 1 }))[0].id, id);
  }
  const gone = first.slice(0, 50);
  for (const id of gone) assert.ok(await reopened.delete(id));
  for (const [i, id] of gone.entries()) {
    const found = ids(await reopened.query(data[i], { topK: 10 }));
    assert.not.ok(found.includes(id), `deleted capsule ${id} still found`);
  }
  await reopened.close();
  assert.is(graphs(path).length, 1, "only the current version's graph stays");
  const last = await graphStore(path);
  assert.is(await last.count(), 4000 - 50);
  await last.close();
});

test("another process's adds and deletes reach this one's graph without a rebuild", async () => {
  const path = tempPath();
  const writer = await graphStore(path);
  const first = await writer.addCapsules(data.slice(0, 3000).map((vector, i) => ({ text: `a${i}`, vector })));
  const reader = await graphStore(path);
  const builtSize = reader.indexParams.builtSize;
  const late = await writer.addCapsules(data.slice(3000).map((vector, i) => ({ text: `b${i}`, vector })));
  await writer.delete(first[7]);
  await reader.refresh();
  assert.is(reader.indexKind, "hnsw");
  assert.is(reader.indexParams.builtSize, builtSize, "caught up, not built again");
  assert.is((await reader.query(data[3500], { topK: 1 }))[0].id, late[500]);
  assert.not.ok(ids(await reader.query(data[7], { topK: 10 })).includes(first[7]));
  await writer.close();
  await reader.close();
});

test("reads while another process's writes are reloaded see the old state whole, then the new", async () => {
  const path = tempPath();
  const writer = await graphStore(path);
  await writer.addCapsules(data.slice(0, 1000).map((vector, i) => ({ text: `a${i}`, vector })));
  const reader = await graphStore(path);
  // Most of the store is new: the reader builds a new graph, which takes a while.
  const late = await writer.addCapsules(data.slice(1000).map((vector, i) => ({ text: `b${i}`, vector })));
  const seen = new Set<string>();
  let reloading = true;
  const refreshed = reader.refresh().finally(() => {
    reloading = false;
  });
  while (reloading) {
    const count = await reader.count();
    const found = (await reader.query(data[3500], { topK: 1 }))[0].id === late[2500];
    // Only a query with the same count on both sides counts (the swap may land between two reads).
    if ((await reader.count()) === count) seen.add(`${count} capsules, late one found: ${found}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
  await refreshed;
  // Before the state was built beside the one in use, reads saw 4000 capsules through the old graph.
  assert.equal([...seen], ["1000 capsules, late one found: false"]);
  assert.is((await reader.query(data[3500], { topK: 1 }))[0].id, late[2500]);
  await writer.close();
  await reader.close();
});

test("auto-links through the graph match exact linking", async () => {
  const linked = await graphStore(tempPath(), 5);
  const exactStore = await CapsuleStore.open(tempPath(), {
    embedder: fixedDim,
    autoLinkK: 5,
    indexPolicy: "flat",
  });
  const inputs = data.slice(0, 2500).map((vector, i) => ({ text: `row ${i}`, vector }));
  // One large batch (the first capsules have few older ones) and small batches after it.
  for (const store of [linked, exactStore]) {
    await store.addCapsules(inputs.slice(0, 2000));
    for (let at = 2000; at < 2500; at += 100) await store.addCapsules(inputs.slice(at, at + 100));
  }
  let same = 0;
  let total = 0;
  for (let id = 1; id < 2500; id += 7) {
    const want = new Set(ids(await exactStore.neighbours(id)));
    const got = ids(await linked.neighbours(id));
    total += want.size;
    same += got.filter((n) => want.has(n)).length;
  }
  assert.ok(same / total >= 0.95, `links agree ${same}/${total}`);
  await linked.close();
  await exactStore.close();
});

/**
 * Rows and queries made mostly of one common unit vector, as embeddings of real text are: row `i` of the
 * clustered data is added to it at `residual(i)` of its size.
 */
async function leaningStore(residual: (i: number) => number) {
  const common = Float32Array.from({ length: DIM }, (_, j) => (j % 2 ? 1 : -1) / Math.sqrt(DIM));
  const lean = (v: Float32Array, i: number) => {
    const out = v.map((x, j) => common[j] + residual(i) * x);
    const norm = Math.hypot(...out);
    return out.map((x) => x / norm);
  };
  const rows = data.map(lean);
  const asked = queries.map(lean);
  const store = await graphStore(tempPath());
  await store.addCapsules(rows.map((vector, i) => ({ text: `row ${i}`, vector })));
  return { rows, asked, store };
}

test("vectors that share one dominant direction, as embeddings of real text do, keep their recall", async () => {
  // The clustered rows differ by a twentieth of the common vector.
  const { rows, asked, store } = await leaningStore(() => 0.05);
  const got = (await store.queryBatch(asked, { topK: 10 })).map(ids);
  const truth = asked.map((q) => bruteForce(q, rows, 10));
  assert.ok(recallAtK(truth, got) >= 0.95);
  assert.is(store.indexKind, "hnsw");
  await store.close();
});

test("candidates are ordered by their estimated score, so few are re-scored where residual norms vary", async () => {
  // As lorem's MiniLM vectors: what is left of each row besides the common direction differs in size (2×).
  const { rows, asked, store } = await leaningStore((i) => 0.05 + (0.05 * ((i * 7919) % 97)) / 96);
  const { rescore, width, productScale } = store.indexParams;
  // In the graph's own order (cosine about the mean) the calibrated depth was 64 of 64 candidates.
  assert.ok(productScale > 0 && rescore <= 24 && rescore < width, JSON.stringify(store.indexParams));
  const truth = asked.map((q) => bruteForce(q, rows, 10));
  const got = await Promise.all(asked.map(async (q) => ids(await store.query(q, { topK: 10 }))));
  assert.ok(recallAtK(truth, got) >= 0.95);
  await store.close();
});

test("every capsule can be found: a node the graph's pruning left unreachable is linked again", async () => {
  // Wide clusters: one in two builds of such rows on several threads left nodes with no links into them.
  for (const seed of [3, 11, 12, 13]) {
    const rows = clustered({ count: 6000, dim: DIM, clusters: 40, spread: 2, seed });
    const store = await graphStore(tempPath());
    await store.addCapsules(rows.map((vector, i) => ({ text: `row ${i}`, vector })));
    const first = (await store.list({ limit: 1 }))[0].id;
    const missedBy = async (asked: number[], effort: number) => {
      const found = await store.queryBatch(
        asked.map((i) => rows[i]),
        { topK: 1, effort },
      );
      return asked.filter((i, j) => found[j][0]?.id !== first + i);
    };
    // A row its own vector misses at a usual width is looked for by the widest walk short of scoring every
    // row, which visits every node that can be reached.
    const hard = await missedBy(
      rows.map((_, i) => i),
      4,
    );
    const widest = (rows.length - 1) / store.indexParams.width;
    assert.equal(await missedBy(hard, widest), [], `seed ${seed}: rows no walk reaches`);
    await store.close();
  }
});

test("rows that vary in a few directions are walked in their principal subspace, which comes back with the snapshot", async () => {
  const dim = 128;
  const split = (flat: Float32Array) =>
    Array.from({ length: flat.length / dim }, (_, i) => flat.subarray(i * dim, (i + 1) * dim));
  const rows = split(lowRankRows(4000, dim, 10, 1));
  const asked = split(lowRankRows(40, dim, 10, 2));
  const truth = asked.map((q) => bruteForce(q, rows, 10));
  const path = tempPath();
  const open = () =>
    CapsuleStore.open(path, {
      embedder: { ...fixedDim, id: "fixed-128", dim },
      autoLinkK: 0,
      indexPolicy: "hnsw",
    });
  const store = await open();
  await store.addCapsules(rows.map((vector, i) => ({ text: `row ${i}`, vector })));
  assert.is(store.indexParams.projectedDims, 16);
  const before = (await store.queryBatch(asked, { topK: 10 })).map(ids);
  assert.ok(recallAtK(truth, before) >= 0.97, `recall ${recallAtK(truth, before)}`);
  await store.close();
  const [file] = graphs(path);
  const written = statSync(join(path, file)).mtimeMs;
  const again = await open();
  assert.is(again.indexParams.projectedDims, 16);
  assert.equal((await again.queryBatch(asked, { topK: 10 })).map(ids), before);
  await again.close();
  assert.equal(graphs(path), [file]);
  assert.is(statSync(join(path, file)).mtimeMs, written, "the saved graph was restored, not rebuilt");
});

test.run();
