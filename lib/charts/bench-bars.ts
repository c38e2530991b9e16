/** Grouped bars of one measure per system and dataset (ingest rows/s, memory MB) for the benchmark report. */
import { chartFrame } from "./theme.js";
import type { VegaLiteSpec } from "./vega-lite-spec.js";

/** One bar: a system's median on one dataset, with the run-to-run min and max drawn as a rule. */
export interface BarValue {
  dataset: string;
  system: string;
  value: number;
  min: number;
  max: number;
}

/** Bars of one measure per dataset, a bar per system with its min–max rule; `measure` titles the y axis. */
export function systemBarsSpec(values: readonly BarValue[], title: string, measure: string): VegaLiteSpec {
  const x = { field: "dataset", type: "nominal", title: "dataset", axis: { labelAngle: 0 } };
  return {
    ...chartFrame(title, 260),
    data: { values: values.map((v) => ({ ...v })) },
    layer: [
      {
        mark: "bar",
        encoding: {
          x,
          xOffset: { field: "system" },
          y: { field: "value", type: "quantitative", title: measure },
          color: { field: "system", type: "nominal", title: "system" },
          tooltip: [{ field: "system" }, { field: "dataset" }, { field: "value", format: ".1f" }],
        },
      },
      {
        mark: { type: "rule", color: "black" },
        encoding: {
          x,
          xOffset: { field: "system" },
          y: { field: "min", type: "quantitative" },
          y2: { field: "max" },
        },
      },
    ],
  };
}
