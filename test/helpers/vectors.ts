/** Seeded unit vectors for tests that need many capsules without embedding them. */
import { clusteredVectors as clustered } from "../../bench/datasets/clustered.js";
import { gaussian, seededRandom } from "../../lib/random.js";

/** `count` unit vectors of `dim` dimensions around `clusters` centres. */
export function clusteredVectors(count: number, dim: number, clusters = 20, seed = 1): Float32Array[] {
  return clustered({ count, dim, clusters, seed });
}

/** Indices of the k rows of `base` most similar to `query` (exact, by dot product), among the first `among`. */
export function bruteForce(
  query: Float32Array,
  base: Float32Array[],
  k: number,
  among = base.length,
): number[] {
  const scored = base.slice(0, among).map((v, i) => [i, v.reduce((s, x, j) => s + x * query[j], 0)] as const);
  return scored
    .sort((a, b) => b[1] - a[1])
    .slice(0, k)
    .map(([i]) => i);
}

/** Unit rows along one common direction, varying in `rank` directions (falling in scale) and a little noise. */
export function lowRankRows(count: number, dim: number, rank: number, seed: number): Float32Array {
  const normal = gaussian(seededRandom(seed));
  const basis = seededRandom(99);
  const axes = Array.from({ length: rank }, () => Float32Array.from({ length: dim }, () => basis() - 0.5));
  const rows = new Float32Array(count * dim);
  for (let i = 0; i < count; i++) {
    const row = rows.subarray(i * dim, (i + 1) * dim);
    row.fill(1);
    axes.forEach((axis, a) => {
      const weight = (normal() * 0.6) / (1 + a / 4);
      for (let j = 0; j < dim; j++) row[j] += weight * axis[j];
    });
    for (let j = 0; j < dim; j++) row[j] += normal() * 0.01;
    const norm = Math.hypot(...row);
    for (let j = 0; j < dim; j++) row[j] /= norm;
  }
  return rows;
}
