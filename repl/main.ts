/**
 * Starts the REPL: `sigla` with no arguments and `npm start`. On a terminal it draws the Ink screen; with
 * piped input or output it runs in line mode (`plain.ts`). Either way it opens the embedded default — the
 * store under `$SIGLA_HOME/store` with the `auto` embedder, seeded with the sample corpus when empty.
 *
 * Only Ink, React and the screen's own modules load before the first frame: the start-up (`start.ts`,
 * which brings the store, LanceDB and the embedders) and the line mode are imported when they run.
 */
import { render } from "ink";
import { createElement } from "react";
import type { Workbench } from "../lib/commands/workbench.js";
import { App, type AppProps } from "./app.js";
import { historyFile } from "./history.js";
import type { StartOptions } from "./start.js";

export interface ReplOptions {
  /** Opens the workbench (default: {@link openDefault}). */
  start?: AppProps["start"];
  historyFile?: string;
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
  /** The model for the default start (`sigla --llm <spec>`). */
  llm?: string;
  /** Its runtime profile (`--profile`). */
  profile?: string;
  /** The store folder (`sigla -s <path>`; default `$SIGLA_HOME/store`). */
  store?: string;
}

/** Runs the REPL until `:quit`, a double Ctrl-C or the end of piped input; resolves with the exit code. */
export async function startRepl(options: ReplOptions = {}): Promise<number> {
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const start =
    options.start ??
    (async (opts: StartOptions) => {
      const { openDefault } = await import("./start.js");
      return openDefault({ ...opts, llm: options.llm, profile: options.profile, path: options.store });
    });
  if (!stdin.isTTY || !stdout.isTTY) {
    const { runPlain } = await import("./plain.js");
    return runPlain({
      input: stdin,
      out: (text) => void stdout.write(text),
      err: (text) => void stderr.write(text),
      start,
    });
  }
  let bench: Workbench | undefined;
  const app = render(
    createElement(App, {
      start,
      historyFile: options.historyFile ?? historyFile(),
      onExit: (opened) => {
        bench = opened;
      },
    }),
    { stdin, stdout, stderr, exitOnCtrlC: false },
  );
  await app.waitUntilExit();
  await bench?.close();
  return 0;
}
