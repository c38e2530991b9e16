/**
 * Seeded clustered vectors: points around random centres on the unit sphere, the usual stand-in for real
 * embeddings in index benchmarks (real embeddings cluster by topic). Queries come from the same centres.
 */
import { gaussian, seededRandom } from "../lib/random.js";

export interface ClusteredOptions {
  count: number;
  dim?: number;
  clusters?: number;
  /** Spread of points around their centre (per coordinate, before normalisation). */
  spread?: number;
  seed?: number;
}

/** Row-major unit vectors, `count × dim`, deterministic for a given seed. */
export function clusteredMatrix(options: ClusteredOptions): Float32Array {
  const { count, dim = 384, clusters = 100, spread = 0.6, seed = 1 } = options;
  const random = seededRandom(seed);
  const gauss = gaussian(random);
  // Centres depend on the seed's "family" only, so queries (another seed) share the data's centres.
  const centreRandom = seededRandom(clusters * 7919 + dim);
  const centreGauss = () =>
    Math.sqrt(-2 * Math.log(centreRandom() + 1e-12)) * Math.cos(2 * Math.PI * centreRandom());
  const centres = Float32Array.from({ length: clusters * dim }, centreGauss);
  const out = new Float32Array(count * dim);
  for (let i = 0; i < count; i++) {
    const c = Math.floor(random() * clusters) * dim;
    let norm = 0;
    for (let d = 0; d < dim; d++) {
      const v = centres[c + d] + spread * gauss();
      out[i * dim + d] = v;
      norm += v * v;
    }
    norm = Math.sqrt(norm);
    for (let d = 0; d < dim; d++) out[i * dim + d] /= norm;
  }
  return out;
}

/** The same vectors as separate rows. */
export function clusteredVectors(options: ClusteredOptions): Float32Array[] {
  const dim = options.dim ?? 384;
  const flat = clusteredMatrix(options);
  return Array.from({ length: options.count }, (_, i) => flat.slice(i * dim, (i + 1) * dim));
}
