/** `:bench` (the quick in-process store benchmark) and `:chart` (terminal drawing plus a Vega-Lite PNG). */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseSize } from "../../bench/dataset.js";
import type { BenchReport } from "../../bench/harness.js";
import { quickBench } from "../../bench/quick-bench.js";
import { CHART_TITLES, chartValues, writeReport } from "../../bench/report.js";
import { layoutGraph } from "../charts/capsule-graph.js";
import { buildChart, CHART_KINDS, type ChartData, type ChartKind } from "../charts/chart.js";
import { latencyRowsOf } from "../charts/latency-percentiles.js";
import { recallLatencyPoints } from "../charts/recall-latency.js";
import { MEASURED_QPS_AXIS, recallQpsPoints } from "../charts/recall-qps.js";
import { writeChartPng } from "../charts/render.js";
import { SiglaError, UsageError } from "../errors.js";
import { defineCommand, flag } from "./definition.js";
import { BENCH_SUITES, checkFlag, usageError } from "./specs.js";
import type { BenchCommandResult, ChartCommandResult, CommandOptions } from "./types.js";
import { expandPath, type Workbench } from "./workbench.js";

/** The repository's own reports folder, where `npm run bench:store` writes `bench-store.json`. */
export const REPO_REPORTS = fileURLToPath(new URL("../../reports/", import.meta.url));

/** One of `BENCH_SUITES`: what `:bench` runs. */
export type BenchSuite = (typeof BENCH_SUITES)[number];

/** The arguments of `:bench`; a flag marked with suites applies only to those. */
export interface BenchArgs {
  suite?: BenchSuite;
  /** quick: vectors. */
  size?: number;
  queries?: number;
  /** store / lorem: comma-separated sizes (`10k,50k`). */
  sizes?: string;
  /** store / lorem: comma-separated systems. */
  systems?: string;
  reps?: number;
  /** store / lorem: where the report goes (default the workbench's reports folder). */
  out?: string;
}

/**
 * `:bench [quick|store|lorem|retrieval]`. quick (default): recall@10 and latency of flat, IVF and HNSW
 * against exact search on seeded clustered vectors in a temporary store (seconds; kept for `:chart
 * latency`). store / lorem: the harness against bare LanceDB and a Chroma server, its report written into
 * the workbench's reports folder (what `:chart` reads next). retrieval: MRR@10 and recall@10 of the search
 * modes on the Fiori documents.
 */
export async function benchCommand(
  bench: Workbench,
  args: BenchArgs = {},
  options: CommandOptions = {},
): Promise<BenchCommandResult> {
  const progress = (done: number, total: number, label: string, unit = "runs") =>
    options.onProgress?.({ job: "bench", done, total, unit, label });
  for (const flag of ["size", "queries", "reps"] as const) checkFlag(BENCH, flag, args[flag]);
  const suite = args.suite ?? "quick";
  if (suite === "store" || suite === "lorem") {
    // The harness and its datasets load only when a suite runs, not with every front end.
    const [{ runBench }, { parseSystems }] = await Promise.all([
      import("../../bench/harness.js"),
      import("../../bench/systems/index.js"),
    ]);
    const report = await runBench({
      suite,
      systems: parseSystems(args.systems ?? "sigla,lancedb,chroma"),
      sizes: (args.sizes ?? (suite === "store" ? "10k" : "5k")).split(",").map(parseSize),
      reps: args.reps,
      queries: args.queries,
      signal: options.signal,
      onProgress: (done, total, label) => progress(done, total, label),
    });
    const files = await writeReport(report, args.out ? expandPath(args.out) : bench.options.reports);
    return { kind: "bench-report", report, files };
  }
  if (suite === "retrieval") {
    const { runRetrievalBench } = await import("../../bench/retrieval-report.js");
    const report = await runRetrievalBench({
      size: args.size,
      reps: args.reps,
      signal: options.signal,
      onProgress: (done, total, label) => progress(done, total, label, "items"),
    });
    return { kind: "bench-retrieval", report };
  }
  const result = await quickBench({
    size: args.size,
    queries: args.queries,
    signal: options.signal,
    onProgress: (p) => progress(p.done, p.total, p.phase, p.phase === "store" ? "vectors" : "queries"),
  });
  bench.lastBench = result;
  return { kind: "bench", result };
}

/** The report file `:chart` reads: the store suite's (`npm run bench:store`, `npm run bench`, `:bench store`). */
const REPORT_FILES = ["bench-store.json"];

/**
 * A benchmark report: the file `from`, else the first of `REPORT_FILES` in the workbench's reports folder or
 * the repository's; undefined when there is none.
 */
