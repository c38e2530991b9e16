/** What ivf and hnsw are tuned to reach, and the sample of stored vectors they are tuned on. */
import { seededRandom } from "../../random.js";
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
  const random = seededRandom(seed);
  const n = hot.size;
  const picked = new Float32Array(count * hot.dim);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (n - i));
    [order[i], order[j]] = [order[j], order[i]];
    picked.set(hot.matrix.subarray(order[i] * hot.dim, (order[i] + 1) * hot.dim), i * hot.dim);
  }
  return picked;
}
