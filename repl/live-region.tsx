/**
 * The live region: everything under the transcript, redrawn as things change — the status line, the
 * trace and the gauges (two boxes side by side, or one line each on a small terminal), the model's text
 * while it writes, the running job with its progress, the queued lines, the input line and the key hint.
 * Its height follows `screenLayout`, which keeps it below the terminal's height.
 */
import { Box, Text } from "ink";
import type { TraceEvent } from "../lib/pipeline/types.js";
import { Gauges, GaugesLine, type TurnState } from "./gauges.js";
import { InputLine } from "./input-line.js";
import type { Layout, ScreenSize } from "./layout.js";
import { ProgressBar, Spinner } from "./progress.js";
import { type Status, StatusLine } from "./status-line.js";
import { TraceLine, TracePanel } from "./trace-panel.js";
import type { Job } from "./use-job.js";
import type { Library } from "./use-library.js";
import type { LineEditor } from "./use-line-editor.js";
import type { Startup } from "./use-startup.js";

const INPUT_HINT = "ask a question (e.g. What is LanceDB?) or type :help";
const KEY_HINT = "Enter runs · ↑/↓ history · Tab completes · :help · Ctrl-C twice quits";
/** Until the store is open: typing works, Enter queues. */
const STARTING_HINT = "type ahead: Enter queues the line until the store is open · Ctrl-C twice quits";

export interface LiveRegionProps {
  size: ScreenSize;
  layout: Layout;
  status?: Status;
  /** The start-up: what it is doing while there is no status yet, the sample corpus progress. */
  startup: Pick<Startup, "phase" | "detail" | "progress">;
  trace: { turn: number; events: readonly TraceEvent[] };
  turnState?: TurnState;
  job?: Job;
  /** The model's text so far while it writes ("" otherwise). */
  liveText: string;
  answerer?: string;
  library?: Library;
  queued: readonly string[];
  /** Lines can run (otherwise queued lines wait for the store). */
  ready: boolean;
  editor: LineEditor;
  quitArmed: boolean;
}

/** `queued: "What is X?" +2 more · runs after the current job`. */
function QueuedLine({ queued, ready }: { queued: readonly string[]; ready: boolean }) {
  return (
    <Text dimColor wrap="truncate-end">
      queued: <Text bold>{queued[0]}</Text>
      {queued.length > 1 ? ` +${queued.length - 1} more` : ""}
      {ready ? " · runs after the current job" : " · runs once the store is open"} · Ctrl-C drops
    </Text>
  );
}

function JobLine({ job, writing }: { job: Job; writing: boolean }) {
  const hint = writing
    ? job.cancelling
      ? " · stopping the model…"
      : " · Ctrl-C stops the model and keeps what it wrote"
    : job.cancelling
      ? " · cancelling…"
      : " · Ctrl-C cancels";
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Spinner /> <Text bold>{job.line}</Text>
        <Text dimColor>{hint}</Text>
      </Text>
      {job.progress ? <ProgressBar progress={job.progress} hint={false} /> : null}
    </Box>
  );
}

/** What the status line says before the store is open. */
function pendingOf({ phase, detail }: LiveRegionProps["startup"]): string {
  return phase === "opening" || phase === "seeding" ? detail : "loading the commands";
}

export function LiveRegion(props: LiveRegionProps) {
  const { size, layout, trace, job, library, queued, editor, startup } = props;
  const running = Boolean(job);
  const writing = running && props.liveText !== "";
  return (
    <Box flexDirection="column">
      <StatusLine status={props.status} pending={props.status ? undefined : pendingOf(startup)} />
      {startup.progress ? <ProgressBar progress={startup.progress} /> : null}
      {layout.compact ? (
        <>
          <TraceLine events={trace.events} turn={trace.turn} running={running} />
          {layout.gauges ? <GaugesLine state={props.turnState} /> : null}
        </>
      ) : (
        <Box flexDirection="row">
          <TracePanel events={trace.events} turn={trace.turn} running={running} width={layout.traceWidth} />
          <Gauges state={props.turnState} width={layout.gaugesWidth} />
        </Box>
      )}
      {writing && library ? (
        <library.LiveAnswer
          text={props.liveText}
          title={`${props.answerer ?? "the model"} is writing…`}
          width={size.columns}
          rows={layout.liveRows}
        />
      ) : null}
      {job ? <JobLine job={job} writing={writing} /> : null}
      {queued.length > 0 ? <QueuedLine queued={queued} ready={props.ready} /> : null}
      <InputLine editor={editor} active hint={INPUT_HINT} width={size.columns} />
      {layout.hint || props.quitArmed ? (
        <Text dimColor wrap="truncate-end">
          {props.quitArmed ? "Press Ctrl-C again to quit" : props.ready ? KEY_HINT : STARTING_HINT}
        </Text>
      ) : null}
    </Box>
  );
}
