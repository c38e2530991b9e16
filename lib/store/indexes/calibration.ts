/** What ivf and hnsw are tuned to reach, and the sample of stored vectors they are tuned on. */
import { sampleIndices, seededRandom } from "../../random.js";
import type { HotVectors } from "../hot-vectors.js";

/** Recall@10 against exact search that ivf and hnsw are tuned to reach. */
export const RECALL_TARGET = 0.98;
/**
 * Calibration uses stored vectors as queries, which sit closer to their lists than fresh queries do; aiming a
 * little higher keeps fresh queries at the target (seen: calibrated at 0.98, fresh queries got 0.978).
 */
export const CALIBRATION_TARGET = Math.min(1, RECALL_TARGET + 0.015);

/** `count` distinct hot rows chosen by a seeded shuffle, copied into one matrix. */
export function sampleRows(hot: HotVectors, count: number, seed: number): Float32Array {
  const rows = sampleIndices(hot.size, count, seededRandom(seed));
  const picked = new Float32Array(count * hot.dim);
  rows.forEach((row, i) => {
    hot.copyRow(row, picked, i);
  });
  return picked;
}
