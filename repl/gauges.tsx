/**
 * The state of the conversation after the last turn: gauges for pain, trust, clarity and drift, the
 * voice, phase and mode, and the ∆DΩΛ block (what changed, evidence depth, confidence, next step). On a
 * small terminal the same values fold into one line (`GaugesLine`).
 */

import { Box, Text } from "ink";
import { memo } from "react";
import { gauge } from "../lib/charts/terminal.js";
import type { DeltaBlock, Metrics, Phase, ReasoningMode, Voice } from "../lib/pipeline/types.js";

/** What the panel shows; absent before the first turn. */
export interface TurnState {
  metrics: Metrics;
  voice: Voice;
  phase: Phase;
  mode: ReasoningMode;
  delta?: DeltaBlock;
}

/** Gauge colour: pain and drift are bad when high, trust and clarity when low. */
function colorOf(metric: keyof Metrics, value: number): string {
  const bad = metric === "pain" || metric === "drift" ? value : 1 - value;
  return bad >= 0.6 ? "red" : bad >= 0.35 ? "yellow" : "green";
}

const METRICS = ["pain", "trust", "clarity", "drift"] as const;

export const Gauges = memo(function Gauges({ state, width }: { state?: TurnState; width: number }) {
  const barWidth = Math.max(6, Math.min(20, width - 18));
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="gray" width={width} paddingX={1}>
      <Text bold color="cyan">
        state
      </Text>
      {METRICS.map((metric) => {
        const value = state?.metrics[metric];
        return (
          <Box key={metric}>
            <Box width={8}>
              <Text>{metric}</Text>
            </Box>
            <Text color={value === undefined ? "gray" : colorOf(metric, value)}>
              {gauge(value ?? 0, barWidth)}
            </Text>
            <Text> {value === undefined ? " —" : value.toFixed(2)}</Text>
          </Box>
        );
      })}
      <Text>
        <Text dimColor>voice </Text>
        <Text bold color="magenta">
          {state?.voice ?? "—"}
        </Text>
        <Text dimColor> phase </Text>
        <Text>{state?.phase ?? "—"}</Text>
        <Text dimColor> mode </Text>
        <Text>{state?.mode ?? "—"}</Text>
      </Text>
      <Text bold color="yellow">
        ∆DΩΛ
      </Text>
      {state?.delta ? (
        <>
          <Text wrap="truncate-end">Δ: {state.delta.delta}</Text>
          <Text wrap="truncate-end">D: {state.delta.depth}</Text>
          <Text wrap="truncate-end">Ω: {state.delta.omega.toFixed(2)}</Text>
          <Text wrap="truncate-end">Λ: {state.delta.lambda}</Text>
        </>
      ) : (
        <Text dimColor>no turn yet</Text>
      )}
    </Box>
  );
});

/** The compact gauges: `state pain 0.00 trust 0.80 clarity 0.45 drift 0.00 · ISKRA opening fast · Ω 0.66`. */
export const GaugesLine = memo(function GaugesLine({ state }: { state?: TurnState }) {
  return (
    <Box>
      <Text wrap="truncate-end">
        <Text bold color="cyan">
          state
        </Text>
        {state ? (
          <>
            {METRICS.map((metric) => (
              <Text key={metric}>
                <Text dimColor> {metric} </Text>
                <Text color={colorOf(metric, state.metrics[metric])}>{state.metrics[metric].toFixed(2)}</Text>
              </Text>
            ))}
            <Text dimColor> · </Text>
            <Text bold color="magenta">
              {state.voice}
            </Text>
            <Text>
              {" "}
              {state.phase} {state.mode}
            </Text>
            {state.delta ? (
              <Text color="yellow">
                {" "}
                · Ω {state.delta.omega.toFixed(2)} · Λ {state.delta.lambda}
              </Text>
            ) : null}
          </>
        ) : (
          <Text dimColor> · no turn yet</Text>
        )}
      </Text>
    </Box>
  );
});
