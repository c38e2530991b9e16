/**
 * Filtered search: selective and broad filters answer the exact filtered top-k (the broad one through the
 * index, the selective one by a scan), a filter whose matches lie away from the query falls back to the
 * exact answer, writes between two queries reach the cached filter, and a bad filter is a clear error.
 * Also: batches answer as single queries do, for the flat and ivf kinds.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { codeOf } from "../../test/helpers/errors.js";
import { tempPath } from "../../test/helpers/temp.js";
import { bruteForce, clusteredVectors } from "../../test/helpers/vectors.js";
import { CapsuleStore } from "./capsule-store.js";
import { scanCheaper } from "./filtered-search.js";
import type { IndexPolicy } from "./index-policy.js";

const DIM = 32;
const COUNT = 5000;
const data = clusteredVectors(COUNT, DIM, 8, 3);
const queries = clusteredVectors(12, DIM, 8, 4);
const fixedDim = { id: "fixed-32", dim: DIM, embed: async () => [] as Float32Array[] };
/**
 * Tags by row: "rare" on every 97th (1%), "half" on even rows (50%), "first" on the first 45% of rows,
 * whose vectors come from one region (a filter correlated with place: far queries find few matches).
 */
const REGION = Math.floor(0.45 * COUNT);
const tagsOf = (i: number) => [
  ...(i % 97 === 0 ? ["rare"] : []),
  ...(i % 2 === 0 ? ["half"] : []),
  ...(i < REGION ? ["first"] : []),
];
const region = clusteredVectors(REGION, DIM, 1, 100);
const rows = data.map((v, i) => (i < REGION ? region[i] : v));

async function openStore(policy: IndexPolicy): Promise<CapsuleStore> {
  const store = await CapsuleStore.open(tempPath(), {
    embedder: fixedDim,
    autoLinkK: 0,
    indexPolicy: policy,
  });
  await store.addCapsules(rows.map((vector, i) => ({ text: `row ${i}`, tags: tagsOf(i), vector })));
  assert.is(store.indexKind, policy);
  return store;
}

/** Exact filtered top-k ids (ids equal rows here: the store was empty before). */
function exactFiltered(query: Float32Array, tag: string, k: number): number[] {
  const keep = rows.map((_, i) => i).filter((i) => tagsOf(i).includes(tag));
  return bruteForce(
    query,
    keep.map((i) => rows[i]),
    k,
  ).map((j) => keep[j]);
}

const ids = (hits: { id: number }[]) => hits.map((h) => h.id);

for (const policy of ["flat", "ivf", "hnsw"] as const) {
  test(`${policy}: selective, broad and correlated filters answer the exact filtered top-k`, async () => {
    const store = await openStore(policy);
    // Effort high enough that the index looks at every capsule: the broad path is then exact too.
    const effort = policy === "flat" ? 1 : 1000;
    for (const tag of ["rare", "half", "first"]) {
      for (const query of queries) {
        const got = ids(await store.query(query, { topK: 10, tags: [tag], effort }));
        assert.equal(got, exactFiltered(query, tag, 10), `${tag}`);
      }
    }
    // At the calibrated effort the broad filter goes through the index: nearly exact, only matches.
    let found = 0;
    for (const query of queries) {
      const got = ids(await store.query(query, { topK: 10, tags: ["half"] }));
      assert.ok(got.length === 10 && got.every((id) => id % 2 === 0), "only matching capsules");
      const want = new Set(exactFiltered(query, "half", 10));
      found += got.filter((id) => want.has(id)).length;
    }
    assert.ok(found >= 0.9 * 10 * queries.length, `recall ${found / (10 * queries.length)}`);
    const where = ids(await store.query(queries[0], { topK: 5, where: "id < 100", effort }));
    assert.equal(where, bruteForce(queries[0], rows.slice(0, 100), 5), "a where filter as well");
    await store.close();
  });
}

test("a broad filter is answered exactly when the decision's costs make that cheaper than the index", () => {
  // Costs as measured at 50k: real-text embeddings (graph 1.9 ms, scan 2.7 ms) and clustered (0.4, 8).
  const lorem = { kind: "hnsw" as const, at: 50_000, costs: { flat: 2.7, hnsw: 1.9 } };
  const clustered = { kind: "hnsw" as const, at: 50_000, costs: { flat: 8, hnsw: 0.4 } };
  assert.not.ok(scanCheaper(lorem, "hnsw", 1), "a filter keeping half: the graph at its usual width");
  assert.ok(scanCheaper(lorem, "hnsw", 2), "a filter keeping a quarter: the graph twice as wide loses");
  assert.not.ok(scanCheaper(clustered, "hnsw", 5));
  assert.not.ok(scanCheaper({ kind: "ivf", at: 50_000, costs: { flat: 2.7, ivf: 1.2 } }, "ivf", 1));
  // No decision (a pinned kind), or one made for another kind: the index is used.
  assert.not.ok(scanCheaper(undefined, "hnsw", 2));
  assert.not.ok(scanCheaper(lorem, "ivf", 2));
});

