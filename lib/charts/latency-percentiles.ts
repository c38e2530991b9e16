/** Latency percentiles (p50, p95, p99) per setting, as grouped bars. */
import type { LatencySummary } from "../../bench/measure.js";
import { chartFrame } from "./theme.js";
import type { VegaLiteSpec } from "./vega-lite-spec.js";

/** The percentiles drawn, in order. */
export const PERCENTILES = ["p50", "p95", "p99"] as const;

/** One setting's latency summary. */
export interface LatencyRow {
  setting: string;
  latency: Pick<LatencySummary, "p50" | "p95" | "p99">;
}

/** A Vega-Lite grouped bar chart: for each setting, its p50, p95 and p99 in ms. */
export function latencyPercentilesSpec(
  rows: readonly LatencyRow[],
  title = "Query latency percentiles",
): VegaLiteSpec {
  const values = rows.flatMap((row) =>
    PERCENTILES.map((percentile) => ({ setting: row.setting, percentile, ms: row.latency[percentile] })),
  );
  return {
    ...chartFrame(title, 240),
    data: { values },
    mark: "bar",
    encoding: {
      // Settings read "system: setting", too long to stand side by side: two lines (system, then setting),
      // slanted so that neighbours never meet however many there are.
      x: {
        field: "setting",
        type: "nominal",
        title: "setting",
        axis: {
          labelExpr: "split(datum.label, ': ')",
          labelAngle: -25,
          labelAlign: "right",
          labelBaseline: "top",
          labelLimit: 240,
        },
      },
      xOffset: { field: "percentile", sort: [...PERCENTILES] },
      y: { field: "ms", type: "quantitative", title: "latency (ms)" },
      color: { field: "percentile", type: "nominal", sort: [...PERCENTILES], title: "percentile" },
      tooltip: [{ field: "setting" }, { field: "percentile" }, { field: "ms", format: ".3f" }],
    },
  };
}

/** Latency rows of a store benchmark report's points (`system` sigla only, those with p50/p95/p99). */
export function latencyRowsOf(report: unknown, system = "sigla"): LatencyRow[] {
  const points = (report as { points?: unknown })?.points;
  if (!Array.isArray(points)) return [];
  return points.flatMap((p) => {
    const point = p as { system?: unknown; setting?: unknown; latency?: Record<string, unknown> };
    const latency = point.latency;
    if ((point.system ?? system) !== system || !latency) return [];
    if (!PERCENTILES.every((name) => typeof latency[name] === "number")) return [];
    const { p50, p95, p99 } = latency as Record<(typeof PERCENTILES)[number], number>;
    return [{ setting: String(point.setting ?? ""), latency: { p50, p95, p99 } }];
  });
}
