import { readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { codeOf } from "../test/helpers/errors.js";
import { quickBench } from "./quick-bench.js";

const leftovers = () => readdirSync(tmpdir()).filter((name) => name.startsWith("sigla-quick-bench-")).length;

test("measures each index kind against exact search and removes its store", async () => {
  const before = leftovers();
  const phases = new Set<string>();
  const result = await quickBench({ size: 600, queries: 20, onProgress: (p) => phases.add(p.phase) });
  assert.equal(
    result.points.map((p) => p.kind),
    ["flat", "ivf", "hnsw"],
  );
  assert.is(result.points[0].recall, 1, "flat is exact");
  for (const point of result.points) {
    assert.ok(point.recall > 0.5 && point.recall <= 1, `${point.kind} recall ${point.recall}`);
    assert.is(point.latency.count, 20);
    assert.ok(point.latency.p50 <= point.latency.p95 && point.latency.p95 <= point.latency.p99);
  }
  assert.equal([...phases], ["store", "exact", "flat", "ivf", "hnsw"]);
  assert.is(result.size, 600);
  assert.ok(typeof result.machine.cores === "number");
  assert.is(leftovers(), before);
});

test("an abort stops it with SIGLA_CANCELLED and still removes the store", async () => {
  const before = leftovers();
  const controller = new AbortController();
  const run = quickBench({
    size: 2000,
    queries: 50,
    signal: controller.signal,
    onProgress: (p) => p.phase === "store" && p.done >= 500 && controller.abort(),
  });
  assert.is(await codeOf(run), "SIGLA_CANCELLED");
  assert.is(leftovers(), before);
});

test("sizes out of range are refused", async () => {
  assert.is(await codeOf(quickBench({ size: 10 })), "SIGLA_INVALID_INPUT");
  assert.is(await codeOf(quickBench({ queries: 0 })), "SIGLA_INVALID_INPUT");
});

test.run();
