/** `:bench` (the quick in-process store benchmark) and `:chart` (terminal drawing plus a Vega-Lite PNG). */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { quickBench } from "../bench/quick-bench.js";
import { layoutGraph } from "../charts/capsule-graph.js";
import { buildChart, CHART_KINDS, type ChartData, type ChartKind } from "../charts/chart.js";
import { latencyRowsOf } from "../charts/latency-percentiles.js";
import { type RecallLatencyPoint, recallLatencyPoints } from "../charts/recall-latency.js";
import { recallQpsPoints } from "../charts/recall-qps.js";
import { writeChartPng } from "../charts/render.js";
import { SiglaError } from "../errors.js";
import type { BenchResult, ChartCommandResult, CommandOptions } from "./types.js";
import { expandPath, type Workbench } from "./workbench.js";

/** The repository's own reports folder, where `npm run bench:store` writes `store-bench.json`. */
export const REPO_REPORTS = fileURLToPath(new URL("../../reports/", import.meta.url));

/**
 * `:bench [--size 3000] [--queries 100]`: recall@10 and latency of flat, IVF and HNSW against exact search
 * on seeded clustered vectors in a temporary store (seconds). The result is kept for `:chart latency`.
 */
export async function benchCommand(
  bench: Workbench,
  args: { size?: number; queries?: number } = {},
  options: CommandOptions = {},
): Promise<BenchResult> {
  const result = await quickBench({
    size: args.size,
    queries: args.queries,
    signal: options.signal,
    onProgress: (p) =>
      options.onProgress?.({
        job: "bench",
        done: p.done,
        total: p.total,
        unit: p.phase === "store" ? "vectors" : "queries",
        label: p.phase,
      }),
  });
  bench.lastBench = result;
  return { kind: "bench", result };
}

/** `store-bench.json` from the workbench's reports folder, else the repository's; undefined when neither has one. */
async function storeBenchReport(bench: Workbench): Promise<{ file: string; report: unknown } | undefined> {
  for (const dir of [bench.options.reports, REPO_REPORTS]) {
    const file = join(dir, "store-bench.json");
    if (existsSync(file)) return { file, report: JSON.parse(await readFile(file, "utf8")) };
  }
  return undefined;
}

/** The arguments of `:chart graph`. */
interface GraphArgs {
  id?: number;
  depth?: number;
}

/** The neighbourhood of one capsule: a walk of `depth` hops (default 1), laid out on rings. */
async function graphData(bench: Workbench, args: GraphArgs): Promise<ChartData> {
  if (args.id === undefined) {
    throw new SiglaError("SIGLA_USAGE", ":chart: graph needs a capsule id — :chart graph <id> [--depth 1]");
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

/** Recall and p50 points from `store-bench.json`, else from the last `:bench`. */
async function recallPoints(
  bench: Workbench,
): Promise<{ points: RecallLatencyPoint[]; source: string } | undefined> {
  const stored = await storeBenchReport(bench);
  if (stored) {
    const points = recallLatencyPoints(stored.report);
    if (points.length > 0) return { points, source: stored.file };
  }
  const last = bench.lastBench;
  if (!last) return undefined;
  return {
    points: last.points.map((p) => ({
      system: "sigla",
      setting: p.kind,
      recall: p.recall,
      p50: p.latency.p50,
    })),
    source: `:bench (${last.size} vectors, ${last.queries} queries)`,
  };
}

/** The data of a chart kind, from the session, the last `:bench`, `store-bench.json` or the store's links. */
async function chartData(bench: Workbench, kind: ChartKind, graph: GraphArgs = {}): Promise<ChartData> {
  if (kind === "graph") return graphData(bench, graph);
  if (kind === "metrics") {
    if (bench.session.timeline.length === 0) {
      throw new SiglaError("SIGLA_USAGE", ":chart: metrics needs at least one turn — ask a question first");
    }
    return { kind, timeline: bench.session.timeline, session: bench.session.id };
  }
  const last = bench.lastBench;
  const fromLast = last?.points.map((p) => ({ setting: p.kind, latency: p.latency, recall: p.recall }));
  const source = last ? `:bench (${last.size} vectors, ${last.queries} queries)` : "";
  if (kind === "latency" && fromLast) return { kind, rows: fromLast, source };
  if (kind === "recall" || kind === "qps") {
    const found = await recallPoints(bench);
    if (found && kind === "recall") return { kind, ...found };
    if (found) return { kind, points: recallQpsPoints(found.points), source: found.source };
  }
  const stored = kind === "latency" ? await storeBenchReport(bench) : undefined;
  if (kind === "latency" && stored) {
    const rows = latencyRowsOf(stored.report);
    if (rows.length > 0) return { kind, rows, source: stored.file };
  }
  throw new SiglaError(
    "SIGLA_USAGE",
    `:chart: no numbers for ${kind} yet — run :bench first (or npm run bench:store)`,
  );
}

/**
 * `:chart [metrics|recall|latency|qps] [--out dir]` and `:chart graph <id> [--depth 1]`: the chart as Unicode
 * lines and as a PNG written to `<out>/sigla-<kind>.png` (out defaults to the workbench's reports folder).
 */
export async function chartCommand(
  bench: Workbench,
  args: { kind?: ChartKind; out?: string; id?: number; depth?: number } = {},
): Promise<ChartCommandResult> {
  const kind = args.kind ?? "metrics";
  if (!CHART_KINDS.includes(kind)) {
    throw new SiglaError("SIGLA_USAGE", `:chart: "${kind}" is not one of ${CHART_KINDS.join(", ")}`);
  }
  const chart = buildChart(await chartData(bench, kind, { id: args.id, depth: args.depth }));
  const dir = args.out ? expandPath(args.out) : bench.options.reports;
  const written = await writeChartPng(chart.spec, join(dir, `sigla-${kind}.png`));
  return { kind: "chart", chart: { ...chart, png: written.file, bytes: written.bytes } };
}
