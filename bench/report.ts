/**
 * The benchmark report: raw JSON, a Markdown page with tables, and charts (Vega-Lite spec + SVG + PNG):
 * recall vs QPS per system, latency percentiles at the best setting, ingest throughput, memory. `npm run
 * bench` writes it after a run; `npm run report` rewrites it (and the README's section) from the JSON.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type BarValue, systemBarsSpec } from "../lib/charts/bench-bars.js";
import { latencyPercentilesSpec } from "../lib/charts/latency-percentiles.js";
import { recallScatterSpec } from "../lib/charts/recall-latency.js";
import { MEASURED_QPS_AXIS } from "../lib/charts/recall-qps.js";
import { specToSvg, svgToPng } from "../lib/charts/render.js";
import type { VegaLiteSpec } from "../lib/charts/vega-lite-spec.js";
import { BenchError } from "../lib/errors.js";
import { sizeLabel } from "./dataset.js";
import type { BenchPart, BenchReport, SystemSummary } from "./harness.js";
import { reportName } from "./report-name.js";
import { type Spread, spreadText } from "./stats.js";
import {
  bestAt,
  LARGE_SIZE,
  RECALL_FLOOR,
  servingBytes,
  suiteTargets,
  type Target,
  targetRows,
} from "./targets.js";

export { bestAt, RECALL_FLOOR, type Target, targetRows } from "./targets.js";

/** The dataset the headline is read on: clustered 50k when it was run, else the largest size. */
function headline(report: BenchReport): { dataset: string; rows: SystemSummary[] } {
  const sizes = [...new Set(report.summary.map((s) => s.size))].sort((a, b) => a - b);
  const size = sizes.includes(50_000) ? 50_000 : (sizes.at(-1) ?? 0);
  const rows = report.summary.filter((s) => s.size === size);
  return { dataset: rows[0]?.dataset ?? "", rows };
}

/** The issue's targets for the report's suite at 50k, 1M and every size it ran (see `targets.ts`). */
export function targetsOf(report: BenchReport): Target[] {
  return suiteTargets(report, report.suite);
}

