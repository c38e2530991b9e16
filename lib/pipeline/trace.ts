/**
 * The trace channel: every pipeline step emits a `start` and an `end` event; subscribers read them as an
 * async iterator (the REPL and the kernel draw them live) or through a callback.
 */
import type { TraceEvent } from "./types.js";

/** A multi-subscriber event channel that ends when closed. */
export class TraceChannel {
  private readonly subscribers = new Set<{ queue: TraceEvent[]; wake?: () => void; closed: boolean }>();
  private readonly listeners = new Set<(event: TraceEvent) => void>();

  /** Calls `listener` for every event until the returned function is called. */
  on(listener: (event: TraceEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sends `event` to every listener and every open subscription. */
  emit(event: TraceEvent): void {
    for (const listener of this.listeners) listener(event);
    for (const sub of this.subscribers) {
      sub.queue.push(event);
      sub.wake?.();
    }
  }

  /** Events from now on, until `close()`. */
  subscribe(): AsyncIterableIterator<TraceEvent> {
    const sub: { queue: TraceEvent[]; wake?: () => void; closed: boolean } = { queue: [], closed: false };
    this.subscribers.add(sub);
    const finish = () => {
      sub.closed = true;
      this.subscribers.delete(sub);
      sub.wake?.();
    };
    return {
      [Symbol.asyncIterator]() {
        return this;
      },
      async next(): Promise<IteratorResult<TraceEvent>> {
        while (sub.queue.length === 0 && !sub.closed) {
          await new Promise<void>((resolve) => {
            sub.wake = resolve;
          });
          sub.wake = undefined;
        }
        const value = sub.queue.shift();
        return value ? { value, done: false } : { value: undefined, done: true };
      },
      async return(): Promise<IteratorResult<TraceEvent>> {
        finish();
        return { value: undefined, done: true };
      },
    };
  }

  /** Ends every subscription (after the events already queued). */
  close(): void {
    for (const sub of this.subscribers) {
      sub.closed = true;
      sub.wake?.();
    }
    this.subscribers.clear();
  }
}