async function benchReport(
  bench: Workbench,
  from?: string,
): Promise<{ file: string; report: unknown } | undefined> {
  const read = async (file: string) => {
    try {
      return { file, report: JSON.parse(await readFile(file, "utf8")) as unknown };
    } catch (error) {
      throw new SiglaError(
        "SIGLA_USAGE",
        `:chart: cannot read the report ${file}: ${(error as Error).message}`,
      );
    }
  };
  if (from) return read(expandPath(from));
  for (const name of REPORT_FILES) {
    for (const dir of [bench.options.reports, REPO_REPORTS]) {
      const file = join(dir, name);
      if (existsSync(file)) return read(file);
    }
  }
  return undefined;
}

/** A harness report (`npm run bench`), as opposed to a plain `points[]` report. */
const isSystemsReport = (report: unknown): report is BenchReport =>
  (report as { benchmark?: unknown })?.benchmark === "systems";

/** The arguments of `:chart graph`. */
interface GraphArgs {
  id?: number;
  depth?: number;
}

/** The neighbourhood of one capsule: a walk of `depth` hops (default 1), laid out on rings. */
async function graphData(bench: Workbench, args: GraphArgs): Promise<ChartData> {
  if (args.id === undefined) {
    throw new UsageError(":chart: graph needs a capsule id — :chart graph <id> [--depth 1]");
  }
  const depth = args.depth ?? 1;
  const walk = await bench.store.bfs(args.id, { depth });
  const capsules = new Map<number, { text: string; links: readonly number[] }>();
  for (const node of walk) {
    const capsule = await bench.store.get(node.id);
    if (capsule) capsules.set(node.id, capsule);
  }
  const texts = new Map([...capsules].map(([id, c]) => [id, c.text]));
  const graph = layoutGraph(walk, texts, (id) => capsules.get(id)?.links ?? []);
  return { kind: "graph", graph, source: `${bench.store.path}, capsule ${args.id}, depth ${depth}` };
}

/** The last `:bench` as chart data (recall and latency of each index kind). */
function lastBenchPoints(bench: Workbench) {
  const last = bench.lastBench;
  if (!last) return undefined;
  return {
    source: `:bench (${last.size} vectors, ${last.queries} queries)`,
    points: last.points.map((p) => ({
      system: "sigla",
      setting: p.kind,
      recall: p.recall,
      p50: p.latency.p50,
    })),
    rows: last.points.map((p) => ({ setting: p.kind, latency: p.latency })),
  };
}

/** A report's data for a benchmark chart, or undefined when the report has none for it. */
function reportData(kind: ChartKind, file: string, report: unknown): ChartData | undefined {
  if (isSystemsReport(report)) {
    const v = chartValues(report);
    const source = `${file}, ${v.dataset}`;
    if (kind === "recall") return { kind, points: v.curve, source };
    if (kind === "qps") {
      return { kind, points: v.curve, source, title: CHART_TITLES.qps(v.dataset), axis: MEASURED_QPS_AXIS };
    }
    if (kind === "latency") return v.latency.length ? { kind, rows: v.latency, source } : undefined;
    if (kind === "ingest" || kind === "memory") return { kind, values: v[kind], source };
    return undefined;
  }
  const points = recallLatencyPoints(report);
  if (kind === "recall" && points.length) return { kind, points, source: file };
  if (kind === "qps" && points.length) return { kind, points: recallQpsPoints(points), source: file };
  const rows = kind === "latency" ? latencyRowsOf(report) : [];
  return rows.length ? { kind: "latency", rows, source: file } : undefined;
}

/**
 * The data of a chart kind: the session (metrics), the store's links (graph), or a benchmark report —
 * `from` when given; otherwise the last `:bench` for latency, the newest report file, then the last `:bench`.
 */
async function chartData(
  bench: Workbench,
  kind: ChartKind,
  args: GraphArgs & { from?: string } = {},
): Promise<ChartData> {
  if (kind === "graph") return graphData(bench, args);
  if (kind === "metrics") {
    await bench.ready();
    if (bench.session.timeline.length === 0) {
      throw new UsageError(":chart: metrics needs at least one turn — ask a question first");
    }
    return { kind, timeline: bench.session.timeline, session: bench.session.id };
  }
  const last = args.from ? undefined : lastBenchPoints(bench);
  if (kind === "latency" && last) return { kind, rows: last.rows, source: last.source };
  const stored = await benchReport(bench, args.from);
  const fromReport = stored && reportData(kind, stored.file, stored.report);
  if (fromReport) return fromReport;
  if (last && kind === "recall") return { kind, points: last.points, source: last.source };
  if (last && kind === "qps") return { kind, points: recallQpsPoints(last.points), source: last.source };
  const needs =
    kind === "ingest" || kind === "memory"
      ? "a report of npm run bench (or :bench store)"
      : ":bench or a benchmark report";
  throw new SiglaError(
    "SIGLA_USAGE",
    `:chart: no numbers for ${kind}${stored ? ` in ${stored.file}` : ""} — ${kind} needs ${needs}`,
  );
}

/**
 * `:chart [metrics|recall|latency|qps] [--out dir]` and `:chart graph <id> [--depth 1]`: the chart as Unicode
 * lines and as a PNG written to `<out>/sigla-<kind>.png` (out defaults to the workbench's reports folder).
 */
