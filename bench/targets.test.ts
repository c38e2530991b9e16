/** The targets table's logic on hand-made summaries: which target is met, not met or not run, and why. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { filterSummary, point, report, same, system } from "./fixtures/bench-report.js";
import {
  encoderTargets,
  makeTarget,
  sizeTargets,
  suiteTargets,
  type Target,
  targetRows,
  targetSizes,
} from "./targets.js";

const byName = (targets: Target[], name: string) => {
  const found = targets.find((t) => t.name === name);
  if (!found) throw new Error(`no target ${name} in ${targets.map((t) => t.name).join(", ")}`);
  return found;
};

/** SIGLA at 0.4 ms p50 against Chroma 2.0 ms and LanceDB 1.0 ms; exact 0.3 ms. */
function rows50k() {
  return [
    system("sigla", 50_000, [
      point("fast", { recall: 0.9, p50: 0.1 }), // below the recall floor: never picked
      point("ok", { recall: 0.98, p50: 0.4, p99: 1.5, batchQps: 4000 }),
      point("slow", { recall: 0.999, p50: 0.9 }),
    ]),
    system("chroma", 50_000, [point("ef", { recall: 0.975, p50: 2.0, p99: 6, batchQps: 3000 })]),
    system("lancedb", 50_000, [point("ef", { recall: 0.99, p50: 1.0, p99: 2, batchQps: 1000 })]),
    system("exact", 50_000, [point("exact", { recall: 1, p50: 0.3 })]),
  ];
}

