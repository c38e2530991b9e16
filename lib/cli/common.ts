/** What every CLI command shares: output, the store it opens, progress, live trace and tokens, Ctrl-C. */
import type { CommandContext, CommandDefinition } from "../commands/definition.js";
import { PARTIAL_NOTE, resultLines, traceLine } from "../commands/text.js";
import type { CommandOptions, CommandResult } from "../commands/types.js";
import { defaultStorePath, Workbench } from "../commands/workbench.js";
import type { EmbedderSpec } from "../embed/embedder.js";
import { CancelledError } from "../errors.js";
import { progressBar } from "./progress-bar.js";

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

export const defaultIo: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** The options every store-opening command takes on the command line. */
interface OpenOptions {
  store?: string;
  embedder?: string;
  llm?: string;
  profile?: string;
}

/**
 * The CLI's context: the workbench opens on first use — the model first (a bad model path creates no
 * store), then the store. Only commands that write may create a store: the others fail with
 * `SIGLA_STORE_PATH` on a mistyped path instead of creating one.
 */
export function cliContext(
  definition: CommandDefinition,
  options: OpenOptions,
): CommandContext & { close(): Promise<void> } {
  let opened: Promise<Workbench> | undefined;
  const path = options.store ?? defaultStorePath();
  return {
    interactive: false,
    storePath: () => path,
    workbench() {
      opened ??= Workbench.open({
        path,
        create: definition.opens === "new-store",
        lazy: true,
        embedder: options.embedder as EmbedderSpec | undefined,
        session: "default",
        llm: options.llm,
        profile: options.profile,
      });
      return opened;
    },
    async close() {
      const bench = await opened?.catch(() => undefined);
      await bench?.close();
    },
  };
}

/**
 * Progress on a bar (stderr), notes on stderr, the model's text on stdout as it is written and, with
 * `--trace`, each step as it ends; `--json` keeps stdout to the one JSON document.
 */
export function runOptions(
  io: Io,
  definition: CommandDefinition,
  options: { json?: boolean; trace?: boolean },
  signal: AbortSignal,
): { options: CommandOptions; stop: () => void; streamed: () => boolean } {
  const bar = progressBar(definition.name);
  let lineOpen = false;
  let streamed = false;
  const line = (text: string) => {
    io.out(`${lineOpen ? "\n" : ""}${text}\n`);
    lineOpen = false;
  };
  const commandOptions: CommandOptions = {
    signal,
    onProgress: (p) => bar.update(p.done, p.total, p.label),
    onNote: (note) => {
      bar.stop();
      io.err(`${note}\n`);
    },
    onTrace: options.trace && !options.json ? (e) => e.status === "end" && line(traceLine(e)) : undefined,
    onToken: options.json
      ? undefined
      : (piece) => {
          bar.stop();
          streamed = true;
          lineOpen = !piece.endsWith("\n");
          io.out(piece);
        },
  };
  // The bar stops before the result prints, so the two never interleave; a streamed answer ends its line.
  const stop = () => {
    bar.stop();
    if (lineOpen) io.out("\n");
    lineOpen = false;
  };
  return { options: commandOptions, stop, streamed: () => streamed };
}

/** The result as `--json` (the command's JSON) or as text; a model stopped early is said on stderr. */
export function printResult(
  io: Io,
  definition: CommandDefinition,
  result: CommandResult,
  json: boolean,
  streamed = false,
): void {
  if (result.kind === "ask" && result.turn.partial) io.err(`sigla: ${PARTIAL_NOTE} (interrupted)\n`);
  if (json) {
    io.out(`${JSON.stringify(definition.json ? definition.json(result) : result)}\n`);
    return;
  }
  // A turn's formatted answer stands apart from the model's text streamed above it.
  if (streamed && result.kind === "ask") io.out("\n");
  // Help is written in the REPL's form (`:query …`); on the command line a command is `sigla query …`.
  const lines = resultLines(result).map((line) =>
    result.kind === "help" ? line.replace(/(^|[\s(|]):([a-z])/g, "$1sigla $2") : line,
  );
  if (lines.length > 0) io.out(`${lines.join("\n")}\n`);
}

/**
 * Runs `work` with a signal the first Ctrl-C aborts (as `SIGLA_CANCELLED`); a second one ends the process
 * (exit 130). The listener stays until the work ends: a library's exit hook (signal-exit) re-raises the
 * signal when it finds itself the only listener left, which would kill the process mid-clean-up.
 */
export async function withInterrupt<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const stop = () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort(new CancelledError("the command"));
  };
  process.on("SIGINT", stop);
  try {
    return await work(controller.signal);
  } finally {
    process.off("SIGINT", stop);
  }
}
