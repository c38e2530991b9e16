/** Recall against throughput (QPS = 1000 / p50 ms) per system and setting, from the same points as the recall chart. */
import { type RecallAxis, type RecallLatencyPoint, recallScatterSpec } from "./recall-latency.js";
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
  axis: RecallAxis = ESTIMATED_QPS_AXIS,
): VegaLiteSpec {
  return recallScatterSpec(points, axis, title);
}

/** QPS estimated from single-query latency (reports that record only latency). */
export const ESTIMATED_QPS_AXIS: RecallAxis = { field: "qps", title: "QPS (1000 / p50 ms)", format: ".0f" };
/** QPS measured as throughput, one query at a time (the harness's reports). */
export const MEASURED_QPS_AXIS: RecallAxis = {
  field: "qps",
  title: "queries per second, one at a time (log)",
  format: ".0f",
};