test("p50, p99 and batched QPS against the better peer and the exact scan, at recall ≥ 0.97", () => {
  const targets = sizeTargets("store", 50_000, rows50k());
  const p50 = byName(targets, "p50 vs peers");
  assert.is(p50.measured, 0.4, "the fastest point at recall ≥ 0.97, not the faster one below it");
  assert.is(p50.bound, 0.5, "0.5 × LanceDB's 1.0 ms, the better peer");
  assert.ok(p50.met);
  assert.match(p50.goal, /0\.5 × lancedb's 1 ms/);
  const exact = byName(targets, "p50 vs own exact scan");
  assert.is(exact.bound, 0.3);
  assert.not.ok(exact.met, "0.4 ms is above the exact scan's 0.3 ms");
  assert.ok(Math.abs((exact.ratio ?? 0) - 0.4 / 0.3) < 1e-9);
  const p99 = byName(targets, "p99 vs peers");
  assert.is(p99.bound, 2, "LanceDB's p99 is the better one");
  assert.ok(p99.met);
  const qps = byName(targets, "batched QPS vs peers");
  assert.is(qps.bound, 4500, "1.5 × Chroma's 3000");
  assert.not.ok(qps.met, "4000 < 4500");
  assert.is(qps.op, "≥");
  assert.ok((qps.ratio ?? 0) > 1);
  assert.not.ok(
    targets.some((t) => t.name === "p95 at 1M" || t.name === "memory vs raw vectors"),
    "1M targets only at 1M",
  );
});

test("sigla-nolink stands in for sigla; a system that never reaches the floor leaves the target not run", () => {
  const rows = rows50k().map((r) => (r.system === "sigla" ? { ...r, system: "sigla-nolink" as const } : r));
  assert.is(byName(sizeTargets("store", 50_000, rows), "p50 vs peers").measured, 0.4);
  const slow = rows50k().map((r) =>
    r.system === "sigla" ? { ...r, points: [point("x", { recall: 0.5, p50: 0.1 })] } : r,
  );
  const t = byName(sizeTargets("store", 50_000, slow), "p50 vs peers");
  assert.is(t.measured, null);
  assert.is(t.ratio, null);
  assert.not.ok(t.met);
  const noPeers = sizeTargets(
    "store",
    50_000,
    rows50k().filter((r) => r.system === "sigla"),
  );
  assert.is(byName(noPeers, "p50 vs peers").bound, null);
  assert.match(byName(noPeers, "p50 vs peers").goal, /not run/);
});

test("1M: p95 at recall ≥ 0.95 within 10 ms, memory within 1.3× the raw vectors", () => {
  const raw = 1_000_000 * 384 * 4;
  const sigla = system(
    "sigla",
    1_000_000,
    [point("a", { recall: 0.96, p50: 2, p95: 8 }), point("b", { recall: 0.99, p50: 3, p95: 12 })],
    { memoryBytes: same(1.5 * raw) },
  );
  const targets = sizeTargets("lorem", 1_000_000, [sigla]);
  const tail = byName(targets, "p95 at 1M");
  assert.is(tail.measured, 8, "the lowest p95 among points with recall ≥ 0.95");
  assert.ok(tail.met);
  const memory = byName(targets, "memory vs raw vectors");
  assert.is(memory.measured, 1.5);
  assert.not.ok(memory.met);
  assert.is(tail.suite, "lorem");
  // Where a fresh process measured the serving memory, that is the figure, not what ingest left behind.
  const served = { ...sigla, servingMemoryBytes: same(1.2 * raw) };
  const servedMemory = byName(sizeTargets("lorem", 1_000_000, [served]), "memory vs raw vectors");
  assert.is(servedMemory.measured, 1.2);
  assert.ok(servedMemory.met);
});

test("filters: recall ≥ 0.97 and p50 ≤ 2× the unfiltered p50", () => {
  const rows = rows50k().map((r) =>
    r.system === "sigla"
      ? { ...r, filters: [filterSummary("1%", 0.96, 0.5, 0.4), filterSummary("50%", 0.99, 1.2, 0.4)] }
      : r,
  );
  const targets = sizeTargets("store", 50_000, rows);
  assert.not.ok(byName(targets, "filter 1%: recall").met);
  assert.ok(byName(targets, "filter 1%: p50").met, "0.5 / 0.4 = 1.25 ≤ 2");
  assert.ok(byName(targets, "filter 50%: recall").met);
  const half = byName(targets, "filter 50%: p50");
  assert.ok(Math.abs((half.measured ?? 0) - 3) < 1e-9);
  assert.not.ok(half.met);
  // Without filter results the rows are there, not run.
  const none = sizeTargets("store", 50_000, rows50k());
  assert.is(byName(none, "filter 50%: recall").ratio, null);
});

test("a report lists 50k and 1M whether run or not, plus every size it ran; a missing report is all not run", () => {
  const r = report("store", [...rows50k(), system("sigla", 200_000, [point("a", { recall: 1, p50: 1 })])]);
  assert.equal(targetSizes(r), [50_000, 200_000, 1_000_000]);
  const all = suiteTargets(r, "store");
  assert.ok(all.filter((t) => t.size === 1_000_000).every((t) => t.ratio === null));
  assert.ok(all.some((t) => t.size === 50_000 && t.met));
  const missing = suiteTargets(undefined, "lorem");
  assert.ok(missing.length > 0 && missing.every((t) => t.ratio === null && t.suite === "lorem"));
  assert.equal([...new Set(missing.map((t) => t.size))], [50_000, 1_000_000]);
});

test("encoder targets: its own rows, else the known fields, else not run", () => {
  // As npm run bench:encoder writes them: its verdict stands (a bound per MiB is not a plain number).
  const own = encoderTargets({
    targets: [
      { name: "use-lite characters/s", value: 20_000, target: "≥ 15000", met: true },
      { name: "ingest of 1.20 MiB, seconds", value: 33, target: "≤ 30 per MiB", met: true },
      { name: "cosine", value: 0.998, target: "≥ 0.999", met: false },
      { name: "not measured", target: "≥ 1", met: false },
      { bad: 1 },
    ],
  });
  assert.equal(
    own.map((t) => [t.name, t.goal, t.met, t.ratio === null]),
    [
      ["use-lite characters/s", "≥ 15000", true, false],
      ["ingest of 1.20 MiB, seconds", "≤ 30 per MiB", true, false],
      ["cosine", "≥ 0.999", false, false],
      ["not measured", "≥ 1", false, true],
    ],
  );
  assert.is(own[0].op, "≥");
  assert.is(own[0].bound, 15_000);
  const fields = encoderTargets({ useLite: { onnx: { charactersPerSecond: 9000 } }, docsIngestSeconds: 25 });
  assert.is(byName(fields, "encoder speed").measured, 9000);
  assert.not.ok(byName(fields, "encoder speed").met);
  assert.ok(byName(fields, "1 MB docs ingest").met);
  assert.ok(encoderTargets({}).every((t) => t.ratio === null));
});

test("rows read yes, no and not run; ≥ targets normalise their ratio", () => {
  const rows = targetRows([
    makeTarget({
      name: "a",
      suite: "clustered",
      size: 50_000,
      what: "",
      measured: 1,
      unit: "ms",
      bound: 2,
      op: "≤",
    }),
    makeTarget({
      name: "b",
      suite: "lorem",
      size: 1_000_000,
      what: "",
      measured: 1,
      unit: "QPS",
      bound: 2,
      op: "≥",
    }),
    makeTarget({
      name: "c",
      suite: "encoder",
      size: null,
      what: "",
      measured: null,
      unit: "",
      bound: 2,
      op: "≤",
    }),
  ]).rows;
  assert.equal(
    rows.map((r) => [r[1], r[3], r[4], r[5]]),
    [
      ["50k", "1 ms", "≤ 2 ms", "yes"],
      ["1M", "1 QPS", "≥ 2 QPS", "no"],
      ["—", "—", "≤ 2", "not run"],
    ],
  );
});

test.run();
