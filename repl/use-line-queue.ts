/**
 * Lines entered while the REPL cannot run them yet — the store is still opening, or a job is running —
 * wait here, in order, and run one after another as soon as it can. Nothing typed is lost: the input line
 * stays editable during a turn, and Enter queues the line instead of dropping it.
 */
import { useCallback, useEffect, useRef, useState } from "react";

export interface LineQueue {
  /** The lines waiting, oldest first. */
  queued: readonly string[];
  /** Queues a line; it runs at once when nothing else does. */
  add: (line: string) => void;
  /** Empties the queue; returns the lines dropped. */
  drop: () => string[];
}

/**
 * Runs queued lines through `runLine`, one at a time, while `ready`. `runLine` is read afresh for each
 * line, so a line runs against the state the previous one left.
 */
export function useLineQueue(runLine: (line: string) => Promise<void>, ready: boolean): LineQueue {
  const lines = useRef<string[]>([]);
  const [queued, setQueued] = useState<readonly string[]>([]);
  const running = useRef(false);
  const latest = useRef({ runLine, ready });
  latest.current = { runLine, ready };

  const pump = useCallback(async () => {
    if (running.current) return;
    running.current = true;
    try {
      while (latest.current.ready && lines.current.length > 0) {
        const line = lines.current.shift() as string;
        setQueued([...lines.current]);
        await latest.current.runLine(line);
      }
    } finally {
      running.current = false;
    }
  }, []);

  useEffect(() => {
    if (ready) void pump();
  }, [ready, pump]);

  const add = useCallback(
    (line: string) => {
      lines.current.push(line);
      setQueued([...lines.current]);
      void pump();
    },
    [pump],
  );

  const drop = useCallback(() => {
    const dropped = lines.current.splice(0);
    if (dropped.length > 0) setQueued([]);
    return dropped;
  }, []);

  return { queued, add, drop };
}
