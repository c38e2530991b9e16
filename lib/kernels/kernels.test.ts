/**
 * The ORT kernels against the JS reference (`exactTopK`) at every size class: below the JS crossover, in the
 * one-thread session and in the all-core one; the grouped kernel with padded groups, short groups and
 * queries in several groups; the scratch pool never lends one buffer twice.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { gaussian, seededRandom } from "../random.js";
import { groupedTopK } from "./grouped-topk.js";
import { gatherTopK, gemmTopK, JS_MAX_WORK, PARALLEL_WORK } from "./ort-kernels.js";
import { ScratchPool } from "./scratch.js";
import { emptyTopK, exactTopK, type TopK } from "./top-k.js";

const DIM = 64;

function unitRows(count: number, seed: number): Float32Array {
  const gauss = gaussian(seededRandom(seed));
  const out = new Float32Array(count * DIM);
  for (let r = 0; r < count; r++) {
    let norm = 0;
    for (let d = 0; d < DIM; d++) {
      out[r * DIM + d] = gauss();
      norm += out[r * DIM + d] ** 2;
    }
    for (let d = 0; d < DIM; d++) out[r * DIM + d] /= Math.sqrt(norm);
  }
  return out;
}

/** Same rows in the same order (random data: no ties), same scores to float precision. */
function assertSameTopK(got: TopK, want: TopK, what: string): void {
  assert.is(got.k, want.k, `${what}: k`);
  assert.equal(Array.from(got.rows), Array.from(want.rows), `${what}: rows`);
  got.scores.forEach((score, i) => {
    const close = score === want.scores[i] || Math.abs(score - want.scores[i]) < 1e-4;
    assert.ok(close, `${what}: score ${i} ${score} vs ${want.scores[i]}`);
  });
}

const base = unitRows(6000, 1);
const queries = unitRows(40, 2);

test("gemmTopK and gatherTopK equal the JS reference in the JS, one-thread and all-core size classes", async () => {
  for (const [m, n] of [
    [1, 100],
    [1, 3000],
    [40, 6000],
  ]) {
    const work = m * n * DIM;
    const what = work < JS_MAX_WORK ? "js" : work < PARALLEL_WORK ? "serial" : "parallel";
    const q = queries.subarray(0, m * DIM);
    const b = base.subarray(0, n * DIM);
    assertSameTopK(await gemmTopK(q, b, DIM, 10), exactTopK(b, n, DIM, q, 10), `gemm ${what}`);
    const rows = Int32Array.from({ length: Math.floor(n / 2) }, (_, i) => (i * 7919) % 6000);
    assertSameTopK(
      await gatherTopK(q, base, DIM, rows, 10),
      exactTopK(base, 0, DIM, q, 10, rows),
      `gather ${what}`,
    );
  }
  const few = await gatherTopK(queries.subarray(0, DIM), base, DIM, Int32Array.of(5, 9, 2), 10);
  assert.is(few.k, 3, "k is clamped to the candidates");
  assert.equal([...few.rows].sort(), [2, 5, 9]);
});

test("groupedTopK keeps, per query, the best of every group it is in", async () => {
  const random = seededRandom(3);
  // Disjoint groups (as IVF lists are) of many shapes, so several padded calls; some with fewer rows
  // than k; queries in several groups.
  let next = 0;
  const groups = Array.from({ length: 60 }, (_, g) => {
    const size = g % 10 === 0 ? 1 + (g % 4) : 5 + Math.floor(random() * 180);
    const rows = Int32Array.from({ length: size }, () => (next++ * 7919) % 6000);
    const qs = new Set<number>();
    const count = 1 + Math.floor(random() * (g % 3 === 0 ? 9 : 2));
    while (qs.size < count) qs.add(Math.floor(random() * 40));
    return { queries: Int32Array.from(qs), rows };
  });
  groups.push({ queries: Int32Array.of(0), rows: new Int32Array(0) });
  const k = 10;
  const got = emptyTopK(40, k);
  await groupedTopK(queries, base, DIM, groups, got);
  for (let q = 0; q < 40; q++) {
    const mine = new Set<number>();
    for (const g of groups) if (g.queries.includes(q)) for (const r of g.rows) mine.add(r);
    const want = exactTopK(base, 0, DIM, queries.subarray(q * DIM, (q + 1) * DIM), k, Int32Array.from(mine));
    const slots = {
      k,
      rows: got.rows.subarray(q * k, (q + 1) * k),
      scores: got.scores.subarray(q * k, (q + 1) * k),
    };
    assertSameTopK(slots, want, `query ${q} (${mine.size} candidates)`);
  }
});

test("a scratch pool lends a buffer to one holder at a time and reuses it after", () => {
  const pool = new ScratchPool(2);
  const a = pool.take(100);
  const b = pool.take(100);
  assert.ok(a !== b, "two holders, two buffers");
  assert.ok(a.length >= 100 && b.length >= 100);
  pool.give(a);
  assert.is(pool.take(50), a, "a returned buffer is lent again");
  const big = pool.take(5000);
  assert.ok(big.length >= 5000, "grown to the need");
});

test.run();
