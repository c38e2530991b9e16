/** What a step reports to the trace: one line, and JSON data. */
export interface StepReport {
  summary: string;
  data: Record<string, unknown>;
}

/** What a step returns: its own part of the turn's state, and its trace report. */
export interface StepResult<O> extends StepReport {
  out: O;
}

/** One pipeline step: reads the state the steps before it produced and returns its own part. */
export type Step<I, O> = (state: I) => Promise<StepResult<O>>;
