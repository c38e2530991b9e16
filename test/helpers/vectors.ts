/** Seeded random unit vectors for tests that need many capsules without embedding them. */
import { seededRandom } from "../../lib/graph/walk.js";

/** `count` unit vectors of `dim` dimensions, gathered around `clusters` random centres. */
export function clusteredVectors(count: number, dim: number, clusters = 20, seed = 1): Float32Array[] {
  const random = seededRandom(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());
  const centres = Array.from({ length: clusters }, () => Float32Array.from({ length: dim }, gauss));
  return Array.from({ length: count }, () => {
    const centre = centres[Math.floor(random() * clusters)];
    const v = Float32Array.from(centre, (c) => c + 0.6 * gauss());
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  });
}

/** Indices of the k rows of `base` most similar to `query` (exact, by dot product). */
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
