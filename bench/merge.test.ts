import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { tempDir } from "../test/helpers/temp.js";
import { point, report, system } from "./fixtures/bench-report.js";
import type { BenchReport } from "./harness.js";
import { mergeInto, mergeReports } from "./merge.js";
import { reportMarkdown, reportProblems, targetsOf, writeReport } from "./report.js";

const fast = [point("p", { recall: 0.99, p50: 0.5, p95: 0.8, p99: 1, batchQps: 5000 })];
const slow = [point("p", { recall: 0.99, p50: 2, p95: 4, p99: 6, batchQps: 1000 })];
const peers = (size: number, names: string[]) =>
  names.map((name) => system(name, size, name === "sigla" ? fast : slow));

/** The 50k and 200k run: five systems, three repetitions. */
const small = report("store", [
  ...peers(50_000, ["sigla", "sigla-nolink", "lancedb", "chroma", "exact"]),
  ...peers(200_000, ["sigla", "sigla-nolink", "lancedb", "chroma", "exact"]),
]);

/** The 1M run, apart: four systems, one repetition, on another day. */
function large(p50: number): BenchReport {
  const base = report("store", [
    system("sigla", 1_000_000, [point("p", { recall: 0.99, p50, p95: p50 * 2, batchQps: 3000 })], {
      servingMemoryBytes: { median: 1.6e9, min: 1.6e9, max: 1.6e9 },
    }),
    ...peers(1_000_000, ["lancedb", "chroma", "exact"]),
  ]);
  return {
    ...base,
    createdAt: "2026-02-01T00:00:00.000Z",
    durationMs: 90 * 60_000,
    machine: { ...base.machine, cpu: "Other CPU" },
    settings: { ...base.settings, repsBySize: { 1000000: 1 } },
    runs: base.runs.filter((run) => run.rep === 1),
  };
}

test("a 1M run merged into the 50k and 200k report: a whole report with both runs' machines and commands", () => {
  const merged = mergeReports(small, large(3));
  assert.equal(reportProblems(merged), []);
  assert.equal(merged.settings.sizes, [50_000, 200_000, 1_000_000]);
  assert.equal(merged.settings.repsBySize, { 1000000: 1 });
  assert.equal(merged.settings.systemsBySize, { 1000000: ["sigla", "lancedb", "chroma", "exact"] });
  assert.is(merged.runs.length, 2 * 5 * 3 + 4);
  assert.equal(
    merged.datasets.map((d) => d.size),
    [50_000, 200_000, 1_000_000],
  );
  assert.is(merged.createdAt, "2026-02-01T00:00:00.000Z");
  assert.is(merged.durationMs, 60_000 + 90 * 60_000);
  const p95 = targetsOf(merged).find((t) => t.name === "p95 at 1M");
  assert.is(p95?.met, true, "the 1M targets are read from the 1M run");
  const markdown = reportMarkdown(merged);
  assert.match(markdown, "Machine (50k, 200k): Test CPU");
  assert.match(markdown, "Machine (1M): Other CPU");
  assert.match(markdown, "--sizes 1M");
  assert.match(markdown, "--sizes 50k,200k");
});

test("merging a size again replaces its runs; a report of another suite is refused", () => {
  const once = mergeReports(small, large(3));
  const twice = mergeReports(once, large(20));
  assert.equal(reportProblems(twice), []);
  assert.is(twice.runs.length, once.runs.length);
  assert.is(twice.parts?.length, 2, "the replaced 1M run is gone from the parts");
  assert.is(targetsOf(twice).find((t) => t.name === "p95 at 1M")?.met, false);
  assert.throws(
    () => mergeReports(small, report("lorem", peers(50_000, ["sigla", "exact"]))),
    /lorem report into a store/,
  );
});

test("mergeInto a folder: its report when there is one, the run itself when there is none", async () => {
  const dir = tempDir();
  assert.is(await mergeInto(dir, small), small, "nothing to merge into");
  await writeReport(small, dir, { json: true });
  const merged = await mergeInto(dir, large(3));
  assert.equal(merged.settings.sizes, [50_000, 200_000, 1_000_000]);
  assert.match(readFileSync(join(dir, "bench-store.json"), "utf8"), '"benchmark": "systems"');
});

test.run();
