/**
 * What the backends share around a generation: `pieceStream` bridges a backend's callback-style generation
 * (a function handed an `emit` callback) to the async iterable of text pieces the `Runner` interface
 * promises, with one set of cancellation rules — the caller's signal ends the stream with `SIGLA_CANCELLED`
 * at the next piece, and a consumer that stops reading early (a `break`) stops the backend too — plus stop
 * strings for backends without them, the argument checks, and the queue of generations on one model.
 */
import { InvalidInputError, throwIfCancelled } from "../errors.js";
import type { GenerateOptions } from "./runner.js";

/** A generation: calls `emit` with each piece, resolves when done, stops soon after `signal` fires. */
export type Generation = (emit: (piece: string) => void, signal: AbortSignal) => Promise<void>;

/**
 * Runs `generation` when iteration starts and yields its pieces in order. Once the stream is over —
 * finished, failed, cancelled or left — the backend has stopped, so the next generation may start.
 */
export async function* pieceStream(
  generation: Generation,
  signal: AbortSignal | undefined,
  what = "generation",
): AsyncGenerator<string> {
  throwIfCancelled(signal, what);
  const controller = new AbortController();
  const queue: string[] = [];
  let done = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  const forward = () => {
    controller.abort(signal?.reason);
    notify();
  };
  signal?.addEventListener("abort", forward, { once: true });
  const finished = generation((piece) => {
    if (piece === "") return;
    queue.push(piece);
    notify();
  }, controller.signal).then(
    () => {
      done = true;
    },
    (error: unknown) => {
      failure = error;
      done = true;
    },
  );
  void finished.then(notify);
  try {
    while (true) {
      // Checked before each piece, so cancelling drops what the backend produced after the abort.
      throwIfCancelled(signal, what);
      const piece = queue.shift();
      if (piece !== undefined) yield piece;
      else if (done) {
        if (failure !== undefined) throw failure;
        return;
      } else await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    signal?.removeEventListener("abort", forward);
    controller.abort();
    await finished;
  }
}

/**
 * For a backend without stop strings of its own: wraps `emit` so that text which may begin a stop string
 * is held back until it cannot, and the first stop string ends the output (it and all after it are
 * dropped) and calls `stop`. `flush` passes on what is still held once the backend is done.
 */
export function stopStrings(
  stops: readonly string[] | undefined,
  emit: (piece: string) => void,
  stop: () => void,
): { emit: (piece: string) => void; flush: () => void } {
  const wanted = (stops ?? []).filter((s) => s !== "");
  let held = "";
  let stopped = false;
  const pass = (text: string) => {
    if (text !== "") emit(text);
  };
  return {
    emit(piece) {
      if (stopped) return;
      if (wanted.length === 0) return pass(piece);
      held += piece;
      const at = Math.min(...wanted.map((s) => held.indexOf(s)).filter((i) => i >= 0));
      if (Number.isFinite(at)) {
        stopped = true;
        pass(held.slice(0, at));
        held = "";
        stop();
        return;
      }
      // Keep the longest tail of `held` that a stop string starts with.
      let keep = 0;
      for (const s of wanted) {
        for (let n = Math.min(s.length - 1, held.length); n > keep; n--) {
          if (held.endsWith(s.slice(0, n))) {
            keep = n;
            break;
          }
        }
      }
      pass(held.slice(0, held.length - keep));
      held = held.slice(held.length - keep);
    },
    flush() {
      if (!stopped) pass(held);
      held = "";
    },
  };
}

/**
 * The checks every backend makes when `generate` is called: the prompt is a string and `maxTokens` a
 * positive integer (default 256). Returns `maxTokens`.
 */
export function generationLimit(prompt: unknown, options: GenerateOptions): number {
  if (typeof prompt !== "string") throw new InvalidInputError("generate() takes a prompt string");
  const maxTokens = options.maxTokens ?? 256;
  if (!Number.isInteger(maxTokens) || maxTokens < 1) {
    throw new InvalidInputError(`maxTokens must be an integer ≥ 1, got ${options.maxTokens}`);
  }
  return maxTokens;
}

/** A prompt of `tokens` tokens must leave room in the context for at least one more. */
export function checkPromptFits(tokens: number, contextSize: number): void {
  if (tokens >= contextSize) {
    throw new InvalidInputError(
      `the prompt takes ${tokens} tokens; the model's context holds ${contextSize} (SIGLA_LLM_CONTEXT)`,
    );
  }
}

/** A loaded model runs one generation at a time; the others wait their turn in call order. */
export class Turns {
  private last: Promise<void> = Promise.resolve();

  async run<T>(work: () => Promise<T>): Promise<T> {
    const previous = this.last;
    let release = () => {};
    this.last = new Promise((resolve) => (release = resolve));
    await previous;
    try {
      return await work();
    } finally {
      release();
    }
  }

  /** Resolves once every queued generation is over. */
  idle(): Promise<void> {
    return this.last;
  }
}
