/**
 * Seeded clustered vectors: points around random centres on the unit sphere, the usual stand-in for real
 * embeddings in index benchmarks (real embeddings cluster by topic). Queries come from the same centres.
 */
import { join } from "node:path";
import { InvalidInputError } from "../../lib/errors.js";
import { gaussian, seededRandom } from "../../lib/random.js";
import { cached, exactTopK, sizeLabel, type VectorDataset } from "../dataset.js";
import { DATASET_CACHE } from "./cache-dir.js";

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

/** The benchmark's clustered sizes (any other row count works too). */
export const CLUSTERED_SIZES = [10_000, 50_000, 200_000, 1_000_000] as const;

export interface LoadClusteredOptions {
  /** Rows (default 10k). */
  size?: number;
  /** Queries from the same centres (default 1000). */
  queries?: number;
  dim?: number;
  /** Where vectors and ground truth are cached; `false` computes them in memory. Default `bench/datasets/cache`. */
  cacheDir?: string | false;
}

/**
 * Clustered unit vectors (100 centres, data seed 1, query seed 2) with their exact top-10, cached on disk
 * by size so every system and every repetition reads the same bytes.
 */
export async function loadClustered(options: LoadClusteredOptions = {}): Promise<VectorDataset> {
  const { size = 10_000, queries = 1000, dim = 384 } = options;
  for (const [name, value] of [
    ["size", size],
    ["queries", queries],
    ["dim", dim],
  ] as const) {
    if (!Number.isInteger(value) || value < 1)
      throw new InvalidInputError(`clustered: ${name} must be a positive integer, got ${value}`);
  }
  const k = 10;
  const cache = options.cacheDir === false ? undefined : (options.cacheDir ?? DATASET_CACHE);
  const file = (what: string) => (cache ? join(cache, `clustered-${dim}d-${size}-${what}`) : undefined);
  const f32 = (b: ArrayBuffer) => new Float32Array(b);
  const vectors = await cached(file("data.f32"), () => clusteredMatrix({ count: size, dim, seed: 1 }), f32);
  const queryRows = await cached(
    file(`q${queries}.f32`),
    () => clusteredMatrix({ count: queries, dim, seed: 2 }),
    f32,
  );
  const truth = await cached(
    file(`q${queries}-top${k}.i32`),
    () => exactTopK(vectors, queryRows, dim, k),
    (b) => new Int32Array(b),
  );
  return {
    name: `clustered-${sizeLabel(size)}`,
    dim,
    count: size,
    vectors,
    queries: queryRows,
    queryCount: queries,
    k,
    truth,
    source: { generator: "clustered", clusters: 100, spread: 0.6, seeds: { data: 1, queries: 2 } },
  };
}
