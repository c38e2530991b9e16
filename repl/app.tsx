/**
 * The REPL screen. Above: the transcript (each line typed and what came back), written once and left in
 * the terminal's scrollback. Below, redrawn live: the status line, the trace panel of the current turn
 * beside the gauges and the ∆DΩΛ block, a progress bar while long work runs, and the input line.
 *
 * Keys: Enter runs the line (plain text asks the pipeline, `:command` runs a command), ↑/↓ history, Tab
 * completion, Ctrl-C cancels the running job, clears a typed line, or (twice at an empty prompt) quits.
 */
import { Box, Static, Text, useApp, useInput } from "ink";
import { useCallback, useEffect, useRef, useState } from "react";
import { complete } from "../lib/commands/complete.js";
import { parseCommand } from "../lib/commands/parse.js";
import { runCommand } from "../lib/commands/registry.js";
import { errorLine, shortPath } from "../lib/commands/text.js";
import type { CommandResult } from "../lib/commands/types.js";
import type { Workbench } from "../lib/commands/workbench.js";
import type { TraceEvent } from "../lib/pipeline/types.js";
import { Answer, type Entry, LiveAnswer } from "./answer.js";
import { Gauges, GaugesLine, type TurnState } from "./gauges.js";
import { InputLine } from "./input-line.js";
import { screenLayout } from "./layout.js";
import { ProgressBar, Spinner } from "./progress.js";
import type { Started, StartOptions } from "./start.js";
import { type Status, StatusLine } from "./status-line.js";
import { TraceLine, TracePanel } from "./trace-panel.js";
import { useHistory } from "./use-history.js";
import { useJob } from "./use-job.js";
import { useLineEditor } from "./use-line-editor.js";
import { useStartup } from "./use-startup.js";
import { useStream } from "./use-stream.js";
import { useTerminalSize } from "./use-terminal-size.js";
import { useTrace } from "./use-trace.js";

export interface AppProps {
  /** Opens the workbench (the default store, seeded when empty; a temporary one in tests). */
  start: (options: StartOptions) => Promise<Started>;
  /** Where the input history is kept (none: history only for this run). */
  historyFile?: string;
  /** Called once the first prompt is drawn. */
  onReady?: () => void;
  /** Every pipeline trace event, as it arrives (the start-up benchmark times the first one). */
  onTrace?: (event: TraceEvent) => void;
  /** Called with the open workbench just before the app exits (the caller closes it). */
  onExit?: (bench: Workbench | undefined) => void;
}

/** How long a first Ctrl-C at an empty prompt waits for the second. */
const QUIT_WINDOW_MS = 3000;

const INPUT_HINT = "ask a question (e.g. What is LanceDB?) or type :help";

/** The gauges' state from the session's last turn, when it has one. */
function savedState(bench: Workbench): TurnState | undefined {
  const last = bench.session.timeline[bench.session.timeline.length - 1];
  if (!last) return undefined;
  const { pain, trust, clarity, drift, voice, phase, mode } = last;
  return { metrics: { pain, trust, clarity, drift }, voice, phase, mode, delta: bench.session.delta };
}

async function statusOf(bench: Workbench): Promise<Status> {
  return {
    path: bench.store.path,
    count: await bench.store.count(),
    embedder: bench.embedder,
    answerer: bench.answerer,
    session: bench.session.id,
    indexKind: bench.store.indexKind,
  };
}

