/** `:ask` (and plain text) and `:trace`: the ten-step pipeline and what its turns recorded. */
import { SiglaError } from "../errors.js";
import { usageError } from "./parse.js";
import { commandSpec } from "./specs.js";
import type { AskResult, CommandOptions, TraceResult } from "./types.js";
import type { Workbench } from "./workbench.js";

/**
 * `:ask <message>`: runs the message through the ten steps in the workbench's session. Trace events reach
 * `options.onTrace` as each step starts and ends; an abort stops between steps (`SIGLA_CANCELLED`) and
 * the session is not saved.
 */
export async function askCommand(
  bench: Workbench,
  args: { message: string },
  options: CommandOptions = {},
): Promise<AskResult> {
  const message = args.message.trim();
  if (message === "")
    throw usageError(commandSpec("ask") as NonNullable<ReturnType<typeof commandSpec>>, "needs a message");
  const turn = await bench.pipeline.ask(bench.session, message, {
    signal: options.signal,
    onTrace: options.onTrace,
  });
  return { kind: "ask", turn };
}

/** `:trace [turn]`: the end events of the last turn of the session, or of turn `n`. */
export function traceCommand(bench: Workbench, args: { turn?: number } = {}): TraceResult {
  const traces = bench.session.traces;
  if (traces.length === 0) {
    throw new SiglaError("SIGLA_USAGE", ":trace: no turns yet in this session — ask a question first");
  }
  const turn = args.turn ?? traces.length;
  if (!Number.isInteger(turn) || turn < 1 || turn > traces.length) {
    throw new SiglaError(
      "SIGLA_USAGE",
      `:trace: turn must be from 1 to ${traces.length}, got ${args.turn} — usage: :trace [turn]`,
    );
  }
  return { kind: "trace", turn, events: traces[turn - 1] };
}
