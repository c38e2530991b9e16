/** The live trace of the current turn: events as they arrive, reset when a new turn starts. */
import { useCallback, useState } from "react";
import type { TraceEvent } from "../lib/pipeline/types.js";

export function useTrace() {
  const [trace, setTrace] = useState<{ turn: number; events: TraceEvent[] }>({ turn: 0, events: [] });

  /** Adds one event; the first event of another turn starts a fresh list. */
  const push = useCallback((event: TraceEvent) => {
    setTrace((current) =>
      current.turn === event.turn
        ? { turn: current.turn, events: [...current.events, event] }
        : { turn: event.turn, events: [event] },
    );
  }, []);

  /** Shows a saved turn (its end events), e.g. the last turn of a resumed session. */
  const show = useCallback((turn: number, events: TraceEvent[]) => setTrace({ turn, events }), []);

  return { trace, push, show };
}
