/**
 * Exact nearest-neighbour kernels by dot product over a row-major matrix of unit vectors (dot = cosine).
 * Results come back as flat arrays, `k` slots per query, best first; unused slots hold row -1.
 */

/** Top-k results of a batch of queries: `rows[q * k + j]`, `scores[q * k + j]`. */
export interface TopK {
  k: number;
  rows: Int32Array;
  scores: Float32Array;
}

/** Top-k results for `queries` queries with every slot empty (row -1, score -∞), ready for `offer`. */
export function emptyTopK(queries: number, k: number): TopK {
  return {
    k,
    rows: new Int32Array(queries * k).fill(-1),
    scores: new Float32Array(queries * k).fill(-Infinity),
  };
}

/** Inserts (row, score) into the sorted k-slot window at `offset` if it beats the worst entry. */
export function offer(out: TopK, offset: number, row: number, score: number): void {
  const { k, rows, scores } = out;
  let j = offset + k - 1;
  if (!(score > scores[j])) return;
  while (j > offset && scores[j - 1] < score) {
    scores[j] = scores[j - 1];
    rows[j] = rows[j - 1];
    j--;
  }
  scores[j] = score;
  rows[j] = row;
}

/** Dot product of row `a` of `x` and row `b` of `y` (both with `dim` columns). */
export function dot(x: Float32Array, a: number, y: Float32Array, b: number, dim: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const i0 = a * dim;
  const j0 = b * dim;
  let i = 0;
  for (; i + 3 < dim; i += 4) {
    s0 += x[i0 + i] * y[j0 + i];
    s1 += x[i0 + i + 1] * y[j0 + i + 1];
    s2 += x[i0 + i + 2] * y[j0 + i + 2];
    s3 += x[i0 + i + 3] * y[j0 + i + 3];
  }
  for (; i < dim; i++) s0 += x[i0 + i] * y[j0 + i];
  return s0 + s1 + s2 + s3;
}

/**
 * Exact top-k of each query against `rowCount` rows of `matrix`, or against the listed `candidates` rows
 * only (a filter). Pure JS: the reference every faster kernel is tested against.
 */
export function exactTopK(
  matrix: Float32Array,
  rowCount: number,
  dim: number,
  queries: Float32Array,
  k: number,
  candidates?: Int32Array,
): TopK {
  const m = queries.length / dim;
  const out = emptyTopK(m, k);
  for (let q = 0; q < m; q++) {
    if (candidates) {
      for (const row of candidates) offer(out, q * k, row, dot(queries, q, matrix, row, dim));
    } else {
      for (let row = 0; row < rowCount; row++) offer(out, q * k, row, dot(queries, q, matrix, row, dim));
    }
  }
  return out;
}
