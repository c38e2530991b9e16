/**
 * The REPL screen. Above: the transcript (each line typed and what came back), written once through
 * Ink's `<Static>` and left in the terminal's scrollback, never redrawn. Below, redrawn live
 * (`live-region.tsx`): the status line, the trace of the current turn and the gauges, the model's text
 * while it writes, a progress bar while long work runs, the queued lines and the input line.
 *
 * The first frame is drawn before anything heavy loads: the prompt takes keys at once while the store
 * opens and the command layer loads behind it (the status line says `opening store …`). Lines entered
 * before that, or while a job runs, are queued and run in order — nothing typed is lost.
 *
 * Keys: Enter runs (or queues) the line, ↑/↓ history, Tab completion; Ctrl-C cancels the running job
 * (and drops the queued lines), else drops the queue, clears a typed line, or (twice at an empty prompt)
 * quits.
 */
import { Box, Static, Text, useApp } from "ink";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { Workbench } from "../lib/commands/workbench.js";
import type { TraceEvent } from "../lib/pipeline/types.js";
import type { Entry } from "./answer.js";
import { screenLayout } from "./layout.js";
import { LiveRegion } from "./live-region.js";
import type { Started, StartOptions } from "./start.js";
import { StatusLine } from "./status-line.js";
import { useHistory } from "./use-history.js";
import { useJob } from "./use-job.js";
import { useLineQueue } from "./use-line-queue.js";
import { usePrompt } from "./use-prompt.js";
import { useRunLine } from "./use-run-line.js";
import { useStream } from "./use-stream.js";
import { useTerminalSize } from "./use-terminal-size.js";
import { useTrace } from "./use-trace.js";
import { useWorkbench } from "./use-workbench.js";

export interface AppProps {
  /** Opens the workbench (the default store, seeded when empty; a temporary one in tests). */
  start: (options: StartOptions) => Promise<Started>;
  /** Where the input history is kept (none: history only for this run). */
  historyFile?: string;
  /** Called once the store is open and its status line drawn: lines run from then on. */
  onReady?: () => void;
  /** Every pipeline trace event, as it arrives (the start-up benchmark times the first one). */
  onTrace?: (event: TraceEvent) => void;
  /** Called with the open workbench just before the app exits (the caller closes it). */
  onExit?: (bench: Workbench | undefined) => void;
}

export function App({ start, historyFile, onReady, onTrace, onExit }: AppProps) {
  const { exit } = useApp();
  const size = useTerminalSize();
  const history = useHistory(historyFile);
  const { job, run, cancel } = useJob();
  const { trace, push, show } = useTrace();
  const stream = useStream();
  const [entries, setEntries] = useState<Entry[]>([]);
  const nextId = useRef(0);
  const readyCalled = useRef(false);

  const addEntry = useCallback((entry: Omit<Entry, "id">) => {
    setEntries((current) => [...current, { ...entry, id: nextId.current++ }]);
  }, []);
  const view = useWorkbench(start, addEntry, show);
  const { startup, bench, library, ready } = view;

  useEffect(() => {
    if (ready && !readyCalled.current) {
      readyCalled.current = true;
      onReady?.();
    }
  }, [ready, onReady]);

  const quit = useCallback(() => {
    onExit?.(bench);
    exit();
  }, [bench, exit, onExit]);

  const onTraceEvent = useCallback(
    (event: TraceEvent) => {
      push(event);
      onTrace?.(event);
    },
    [push, onTrace],
  );
  const { append, reset } = stream;
  const streamHandlers = useMemo(() => ({ append, reset }), [append, reset]);
  const runLine = useRunLine({ view, run, addEntry, onTraceEvent, stream: streamHandlers, quit });
  const queue = useLineQueue(runLine, ready);

  const { editor, quitArmed } = usePrompt({ view, history, queue, cancelJob: cancel, addEntry, quit });

  if (view.failed) {
    return (
      <Box flexDirection="column">
        <StatusLine />
        <Text color="red">{view.failed}</Text>
        <Text dimColor>Ctrl-C to leave</Text>
      </Box>
    );
  }

  const layout = screenLayout(size, {
    writing: Boolean(job) && stream.text !== "",
    job: Boolean(job),
    progress: Boolean(job?.progress ?? startup.progress),
    queued: queue.queued.length > 0,
    choices: editor.state.choices.length > 0,
  });
  return (
    <Box flexDirection="column">
      {library ? (
        <Static items={entries}>{(entry) => <library.Answer key={entry.id} entry={entry} />}</Static>
      ) : null}
      <LiveRegion
        size={size}
        layout={layout}
        status={view.status}
        startup={startup}
        trace={trace}
        turnState={view.turnState}
        job={job}
        liveText={stream.text}
        answerer={bench?.answerer}
        library={library}
        queued={queue.queued}
        ready={ready}
        editor={editor}
        quitArmed={quitArmed}
      />
    </Box>
  );
}
