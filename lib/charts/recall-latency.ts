/** Recall against latency per system and setting: the store benchmark's trade-off chart. */
import { chartFrame } from "./theme.js";
import type { VegaLiteSpec } from "./vega-lite-spec.js";

/** One measured setting: its recall@k and its p50 latency in ms. */
export interface RecallLatencyPoint {
  system: string;
  setting: string;
  recall: number;
  p50: number;
}

/** Reads the points of `reports/store-bench.json` (or any report with `points[{system, setting, recall, latency.p50}]`). */
export function recallLatencyPoints(report: unknown): RecallLatencyPoint[] {
  const points = (report as { points?: unknown })?.points;
  if (!Array.isArray(points)) return [];
  return points.flatMap((p) => {
    const point = p as { system?: unknown; setting?: unknown; recall?: unknown; latency?: { p50?: unknown } };
    if (typeof point.recall !== "number" || typeof point.latency?.p50 !== "number") return [];
    return [
      {
        system: String(point.system ?? "sigla"),
        setting: String(point.setting ?? ""),
        recall: point.recall,
        p50: point.latency.p50,
      },
    ];
  });
}

/** Which measure the x axis of a recall scatter shows. */
export interface RecallAxis {
  field: string;
  title: string;
  format: string;
}

/**
 * A Vega-Lite scatter of recall@10 (y) against one measure (x, log scale), coloured by system, with SIGLA's
 * settings labelled. Shared by the latency and the QPS views of the store benchmark.
 */
export function recallScatterSpec(points: readonly object[], x: RecallAxis, title: string): VegaLiteSpec {
  return {
    ...chartFrame(title, 300),
    data: { values: points.map((p) => ({ ...p })) },
    layer: [
      {
        mark: { type: "point", filled: true, size: 70 },
        encoding: {
          x: { field: x.field, type: "quantitative", title: x.title, scale: { type: "log" } },
          y: { field: "recall", type: "quantitative", title: "recall@10", scale: { zero: false } },
          color: { field: "system", type: "nominal", title: "system" },
          tooltip: [
            { field: "system" },
            { field: "setting" },
            { field: "recall", format: ".4f" },
            { field: x.field, format: x.format },
          ],
        },
      },
      {
        // Only SIGLA's settings are labelled: the baseline's many sweeps would write over each other.
        transform: [{ filter: "datum.system === 'sigla'" }],
        mark: { type: "text", align: "left", dx: 6, dy: -6, fontSize: 10 },
        encoding: {
          x: { field: x.field, type: "quantitative" },
          y: { field: "recall", type: "quantitative" },
          text: { field: "setting" },
        },
      },
    ],
  };
}

/** A Vega-Lite scatter of recall (y) against p50 latency (x, log scale), coloured by system. */
export function recallLatencySpec(
  points: readonly RecallLatencyPoint[],
  title = "Recall@10 against p50 latency",
): VegaLiteSpec {
  return recallScatterSpec(points, { field: "p50", title: "p50 latency (ms)", format: ".3f" }, title);
}
