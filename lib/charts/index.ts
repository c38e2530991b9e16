/** Charts: Vega-Lite spec builders, rendering to SVG and PNG, and Unicode drawings for terminals. */

export { type BarValue, systemBarsSpec } from "./bench-bars.js";
export {
  type CapsuleGraph,
  capsuleGraphSpec,
  type GraphCommunity,
  type GraphEdge,
  type GraphNode,
  graphCommunities,
  layoutGraph,
  NO_COMMUNITY,
  nodeLabel,
  radialLabelPlace,
} from "./capsule-graph.js";
export { buildChart, CHART_KINDS, type ChartData, type ChartKind, type ChartResult } from "./chart.js";
export { type LabelPlace, type LabelRequest, placeLabels } from "./label-placement.js";
export {
  type LatencyRow,
  latencyPercentilesSpec,
  latencyRowsOf,
  PERCENTILES,
} from "./latency-percentiles.js";
export { type MaintenancePoint, maintenanceSpec } from "./maintenance.js";
export { METRIC_NAMES, metricsTimelineSpec } from "./metrics-timeline.js";
export { notebookBundle, VEGA_LITE_MIME, v6OnlyFeatures } from "./notebook.js";
export { type RecallLatencyPoint, recallLatencyPoints, recallLatencySpec } from "./recall-latency.js";
export { type RecallQpsPoint, recallQpsPoints, recallQpsSpec } from "./recall-qps.js";
export { specToSvg, svgToPng, writeChartPng } from "./render.js";
export {
  bar,
  capsuleGraphLines,
  gauge,
  latencyLines,
  metricsTimelineLines,
  recallLatencyLines,
  recallQpsLines,
  sparkline,
} from "./terminal.js";
export { CHART_CONFIG, CHART_FONT, VEGA_LITE_SCHEMA } from "./theme.js";
export type { VegaLiteSpec } from "./vega-lite-spec.js";
