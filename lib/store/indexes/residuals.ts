/**
 * What the graph's renormalisation takes off each row, kept per capsule id to undo it. The graph holds
 * (x − μ) / |x − μ|, so its int8 product with a query centred the same way ranks by cosine about the mean,
 * not by q·x. With r = |x − μ| and b = μ·(x − μ) per row, q·x = q·μ + |q − μ| · r · cos + b: the graph's
 * own product, corrected, orders its candidates as the exact score would, and only the first few need
 * re-scoring. On lorem 200k (residual norms 0.07–0.16) the raw order needed all 256 candidates of width 256
 * re-scored for recall@10 0.965, the corrected order 16. Clustered rows (norms ~1 about a mean of ~0) gain
 * nothing and lose nothing.
 */
import type { HotVectors } from "../hot-vectors.js";

export class Residuals {
  /** |x − μ| by capsule id. */
  private norms = new Float32Array(0);
  /** μ·(x − μ) by capsule id. */
  private alongMean = new Float32Array(0);
  private readonly row: Float32Array;

  constructor(private readonly mean: Float32Array) {
    this.row = new Float32Array(mean.length);
  }

  /** Measures the rows of capsules `ids` (all in `hot`). */
  measure(hot: HotVectors, ids: ArrayLike<number>): void {
    const { mean, row } = this;
    let top = -1;
    for (let i = 0; i < ids.length; i++) top = Math.max(top, ids[i]);
    if (top >= this.norms.length) this.grow(top + 1);
    for (let i = 0; i < ids.length; i++) {
      hot.copyRow(hot.rowIndex(ids[i]), row, 0);
      let norm = 0;
      let along = 0;
      for (let j = 0; j < mean.length; j++) {
        const value = row[j] - mean[j];
        norm += value * value;
        along += mean[j] * value;
      }
      this.norms[ids[i]] = Math.sqrt(norm);
      this.alongMean[ids[i]] = along;
    }
  }

  /**
   * The terms of query `q` of `queries` the estimate needs: q·μ and |q − μ|.
   */
  queryTerms(queries: Float32Array, q: number): { onMean: number; norm: number } {
    const { mean } = this;
    const at = q * mean.length;
    let onMean = 0;
    let norm = 0;
    for (let j = 0; j < mean.length; j++) {
      onMean += queries[at + j] * mean[j];
      const value = queries[at + j] - mean[j];
      norm += value * value;
    }
    return { onMean, norm: Math.sqrt(norm) };
  }

  /** q·x for capsule `id`, from the cosine about the mean the graph measured. */
  estimate(terms: { onMean: number; norm: number }, id: number, cosine: number): number {
    return terms.onMean + terms.norm * this.norms[id] * cosine + this.alongMean[id];
  }

  private grow(size: number): void {
    const length = Math.max(size, 2 * this.norms.length);
    const norms = new Float32Array(length);
    norms.set(this.norms);
    const alongMean = new Float32Array(length);
    alongMean.set(this.alongMean);
    this.norms = norms;
    this.alongMean = alongMean;
  }
}
