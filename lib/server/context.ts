/**
 * What every route of one server shares: the open workbench, the metrics, and the two disciplines a
 * shared store needs — reads refreshed from the table's version at most `refreshMs` apart, and commands
 * that touch the one pipeline session run one at a time.
 */
import type { Workbench } from "../commands/workbench.js";
import type { ServerMetrics } from "./metrics.js";

export class ServerContext {
  private lastRefresh = 0;
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

  /** The next read refreshes first (after a write this server forwarded). */
  stale(): void {
    this.lastRefresh = 0;
  }

  get store() {
    return this.bench.store;
  }

  /** Picks up other processes' writes when the last look at the table is older than `refreshMs`. */
  async fresh(): Promise<void> {
    if (Date.now() - this.lastRefresh < this.refreshMs) return;
    this.refreshing ??= this.store
      .refresh()
      .then(() => {
        this.lastRefresh = Date.now();
      })
      .finally(() => {
        this.refreshing = undefined;
      });
    await this.refreshing;
  }

  /** Runs `work` after every serial command before it (the pipeline and session hold one turn at a time). */
  serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
