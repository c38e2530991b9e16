/** Recall against throughput (QPS = 1000 / p50 ms) per system and setting, from the same points as the recall chart. */
import type { RecallLatencyPoint } from "./recall-latency.js";
import { CHART_CONFIG, VEGA_LITE_SCHEMA } from "./theme.js";
import type { VegaLiteSpec } from "./vega-lite-spec.js";

/** One measured setting with its single-query throughput. */
export interface RecallQpsPoint extends RecallLatencyPoint {
  /** Queries per second at the median latency: 1000 / p50. */
  qps: number;
}

/** The points of `recallLatencyPoints` with `qps = 1000 / p50` (points with p50 ≤ 0 are dropped). */
export function recallQpsPoints(points: readonly RecallLatencyPoint[]): RecallQpsPoint[] {
  return points.filter((p) => p.p50 > 0).map((p) => ({ ...p, qps: 1000 / p.p50 }));
}

/** A Vega-Lite scatter of recall@10 (y) against QPS (x, log scale), coloured by system. */
export function recallQpsSpec(
  points: readonly RecallQpsPoint[],
  title = "Recall@10 against QPS",
): VegaLiteSpec {
  return {
    $schema: VEGA_LITE_SCHEMA,
    title,
    width: 480,
    height: 300,
    config: CHART_CONFIG,
    data: { values: points.map((p) => ({ ...p })) },
    layer: [
      {
        mark: { type: "point", filled: true, size: 70 },
        encoding: {
          x: { field: "qps", type: "quantitative", title: "QPS (1000 / p50 ms)", scale: { type: "log" } },
          y: { field: "recall", type: "quantitative", title: "recall@10", scale: { zero: false } },
          color: { field: "system", type: "nominal", title: "system" },
          tooltip: [
            { field: "system" },
            { field: "setting" },
            { field: "recall", format: ".4f" },
            { field: "qps", format: ".0f" },
          ],
        },
      },
      {
        transform: [{ filter: "datum.system === 'sigla'" }],
        mark: { type: "text", align: "left", dx: 6, dy: -6, fontSize: 10 },
        encoding: {
          x: { field: "qps", type: "quantitative" },
          y: { field: "recall", type: "quantitative" },
          text: { field: "setting" },
        },
      },
    ],
  };
}