export function App({ start, historyFile, onReady, onTrace, onExit }: AppProps) {
  const { exit } = useApp();
  const size = useTerminalSize();
  const startup = useStartup(start);
  const bench = startup.started?.bench;
  const history = useHistory(historyFile);
  const { job, run, cancel } = useJob();
  const { trace, push, show } = useTrace();
  const stream = useStream();
  const [entries, setEntries] = useState<Entry[]>([]);
  const [turnState, setTurnState] = useState<TurnState | undefined>();
  const [status, setStatus] = useState<Status | undefined>();
  const [quitArmed, setQuitArmed] = useState(false);
  // Read by the key handler: the state can lag behind a second Ctrl-C that arrives before the handler
  // subscribed after the re-render (the hint is already on screen, the closure still says "not armed").
  const quitArmedNow = useRef(false);
  const nextId = useRef(0);
  const readyCalled = useRef(false);
  const busy = useRef(false);

  const addEntry = useCallback((entry: Omit<Entry, "id">) => {
    setEntries((current) => [...current, { ...entry, id: nextId.current++ }]);
  }, []);

  /** Status line and (after a store switch) the session's saved state. */
  const refresh = useCallback(
    async (withSession: boolean) => {
      if (!bench) return;
      setStatus(await statusOf(bench));
      if (withSession) {
        setTurnState(savedState(bench));
        const traces = bench.session.traces;
        show(traces.length, traces[traces.length - 1] ?? []);
      }
    },
    [bench, show],
  );

  useEffect(() => {
    if (!startup.started) return;
    const { seeded, seedCancelled, bench: opened } = startup.started;
    if (seeded) {
      addEntry({
        line: "",
        notice: `The store was empty: loaded the sample corpus (${seeded.files} notes, ${seeded.ids.length} capsules) into ${shortPath(opened.store.path)}.`,
      });
    }
    if (seedCancelled)
      addEntry({ line: "", error: `${seedCancelled} — the REPL starts with what was stored` });
    void refresh(true);
  }, [startup.started, addEntry, refresh]);

  useEffect(() => {
    if (status && !readyCalled.current) {
      readyCalled.current = true;
      onReady?.();
    }
  }, [status, onReady]);

  const quit = useCallback(() => {
    onExit?.(bench);
    exit();
  }, [bench, exit, onExit]);

  const submit = useCallback(
    async (line: string) => {
      const text = line.trim();
      if (text === "" || !bench || busy.current) return;
      history.add(text);
      let parsed: ReturnType<typeof parseCommand>;
      try {
        parsed = parseCommand(text);
      } catch (error) {
        addEntry({ line: text, error: errorLine(error) });
        return;
      }
      if (parsed.name === "quit") {
        quit();
        return;
      }
      const before = bench.store.path;
      let result: CommandResult | undefined;
      busy.current = true;
      try {
        result = await run(text, (options) =>
          runCommand(bench, parsed, {
            ...options,
            onTrace: (event) => {
              push(event);
              onTrace?.(event);
            },
            onToken: stream.append,
          }),
        );
        addEntry({ line: text, result });
        if (result.kind === "ask") {
          const { metrics, voice, phase, mode, delta } = result.turn;
          setTurnState({ metrics, voice, phase, mode, delta });
        }
      } catch (error) {
        addEntry({ line: text, error: errorLine(error) });
      } finally {
        // The formatted answer (or the error) is in the transcript now: it replaces the live text.
        stream.reset();
        busy.current = false;
      }
      await refresh(bench.store.path !== before).catch((error: unknown) =>
        addEntry({ line: "", error: errorLine(error) }),
      );
    },
    [bench, history, addEntry, quit, run, push, onTrace, refresh, stream.append, stream.reset],
  );

  // Tags are read when a completion after --tags asks for them, not after every command.
  const completeLine = useCallback(
    (line: string) => complete(line, { tags: () => bench?.tags() ?? [] }),
    [bench],
  );
  const editor = useLineEditor({
    onSubmit: (line) => void submit(line),
    history: history.entries,
    complete: completeLine,
  });

  useInput((inputKey, key) => {
    if (!(key.ctrl && inputKey === "c")) return;
    if (startup.cancel()) return;
    if (cancel()) return;
    if (editor.current().value !== "") {
      editor.clear();
      return;
    }
    if (quitArmedNow.current || startup.phase === "failed") {
      quit();
      return;
    }
    quitArmedNow.current = true;
    setQuitArmed(true);
    setTimeout(() => {
      quitArmedNow.current = false;
      setQuitArmed(false);
    }, QUIT_WINDOW_MS);
  });

  const writing = Boolean(job) && stream.text !== "";
  const layout = screenLayout(size, {
    writing,
    job: Boolean(job),
    progress: Boolean(job?.progress),
    choices: editor.state.choices.length > 0,
  });

  // The first prompt is drawn with its status line, once the store has been read.
  if (startup.phase !== "ready" || !bench || !status) {
    return (
      <Box flexDirection="column">
        <StatusLine />
        {startup.phase === "failed" ? (
          <>
            <Text color="red">{startup.error}</Text>
            <Text dimColor>Ctrl-C to leave</Text>
          </>
        ) : (
          <>
            <Text>
              <Spinner /> {startup.detail}…
            </Text>
            {startup.progress ? <ProgressBar progress={startup.progress} /> : null}
          </>
        )}
      </Box>
    );
  }

  return (
    <Box flexDirection="column">
      <Static items={entries}>{(entry) => <Answer key={entry.id} entry={entry} />}</Static>
      <StatusLine status={status} />
      {layout.compact ? (
        <>
          <TraceLine events={trace.events} turn={trace.turn} running={Boolean(job)} />
          {layout.gauges ? <GaugesLine state={turnState} /> : null}
        </>
      ) : (
        <Box flexDirection="row">
          <TracePanel
            events={trace.events}
            turn={trace.turn}
            running={Boolean(job)}
            width={layout.traceWidth}
          />
          <Gauges state={turnState} width={layout.gaugesWidth} />
        </Box>
      )}
      {writing ? (
        <LiveAnswer
          text={stream.text}
          title={`${bench.answerer} is writing…`}
          width={size.columns}
          rows={layout.liveRows}
        />
      ) : null}
      {job ? (
        <Box flexDirection="column">
          <Text wrap="truncate-end">
            <Spinner /> <Text bold>{job.line}</Text>
            <Text dimColor>
              {writing
                ? job.cancelling
                  ? " · stopping the model…"
                  : " · Ctrl-C stops the model and keeps what it wrote"
                : job.cancelling
                  ? " · cancelling…"
                  : " · Ctrl-C cancels"}
            </Text>
          </Text>
          {job.progress ? <ProgressBar progress={job.progress} hint={false} /> : null}
        </Box>
      ) : null}
      <InputLine editor={editor} active={!job} hint={INPUT_HINT} width={size.columns} />
      {layout.hint || quitArmed ? (
        <Text dimColor wrap="truncate-end">
          {quitArmed
            ? "Press Ctrl-C again to quit"
            : "Enter runs · ↑/↓ history · Tab completes · :help · Ctrl-C twice quits"}
        </Text>
      ) : null}
    </Box>
  );
}
