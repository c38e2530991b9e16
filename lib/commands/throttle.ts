/**
 * Live output at a bounded rate. A model writes a token every few milliseconds; redrawing a terminal or
 * sending a notebook update that often floods the front end. `throttle` runs `flush` at most once per
 * `ms` after calls to `poke`, and always once after the last poke, so the newest text is never left out.
 */
export interface Throttle {
  /** Something changed: `flush` runs within `ms`. */
  poke(): void;
  /** Runs a pending `flush` now. */
  flush(): void;
  /** Drops a pending `flush`. */
  cancel(): void;
}

/** A `Throttle` that runs `flush` at most once per `ms`, and once more after the last poke. */
export function throttle(flush: () => void, ms: number): Throttle {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const run = () => {
    clearTimeout(timer);
    timer = undefined;
    flush();
  };
  return {
    poke() {
      timer ??= setTimeout(run, ms);
    },
    flush() {
      if (timer !== undefined) run();
    },
    cancel() {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
