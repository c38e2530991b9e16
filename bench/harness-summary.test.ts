/** The harness's summary of repetitions: medians, every sweep label of any repetition, filters, memory. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type BenchReport, summarize } from "./harness.js";
import type { PointResult } from "./worker.js";

const latency = (p50: number) => ({ count: 10, qps: 1000 / p50, p50, p95: p50 * 2, p99: p50 * 3, mean: p50 });
const point = (label: string, recall: number, p50: number): PointResult => ({
  label,
  params: {},
  recall,
  latency: latency(p50),
  batchQps: 100,
  batchRecall: recall,
});

function run(rep: number, points: PointResult[], description: string): BenchReport["runs"][number] {
  return {
    rep,
    size: 50_000,
    system: "sigla",
    description,
    dataset: "lorem-50k",
    ingest: { addMs: 1000 * rep, buildMs: 0, rowsPerSecond: 50_000 / rep },
    points,
    startupMs: 10,
    diskBytes: 1e6,
    memoryBytes: 1e8 * rep,
    rssBytes: 3e8,
    servingMemoryBytes: 5e7 + rep,
    filters: [
      {
        label: "1%",
        rows: 500,
        queries: 20,
        point: points[0].label,
        recall: 0.9 + rep / 100,
        latency: latency(rep),
        unfilteredP50: 2,
      },
    ],
  };
}

test("every label of any repetition is summarised, each over the repetitions that have it", () => {
  const [s] = summarize([
    run(1, [point("effort=1", 0.99, 1), point("only-first", 0.5, 0.1)], "hnsw"),
    run(2, [point("effort=1", 0.97, 3)], "ivf"),
    run(3, [point("effort=1", 0.98, 2), point("only-third", 0.9, 9)], "ivf"),
  ]);
  assert.equal(
    s.points.map((p) => p.label),
    ["effort=1", "only-first", "only-third"],
  );
  assert.equal(s.points[0].p50, { median: 2, min: 1, max: 3 });
  assert.equal(s.points[0].recall, { median: 0.98, min: 0.97, max: 0.99 });
  assert.equal(s.points[2].p50, { median: 9, min: 9, max: 9 });
  assert.is(s.description, "hnsw / ivf");
  assert.equal(s.memoryBytes, { median: 2e8, min: 1e8, max: 3e8 });
  assert.equal(s.rssBytes, { median: 3e8, min: 3e8, max: 3e8 });
  assert.equal(s.servingMemoryBytes, { median: 5e7 + 2, min: 5e7 + 1, max: 5e7 + 3 });
  assert.equal(s.filters?.[0].recall, { median: 0.92, min: 0.91, max: 0.93 });
  assert.equal(s.filters?.[0].p50, { median: 2, min: 1, max: 3 });
});

test.run();
