/**
 * The one place for vector arithmetic: dot product, Euclidean norm, cosine similarity and normalisation,
 * shared by the embedders, recall, the answerer, the store's input checks and the session metrics. Plain
 * loops in index order, so every caller gets bit-identical results. The strided, unrolled dot product over
 * rows of a matrix is a different kernel and lives in `lib/kernels/top-k.ts`.
 */

/** A vector: an embedding (`Float32Array`), a row of double sums (`Float64Array`) or a plain array. */
export type Vector = Float32Array | Float64Array | readonly number[];

/**
 * The dot product of two vectors of one length (the cosine, for unit vectors). Runs over `a`'s length;
 * `b` must be at least as long.
 */
export function dot(a: Vector, b: Vector): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

/** The Euclidean (L2) length of a vector: the square root of the sum of its squared entries. */
export function norm(vector: Vector): number {
  let sum = 0;
  for (let i = 0; i < vector.length; i++) sum += vector[i] * vector[i];
  return Math.sqrt(sum);
}

/**
 * Cosine similarity of two vectors of one length, `dot / (‖a‖ · ‖b‖)`, clamped to [−1, 1] against rounding.
 * A zero vector has no direction: the result is then 0 (callers that must refuse one check `norm` first).
 */
export function cosine(a: Vector, b: Vector): number {
  const lengths = norm(a) * norm(b);
  if (lengths === 0) return 0;
  return Math.max(-1, Math.min(1, dot(a, b) / lengths));
}

/**
 * Scales a vector to unit length, in place, or into `into` when given (the input is then left alone, and
 * `into` must be at least as long). A zero vector stays zero (and `into` is then left as it was).
 */
export function normalize(vector: Float32Array): Float32Array;
export function normalize(vector: Vector, into: Float32Array): Float32Array;
export function normalize(vector: Vector, into: Float32Array = vector as Float32Array): Float32Array {
  const length = norm(vector);
  if (length > 0) for (let i = 0; i < vector.length; i++) into[i] = vector[i] / length;
  return into;
}
