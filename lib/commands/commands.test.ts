import { existsSync, readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { caught } from "../../test/helpers/dsl.js";
import { tempDir, tempPath } from "../../test/helpers/temp.js";
import { loadUseLite } from "../embed/use-lite.js";
import { STEPS, type TraceEvent } from "../pipeline/types.js";
import { benchCommand, chartCommand } from "./bench-commands.js";
import { memoryCommand } from "./memory-command.js";
import { runCommand } from "./registry.js";
import { SAMPLE_CORPUS, seedSample } from "./sample.js";
import { queryCommand } from "./store-commands.js";
import { errorLine, formatResult } from "./text.js";
import type {
  AskResult,
  IngestResult,
  JobProgress,
  MemoryResult,
  QueryResult,
  StoreResult,
} from "./types.js";
import { Workbench } from "./workbench.js";

const reports = tempDir();
let bench: Workbench;

test.before(async () => {
  bench = await Workbench.open({ path: tempPath(), embedder: await loadUseLite(), reports });
});
test.after(async () => {
  await bench.close();
});

test("seedSample ingests the bundled corpus into an empty store, with progress, and never twice", async () => {
  const progress: JobProgress[] = [];
  const report = await seedSample(bench.store, { onProgress: (p) => progress.push(p) });
  assert.ok(report, "an empty store is seeded");
  assert.ok(report.files >= 30, `the sample has a few dozen notes, got ${report.files}`);
  assert.is(await bench.store.count(), report.ids.length);
  assert.is(progress.at(-1)?.done, report.files);
  assert.ok(progress.every((p) => p.job === "sample corpus" && p.unit === "files"));
  assert.is(await seedSample(bench.store), undefined, "a store with capsules is left alone");
  const tags = await bench.tags();
  for (const tag of ["sample", "lancedb", "vector-search", "memory", "pipeline"])
    assert.ok(tags.includes(tag), tag);
  assert.ok(SAMPLE_CORPUS.endsWith("datasets/sample/"));
});

test("plain text asks the pipeline: ten steps start and end in order, and the answer cites the sample", async () => {
  const events: TraceEvent[] = [];
  const result = (await runCommand(bench, "What is the SIFT gate?", {
    onTrace: (e) => events.push(e),
  })) as AskResult;
  assert.is(result.kind, "ask");
  assert.is(events.length, 20);
  STEPS.forEach((step, i) => {
    assert.equal([events[2 * i].step, events[2 * i].status], [step, "start"]);
    assert.equal([events[2 * i + 1].step, events[2 * i + 1].status], [step, "end"]);
  });
  assert.match(result.turn.answer, /SIFT gate decides whether a SHADOW node may be promoted/);
  assert.match(result.turn.answer, /∆DΩΛ/);
  assert.ok(result.turn.citations.length > 0);
  assert.match(
    formatResult(result),
    /pain \d\.\d\d {2}trust \d\.\d\d {2}clarity \d\.\d\d {2}drift \d\.\d\d {2}voice/,
  );
});

test(":trace shows the last turn's ten steps; a turn that does not exist is a usage error", async () => {
  const result = await runCommand(bench, ":trace");
  assert.is(result.kind, "trace");
  if (result.kind !== "trace") return;
  assert.equal(
    result.events.map((e) => e.step),
    [...STEPS],
  );
  assert.match(formatResult(result), /^turn 1, [\d.]+ ms\n {2}1\. perception/);
  const error = await caught(() => runCommand(bench, ":trace 9"));
  assert.match(error.message, /^:trace: turn must be from 1 to 1, got 9/);
  assert.match((await caught(() => runCommand(bench, ":trace last"))).message, /turn must be a number/);
});

test(":query finds by meaning, with -k, --tags and --mode", async () => {
  const result = (await runCommand(
    bench,
    ':query "LanceDB table versions" -k 3 --tags lancedb --mode hybrid',
  )) as QueryResult;
  assert.is(result.hits.length, 3);
  assert.ok(result.hits.every((hit) => hit.tags.includes("lancedb")));
  assert.ok(result.hits.some((hit) => hit.text.includes("new table version")));
});

test(":dsl runs a program and shows hits, steps and the prompt", async () => {
  const result = await runCommand(
    bench,
    ':dsl INTENT "compare index types" | RETRIEVE k=4 | MERGE | INJECT "{{count}} hits"',
  );
  assert.is(result.kind, "dsl");
  const text = formatResult(result);
  assert.match(text, /steps: INTENT [\d.]+ ms → 0 \| RETRIEVE [\d.]+ ms → 4/);
  assert.match(text, /\n4 hits$/);
  assert.is((await caught(() => runCommand(bench, ":dsl RETRIEVE k=0"))).code, "SIGLA_DSL_ARGUMENT");
  assert.is((await caught(() => runCommand(bench, ':dsl INTENT "x" |'))).code, "SIGLA_DSL_PARSE");
});

test(":ingest adds files with progress; an abort keeps whole files only and says how many", async () => {
  const docs = tempDir();
  await mkdir(join(docs, "extra"));
  for (let i = 0; i < 6; i++)
    await writeFile(
      join(docs, "extra", `n${i}.md`),
      `Extra note ${i} about knitting patterns and wool ${i}.`,
    );
  const before = await bench.store.count();
  const controller = new AbortController();
  const seen: JobProgress[] = [];
  const error = await caught(() =>
    runCommand(bench, `:ingest ${docs} --tags knit`, {
      signal: controller.signal,
      onProgress: (p) => {
        seen.push(p);
        if (p.done === 2) controller.abort();
      },
    }),
  );
  assert.is(error.code, "SIGLA_CANCELLED"); // issue 12: every cancellation is SIGLA_CANCELLED
  assert.match(error.message, /^ingest cancelled after 2 of 6 files \(2 capsules stored\)/);
  assert.is(await bench.store.count(), before + 2, "only the finished files are stored");
  assert.is(seen[0].job, "ingest");

  const result = (await runCommand(bench, `:ingest ${docs} --tags knit`)) as IngestResult;
  assert.equal([result.report.files, result.report.unchanged, result.report.added], [6, 2, 4]);
  assert.is(result.count, before + 6);
  const hits = (await runCommand(bench, ":query wool -k 6 --tags knit")) as QueryResult;
  assert.is(hits.hits.length, 6);
  assert.match(
    (await caught(() => runCommand(bench, `:ingest ${join(docs, "nope")}`))).code,
    /SIGLA_(INGEST|INVALID_INPUT)/,
  );
});

test(":memory shows counts per layer and the newest nodes of a layer", async () => {
  // Self-evaluations live in the conversation now, apart from the knowledge: SHADOW gets a node of its own.
  await bench.pipeline.memory.shadow({ content: "Maybe IVF suits this store.", kind: "HYPOTHESIS" });
  const summary = (await runCommand(bench, ":memory")) as MemoryResult;
  assert.ok(summary.counts && summary.counts.capsules === (await bench.store.count()));
  assert.ok((summary.counts?.shadow ?? 0) >= 1, "the SHADOW node is counted");
  const shadow = (await runCommand(bench, ":memory shadow -n 1")) as MemoryResult;
  assert.is(shadow.rows?.length, 1);
  assert.is(shadow.rows?.[0].layer, "shadow");
  assert.match(formatResult(shadow), /shadow\/RAW/);
  const history = (await runCommand(bench, ":memory history")) as MemoryResult;
  assert.ok((history.rows?.length ?? 0) >= 1);
  assert.is((await runCommand(bench, ":memory communities")).kind, "memory");
});

test(":chart metrics draws the session in Unicode and writes the PNG; recall needs numbers", async () => {
  const result = await runCommand(bench, ":chart");
  assert.is(result.kind, "chart");
  if (result.kind !== "chart") return;
  assert.match(result.chart.lines.join("\n"), /^turns 1–1\npain {4}[▁▂▃▄▅▆▇█] {2}0\.\d\d/);
  assert.is(result.chart.png, join(reports, "sigla-metrics.png"));
  const png = readFileSync(join(reports, "sigla-metrics.png"));
  assert.equal([...png.subarray(1, 4)], [...Buffer.from("PNG")]);
});

test(":bench measures the index kinds against exact search; :chart latency then draws it", async () => {
  const progress: JobProgress[] = [];
  const result = await runCommand(bench, ":bench --size 400 --queries 10", {
    onProgress: (p) => progress.push(p),
  });
  assert.is(result.kind, "bench");
  if (result.kind !== "bench") return;
  assert.equal(
    result.result.points.map((p) => p.kind),
    ["flat", "ivf", "hnsw"],
  );
  assert.is(result.result.points[0].recall, 1, "flat is exact");
  assert.ok(progress.some((p) => p.unit === "vectors") && progress.some((p) => p.label === "hnsw"));
  const chart = await runCommand(bench, `:chart latency --out ${join(reports, "out")}`);
  assert.ok(chart.kind === "chart" && existsSync(join(reports, "out", "sigla-latency.png")));
  assert.match(formatResult(chart), /flat {2}p50 /);
});

test(":bench store runs the harness and writes its report; :chart ingest|memory|qps from it", async () => {
  const out = join(reports, "suite");
  const progress: JobProgress[] = [];
  const result = await runCommand(
    bench,
    `:bench store --sizes 600 --systems sigla,exact --reps 3 --queries 20 --out ${out}`,
    {
      onProgress: (p) => progress.push(p),
    },
  );
  assert.is(result.kind, "bench-report");
  if (result.kind !== "bench-report") return;
  assert.equal(result.report.summary.map((s) => s.system).sort(), ["exact", "sigla"]);
  assert.ok(existsSync(join(out, "bench-store.json")) && existsSync(join(out, "bench-store.md")));
  assert.equal(progress.at(-1)?.done, 6, "six worker runs: 2 systems × 3 repetitions");
  const text = formatResult(result);
  assert.match(text, /^store: sigla, exact on clustered-600, median of 3 runs/);
  assert.match(text, /\nsigla +flat \(exact\) +1\.000 /);
  const from = join(out, "bench-store.json");
  for (const kind of ["ingest", "memory", "qps"]) {
    const chart = await runCommand(bench, `:chart ${kind} from ${from} --out ${out}`);
    assert.ok(chart.kind === "chart" && existsSync(join(out, `sigla-${kind}.png`)), kind);
    if (chart.kind === "chart") assert.match(chart.chart.source, /bench-store\.json, clustered-600$/);
  }
  const ingest = formatResult(await runCommand(bench, `:chart ingest from ${from} --out ${out}`));
  assert.match(ingest, /clustered-600 sigla +█/, "sigla's bar; exact stores nothing and has none");
  assert.not.match(ingest, /clustered-600 exact/);
  assert.is(
    (await caught(() => runCommand(bench, `:chart qps from ${join(out, "nope.json")}`))).code,
    "SIGLA_USAGE",
  );
  assert.match(
    (await caught(() => runCommand(bench, ":chart qps from"))).message,
    /only "from <report.json>" may follow/,
  );
  assert.match(
    (await caught(() => runCommand(bench, ":bench nope"))).message,
    /quick, store, lorem, retrieval/,
  );
});

test(":store shows the store; with a path it opens another one and the session follows", async () => {
  const shown = (await runCommand(bench, ":store")) as StoreResult;
  assert.is(shown.opened, false);
  assert.ok(shown.stats.count > 0);
  const first = bench.store.path;
  const other = tempPath();
  const opened = (await runCommand(bench, `:store ${other}`)) as StoreResult;
  assert.ok(opened.opened);
  assert.is(opened.stats.count, 0);
  assert.is(bench.session.traces.length, 0, "a new store has a new session");
  assert.match((await caught(() => runCommand(bench, ":trace"))).message, /no turns yet/);
  await runCommand(bench, `:store ${first}`);
  assert.is(bench.session.traces.length, 1, "the first store's session is back");
});

test("typed commands check their counts like the command line: past LIMITS is a usage error naming the flag", async () => {
  const usage = ':query "<text>" [-k 5] [--tags a,b] [--mode vector|fts|hybrid]';
  assert.equal(await caught(() => queryCommand(bench, { text: "wool", k: 99_999_999_999 })), {
    code: "SIGLA_USAGE",
    message: `:query: -k must be an integer from 1 to 10000, got 99999999999 — usage: ${usage}`,
    position: undefined,
  });
  assert.match((await caught(() => queryCommand(bench, { text: "wool", k: 2.5 }))).message, /got 2\.5 —/);
  const most = await queryCommand(bench, { text: "wool", k: 10_000 });
  assert.is(most.hits.length, await bench.store.count(), "the bound itself is accepted");
  assert.match(
    (await caught(() => memoryCommand(bench, { n: 0 }))).message,
    /^:memory: -n must be an integer from 1 to 1000, got 0/,
  );
  assert.match(
    (await caught(() => memoryCommand(bench, { n: 10_001 }))).message,
    /^:memory: -n must be an integer/,
  );
  assert.match(
    (await caught(() => chartCommand(bench, { kind: "graph", id: 0, depth: 99 }))).message,
    /^:chart: --depth must be an integer from 0 to 4, got 99/,
  );
  assert.match(
    (await caught(() => benchCommand(bench, { size: 1e9 }))).message,
    /^:bench: --size must be an integer from 100 to 50000, got 1000000000/,
  );
  const dsl = await caught(() => runCommand(bench, ':dsl RETRIEVE q="wool" k=99999999999'));
  assert.equal(
    [dsl.code, dsl.message],
    ["SIGLA_DSL_ARGUMENT", "position 20: RETRIEVE k must be an integer from 1 to 10000, got 99999999999"],
  );
});

test("the error line of a failed command is its first line, cut to 500 characters", async () => {
  let line = "";
  try {
    await runCommand(bench, `:ingest ${join(tempDir(), "y".repeat(3000))}`);
  } catch (error) {
    line = errorLine(error);
  }
  assert.match(line, /^SIGLA_INGEST: cannot read .*yyyy…$/);
  assert.is(line.length, "SIGLA_INGEST: ".length + 500);
  assert.is(errorLine(new Error("first\n  at somewhere.ts:1:1")), "SIGLA_INTERNAL: first");
});

test(":ingest skips an unreadable file and lists it under the summary; --strict fails on it", async () => {
  const mixed = tempDir();
  await writeFile(join(mixed, "good.txt"), "Felting turns loose wool into dense cloth with hot water.");
  await writeFile(join(mixed, "bad.txt"), "binary\u0000data\u0000");
  const strict = await caught(() => runCommand(bench, `:ingest ${mixed} --strict`));
  assert.is(strict.code, "SIGLA_INGEST");
  assert.match(strict.message, /bad\.txt/);
  const result = (await runCommand(bench, `:ingest ${mixed}`)) as IngestResult;
  assert.equal(
    result.report.skipped.map((s) => s.path),
    [join(mixed, "bad.txt")],
  );
  const lines = formatResult(result).split("\n");
  assert.match(lines[0], /^2 files: 1 capsules added, 0 unchanged, 0 replaced, 1 skipped — store holds \d+$/);
  assert.match(lines[1], /^skipped:? .+/);
  assert.is(lines[1].split(join(mixed, "bad.txt")).length, 2, "the skipped file is named once");
  assert.match(
    formatResult(await runCommand(bench, ":help ingest")),
    /--strict +fail on the first unreadable file/,
  );
});

test(":help lists every command; :help <name> shows its flags; :quit says so", async () => {
  assert.match(formatResult(await runCommand(bench, ":help")), /:ingest <paths…> \[--tags a,b\]/);
  assert.match(formatResult(await runCommand(bench, ":help query")), /-k <n> {2}hits/);
  assert.is((await caught(() => runCommand(bench, ":help nope"))).code, "SIGLA_USAGE");
  assert.equal(await runCommand(bench, ":quit"), { kind: "quit" });
});

test.run();
