/**
 * Spherical k-means for IVF centroids: k-means++-style seeding by a seeded spread of samples, then Lloyd
 * iterations whose assignment step is one ORT matrix product per block. Centroids are kept unit length,
 * since the store ranks by cosine.
 */
import { norm } from "../math/vectors.js";
import { sampleIndices, seededRandom } from "../random.js";
import { gemmTopK } from "./ort-kernels.js";

/** For each row of `points`, the index of its most similar centroid. */
export async function assign(
  points: Float32Array,
  centroids: Float32Array,
  dim: number,
): Promise<Int32Array> {
  const n = points.length / dim;
  const out = new Int32Array(n);
  // 1024 rows × a few hundred centroids: a score block of a few MB, which the C allocator hands back to
  // the next block instead of keeping many (8192-row blocks left ~50 MB resident after an IVF build).
  const block = 1024;
  for (let start = 0; start < n; start += block) {
    const end = Math.min(n, start + block);
    const best = await gemmTopK(points.subarray(start * dim, end * dim), centroids, dim, 1);
    out.set(best.rows, start);
  }
  return out;
}

export async function kmeans(
  points: Float32Array,
  dim: number,
  clusters: number,
  options: { iterations?: number; seed?: number } = {},
): Promise<Float32Array> {
  const n = points.length / dim;
  const k = Math.min(clusters, n);
  const random = seededRandom(options.seed ?? 42);
  const centroids = new Float32Array(k * dim);
  // Seed with distinct random points.
  const seeds = sampleIndices(n, k, random);
  for (let i = 0; i < k; i++) centroids.set(points.subarray(seeds[i] * dim, (seeds[i] + 1) * dim), i * dim);
  const sums = new Float64Array(k * dim);
  const counts = new Int32Array(k);
  for (let iter = 0; iter < (options.iterations ?? 10); iter++) {
    const labels = await assign(points, centroids, dim);
    sums.fill(0);
    counts.fill(0);
    for (let p = 0; p < n; p++) {
      const c = labels[p];
      counts[c]++;
      const base = c * dim;
      const src = p * dim;
      for (let d = 0; d < dim; d++) sums[base + d] += points[src + d];
    }
    for (let c = 0; c < k; c++) {
      if (counts[c] === 0) {
        // An empty cluster takes a random point, so no centroid is wasted.
        const p = Math.floor(random() * n);
        centroids.set(points.subarray(p * dim, (p + 1) * dim), c * dim);
        continue;
      }
      const length = norm(sums.subarray(c * dim, (c + 1) * dim)) || 1;
      for (let d = 0; d < dim; d++) centroids[c * dim + d] = sums[c * dim + d] / length;
    }
  }
  return centroids;
}