/** A Markdown table with its columns padded to one width, as the formatter (Biome) writes tables. */
export function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(3, [...h].length, ...rows.map((r) => [...(r[i] ?? "")].length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => c + " ".repeat(widths[i] - [...c].length)).join(" | ")} |`;
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** The headline columns: per system, its ingest and its best setting at the recall floor. */
export function headlineRows(rows: readonly SystemSummary[]): { head: string[]; rows: string[][] } {
  return {
    head: [
      "system",
      `best setting (recall ≥ ${RECALL_FLOOR})`,
      "recall@10",
      "p50 ms",
      "p99 ms",
      "QPS",
      "QPS batched",
      "add s",
      "build s",
      "start-up ms",
      "serving MB",
      "disk MB",
    ],
    rows: rows.map((s) => {
      const best = bestAt(s);
      return [
        s.system,
        best?.label ?? "none reaches it",
        spreadText(best?.recall, 3),
        spreadText(best?.p50, 2),
        spreadText(best?.p99, 2),
        spreadText(best?.qps, 0),
        spreadText(best?.batchQps, 0),
        spreadText(s.addMs, 1, 1000),
        spreadText(s.buildMs, 1, 1000),
        spreadText(s.startupMs, 0),
        spreadText(servingBytes(s), 0, 1e6),
        spreadText(s.diskBytes, 1, 1e6),
      ];
    }),
  };
}

/** The headline table in Markdown. */
export function headlineTable(rows: readonly SystemSummary[]): string {
  const t = headlineRows(rows);
  return table(t.head, t.rows);
}

/** The headline dataset's systems (clustered 50k when run, else the largest size). */
export function headlineSystems(report: BenchReport): SystemSummary[] {
  return headline(report).rows;
}

/** The targets as a Markdown table. */
export function targetsTable(targets: readonly Target[]): string {
  const t = targetRows(targets);
  return table(t.head, t.rows);
}

/** Each system's filtered queries on one dataset, next to its unfiltered p50 at the same setting. */
export function filtersTable(rows: readonly SystemSummary[]): string | undefined {
  const lines = rows.flatMap((s) =>
    (s.filters ?? []).map((f) => [
      s.system,
      `${f.label} (${f.rows} rows)`,
      f.point,
      String(f.queries),
      spreadText(f.recall, 3),
      spreadText(f.p50, 2),
      spreadText(f.p99, 2),
      spreadText(f.unfilteredP50, 2),
    ]),
  );
  if (lines.length === 0) return undefined;
  return table(
    ["system", "filter keeps", "setting", "queries", "recall@10", "p50 ms", "p99 ms", "unfiltered p50 ms"],
    lines,
  );
}

/**
 * Memory and disk per system: the worker's gain during ingest and its whole RSS, Chroma's server, the
 * serving memory (a fresh process that opened the data and queried it), bytes on disk.
 */
export function resourcesTable(rows: readonly SystemSummary[], raw: number): string {
  return table(
    [
      "system",
      "gained in ingest MB",
      "process RSS MB",
      "server RSS MB",
      "serving MB",
      "disk MB",
      "serving ÷ raw vectors",
    ],
    rows.map((s) => [
      s.system,
      spreadText(s.memoryBytes, 0, 1e6),
      spreadText(s.rssBytes, 0, 1e6),
      spreadText(s.serverMemoryBytes, 0, 1e6),
      spreadText(s.servingMemoryBytes, 0, 1e6),
      spreadText(s.diskBytes, 1, 1e6),
      (servingBytes(s).median / raw).toFixed(2),
    ]),
  );
}

/**
 * The machine line: CPU, cores, memory, OS, Node, packages and the load average at start and end; for a
 * merged report, one per run with its sizes.
 */
export function machineText(report: BenchReport): string {
  if (!report.parts) return `Machine: ${machineLine(report.machine)}.`;
  return report.parts
    .map((part) => `Machine (${partSizes(part)}): ${machineLine(part.machine)}.`)
    .join("\n\n");
}

/** The sizes a merged run measured, for the report's text ("50k, 200k"). */
export function partSizes(part: BenchPart): string {
  return part.sizes.map(sizeLabel).join(", ");
}

function machineLine(machine: Record<string, unknown>): string {
  const m = machine as {
    cpu?: string;
    cores?: number;
    memoryGiB?: number;
    os?: string;
    node?: string;
    packages?: Record<string, string>;
    loadAverage?: { start: number[]; end: number[] };
  };
  const load = (l?: number[]) => (l ? l.map((x) => x.toFixed(2)).join(" ") : "?");
  const packages = Object.entries(m.packages ?? {})
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");
  const loadText = m.loadAverage
    ? `; load average (1, 5, 15 min) ${load(m.loadAverage.start)} at start, ${load(m.loadAverage.end)} at end`
    : "";
  return `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}; ${packages}${loadText}`;
}

/** The command that reruns a report's settings. */
export function rerunCommand(report: BenchReport): string {
  const s = report.settings;
  const large = Object.values(s.repsBySize ?? {})[0];
  const largeSize = report.datasets.find((d) => d.size >= LARGE_SIZE);
  const largeFlags = largeSize ? ` --large-reps ${large ?? s.reps} --large-queries ${largeSize.queries}` : "";
  return `npm run bench -- --suite ${report.suite} --systems ${s.systems.join(",")} --sizes ${s.sizes.map(sizeLabel).join(",")} --reps ${s.reps} --queries ${s.queries}${largeFlags}${s.filterQueries ? ` --filter-queries ${s.filterQueries}` : ""}`;
}

/** What the report's charts are drawn from (also `:chart … from <report>`). */
export function chartValues(report: BenchReport) {
  const { dataset, rows } = headline(report);
  const bars = (value: (s: SystemSummary) => Spread | undefined, scale = 1): BarValue[] =>
    report.summary.flatMap((s) => {
      const v = value(s);
      return v
        ? [
            {
              dataset: s.dataset,
              system: s.system,
              value: v.median / scale,
              min: v.min / scale,
              max: v.max / scale,
            },
          ]
        : [];
    });
  return {
    dataset,
    curve: rows.flatMap((s) =>
      s.points.map((p) => ({
        system: s.system,
        setting: p.label,
        recall: p.recall.median,
        p50: p.p50.median,
        qps: p.qps.median,
      })),
    ),
    latency: rows.flatMap((s) => {
      const best = bestAt(s);
      return best
        ? [
            {
              setting: `${s.system}: ${best.label}`,
              latency: { p50: best.p50.median, p95: best.p95.median, p99: best.p99.median },
            },
          ]
        : [];
    }),
    ingest: bars((s) => s.rowsPerSecond),
    memory: bars(servingBytes, 1e6),
  };
}

export const CHART_TITLES = {
  qps: (dataset: string) => `Recall@10 against QPS, ${dataset}`,
  latency: (dataset: string) =>
    `Latency at each system's fastest setting with recall@10 ≥ ${RECALL_FLOOR}, ${dataset}`,
  ingest: "Ingest throughput (precomputed vectors, add + index build)",
  memory: "Serving memory (opened by a fresh process and queried; Chroma: its server)",
};

