/**
 * Filtered search in the in-process systems (SIGLA, bare LanceDB, exact; Chroma's is in chroma.test.ts):
 * each stores the rows' buckets its own way, and a filtered query returns kept rows only, close to the
 * exact filtered top-10 (`filteredTopK`, the harness's ground truth).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { tempDir } from "../../test/helpers/temp.js";
import { clusteredMatrix } from "../datasets/clustered.js";
import { FILTERS, filteredTopK, keptRows, rowBuckets } from "../filters.js";
import { recallAtK } from "../measure.js";
import type { SystemName } from "./index.js";
import type { BenchRows } from "./types.js";

// LanceDB warns on every filtered search that `_distance` is projected; the harness's workers set this too.
process.env.LANCEDB_LOG ??= "error";
const { openSystem } = await import("./index.js");

const COUNT = 3_000;
const DIM = 32;
const QUERIES = 20;

const rows: BenchRows = {
  count: COUNT,
  dim: DIM,
  vectors: clusteredMatrix({ count: COUNT, dim: DIM, clusters: 20, seed: 5 }),
  buckets: rowBuckets(COUNT),
};
const queries = clusteredMatrix({ count: QUERIES, dim: DIM, clusters: 20, seed: 6 });
const queryOf = (q: number) => queries.subarray(q * DIM, (q + 1) * DIM);

test("the buckets keep about 1% and 50% of the rows, spread over the ids", () => {
  const [one, half] = FILTERS.map((f) => keptRows(rows.buckets, f).length / COUNT);
  assert.ok(one > 0.005 && one < 0.02, `1% filter keeps ${one}`);
  assert.ok(half > 0.45 && half < 0.55, `50% filter keeps ${half}`);
  const firstHalf = keptRows(rows.buckets, FILTERS[1]).filter((i) => i < COUNT / 2).length;
  assert.ok(Math.abs(firstHalf / (half * COUNT) - 0.5) < 0.05, "not clumped at one end");
});

test("filteredTopK returns kept rows in score order and pads with -1 when fewer than k are kept", async () => {
  const tiny = { ...rows, count: 60, vectors: rows.vectors.subarray(0, 60 * DIM), buckets: rowBuckets(60) };
  const truth = await filteredTopK(tiny.vectors, tiny.buckets, queryOf(0), DIM, 10, FILTERS[0]);
  const kept = keptRows(tiny.buckets, FILTERS[0]);
  assert.ok(kept.length < 10, "fewer kept rows than k");
  assert.equal([...truth.subarray(0, kept.length)].sort(), [...kept].sort());
  assert.ok(truth.subarray(kept.length).every((id) => id === -1));
});

for (const name of ["sigla-nolink", "lancedb", "exact"] as SystemName[]) {
  test(`${name}: filtered queries return kept rows only, near the exact filtered top-10`, async () => {
    const system = await openSystem(name, {
      workDir: tempDir(`sigla-filter-${name}-`),
      dim: DIM,
      log: () => {},
    });
    try {
      await system.ingest(rows);
      const point = system.sweep().at(-1) ?? system.sweep()[0];
      for (const filter of FILTERS) {
        const truth = await filteredTopK(rows.vectors, rows.buckets, queries, DIM, 10, filter);
        const found: number[][] = [];
        for (let q = 0; q < QUERIES; q++) found.push(await system.search(queryOf(q), 10, point, filter));
        for (const ids of found) {
          assert.ok(ids.length === 10, `${filter.label}: 10 hits`);
          assert.ok(
            ids.every((id) => rows.buckets[id] < filter.keep),
            `${filter.label}: only kept rows`,
          );
        }
        const exact = Array.from({ length: QUERIES }, (_, q) => [...truth.subarray(q * 10, (q + 1) * 10)]);
        const recall = recallAtK(exact, found, 10);
        assert.ok(recall >= (name === "exact" ? 1 : 0.9), `${filter.label}: recall ${recall}`);
      }
    } finally {
      await system.close();
    }
  });
}

test.run();
