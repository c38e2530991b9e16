/**
 * The kernel's execute requests, one after another, with Jupyter's `stop_on_error` as ipykernel reads it:
 * a cell that fails with `stop_on_error` (the default) aborts the requests already waiting behind it, and
 * no others; a request that says `stop_on_error: false` (nbconvert `--allow-errors`, nbclient with
 * `allow_errors`) aborts nothing. tslab's own queue instead aborts every request that arrives in the 200 ms
 * after any failure, so the cell after a failing one was silently skipped even with `--allow-errors`.
 */

/** How a queued cell ended. */
export type CellStatus = "ok" | "error" | "aborted";

/** Runs cells in order; see the file comment for what a failure aborts. */
export class CellQueue {
  private tail: Promise<unknown> = Promise.resolve();
  /** Failures that stop the queue so far: a request waiting since before one of them is aborted. */
  private stops = 0;

  /**
   * Queues `cell` (true when it succeeded; a throw is a failure) behind the requests already queued; its
   * status once it ran, or "aborted" when a cell ahead of it failed with `stopOnError`.
   */
  run(cell: () => Promise<boolean>, stopOnError = true): Promise<CellStatus> {
    const arrivedAfter = this.stops;
    const done = this.tail.then(async (): Promise<CellStatus> => {
      if (this.stops !== arrivedAfter) return "aborted";
      let ok = false;
      try {
        ok = await cell();
      } catch {
        ok = false;
      }
      if (!ok && stopOnError) this.stops += 1;
      return ok ? "ok" : "error";
    });
    this.tail = done;
    return done;
  }
}
