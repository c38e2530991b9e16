/**
 * The live trace panel: the ten pipeline steps of the current turn, each waiting (·), running (spinner)
 * or done (✓) with its time in ms and its one-line summary, as the `start` and `end` events arrive. On a
 * small terminal the same steps fold into one line of marks (`TraceLine`).
 */

import { Box, Text } from "ink";
import { memo } from "react";
import { STEPS, type StepName, type TraceEvent } from "../lib/pipeline/types.js";
import { Spinner } from "./progress.js";

/** One step's state, folded from its events. */
export interface StepRow {
  step: StepName;
  index: number;
  status: "waiting" | "running" | "done";
  ms: number;
  summary: string;
}

/** Folds a turn's events (start and end, in order) into one row per step. */
export function stepRows(events: readonly TraceEvent[]): StepRow[] {
  const rows: StepRow[] = STEPS.map((step, i) => ({
    step,
    index: i + 1,
    status: "waiting",
    ms: 0,
    summary: "",
  }));
  for (const event of events) {
    const row = rows[event.index - 1];
    if (!row) continue;
    row.status = event.status === "end" ? "done" : "running";
    if (event.status === "end") {
      row.ms = event.ms;
      row.summary = event.summary;
    }
  }
  return rows;
}

export interface TracePanelProps {
  events: readonly TraceEvent[];
  /** The turn the events belong to (none yet: 0). */
  turn: number;
  /** Whether the turn is still running (a step with no end event then spins). */
  running: boolean;
  width: number;
}

/** `trace · turn 3 · 292 ms`, `trace · turn 3` while it runs, or `trace · no turn yet`. */
function traceTitle(rows: readonly StepRow[], turn: number, running: boolean): string {
  const total = rows.reduce((sum, row) => sum + row.ms, 0);
  return turn === 0
    ? "trace · no turn yet"
    : `trace · turn ${turn}${running ? "" : ` · ${total.toFixed(0)} ms`}`;
}

/** A step's mark: ✓ done, a spinner while it runs, · waiting. */
function StepMark({ row, running }: { row: StepRow; running: boolean }) {
  if (row.status === "done") return <Text color="green">✓</Text>;
  if (row.status === "running" && running) return <Spinner />;
  return <Text color="gray">·</Text>;
}

export const TracePanel = memo(function TracePanel({ events, turn, running, width }: TracePanelProps) {
  const rows = stepRows(events);
  const title = traceTitle(rows, turn, running);
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="gray" width={width} paddingX={1}>
      <Text bold color="cyan">
        {title}
      </Text>
      {rows.map((row) => (
        <Box key={row.step}>
          <Box width={3} flexShrink={0}>
            <Text dimColor>{String(row.index).padStart(2)}</Text>
          </Box>
          <Box width={12} flexShrink={0}>
            <Text color={row.status === "waiting" ? "gray" : undefined}>{row.step}</Text>
          </Box>
          <Box width={2} flexShrink={0}>
            <StepMark row={row} running={running} />
          </Box>
          <Box width={10} flexShrink={0} justifyContent="flex-end">
            <Text color="yellow">{row.status === "done" ? `${row.ms.toFixed(1)} ms` : ""}</Text>
          </Box>
          <Box flexGrow={1} marginLeft={1}>
            <Text dimColor wrap="truncate-end">
              {row.summary}
            </Text>
          </Box>
        </Box>
      ))}
    </Box>
  );
});

/**
 * The compact trace: `trace · turn 3 · 292 ms ✓✓✓✓✓✓✓✓✓✓ slowest memory 120.3 ms`, or while the turn runs
 * `trace · turn 3 ✓✓✓✓✓⠹···· memory` (the step in work). One row, cut at the terminal's edge.
 */
export const TraceLine = memo(function TraceLine({ events, turn, running }: Omit<TracePanelProps, "width">) {
  const rows = stepRows(events);
  const current = rows.find((row) => row.status === "running");
  const slowest = rows.reduce<StepRow | undefined>(
    (worst, row) => (row.status === "done" && (!worst || row.ms > worst.ms) ? row : worst),
    undefined,
  );
  return (
    <Box>
      <Text wrap="truncate-end">
        <Text bold color="cyan">
          {traceTitle(rows, turn, running)}
        </Text>{" "}
        {rows.map((row) => (
          <StepMark key={row.step} row={row} running={running} />
        ))}
        {running && current ? <Text dimColor> {current.step}</Text> : null}
        {!running && slowest ? (
          <Text dimColor>
            {" "}
            slowest {slowest.step} {slowest.ms.toFixed(1)} ms
          </Text>
        ) : null}
      </Text>
    </Box>
  );
});
