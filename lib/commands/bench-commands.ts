/** `:bench` (the quick in-process store benchmark) and `:chart` (terminal drawing plus a Vega-Lite PNG). */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { quickBench } from "../bench/quick-bench.js";
import { buildChart, type ChartData, type ChartKind } from "../charts/chart.js";
import { latencyRowsOf } from "../charts/latency-percentiles.js";
import { recallLatencyPoints } from "../charts/recall-latency.js";
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

/** The data of a chart kind, from the session, the last `:bench` or `store-bench.json`. */
async function chartData(bench: Workbench, kind: ChartKind): Promise<ChartData> {
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
  const stored = await storeBenchReport(bench);
  if (kind === "recall" && stored) {
    const points = recallLatencyPoints(stored.report);
    if (points.length > 0) return { kind, points, source: stored.file };
  }
  if (kind === "recall" && fromLast) {
    return {
      kind,
      points: fromLast.map((p) => ({
        system: "sigla",
        setting: p.setting,
        recall: p.recall,
        p50: p.latency.p50,
      })),
      source,
    };
  }
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
 * `:chart [metrics|recall|latency] [--out dir]`: the chart as Unicode lines and as a PNG written to
 * `<out>/sigla-<kind>.png` (out defaults to the workbench's reports folder).
 */
export async function chartCommand(
  bench: Workbench,
  args: { kind?: ChartKind; out?: string } = {},
): Promise<ChartCommandResult> {
  const kind = args.kind ?? "metrics";
  const chart = buildChart(await chartData(bench, kind));
  const dir = args.out ? expandPath(args.out) : bench.options.reports;
  const written = await writeChartPng(chart.spec, join(dir, `sigla-${kind}.png`));
  return { kind: "chart", chart: { ...chart, png: written.file, bytes: written.bytes } };
}
