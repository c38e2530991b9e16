/**
 * Start-up as state: the phase (opening the store and embedder, seeding the sample corpus), its progress,
 * the workbench once open, or the error that stopped it. Ctrl-C during seeding cancels the sample ingest
 * and starts with the files already stored; leaving the REPL during the start-up cancels it too, and
 * closes the store once it is open.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import type { JobProgress } from "../lib/commands/types.js";
import { CancelledError, toSiglaError } from "../lib/errors.js";
import type { Started, StartOptions, StartPhase } from "./start.js";

export interface Startup {
  phase: StartPhase | "failed";
  detail: string;
  progress?: JobProgress;
  started?: Started;
  /** `CODE: message` when the start failed. */
  error?: string;
}

export function useStartup(
  start: (options: StartOptions) => Promise<Started>,
): Startup & { cancel: () => boolean } {
  const [state, setState] = useState<Startup>({
    phase: "opening",
    detail: "opening store",
  });
  const controller = useRef(new AbortController());

  useEffect(() => {
    let live = true;
    const abort = new AbortController();
    controller.current = abort;
    const update = (change: Partial<Startup>) => live && setState((current) => ({ ...current, ...change }));
    start({
      signal: abort.signal,
      onPhase: (phase, detail) => update({ phase, detail }),
      onProgress: (progress) => update({ progress }),
    }).then(
      (started) => {
        // The REPL was left before the store was open: nobody else will close it.
        if (!live) void started.bench.close();
        update({ phase: "ready", started, progress: undefined });
      },
      // `CODE: message`, as errorLine prints it (the command layer may not be loaded yet).
      (error: unknown) => update({ phase: "failed", error: toSiglaError(error).toLine() }),
    );
    return () => {
      live = false;
      // Quitting during the start-up stops the sample ingest too, so the process can end.
      if (!abort.signal.aborted) abort.abort(new CancelledError("start-up"));
    };
  }, [start]);

  /** Cancels the sample ingest (only while seeding); returns whether it did. */
  const cancel = useCallback(() => {
    if (state.phase !== "seeding" || controller.current.signal.aborted) return false;
    controller.current.abort(new CancelledError("sample corpus ingest"));
    return true;
  }, [state.phase]);

  return { ...state, cancel };
}
