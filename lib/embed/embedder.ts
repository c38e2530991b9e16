import { EmbedderError } from "../errors.js";

/** The one interface every embedding backend implements. */
export interface Embedder {
  /** Stable identity stored with a store, e.g. "use-lite" or "transformers:Xenova/all-MiniLM-L6-v2". */
  readonly id: string;
  /** Length of every vector this embedder returns. */
  readonly dim: number;
  /** Embeds texts in order; vectors are L2-normalised. Batches internally by `SIGLA_ENCODER_BATCH`. */
  embed(texts: string[]): Promise<Float32Array[]>;
  /** Releases native resources (sessions, tensors). */
  close?(): Promise<void>;
}

/**
 * An embedder for stores fed precomputed vectors only (benchmarks): it carries the dimension and refuses
 * text with a clear error.
 */
export function precomputedEmbedder(dim: number): Embedder {
  return {
    id: `precomputed-${dim}`,
    dim,
    async embed() {
      throw new EmbedderError(
        "SIGLA_EMBEDDER_UNAVAILABLE",
        "this store takes precomputed vectors only, not text",
      );
    },
  };
}

/** Spec strings accepted wherever an embedder is named. */
export type EmbedderSpec = "auto" | "use-lite" | `transformers:${string}`;

/** Splits `items` into consecutive batches of at most `size`. */
export function* batches<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

/**
 * Waits for the next turn of the event loop. Model calls can resolve through promise callbacks alone, so a
 * loop of them never lets timers, signals or I/O run: an `AbortSignal.timeout` or a Ctrl-C would not fire
 * until the loop ends. Awaiting this between calls lets them in.
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** `dot` and `normalize` stay importable from here for the embedders and their callers. */
export { dot, normalize } from "../math/vectors.js";