/** Ingest with embedding: each store's rows/s combined with the embedder's texts/s (one after the other). */
function withEmbedding(
  embedding: NonNullable<BenchReport["embedding"]>,
  rows: readonly SystemSummary[],
): string {
  const e = embedding.textsPerSecond.median;
  return [
    `Embedding with ${embedding.embedder}: ${spreadText(embedding.textsPerSecond, 0)} texts/s. Ingest with embedding (embed, then store):`,
    "",
    table(
      ["system", "rows/s without embedding", "rows/s with embedding"],
      rows
        .filter((r) => r.rowsPerSecond)
        .map((r) => {
          const store = r.rowsPerSecond?.median ?? 0;
          return [r.system, store.toFixed(0), (1 / (1 / e + 1 / store)).toFixed(0)];
        }),
    ),
  ].join("\n");
}

/** The charts of a report, by file stem. */
export function benchCharts(report: BenchReport): Array<{ name: string; spec: VegaLiteSpec }> {
  const v = chartValues(report);
  const suite = report.suite;
  return [
    {
      name: `bench-${suite}-recall-qps`,
      spec: recallScatterSpec(v.curve, MEASURED_QPS_AXIS, CHART_TITLES.qps(v.dataset)),
    },
    {
      name: `bench-${suite}-latency`,
      spec: latencyPercentilesSpec(v.latency, CHART_TITLES.latency(v.dataset)),
    },
    { name: `bench-${suite}-ingest`, spec: systemBarsSpec(v.ingest, CHART_TITLES.ingest, "rows per second") },
    { name: `bench-${suite}-memory`, spec: systemBarsSpec(v.memory, CHART_TITLES.memory, "MB") },
  ];
}

/** Every setting of every sweep, in a collapsed block. */
function sweepDetails(rows: readonly SystemSummary[]): string {
  return [
    "<details><summary>Every setting of every sweep</summary>\n",
    table(
      ["system", "setting", "recall@10", "p50 ms", "p95 ms", "p99 ms", "QPS", "QPS batched"],
      rows.flatMap((r) =>
        r.points.map((p) => [
          r.system,
          p.label,
          spreadText(p.recall, 3),
          spreadText(p.p50, 2),
          spreadText(p.p95, 2),
          spreadText(p.p99, 2),
          spreadText(p.qps, 0),
          spreadText(p.batchQps, 0),
        ]),
      ),
    ),
    "\n</details>",
  ].join("\n");
}

/** The Markdown report. `charts` is the folder of the PNGs, relative to the Markdown file. */
export function reportMarkdown(report: BenchReport, charts = "charts"): string {
  const s = report.settings;
  const fewer = Object.entries(s.repsBySize ?? {})
    .map(([size, reps]) => ` (${sizeLabel(Number(size))}: ${reps})`)
    .join("");
  const sections = [
    `# Benchmark: ${report.suite} suite`,
    `Written by \`npm run bench\` / \`npm run report\` from \`bench-${report.suite}.json\` (${report.createdAt}, ${(report.durationMs / 60_000).toFixed(0)} min). Every number is the median of ${s.reps} repetitions${fewer} with the min–max in brackets; every system ran on the same vectors and the same queries, in a worker process of its own, recall@${s.k} against the exact top-${s.k}. Filtered queries run at each system's fastest setting with recall@10 ≥ ${RECALL_FLOOR} (unfiltered), against the exact top-${s.k} among the rows the filter keeps.`,
    report.parts
      ? `Rerun, one command per run merged here: ${report.parts.map((part) => `\`${part.command}\` (${partSizes(part)}, ${part.createdAt}, ${(part.durationMs / 60_000).toFixed(0)} min)`).join("; ")}.`
      : `Rerun: \`${rerunCommand(report)}\``,
    machineText(report),
    "## Targets",
    targetsTable(targetsOf(report)),
  ];
  for (const dataset of report.datasets) {
    const rows = report.summary.filter((r) => r.dataset === dataset.name);
    sections.push(
      `## ${dataset.name}: ${dataset.size} × ${dataset.dim}, ${dataset.queries} queries`,
      headlineTable(rows),
    );
    if (report.embedding) sections.push(withEmbedding(report.embedding, rows));
    const filters = filtersTable(rows);
    if (filters) sections.push(filters);
    sections.push(
      resourcesTable(rows, dataset.size * dataset.dim * 4),
      sweepDetails(rows),
      `Systems: ${rows.map((r) => `**${r.system}**: ${r.description}`).join("; ")}.`,
    );
  }
  sections.push("## Charts", ...benchCharts(report).map((c) => `![${c.name}](${charts}/${c.name}.png)`));
  return `${sections.join("\n\n")}\n`;
}

