/**
 * The principal subspace a graph can walk in. Some embeddings vary about their mean in few directions: on
 * lorem (a random-weight MiniLM's vectors of the seed's sentences) 64 of 384 principal axes hold 97% of the
 * variance, and the exact top 32 by distance in those 64 dimensions holds every one of the exact top 10 by
 * q·x. A graph over those 64 coordinates in float16 walks at a third of the bytes per distance of one over
 * all 384 in int8, and int8 rounding (one scale for every axis) had cost that graph a third of its recall at
 * the top of its candidate list. Trained models spread wider (the real MiniLM vectors of the Fiori documents
 * need 168 axes), as do clustered rows (a flat spectrum): they keep no subspace, and the graph stays in the
 * full space.
 *
 * For unit rows, |q − x|² = |q|² − 2 q·x + 1: distance ranks exactly as q·x, and it does so about any
 * centre, so the graph's metric in the subspace is L2 of the projected rows minus the projected mean.
 */
import { EigenvalueDecomposition, Matrix } from "ml-matrix";
import { gemmABt } from "../../kernels/ort-kernels.js";
import { sampleIndices, seededRandom } from "../../random.js";
import type { HotVectors } from "../hot-vectors.js";

/** Rows sampled to estimate the covariance about the mean. */
const SAMPLE_ROWS = 20_000;
/** The share of the variance about the mean the subspace keeps. */
const KEPT_VARIANCE = 0.97;
/** Subspace dimensions are a multiple of this (whole SIMD registers of float16). */
const DIMENSION_STEP = 16;
/** A subspace is used only when it is at most this share of the dimensions; otherwise its walk gains little. */
const MAX_SHARE = 0.25;
/** Fewer rows than this say too little about the spectrum. */
const MIN_ROWS = 1000;
/** Rows projected per matrix product. */
const BLOCK_ROWS = 8192;

export class Projection {
  /** Each axis's product with the mean, taken off every projected coordinate. */
  private readonly offsets: Float32Array;

  /** `axes`: `dims` principal axes of `mean.length` values each, row-major. */
  constructor(
    readonly mean: Float32Array,
    readonly axes: Float32Array,
  ) {
    this.offsets = project(mean, axes, mean.length, new Float32Array(this.dims));
  }

  get dims(): number {
    return this.axes.length / this.mean.length;
  }

  /**
   * The principal subspace of the hot rows about `mean`, or undefined when the rows are too few or it
   * would not be a small share of the dimensions.
   */
  static async fit(hot: HotVectors, mean: Float32Array): Promise<Projection | undefined> {
    const { dim } = hot;
    if (hot.size < MIN_ROWS) return undefined;
    const sample = sampleIndices(hot.size, Math.min(hot.size, SAMPLE_ROWS), seededRandom(23));
    // Centred sample, transposed (dim × n), so the covariance is one product of it with itself.
    const n = sample.length;
    const columns = new Float32Array(dim * n);
    const row = new Float32Array(dim);
    sample.forEach((r, i) => {
      hot.copyRow(r, row, 0);
      for (let j = 0; j < dim; j++) columns[j * n + i] = row[j] - mean[j];
    });
    const covariance = await gemmABt(columns, columns, n);
    const matrix = new Matrix(dim, dim);
    for (let i = 0; i < dim; i++) for (let j = 0; j < dim; j++) matrix.set(i, j, covariance[i * dim + j] / n);
    const decomposition = new EigenvalueDecomposition(matrix, { assumeSymmetric: true });
    // Symmetric eigenvalues come in ascending order.
    const values = decomposition.realEigenvalues;
    const order = values.map((_, i) => i).sort((a, b) => values[b] - values[a]);
    const total = values.reduce((sum, value) => sum + Math.max(0, value), 0);
    let kept = 0;
    let dims = 0;
    while (dims < dim && (total <= 0 || kept < KEPT_VARIANCE * total))
      kept += Math.max(0, values[order[dims++]]);
    dims = Math.ceil(dims / DIMENSION_STEP) * DIMENSION_STEP;
    if (dims > MAX_SHARE * dim) return undefined;
    const vectors = decomposition.eigenvectorMatrix;
    const axes = new Float32Array(dims * dim);
    for (let a = 0; a < dims; a++) for (let j = 0; j < dim; j++) axes[a * dim + j] = vectors.get(j, order[a]);
    return new Projection(mean, axes);
  }

  /** Rows of `vectors` in the subspace, as coordinates about the projected mean (a loop: a few queries). */
  project(vectors: Float32Array): Float32Array {
    const dim = this.mean.length;
    const out = project(vectors, this.axes, dim, new Float32Array((vectors.length / dim) * this.dims));
    return this.offset(out);
  }

  /** Hot rows `rows` in the subspace, a block at a time as one matrix product. */
  async projectRows(hot: HotVectors, rows: ArrayLike<number>): Promise<Float32Array> {
    const { dims } = this;
    const out = new Float32Array(rows.length * dims);
    for (let start = 0; start < rows.length; start += BLOCK_ROWS) {
      const block = hot.gather(Array.prototype.slice.call(rows, start, start + BLOCK_ROWS));
      out.set(await gemmABt(block, this.axes, hot.dim), start * dims);
    }
    return this.offset(out);
  }

  private offset(projected: Float32Array): Float32Array {
    const { dims, offsets } = this;
    for (let at = 0; at < projected.length; at += dims)
      for (let a = 0; a < dims; a++) projected[at + a] -= offsets[a];
    return projected;
  }
}

/** Each row of `vectors` (`dim` wide) dotted with each of `axes`, into `out`. */
function project(vectors: Float32Array, axes: Float32Array, dim: number, out: Float32Array): Float32Array {
  const dims = axes.length / dim;
  for (let v = 0; v < vectors.length / dim; v++) {
    for (let a = 0; a < dims; a++) {
      let sum = 0;
      for (let j = 0; j < dim; j++) sum += vectors[v * dim + j] * axes[a * dim + j];
      out[v * dims + a] = sum;
    }
  }
  return out;
}