test("a write between two filtered queries reaches the cached filter", async () => {
  const store = await openStore("ivf");
  const query = queries[3];
  const before = ids(await store.query(query, { topK: 3, tags: ["rare"] }));
  assert.equal(before, exactFiltered(query, "rare", 3));
  // A new capsule with the query's own vector and the tag: the nearest match from now on.
  const [added] = await store.addCapsules([{ text: "new", tags: ["rare"], vector: query }]);
  assert.is(ids(await store.query(query, { topK: 3, tags: ["rare"] }))[0], added, "the new capsule is found");
  assert.ok(await store.delete(added));
  assert.equal(ids(await store.query(query, { topK: 3, tags: ["rare"] })), before, "the deleted one is not");
  // A capsule that loses the tag leaves the filter; one that gains it joins.
  await store.updateCapsule(before[0], { tags: [] });
  assert.not.ok(ids(await store.query(query, { topK: 3, tags: ["rare"] })).includes(before[0]));
  const broad = ids(await store.query(query, { topK: 10, tags: ["half"] }));
  await store.updateCapsule(broad[0], { tags: ["other"] });
  assert.not.ok(ids(await store.query(query, { topK: 10, tags: ["half"] })).includes(broad[0]));
  await store.close();
});

test("a bad filter is SIGLA_INVALID_INPUT every time, and a filter matching nothing finds nothing", async () => {
  const store = await openStore("flat");
  for (let i = 0; i < 2; i++) {
    assert.is(await codeOf(store.query(queries[0], { where: "no_such_column > 1" })), "SIGLA_INVALID_INPUT");
  }
  assert.is(await codeOf(store.query(queries[0], { where: "   " })), "SIGLA_INVALID_INPUT");
  assert.is(await codeOf(store.query(queries[0], { tags: [3 as unknown as string] })), "SIGLA_INVALID_INPUT");
  assert.equal(await store.query(queries[0], { tags: ["nobody"] }), []);
  await store.close();
});

for (const policy of ["flat", "ivf"] as const) {
  test(`${policy}: queryBatch answers as single queries do, at several efforts`, async () => {
    const store = await openStore(policy);
    for (const effort of [0.3, 1, 4]) {
      const one = await Promise.all(
        queries.map(async (q) => ids(await store.query(q, { topK: 10, effort }))),
      );
      const batch = (await store.queryBatch(queries, { topK: 10, effort })).map(ids);
      assert.equal(batch, one, `effort ${effort}`);
    }
    await store.close();
  });
}

test("a store holding halves answers selective, broad and correlated filters like the exact filtered top-k", async () => {
  // 40,000 capsules under the graph hold their vectors as halves; "first" keeps 18,000 (more than a match
  // keeps decoded), "half" 20,000, "rare" 413.
  const count = 40_000;
  // Queries from the same distribution (held out of the store), as the graph's width is calibrated for; 40 of
  // them, as the graph is built on several threads and differs a little from build to build (12 queries once
  // measured 0.917 on "half" in CI, where repeated runs here measure 0.9975-1).
  const drawn = clusteredVectors(count + 40, DIM, 16, 7);
  const many = drawn.slice(0, count);
  const asked = drawn.slice(count);
  const near = clusteredVectors(18_000, DIM, 1, 101);
  const stored = many.map((v, i) => (i < 18_000 ? near[i] : v));
  const tagged = (i: number) => [
    ...(i % 97 === 0 ? ["rare"] : []),
    ...(i % 2 === 0 ? ["half"] : []),
    ...(i < 18_000 ? ["first"] : []),
  ];
  const store = await CapsuleStore.open(tempPath(), {
    embedder: fixedDim,
    autoLinkK: 0,
    indexPolicy: "hnsw",
  });
  await store.addCapsules(stored.map((vector, i) => ({ text: `row ${i}`, tags: tagged(i), vector })));
  assert.is((await store.stats()).vectorPrecision, "f16");
  for (const tag of ["rare", "half", "first"]) {
    const keep = stored.map((_, i) => i).filter((i) => tagged(i).includes(tag));
    let found = 0;
    for (const query of asked) {
      const want = new Set(
        bruteForce(
          query,
          keep.map((i) => stored[i]),
          10,
        ).map((j) => keep[j]),
      );
      const got = ids(await store.query(query, { topK: 10, tags: [tag] }));
      assert.ok(
        got.every((id) => tagged(id).includes(tag)),
        `${tag}: only matching capsules`,
      );
      found += got.filter((id) => want.has(id)).length;
    }
    assert.ok(found >= 0.95 * 10 * asked.length, `${tag}: recall ${found / (10 * asked.length)}`);
  }
  await store.close();
});

test.run();
