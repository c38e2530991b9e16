/**
 * The three SIGLA charts as one choice: from the data of a kind, its title, its Vega-Lite spec and its
 * terminal drawing. Writing the PNG is `render.ts`'s job; choosing where the data comes from is the
 * caller's (`:chart` in `lib/commands`).
 */
import type { MetricsPoint } from "../pipeline/session.js";
import { type BarValue, systemBarsSpec } from "./bench-bars.js";
import { type CapsuleGraph, capsuleGraphSpec } from "./capsule-graph.js";
import { type LatencyRow, latencyPercentilesSpec } from "./latency-percentiles.js";
import { metricsTimelineSpec } from "./metrics-timeline.js";
import { type RecallAxis, type RecallLatencyPoint, recallLatencySpec } from "./recall-latency.js";
import { type RecallQpsPoint, recallQpsSpec } from "./recall-qps.js";
import {
  capsuleGraphLines,
  latencyLines,
  metricsTimelineLines,
  recallLatencyLines,
  recallQpsLines,
  systemBarLines,
} from "./terminal.js";
import type { VegaLiteSpec } from "./vega-lite-spec.js";

/**
 * The charts there are: metrics over turns, recall against latency, latency percentiles, recall against
 * QPS, ingest throughput and memory per system (from a benchmark report), and one capsule's link
 * neighbourhood.
 */
export const CHART_KINDS = ["metrics", "recall", "latency", "qps", "ingest", "memory", "graph"] as const;
/** One of `CHART_KINDS`: a chart `buildChart` draws. */
export type ChartKind = (typeof CHART_KINDS)[number];

/** The data each chart is drawn from. */
export type ChartData =
  | { kind: "metrics"; timeline: readonly MetricsPoint[]; session?: string }
  | { kind: "recall"; points: readonly RecallLatencyPoint[]; source: string }
  | { kind: "latency"; rows: readonly LatencyRow[]; source: string }
  | { kind: "qps"; points: readonly RecallQpsPoint[]; source: string; title?: string; axis?: RecallAxis }
  | { kind: "ingest" | "memory"; values: readonly BarValue[]; source: string }
  | { kind: "graph"; graph: CapsuleGraph; source: string };

/** A drawn chart: its spec, its terminal lines and, once written, its PNG. */
export interface ChartResult {
  kind: ChartKind;
  title: string;
  spec: VegaLiteSpec;
  /** The chart in Unicode, one string per line. */
  lines: string[];
  /** Where the data came from (a session, a report file, the last `:bench`). */
  source: string;
  /** The PNG written, and its size. */
  png?: string;
  bytes?: number;
}

/** Title, spec and terminal drawing of a chart. */
export function buildChart(data: ChartData): ChartResult {
  switch (data.kind) {
    case "metrics": {
      const title = `Session ${data.session ?? ""} metrics`.replace(/\s+/g, " ");
      return {
        kind: "metrics",
        title,
        spec: metricsTimelineSpec(data.timeline, title),
        lines: metricsTimelineLines(data.timeline),
        source: `session ${data.session ?? ""}`.trim(),
      };
    }
    case "recall": {
      const title = "Recall@10 against p50 latency";
      return {
        kind: "recall",
        title,
        spec: recallLatencySpec(data.points, title),
        lines: recallLatencyLines(data.points),
        source: data.source,
      };
    }
    case "latency": {
      const title = "Query latency percentiles";
      return {
        kind: "latency",
        title,
        spec: latencyPercentilesSpec(data.rows, title),
        lines: latencyLines(data.rows),
        source: data.source,
      };
    }
    case "qps": {
      const title = data.title ?? "Recall@10 against QPS";
      return {
        kind: "qps",
        title,
        spec: recallQpsSpec(data.points, title, data.axis),
        lines: recallQpsLines(data.points),
        source: data.source,
      };
    }
    case "ingest":
    case "memory": {
      const ingest = data.kind === "ingest";
      const title = ingest ? "Ingest throughput per system" : "Resident memory per system";
      const unit = ingest ? "rows per second" : "MB";
      return {
        kind: data.kind,
        title,
        spec: systemBarsSpec(data.values, title, unit),
        lines: systemBarLines(data.values, unit),
        source: data.source,
      };
    }
    case "graph": {
      const title = `Capsule ${data.graph.root}: ${data.graph.depth}-hop neighbourhood`;
      return {
        kind: "graph",
        title,
        spec: capsuleGraphSpec(data.graph, title),
        lines: capsuleGraphLines(data.graph),
        source: data.source,
      };
    }
  }
}
