/** The metrics timeline of a session: pain, trust, clarity and drift per turn, one line each. */
import type { MetricsPoint } from "../pipeline/session.js";
import { chartFrame } from "./theme.js";
import type { VegaLiteSpec } from "./vega-lite-spec.js";

/** The four metrics, in the order they are drawn. */
export const METRIC_NAMES = ["pain", "trust", "clarity", "drift"] as const;

/** A Vega-Lite line chart of the four metrics over turns (values in [0, 1]). */
export function metricsTimelineSpec(
  timeline: readonly MetricsPoint[],
  title = "Session metrics",
): VegaLiteSpec {
  const values = timeline.flatMap((point) =>
    METRIC_NAMES.map((metric) => ({ turn: point.turn, metric, value: point[metric], voice: point.voice })),
  );
  return {
    ...chartFrame(title, 240),
    data: { values },
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "turn", type: "quantitative", title: "turn", axis: { tickMinStep: 1 } },
      y: { field: "value", type: "quantitative", title: "value", scale: { domain: [0, 1] } },
      color: { field: "metric", type: "nominal", sort: [...METRIC_NAMES], title: "metric" },
      tooltip: [
        { field: "turn" },
        { field: "metric" },
        { field: "value", format: ".2f" },
        { field: "voice" },
      ],
    },
  };
}
