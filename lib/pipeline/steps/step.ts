import type { TurnState } from "../turn.js";

/** What a step reports to the trace: one line, and JSON data. */
export interface StepReport {
  summary: string;
  data: Record<string, unknown>;
}

/** One pipeline step: reads and extends the turn state. */
export type Step = (state: TurnState) => Promise<StepReport>;
