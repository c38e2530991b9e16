/**
 * The principal subspace a graph walks in: found where rows vary about their mean in a few directions (as
 * embeddings of real text do), with distances there that keep each query's exact neighbours near the top;
 * not found where the spectrum is flat; the same coordinates by a matrix product as by the query loop.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { lowRankRows as lowRank } from "../../../test/helpers/vectors.js";
import { gaussian, seededRandom } from "../../random.js";
import { HotVectors } from "../hot-vectors.js";
import { Projection } from "./projection.js";

const DIM = 128;
const lowRankRows = (count: number, rank: number, seed: number) => lowRank(count, DIM, rank, seed);

const hotOf = (rows: Float32Array) =>
  HotVectors.adopt(
    DIM,
    Int32Array.from({ length: rows.length / DIM }, (_, i) => i),
    rows,
  );

function meanOf(rows: Float32Array): Float32Array {
  const mean = new Float32Array(DIM);
  for (let at = 0; at < rows.length; at += DIM) for (let j = 0; j < DIM; j++) mean[j] += rows[at + j];
  return mean.map((value) => value / (rows.length / DIM));
}

test("rows that vary in a few directions get their subspace, whose distances keep each query's exact top 10 near the top", async () => {
  const rows = lowRankRows(3000, 10, 1);
  const queries = lowRankRows(20, 10, 2);
  const hot = hotOf(rows);
  const projection = await Projection.fit(hot, meanOf(rows));
  assert.ok(projection, "a subspace");
  assert.is(projection.dims, 16);
  const all = Int32Array.from({ length: hot.size }, (_, i) => i);
  const projected = await projection.projectRows(hot, all);
  const looped = projection.project(rows);
  for (let i = 0; i < looped.length; i++)
    assert.ok(Math.abs(projected[i] - looped[i]) < 1e-4, `coordinate ${i}`);
  const asked = projection.project(queries);
  const dims = projection.dims;
  for (let q = 0; q < 20; q++) {
    const byProduct = [...all].sort((a, b) => score(queries, q, rows, b) - score(queries, q, rows, a));
    const distance = (row: number) => {
      let sum = 0;
      for (let a = 0; a < dims; a++) sum += (asked[q * dims + a] - projected[row * dims + a]) ** 2;
      return sum;
    };
    const near = new Set([...all].sort((a, b) => distance(a) - distance(b)).slice(0, 20));
    for (const row of byProduct.slice(0, 10))
      assert.ok(near.has(row), `query ${q}: row ${row} beyond the top 20`);
  }
});

test("rows of a flat spectrum, or too few rows, keep the full space", async () => {
  const normal = gaussian(seededRandom(4));
  const flat = Float32Array.from({ length: 3000 * DIM }, () => normal());
  assert.is(await Projection.fit(hotOf(flat), meanOf(flat)), undefined);
  const few = lowRankRows(500, 10, 1);
  assert.is(await Projection.fit(hotOf(few), meanOf(few)), undefined);
});

function score(a: Float32Array, i: number, b: Float32Array, j: number): number {
  let sum = 0;
  for (let d = 0; d < DIM; d++) sum += a[i * DIM + d] * b[j * DIM + d];
  return sum;
}

test.run();
