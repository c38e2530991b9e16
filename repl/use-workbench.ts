/**
 * The REPL's workbench as it comes up behind the first frame: the start-up (opening the store and the
 * embedder, seeding the sample corpus) and the command layer load in the background, side by side. Once
 * both are in, the status line is read and the session's saved state shown; `ready` then says lines can run.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import type { Workbench } from "../lib/commands/workbench.js";
import { toSiglaError } from "../lib/errors.js";
import type { TraceEvent } from "../lib/pipeline/types.js";
import type { Entry } from "./answer.js";
import type { TurnState } from "./gauges.js";
import type { Started, StartOptions } from "./start.js";
import type { Status } from "./status-line.js";
import { type Library, useLibrary } from "./use-library.js";
import { type Startup, useStartup } from "./use-startup.js";

/** The gauges' state from the session's last turn, when it has one. */
function savedState(bench: Workbench): TurnState | undefined {
  const last = bench.session.timeline[bench.session.timeline.length - 1];
  if (!last) return undefined;
  const { pain, trust, clarity, drift, voice, phase, mode } = last;
  return { metrics: { pain, trust, clarity, drift }, voice, phase, mode, delta: bench.session.delta };
}

async function statusOf(bench: Workbench, library: Library): Promise<Status> {
  return {
    path: library.shortPath(bench.store.path),
    count: await bench.store.count(),
    embedder: bench.embedder,
    answerer: bench.answerer,
    session: bench.session.id,
    indexKind: bench.store.indexKind,
    modules: bench.attachedModules,
  };
}

export interface WorkbenchView {
  startup: Startup & { cancel: () => boolean };
  bench?: Workbench;
  library?: Library;
  status?: Status;
  turnState?: TurnState;
  setTurnState: (state: TurnState) => void;
  /** Both in and the status line read: lines can run. */
  ready: boolean;
  /** `CODE: message` when the start-up or the command layer failed. */
  failed?: string;
  /** Reads the status line again and, after a store switch, the session's saved state. */
  refresh: (withSession: boolean) => Promise<void>;
}

export function useWorkbench(
  start: (options: StartOptions) => Promise<Started>,
  addEntry: (entry: Omit<Entry, "id">) => void,
  show: (turn: number, events: TraceEvent[]) => void,
): WorkbenchView {
  const startup = useStartup(start);
  const { library, error } = useLibrary();
  const bench = startup.started?.bench;
  const [status, setStatus] = useState<Status | undefined>();
  const [turnState, setTurnState] = useState<TurnState | undefined>();
  const announced = useRef(false);

  const refresh = useCallback(
    async (withSession: boolean) => {
      if (!bench || !library) return;
      setStatus(await statusOf(bench, library));
      if (withSession) {
        setTurnState(savedState(bench));
        const traces = bench.session.traces;
        show(traces.length, traces[traces.length - 1] ?? []);
      }
    },
    [bench, library, show],
  );

  useEffect(() => {
    if (!startup.started || !library || announced.current) return;
    announced.current = true;
    const { seeded, seedCancelled, bench: opened } = startup.started;
    if (seeded) {
      addEntry({
        line: "",
        notice: `The store was empty: loaded the sample corpus (${seeded.files} notes, ${seeded.ids.length} capsules) into ${library.shortPath(opened.store.path)}.`,
      });
    }
    if (seedCancelled)
      addEntry({ line: "", error: `${seedCancelled} — the REPL starts with what was stored` });
    refresh(true).catch((failure: unknown) => addEntry({ line: "", error: library.errorLine(failure) }));
  }, [startup.started, library, addEntry, refresh]);

  const failed =
    startup.phase === "failed"
      ? startup.error
      : error !== undefined
        ? toSiglaError(error).toLine()
        : undefined;
  return {
    startup,
    bench,
    library,
    status,
    turnState,
    setTurnState,
    ready: Boolean(bench && library && status),
    failed,
    refresh,
  };
}
