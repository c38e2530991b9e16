/**
 * Line mode, for pipes and scripts (stdin or stdout not a terminal): each input line runs like a line typed
 * at the prompt and its result is printed as plain text on stdout, followed by a blank line. Start-up
 * messages and errors (`CODE: message`) go to stderr; an error does not stop the run, but the exit code
 * is 1 if any line failed. Empty lines and lines starting with `#` are skipped; `:quit` stops reading.
 * Ctrl-C (SIGINT) cancels the running line; a second one while nothing runs ends the run.
 */
import { createInterface } from "node:readline";
import { parseCommand } from "../lib/commands/parse.js";
import { runCommand } from "../lib/commands/registry.js";
import { errorLine, formatResult } from "../lib/commands/text.js";
import { CancelledError } from "../lib/errors.js";
import type { Started, StartOptions } from "./start.js";

export interface PlainOptions {
  input: NodeJS.ReadableStream;
  out: (text: string) => void;
  err: (text: string) => void;
  start: (options: StartOptions) => Promise<Started>;
  /** Where SIGINT comes from (the process by default; tests pass an emitter). */
  signals?: NodeJS.EventEmitter;
}

/** Runs the lines of `input`; resolves with the exit code. */
export async function runPlain(options: PlainOptions): Promise<number> {
  const { out, err } = options;
  const signals = options.signals ?? process;
  let current: AbortController | undefined = new AbortController();
  let stopped = false;
  const onSigint = () => {
    if (current && !current.signal.aborted) current.abort(new CancelledError("the running line"));
    else stopped = true;
  };
  signals.on("SIGINT", onSigint);
  let started: Started;
  try {
    started = await options.start({
      signal: current.signal,
      log: (line) => err(`${line}\n`),
      onPhase: (phase, detail) => phase === "seeding" && err(`sigla: ${detail}…\n`),
    });
  } catch (error) {
    signals.off("SIGINT", onSigint);
    err(`${errorLine(error)}\n`);
    return 1;
  }
  const { bench, seeded, seedCancelled } = started;
  if (seeded) err(`sigla: loaded the sample corpus: ${seeded.files} notes, ${seeded.ids.length} capsules\n`);
  if (seedCancelled) err(`${seedCancelled}\n`);
  let failed = false;
  const lines = createInterface({
    input: options.input,
    crlfDelay: Number.POSITIVE_INFINITY,
    terminal: false,
  });
  try {
    for await (const raw of lines) {
      if (stopped) break;
      const line = raw.trim();
      if (line === "" || line.startsWith("#")) continue;
      current = new AbortController();
      try {
        const parsed = parseCommand(line);
        if (parsed.name === "quit") break;
        const result = await runCommand(bench, parsed, { signal: current.signal });
        out(`${formatResult(result)}\n\n`);
      } catch (error) {
        failed = true;
        err(`${errorLine(error)}\n`);
      } finally {
        current = undefined;
      }
    }
  } finally {
    lines.close();
    signals.off("SIGINT", onSigint);
    await bench.close();
  }
  return failed ? 1 : 0;
}
