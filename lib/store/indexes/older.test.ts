/**
 * The exact fallback of auto-linking: every capsule whose slots an index left unfilled gets exactly its
 * k nearest older capsules, whatever order the hot rows are in, skipping capsules being removed, across
 * several blocks and pieces of the products; capsules whose slots were filled are left alone.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { emptyTopK, offer } from "../../kernels/top-k.js";
import { seededRandom } from "../../random.js";
import { HotVectors } from "../hot-vectors.js";
import { olderExact } from "./older.js";

const DIM = 16;
const K = 5;

test("unfilled capsules get exactly their k nearest older capsules", async () => {
  const random = seededRandom(3);
  const count = 2600;
  // Capsule ids with gaps, in rows shuffled away from id order (deletes move rows around).
  const ids = Int32Array.from({ length: count }, (_, i) => 3 * i + 1);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [ids[i], ids[j]] = [ids[j], ids[i]];
  }
  const data = Float32Array.from({ length: count * DIM }, () => random() - 0.5);
  const hot = HotVectors.adopt(DIM, ids, data);
  const vectorOf = (id: number) => hot.vector(id) as Float32Array;
  const score = (a: number, b: number) => vectorOf(a).reduce((s, x, j) => s + x * vectorOf(b)[j], 0);

  // The newest 1500 capsules are the batch (three blocks; their older capsules span two pieces).
  const sorted = Array.from(ids).sort((a, b) => a - b);
  const batch = sorted.slice(count - 1500);
  const excluded = new Set(sorted.filter((_, i) => i % 97 === 5));
  const best = emptyTopK(batch.length, K);
  // Every tenth capsule was filled by "the index" already, with a marker that must survive.
  for (let q = 0; q < batch.length; q += 10)
    for (let j = 0; j < K; j++) offer(best, q * K, 1_000_000 + j, 9 - j);

  await olderExact(hot, batch, best, K, excluded);

  batch.forEach((id, q) => {
    const got = Array.from(best.rows.subarray(q * K, (q + 1) * K));
    if (q % 10 === 0) {
      assert.equal(got, [1_000_000, 1_000_001, 1_000_002, 1_000_003, 1_000_004], "filled slots are kept");
      return;
    }
    const want = sorted
      .filter((other) => other < id && !excluded.has(other))
      .map((other) => [other, score(id, other)] as const)
      .sort((a, b) => b[1] - a[1])
      .slice(0, K)
      .map(([other]) => other);
    assert.equal(got, want, `capsule ${id}`);
  });
});

test("a capsule with no older capsule keeps empty slots", async () => {
  const hot = HotVectors.adopt(DIM, Int32Array.from([4, 9]), new Float32Array(2 * DIM).fill(0.25));
  const best = emptyTopK(2, K);
  await olderExact(hot, [4, 9], best, K, new Set());
  assert.equal(Array.from(best.rows.subarray(0, K)), [-1, -1, -1, -1, -1]);
  assert.equal(Array.from(best.rows.subarray(K, 2 * K)), [4, -1, -1, -1, -1]);
});

test.run();
