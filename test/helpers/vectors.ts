/** Seeded unit vectors for tests that need many capsules without embedding them. */
import { clusteredVectors as clustered } from "../../bench/datasets/clustered.js";

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
