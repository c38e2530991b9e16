/**
 * `:ask` (and plain text), `:trace` and `:model`: the ten-step pipeline, what its turns recorded, and the
 * language model that writes its answers.
 */
import { SiglaError } from "../errors.js";
import { llmSettings } from "../llm/profiles.js";
import { usageError } from "./parse.js";
import { commandSpec } from "./specs.js";
import type { AskResult, CommandOptions, ModelResult, TraceResult } from "./types.js";
import type { Workbench } from "./workbench.js";

/**
 * `:ask <message>`: runs the message through the ten steps in the workbench's session. Trace events reach
 * `options.onTrace` as each step starts and ends, the model's text to `options.onToken` as it writes. An
 * abort while the model writes stops the writing and the turn completes with the partial answer
 * (`turn.partial`); an abort at any other step stops between steps (`SIGLA_CANCELLED`) and the session is
 * not saved.
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
    onToken: options.onToken,
  });
  return { kind: "ask", turn };
}

/**
 * `:model [spec|off] [--profile p]`: the model that writes the answers; with a spec (a .gguf file, a model
 * folder, a cached hub id) loads it in place of the current one, `off` unloads it (the offline answerer).
 * An abort during the load leaves the current model in place (`SIGLA_CANCELLED`).
 */
export async function modelCommand(
  bench: Workbench,
  args: { spec?: string; profile?: string } = {},
  options: CommandOptions = {},
): Promise<ModelResult> {
  const changed = args.spec !== undefined;
  if (changed) {
    await bench.setModel(args.spec === "off" ? undefined : args.spec, args.profile, options.signal);
  } else if (args.profile !== undefined) {
    throw usageError(
      commandSpec("model") as NonNullable<ReturnType<typeof commandSpec>>,
      "--profile needs a model",
    );
  }
  const runner = bench.runner;
  return {
    kind: "model",
    changed,
    ...(runner ? { info: runner.info, profile: llmSettings(bench.profile).profile } : {}),
  };
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
