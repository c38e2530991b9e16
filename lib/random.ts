/** Seeded randomness, so walks, k-means, datasets and random weights are reproducible across runs. */

/** A small, fast, seedable PRNG (mulberry32) returning numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `count` distinct indices below `n` in random order: the first `count` steps of a Fisher–Yates shuffle, so
 * picking k of n rows takes k draws. Used to pick k-means seeds and calibration samples from stored vectors.
 */
export function sampleIndices(n: number, count: number, uniform: () => number): Int32Array {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const picked = Math.min(count, n);
  for (let i = 0; i < picked; i++) {
    const j = i + Math.floor(uniform() * (n - i));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order.subarray(0, picked);
}

/** Standard normal samples (Box–Muller) drawn from a uniform source. */
export function gaussian(uniform: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}
