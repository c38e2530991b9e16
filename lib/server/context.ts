/**
 * What every route of one server shares: the open workbench, the metrics, and the two disciplines a
 * shared store needs — reads see the table as it was at most `refreshMs` ago, and commands that touch the
 * one pipeline session run one at a time.
 */
import type { Workbench } from "../commands/workbench.js";
import type { ServerMetrics } from "./metrics.js";

export class ServerContext {
  /** When the last finished refresh started (monotonic clock): every write acknowledged before then is seen. */
  private seenAt = Number.NEGATIVE_INFINITY;
  /** The refresh in progress, if any. */
  private refreshing?: Promise<void>;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly bench: Workbench,
    readonly metrics: ServerMetrics,
    /** Another process's acknowledged write is seen by this server's reads within this bound. */
    readonly refreshMs: number,
    /** The writer this server forwards writes to (`forward.ts`); undefined: it writes itself. */
    readonly writerUrl?: string,
  ) {}

  get store() {
    return this.bench.store;
  }

  /**
   * Runs a read of the store's state, once that state is new enough. A refresh builds the new state beside
   * the one in use and swaps it in at once (`reload`), so reads run alongside it and never see half of it.
   */
  async read<T>(work: () => Promise<T>): Promise<T> {
    await this.fresh();
    return work();
  }

  /**
   * Resolves once a refresh that started after this call has finished. A forwarded write waits for it
   * before its answer goes back, so the client that wrote reads it back from this server — and reads by
   * everyone else never wait for another server's writes, only for the staleness bound.
   */
  caughtUp(): Promise<void> {
    return this.seen(performance.now());
  }

  /**
   * Makes the state at least as new as the table was `refreshMs` ago. A refresh counts from when it
   * started (it reads the version then). Halfway through the bound the next refresh starts in the
   * background, so reads rarely wait for one.
   */
  private async fresh(): Promise<void> {
    const asked = performance.now();
    await this.seen(asked - this.refreshMs);
    // Failures of a refresh nobody waits for surface in the next read that does.
    if (this.refreshMs > 0 && asked - this.seenAt >= this.refreshMs / 2)
      this.refresh().catch(() => undefined);
  }

  /** Refreshes until the state is that of a refresh started at `time` or later (one in flight may not be). */
  private async seen(time: number): Promise<void> {
    while (this.seenAt < time) await this.refresh();
  }

  /** Resolves once no refresh runs (before the store closes). */
  async settled(): Promise<void> {
    await this.refreshing?.catch(() => undefined);
  }

  /** The refresh in progress, or a new one. */
  private refresh(): Promise<void> {
    if (this.refreshing) return this.refreshing;
    const started = performance.now();
    this.refreshing = this.store
      .refresh()
      .then(() => {
        this.seenAt = Math.max(this.seenAt, started);
      })
      .finally(() => {
        this.refreshing = undefined;
      });
    return this.refreshing;
  }

  /** Runs `work` after every serial command before it (the pipeline and session hold one turn at a time). */
  serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
