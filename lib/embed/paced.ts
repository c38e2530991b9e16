/**
 * Embedding many texts in calls short enough to cancel between. One embedder call cannot be interrupted,
 * and its time grows with its batch: 64 texts of 1 KB take 10–25 s on the offline use-lite model but well
 * under a second on a fast one. So the batch size is measured, not fixed: each call is sized from the time
 * per text of the calls before it (remembered per embedder) to take about `targetMs`, and the signal is
 * checked between calls, after a turn of the event loop (without one, timers and signal handlers that would
 * abort it never run while the calls go on).
 */
import { config } from "../config.js";
import { EmbedderError, InvalidInputError, throwIfCancelled } from "../errors.js";
import { type Embedder, nextTurn } from "./embedder.js";

/** How long one embedder call should take, by default. */
export const DEFAULT_CALL_MS = 250;

/** The last measured time per text of each embedder, so the next run starts at the right batch size. */
const msPerText = new WeakMap<Embedder, number>();

export interface PacedOptions {
  /** Checked before every call; an abort throws `CancelledError` (`SIGLA_CANCELLED`) naming `what`. */
  signal?: AbortSignal;
  /** Names the work in the cancellation message (default "embedding"). */
  what?: string;
  /** Most texts per call (default `SIGLA_ENCODER_BATCH`). */
  maxBatch?: number;
  /** Aimed-at duration of one call in ms (default 250). */
  targetMs?: number;
  /** Called after each call with the number of texts embedded so far. */
  onProgress?: (done: number) => void;
  /** Called after each call with its size and duration (for diagnostics and tests). */
  onCall?: (size: number, ms: number) => void;
}

/** The batch size for the next call: `targetMs` worth of texts, growing at most 2× per call, within bounds. */
function nextSize(rate: number | undefined, previous: number, targetMs: number, maxBatch: number): number {
  if (rate === undefined) return 1;
  const fits = Math.floor(targetMs / Math.max(rate, 1e-3));
  return Math.max(1, Math.min(maxBatch, fits, previous * 2));
}

/**
 * Embeds `texts` in order through `embedder`, in calls sized to take about `targetMs` each (the first call
 * of a new embedder holds one text, to measure it), checking `signal` before each call. Returns the vectors
 * in input order. Time per text is smoothed across calls, and a slow call shrinks the next one at once.
 */
export async function embedPaced(
  embedder: Embedder,
  texts: readonly string[],
  options: PacedOptions = {},
): Promise<Float32Array[]> {
  const maxBatch = options.maxBatch ?? config().encoderBatch;
  const targetMs = options.targetMs ?? DEFAULT_CALL_MS;
  if (!Number.isInteger(maxBatch) || maxBatch < 1) {
    throw new InvalidInputError(`embedding batch size must be an integer ≥ 1, got ${maxBatch}`);
  }
  if (!(targetMs > 0)) throw new InvalidInputError(`embedding call target must be > 0 ms, got ${targetMs}`);
  const what = options.what ?? "embedding";
  const vectors: Float32Array[] = [];
  let size = 0;
  while (vectors.length < texts.length) {
    // A turn of the event loop first, so a timeout or Ctrl-C can set the signal before it is read.
    await nextTurn();
    throwIfCancelled(options.signal, what);
    const rate = msPerText.get(embedder);
    size = Math.min(texts.length - vectors.length, nextSize(rate, size || maxBatch, targetMs, maxBatch));
    const batch = texts.slice(vectors.length, vectors.length + size);
    const started = performance.now();
    const out = await embedder.embed(batch as string[]);
    const ms = performance.now() - started;
    if (!Array.isArray(out) || out.length !== batch.length) {
      throw new EmbedderError(
        "SIGLA_EMBEDDER_UNAVAILABLE",
        `${embedder.id} returned ${Array.isArray(out) ? out.length : "no"} vectors for ${batch.length} texts`,
      );
    }
    vectors.push(...out);
    // Smoothed, but a call slower than expected counts fully: the next one must not overrun again.
    const measured = ms / batch.length;
    msPerText.set(embedder, rate === undefined || measured > rate ? measured : (rate + measured) / 2);
    options.onCall?.(batch.length, ms);
    options.onProgress?.(vectors.length);
  }
  return vectors;
}
