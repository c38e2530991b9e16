/**
 * Filtered search in the harness: every row gets a bucket 0–99 from a hash of its id (independent of its
 * vector, so a filter cuts across clusters the way a real tag does), and a filter keeps the rows whose
 * bucket is below `keep`: 1% and 50% of the rows. Each system stores the bucket its own way (SIGLA: tags,
 * LanceDB: an indexed column, Chroma: metadata) and answers queries under the filter; recall is measured
 * against the exact top-k among the kept rows.
 */
import { join } from "node:path";
import { cached, exactTopK } from "./dataset.js";

/** One filter of the harness: the rows with bucket < `keep` (of 100). */
export interface RowFilter {
  /** `1%`, `50%`. */
  label: string;
  /** Buckets kept, of 100: the share of rows in percent. */
  keep: number;
  /** The SIGLA tag every kept row carries. */
  tag: string;
}

/** The harness's filters: one that keeps ~1% of the rows and one that keeps ~50%. */
export const FILTERS: readonly RowFilter[] = [
  { label: "1%", keep: 1, tag: "keep1" },
  { label: "50%", keep: 50, tag: "keep50" },
];

/** The bucket (0–99) of row `i`: a murmur3 finaliser of the id, so neighbouring ids land far apart. */
export function rowBucket(i: number): number {
  let h = Math.imul(i ^ 0x9e3779b9, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) % 100;
}

/** The buckets of rows `0..count-1`. */
export function rowBuckets(count: number): Uint8Array {
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) out[i] = rowBucket(i);
  return out;
}

/** The tags of a row in `bucket`: one per filter that keeps it. */
export function rowTags(bucket: number): string[] {
  return FILTERS.filter((f) => bucket < f.keep).map((f) => f.tag);
}

/** The ids of the rows a filter keeps, ascending. */
export function keptRows(buckets: Uint8Array, filter: RowFilter): Int32Array {
  let n = 0;
  for (const b of buckets) if (b < filter.keep) n++;
  const out = new Int32Array(n);
  let j = 0;
  for (let i = 0; i < buckets.length; i++) if (buckets[i] < filter.keep) out[j++] = i;
  return out;
}

/** The kept rows' vectors, row-major, in the order of `rows`. */
export function gatherRows(vectors: Float32Array, dim: number, rows: Int32Array): Float32Array {
  const out = new Float32Array(rows.length * dim);
  for (let j = 0; j < rows.length; j++)
    out.set(vectors.subarray(rows[j] * dim, (rows[j] + 1) * dim), j * dim);
  return out;
}

/**
 * The exact top-k among the rows a filter keeps, as row ids of the whole set (`queries` row-major).
 * Scores the gathered rows only, then maps their positions back to ids.
 */
export async function filteredTopK(
  vectors: Float32Array,
  buckets: Uint8Array,
  queries: Float32Array,
  dim: number,
  k: number,
  filter: RowFilter,
): Promise<Int32Array> {
  const rows = keptRows(buckets, filter);
  const found = await exactTopK(gatherRows(vectors, dim, rows), queries, dim, Math.min(k, rows.length));
  const kk = Math.min(k, rows.length);
  const out = new Int32Array((queries.length / dim) * k).fill(-1);
  for (let q = 0; q < queries.length / dim; q++) {
    for (let j = 0; j < kk; j++) out[q * k + j] = rows[found[q * kk + j]];
  }
  return out;
}

/** A filter's ground truth for a dataset: the first `queryCount` queries and their filtered exact top-k. */
export interface FilterTruth {
  label: string;
  keep: number;
  tag: string;
  /** Rows the filter keeps. */
  rows: number;
  queryCount: number;
  /** Row-major `queryCount × k`; -1 pads a filter that keeps fewer than k rows. */
  truth: Int32Array;
}

/**
 * Every filter's ground truth for the first `queryCount` queries of a dataset, cached beside the dataset
 * (`<cacheStem>-f<keep>-q<n>-top<k>.i32`) when a cache stem is given.
 */
export async function filterTruths(
  data: { vectors: Float32Array; queries: Float32Array; dim: number; count: number; k: number },
  queryCount: number,
  cache?: { dir: string; stem: string },
): Promise<FilterTruth[]> {
  const buckets = rowBuckets(data.count);
  const queries = data.queries.subarray(0, queryCount * data.dim);
  const out: FilterTruth[] = [];
  for (const filter of FILTERS) {
    const file = cache
      ? join(cache.dir, `${cache.stem}-f${filter.keep}-q${queryCount}-top${data.k}.i32`)
      : undefined;
    const truth = await cached(
      file,
      () => filteredTopK(data.vectors, buckets, queries, data.dim, data.k, filter),
      (b) => new Int32Array(b),
    );
    out.push({ ...filter, rows: keptRows(buckets, filter).length, queryCount, truth });
  }
  return out;
}
