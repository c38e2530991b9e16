/** `queryBatch` and the `effort` knob that the benchmark sweeps: same answers as `query`, recall moves with effort. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { clusteredVectors as clustered } from "../../bench/datasets/clustered.js";
import { recallAtK } from "../../bench/measure.js";
import { codeOf } from "../../test/helpers/errors.js";
import { tempPath } from "../../test/helpers/temp.js";
import { bruteForce } from "../../test/helpers/vectors.js";
import { CapsuleStore } from "./capsule-store.js";

const DIM = 32;
// Wide clusters (spread 2), so a narrow search really misses neighbours.
const data = clustered({ count: 6000, dim: DIM, clusters: 40, spread: 2, seed: 3 });
const queries = clustered({ count: 60, dim: DIM, clusters: 40, spread: 2, seed: 4 });
const fixedDim = { id: "fixed-32", dim: DIM, embed: async () => [] as Float32Array[] };
const exact = queries.map((q) => bruteForce(q, data, 10));

for (const kind of ["ivf", "hnsw"] as const) {
  test(`${kind}: queryBatch answers as query does; more effort, more recall`, async () => {
    const store = await CapsuleStore.open(tempPath(), {
      embedder: fixedDim,
      autoLinkK: 0,
      indexPolicy: kind,
    });
    await store.addCapsules(data.map((vector, i) => ({ text: `row ${i}`, vector })));
    assert.is(store.indexKind, kind);
    const ids = (hits: { id: number }[]) => hits.map((h) => h.id);
    const one = await Promise.all(queries.map(async (q) => ids(await store.query(q, { topK: 10 }))));
    const batch = (await store.queryBatch(queries, { topK: 10 })).map(ids);
    assert.equal(batch, one, "the batch finds what single queries find");
    const recallAt = async (effort: number) =>
      recallAtK(exact, (await store.queryBatch(queries, { topK: 10, effort })).map(ids));
    const low = await recallAt(0.05);
    const calibrated = await recallAt(1);
    const high = await recallAt(8);
    assert.ok(low < calibrated, `effort 0.05 (${low}) finds less than 1 (${calibrated})`);
    assert.ok(high >= calibrated && high >= 0.995, `effort 8 (${high}) finds at least as much`);
    assert.is(await codeOf(store.query(queries[0], { effort: 0 })), "SIGLA_INVALID_INPUT");
    assert.is(await codeOf(store.queryBatch([new Float32Array(3)])), "SIGLA_DIMENSION_MISMATCH");
    await store.close();
  });
}

test.run();