/** What `npm run bench` prints when a run ends: per dataset its tables, then the targets. */
export function runSummary(report: BenchReport): string {
  const parts: string[] = [];
  for (const dataset of report.datasets) {
    const rows = report.summary.filter((r) => r.dataset === dataset.name);
    parts.push(
      `${dataset.name}: ${dataset.size} × ${dataset.dim}, ${dataset.queries} queries`,
      headlineTable(rows),
    );
    const filters = filtersTable(rows);
    if (filters) parts.push(filters);
    parts.push(resourcesTable(rows, dataset.size * dataset.dim * 4));
  }
  parts.push("targets", targetsTable(targetsOf(report)), machineText(report));
  return parts.join("\n\n");
}

/** Problems with a report's structure (empty when it is whole): what CI checks after a run. */
export function reportProblems(report: unknown): string[] {
  const r = report as Partial<BenchReport>;
  const problems: string[] = [];
  if (r?.benchmark !== "systems") problems.push('benchmark is not "systems"');
  if (!r?.settings || !Array.isArray(r.summary) || !Array.isArray(r.runs) || !Array.isArray(r.datasets)) {
    return [...problems, "settings, summary, runs or datasets missing"];
  }
  const { systems, sizes, reps, repsBySize = {}, systemsBySize = {} } = r.settings;
  if (reps < 3) problems.push(`only ${reps} repetitions (a report needs at least 3)`);
  const systemsAt = (size: number) => systemsBySize[size] ?? systems;
  const expected = sizes.reduce((n, size) => n + systemsAt(size).length * (repsBySize[size] ?? reps), 0);
  if (r.runs.length !== expected)
    problems.push(
      `${r.runs.length} runs for ${systems.length} systems × ${sizes.length} sizes × ${reps} reps (${expected} expected)`,
    );
  for (const size of sizes) {
    for (const system of systemsAt(size)) {
      const s = r.summary.find((x) => x.size === size && x.system === system);
      if (!s) {
        problems.push(`no summary for ${system} at ${size}`);
        continue;
      }
      if (s.points.length === 0) problems.push(`${system} at ${size}: no sweep points`);
      for (const p of s.points) {
        if (!(p.recall.median >= 0 && p.recall.median <= 1))
          problems.push(`${system} ${p.label}: recall out of [0, 1]`);
        if (!(p.p50.median > 0 && p.qps.median > 0)) problems.push(`${system} ${p.label}: no latency`);
      }
    }
  }
  if (!r.machine || typeof (r.machine as { cpu?: unknown }).cpu !== "string")
    problems.push("machine not recorded");
  return problems;
}

/** Reads and checks a report JSON file. */
export async function readReport(file: string): Promise<BenchReport> {
  let report: unknown;
  try {
    report = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new BenchError(`cannot read the report ${file}: ${(error as Error).message}`, { cause: error });
  }
  const problems = reportProblems(report);
  if (problems.length) throw new BenchError(`${file} is not a whole report: ${problems.join("; ")}`);
  return report as BenchReport;
}

/** Writes `bench-<suite>.json`, `.md` (see report-name.ts) and the charts (`charts/<name>.vl.json|svg|png`) into `out`. */
export async function writeReport(
  report: BenchReport,
  out: string,
  options: { json?: boolean } = {},
): Promise<string[]> {
  const { mkdir } = await import("node:fs/promises");
  await mkdir(join(out, "charts"), { recursive: true });
  const files: string[] = [];
  const write = async (name: string, data: string | Buffer) => {
    await writeFile(join(out, name), data);
    files.push(join(out, name));
  };
  if (options.json !== false) await write(reportName(report.suite), `${JSON.stringify(report, null, 2)}\n`);
  for (const chart of benchCharts(report)) {
    const svg = await specToSvg(chart.spec);
    await write(`charts/${chart.name}.vl.json`, `${JSON.stringify(chart.spec, null, 2)}\n`);
    await write(`charts/${chart.name}.svg`, svg);
    await write(`charts/${chart.name}.png`, svgToPng(svg));
  }
  await write(reportName(report.suite, "md"), reportMarkdown(report));
  return files;
}

export { README_BEGIN, README_END, readmeSection, updateReadme } from "./readme.js";
