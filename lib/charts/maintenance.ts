/** Files left in the table folder and open time as single writes pile up, per compaction policy. */
import { chartFrame } from "./theme.js";
import type { VegaLiteSpec } from "./vega-lite-spec.js";

/** One measurement: after `writes` single writes under `policy`, the table's files and open time. */
export interface MaintenancePoint {
  policy: string;
  writes: number;
  files: number;
  openMs: number;
}

/** Two panels side by side: table files (log scale) and open time, against writes. */
export function maintenanceSpec(points: readonly MaintenancePoint[]): VegaLiteSpec {
  // A concatenation has no size of its own: each panel has its width, and both the frame's height.
  const {
    width: _width,
    height,
    ...frame
  } = chartFrame("Table files and open time as single writes pile up", 220);
  const panel = (field: "files" | "openMs", title: string, scale?: Record<string, unknown>) => ({
    width: 230,
    height,
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "writes", type: "quantitative", title: "single writes" },
      y: { field, type: "quantitative", title, ...(scale ? { scale } : {}) },
      color: { field: "policy", type: "nominal", title: "policy", legend: { labelLimit: 240 } },
      tooltip: [{ field: "policy" }, { field: "writes" }, { field }],
    },
  });
  return {
    ...frame,
    data: { values: points.map((p) => ({ ...p })) },
    hconcat: [panel("files", "files in the table folder", { type: "log" }), panel("openMs", "open (ms)")],
  };
}