export async function chartCommand(
  bench: Workbench,
  args: { kind?: ChartKind; out?: string; id?: number; depth?: number; from?: string } = {},
): Promise<ChartCommandResult> {
  checkFlag(CHART, "depth", args.depth);
  const kind = args.kind ?? "metrics";
  if (!CHART_KINDS.includes(kind)) {
    throw new UsageError(`:chart: "${kind}" is not one of ${CHART_KINDS.join(", ")}`);
  }
  const chart = buildChart(await chartData(bench, kind, { id: args.id, depth: args.depth, from: args.from }));
  const dir = args.out ? expandPath(args.out) : bench.options.reports;
  const written = await writeChartPng(chart.spec, join(dir, `sigla-${kind}.png`));
  return { kind: "chart", chart: { ...chart, png: written.file, bytes: written.bytes } };
}

export const BENCH = defineCommand({
  name: "bench",
  args: "word",
  required: false,
  words: BENCH_SUITES,
  flags: [
    { name: "size", kind: "int", min: 100, max: 50_000, value: "<n>", help: "quick: vectors (default 3000)" },
    {
      name: "queries",
      kind: "int",
      min: 1,
      max: 2000,
      value: "<n>",
      help: "queries (quick 100, suites 1000)",
    },
    { name: "sizes", kind: "string", value: "<10k,50k>", help: "store/lorem: dataset sizes (default 10k)" },
    {
      name: "systems",
      kind: "string",
      value: "<a,b>",
      help: "store/lorem: sigla,sigla-nolink,lancedb,chroma,exact",
    },
    { name: "reps", kind: "int", min: 1, max: 20, value: "<n>", help: "repetitions (default 3)" },
    {
      name: "out",
      kind: "string",
      value: "<dir>",
      help: "store/lorem: report folder (default $SIGLA_HOME/reports)",
    },
  ],
  usage:
    ":bench [quick|store|lorem|retrieval] [--size 3000] [--queries 100] [--sizes 10k] [--systems sigla,lancedb,chroma] [--reps 3] [--out dir]",
  summary:
    "quick (default): each index kind against exact in seconds; store/lorem: the harness against LanceDB and Chroma (report in $SIGLA_HOME/reports); retrieval: MRR@10 on the Fiori documents",
  long: true,
  positional: "suite",
  opens: "store",
  input: (parsed): BenchArgs => ({
    suite: parsed.words[0] as BenchSuite | undefined,
    size: flag<number>(parsed, "size"),
    queries: flag<number>(parsed, "queries"),
    sizes: flag<string>(parsed, "sizes"),
    systems: flag<string>(parsed, "systems"),
    reps: flag<number>(parsed, "reps"),
    out: flag<string>(parsed, "out"),
  }),
  run: async (context, args: BenchArgs, options) => benchCommand(await context.workbench(), args, options),
});

/** `:chart`'s typed arguments. */
export interface ChartArgs {
  kind?: ChartKind;
  out?: string;
  id?: number;
  depth?: number;
  from?: string;
}

export const CHART = defineCommand({
  name: "chart",
  // "text": `graph` takes a capsule id after the kind, and any kind `from <report.json>`.
  args: "text",
  required: false,
  words: CHART_KINDS,
  flags: [
    { name: "out", kind: "string", value: "<dir>", help: "folder for the PNG (default $SIGLA_HOME/reports)" },
    { name: "depth", kind: "int", min: 0, max: 4, value: "<n>", help: "hops for graph (default 1)" },
  ],
  usage:
    ":chart [metrics|recall|latency|qps|ingest|memory] [from <report.json>] [--out dir] | :chart graph <id> [--depth 1]",
  summary:
    "draw a chart in the terminal and write its Vega-Lite PNG (metrics over turns by default; benchmark charts from the newest report or from a given one)",
  positional: "kind",
  opens: "store",
  input(parsed): ChartArgs {
    const [kind, second, ...extra] = parsed.words;
    if (kind !== undefined && !CHART_KINDS.includes(kind as ChartKind)) {
      throw usageError(CHART, `"${kind}" is not one of ${CHART_KINDS.join(", ")}`);
    }
    if (kind === "graph" && (second === undefined || !/^\d+$/.test(second) || extra.length > 0)) {
      throw usageError(CHART, `graph takes one capsule id, got "${parsed.words.slice(1).join(" ")}"`);
    }
    const from = kind !== "graph" && second === "from" ? extra : undefined;
    if (kind !== "graph" && second !== undefined && from?.length !== 1) {
      throw usageError(CHART, `after the kind only "from <report.json>" may follow, got: ${parsed.text}`);
    }
    return {
      kind: kind as ChartKind | undefined,
      out: flag<string>(parsed, "out"),
      id: kind === "graph" ? Number(second) : undefined,
      depth: flag<number>(parsed, "depth"),
      from: from?.[0],
    };
  },
  run: async (context, args: ChartArgs) => chartCommand(await context.workbench(), args),
});
