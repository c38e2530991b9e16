/**
 * The live trace panel: the ten pipeline steps of the current turn, each waiting (·), running (spinner)
 * or done (✓) with its time in ms and its one-line summary, as the `start` and `end` events arrive.
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

export const TracePanel = memo(function TracePanel({ events, turn, running, width }: TracePanelProps) {
  const rows = stepRows(events);
  const total = rows.reduce((sum, row) => sum + row.ms, 0);
  const title =
    turn === 0 ? "trace · no turn yet" : `trace · turn ${turn}${running ? "" : ` · ${total.toFixed(0)} ms`}`;
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
            {row.status === "done" ? (
              <Text color="green">✓</Text>
            ) : row.status === "running" && running ? (
              <Spinner />
            ) : (
              <Text color="gray">·</Text>
            )}
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
