/**
 * Charts drawn with Unicode block characters, for terminals: sparklines, horizontal bars and the three
 * SIGLA charts (metrics over turns, recall against latency, latency percentiles) as lines of text.
 */

import type { MetricsPoint } from "../pipeline/session.js";
import type { BarValue } from "./bench-bars.js";
import type { CapsuleGraph } from "./capsule-graph.js";
import type { LatencyRow } from "./latency-percentiles.js";
import { PERCENTILES } from "./latency-percentiles.js";
import { METRIC_NAMES } from "./metrics-timeline.js";
import type { RecallLatencyPoint } from "./recall-latency.js";
import type { RecallQpsPoint } from "./recall-qps.js";

const SPARKS = "▁▂▃▄▅▆▇█";
const EIGHTHS = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0;
}

/** One character per value, its height the value's place between `min` and `max`. */
export function sparkline(values: readonly number[], min = 0, max = 1): string {
  const span = max - min || 1;
  return values.map((v) => SPARKS[Math.round(clamp01((v - min) / span) * (SPARKS.length - 1))]).join("");
}

/** A horizontal bar `width` cells wide at full scale, drawn to an eighth of a cell. */
export function bar(value: number, max: number, width: number): string {
  const eighths = Math.round(clamp01(max > 0 ? value / max : 0) * width * 8);
  return "█".repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8];
}

/** `bar` padded with light shade to exactly `width` cells: a gauge. */
export function gauge(value: number, width: number): string {
  const drawn = bar(clamp01(value), 1, width);
  return drawn + "░".repeat(Math.max(0, width - [...drawn].length));
}

function fixed(x: number, digits: number): string {
  return Number.isFinite(x) ? x.toFixed(digits) : "—";
}

/** Per metric: a sparkline over turns and the last value. */
export function metricsTimelineLines(timeline: readonly MetricsPoint[], width = 40): string[] {
  if (timeline.length === 0) return ["no turns yet: ask a question first"];
  const shown = timeline.slice(-width);
  const first = shown[0].turn;
  const last = shown[shown.length - 1].turn;
  return [
    `turns ${first}–${last}`,
    ...METRIC_NAMES.map((metric) => {
      const values = shown.map((point) => point[metric]);
      return `${metric.padEnd(8)}${sparkline(values)}  ${fixed(values[values.length - 1], 2)}`;
    }),
  ];
}

/** The measure beside recall in a recall table: its column title, its value, and which end is best. */
interface RecallColumn<T> {
  title: string;
  value: (point: T) => number;
  digits: number;
  /** True when smaller is better (latency), false when larger is (QPS). */
  ascending: boolean;
}

/** One row per setting, best first by `column`: recall as a bar (from 0.8 to 1) and the column's value. */
function recallLines<T extends RecallLatencyPoint>(
  points: readonly T[],
  column: RecallColumn<T>,
  width: number,
): string[] {
  if (points.length === 0) return ["no benchmark points"];
  const sign = column.ascending ? 1 : -1;
  const sorted = [...points].sort((a, b) => sign * (column.value(a) - column.value(b)));
  const label = Math.min(28, Math.max(...sorted.map((p) => `${p.system} ${p.setting}`.length)));
  const floor = 0.8;
  return [
    `${"setting".padEnd(label)}  recall@10 (${floor}–1)${" ".repeat(Math.max(1, width - 16))} ${column.title}`,
    ...sorted.map((p) => {
      const name = `${p.system} ${p.setting}`.slice(0, label).padEnd(label);
      const drawn = bar(p.recall - floor, 1 - floor, width).padEnd(width);
      return `${name}  ${drawn} ${fixed(p.recall, 4)}  ${fixed(column.value(p), column.digits)}`;
    }),
  ];
}

/** One row per setting, fastest first: recall as a bar (from 0.8 to 1) and the p50 latency. */
export function recallLatencyLines(points: readonly RecallLatencyPoint[], width = 24): string[] {
  return recallLines(points, { title: "p50 ms", value: (p) => p.p50, digits: 3, ascending: true }, width);
}

/** Per setting, three bars (p50, p95, p99) on one scale. */
export function latencyLines(rows: readonly LatencyRow[], width = 30): string[] {
  if (rows.length === 0) return ["no latency numbers"];
  const max = Math.max(...rows.flatMap((row) => PERCENTILES.map((p) => row.latency[p])));
  const label = Math.min(20, Math.max(...rows.map((row) => row.setting.length)));
  const lines = [`latency, ms (full bar ${fixed(max, 3)})`];
  for (const row of rows) {
    PERCENTILES.forEach((p, i) => {
      const name = (i === 0 ? row.setting.slice(0, label) : "").padEnd(label);
      lines.push(
        `${name}  ${p} ${bar(row.latency[p], max, width).padEnd(width)} ${fixed(row.latency[p], 3)}`,
      );
    });
  }
  return lines;
}

/** One row per setting, highest QPS first: recall as a bar (from 0.8 to 1) and the QPS. */
export function recallQpsLines(points: readonly RecallQpsPoint[], width = 24): string[] {
  return recallLines(points, { title: "QPS", value: (p) => p.qps, digits: 0, ascending: false }, width);
}

/** One bar per system and dataset (median), with the run-to-run range. */
export function systemBarLines(values: readonly BarValue[], unit: string, width = 30): string[] {
  if (values.length === 0) return ["no benchmark numbers"];
  const max = Math.max(...values.map((v) => v.max));
  const label = Math.max(...values.map((v) => `${v.dataset} ${v.system}`.length));
  return [
    `${unit} (full bar ${fixed(max, 0)})`,
    ...values.map(
      (v) =>
        `${`${v.dataset} ${v.system}`.padEnd(label)}  ${bar(v.value, max, width).padEnd(width)} ${fixed(v.value, 0)} (${fixed(v.min, 0)}–${fixed(v.max, 0)})`,
    ),
  ];
}

/** The walk as a tree: each node under the node it was reached from, with its label. */
export function capsuleGraphLines(graph: CapsuleGraph): string[] {
  const children = new Map<number | undefined, CapsuleGraph["nodes"]>();
  for (const node of graph.nodes) children.set(node.parent, [...(children.get(node.parent) ?? []), node]);
  const lines = [
    `${graph.nodes.length} capsules, ${graph.edges.length} links, ${graph.depth} hop(s) from ${graph.root}`,
  ];
  const draw = (node: CapsuleGraph["nodes"][number], prefix: string, last: boolean, top: boolean) => {
    lines.push(top ? node.label : `${prefix}${last ? "└─ " : "├─ "}${node.label}`);
    const kids = children.get(node.id) ?? [];
    const next = top ? "" : `${prefix}${last ? "   " : "│  "}`;
    for (const [i, kid] of kids.entries()) draw(kid, next, i === kids.length - 1, false);
  };
  for (const root of children.get(undefined) ?? []) draw(root, "", true, true);
  return lines;
}
