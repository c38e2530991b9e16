/**
 * Every way the ivf index answers (one query: gathered lists or a masked scan; a batch: lists grouped or a
 * masked scan) gives the exact top-k among the probed lists, so single queries and batches agree.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { clusteredVectors } from "../../../test/helpers/vectors.js";
import { gemmTopK } from "../../kernels/ort-kernels.js";
import { exactTopK } from "../../kernels/top-k.js";
import { seededRandom } from "../../random.js";
import { HotVectors } from "../hot-vectors.js";
import { IvfIndex } from "./ivf.js";

const DIM = 24;
const COUNT = 4000;
const flat = (rows: Float32Array[]) => {
  const out = new Float32Array(rows.length * DIM);
  rows.forEach((row, i) => {
    out.set(row, i * DIM);
  });
  return out;
};
const data = flat(clusteredVectors(COUNT, DIM, 30, 5));
const queries = flat(clusteredVectors(150, DIM, 30, 6));
// Ids apart from rows (every third id unused), so a mix-up of the two shows.
const ids = Int32Array.from({ length: COUNT }, (_, row) => row * 3 + 1);
const hot = HotVectors.adopt(DIM, ids, data);
const index = new IvfIndex(hot);
await index.build();

/** Exact top-k (capsule ids) among the rows of the lists the query's `width` nearest centroids name. */
async function probedTruth(query: Float32Array, width: number, k: number, of = index): Promise<number[]> {
  const { centroids, labels } = of.saved();
  const probed = new Set((await gemmTopK(query, centroids, DIM, width)).rows);
  const rows = Int32Array.from(labels.keys()).filter((row) => probed.has(labels[row]));
  const found = exactTopK(data, COUNT, DIM, query, k, rows);
  return Array.from(found.rows).flatMap((row) => (row >= 0 ? [ids[row]] : []));
}

const queryAt = (q: number) => queries.subarray(q * DIM, (q + 1) * DIM);
const answer = (rows: Int32Array, q: number, k: number) =>
  Array.from(rows.subarray(q * k, (q + 1) * k)).filter((id) => id >= 0);

test("single queries and batches (small and large) answer the exact top-k of the probed lists", async () => {
  const { nlist, nprobe } = index.params;
  const k = 10;
  // effort 1: few lists (gathered); a width of 40% of the lists: the masked scan.
  for (const effort of [1, (0.4 * nlist) / nprobe]) {
    const width = Math.max(1, Math.min(Math.round(nprobe * effort), nlist));
    const small = await index.search(queries.subarray(0, 3 * DIM), k, effort);
    const large = await index.search(queries, k, effort);
    for (let q = 0; q < 150; q++) {
      const want = await probedTruth(queryAt(q), width, k);
      const one = await index.search(queryAt(q), k, effort);
      assert.equal(answer(one.rows, 0, k), want, `single, effort ${effort}, query ${q}`);
      assert.equal(answer(large.rows, q, k), want, `batch of 150, effort ${effort}, query ${q}`);
      if (q < 3) assert.equal(answer(small.rows, q, k), want, `batch of 3, effort ${effort}, query ${q}`);
    }
  }
});

test("a k beyond the probed rows leaves empty slots, in every path", async () => {
  const k = COUNT;
  const one = await index.search(queryAt(0), k, 1);
  const batch = await index.search(queries.subarray(0, 2 * DIM), k, 1);
  const want = await probedTruth(queryAt(0), index.params.nprobe, k);
  assert.ok(want.length < k);
  assert.equal(answer(one.rows, 0, k), want);
  assert.equal(answer(batch.rows, 0, k), want);
});

test("lists that do not follow the vectors (random labels) still answer exactly what they hold", async () => {
  // Each query's probed lists then hold a random 30% of the store, so the scan's over-fetch sometimes
  // keeps fewer than k of them: those queries are gathered instead.
  const random = seededRandom(8);
  const nlist = 20;
  const shuffled = new IvfIndex(hot);
  const restored = shuffled.restore({
    kind: "ivf",
    params: { nlist, nprobe: 6, builtSize: COUNT },
    centroids: flat(clusteredVectors(nlist, DIM, 30, 9)),
    labels: Int32Array.from({ length: COUNT }, () => Math.floor(random() * nlist)),
  });
  assert.ok(restored);
  const k = 10;
  const batch = await shuffled.search(queries, k, 1);
  for (let q = 0; q < 150; q++) {
    const want = await probedTruth(queryAt(q), 6, k, shuffled);
    assert.equal(answer((await shuffled.search(queryAt(q), k, 1)).rows, 0, k), want, `single, query ${q}`);
    assert.equal(answer(batch.rows, q, k), want, `batch, query ${q}`);
  }
});

test.run();
