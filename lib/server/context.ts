/**
 * What every route of one server shares: the open workbench, the metrics, and the two disciplines a
 * shared store needs — reads refreshed from the table's version at most `refreshMs` apart, and commands
 * that touch the one pipeline session run one at a time.
 */
import type { Workbench } from "../commands/workbench.js";
import type { ServerMetrics } from "./metrics.js";

export class ServerContext {
  private lastRefresh = 0;
  /** The refresh in progress, if any. */
  private swapping?: Promise<void>;
  /** Reads in progress, and who waits for them to end. */
  private readers = 0;
  private idle?: () => void;
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

  /**
   * Runs a read of the store's state. A refresh replaces that state (another process wrote), so it waits
   * for the reads in progress to finish, and reads wait while it runs: no read sees half of each.
   */
  async read<T>(work: () => Promise<T>): Promise<T> {
    await this.fresh();
    while (this.swapping) await this.swapping;
    this.readers++;
    try {
      return await work();
    } finally {
      this.readers--;
      if (this.readers === 0) this.idle?.();
    }
  }

  /**
   * Makes the state at least as new as the table was `refreshMs` ago: a write acknowledged before then is
   * seen. A refresh counts from when it started (it reads the version then), so one still running may be
   * too old for this read, which then starts the next.
   */
  private async fresh(): Promise<void> {
    for (;;) {
      if (Date.now() - this.lastRefresh < this.refreshMs) return;
      if (this.swapping) {
        await this.swapping;
        continue;
      }
      const started = Date.now();
      this.swapping = (async () => {
        while (this.readers > 0) await new Promise<void>((resolve) => (this.idle = resolve));
        await this.store.refresh();
        this.lastRefresh = started;
      })().finally(() => {
        this.swapping = undefined;
        this.idle = undefined;
      });
      await this.swapping;
      return;
    }
  }

  /** Runs `work` after every serial command before it (the pipeline and session hold one turn at a time). */
  serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
