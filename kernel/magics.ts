/**
 * The SIGLA magics: `%name args` lines (see `translate.ts`) and the same commands as typed functions
 * (`magics.query("text", { k: 3 })`). Parsing and running are `lib/commands`' (the REPL's own command
 * layer); this file only keeps a workbench open between cells and shows each result through a display
 * callback (tslab's display_data in the kernel). A failing magic prints one line, `%name: problem — usage:
 * …`, on stderr instead of a stack trace (`SIGLA_DEBUG=1` adds the stack).
 */
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import {
  type AskArgs,
  type AskResult,
  askCommand,
  CancelledError,
  type CommandResult,
  callCommand,
  errorText,
  findCommand,
  helpCommand,
  type ParsedCommand,
  parseCommand,
  runCommand,
  type SiglaError,
  shortMessage,
  type TraceEvent,
  throttle,
  toSiglaError,
  UsageError,
  Workbench,
  type WorkbenchOptions,
  workbenchContext,
} from "../lib/index.js";
import { askProgressBundle, MAGIC_COMMANDS, type MimeBundle, magicUsage, resultBundle } from "./render.js";

/** Where the magics send what they show. */
export interface MagicsHost {
  /**
   * One display_data output. With `id` it is a display that a later call with the same id and `update`
   * redraws in place (Jupyter's display_id and update_display_data).
   */
  display(bundle: MimeBundle, id?: string, update?: boolean): void;
  /** One error line (stderr in the kernel). */
  error(line: string): void;
}

/** The one-line error of a failed magic: usage errors as they are (`%` for `:`), others with their code. */
export function magicErrorLine(name: string, error: unknown): string {
  const sigla = toSiglaError(error);
  const message = magicUsage(shortMessage(sigla.message));
  return sigla.code === "SIGLA_USAGE" ? message : `%${name}: ${sigla.code}: ${message}`;
}

/** The usage error of a name that is not a magic. */
export function unknownMagic(name: string): SiglaError {
  const known = MAGIC_COMMANDS.map((c) => `%${c.name}`).join(" ");
  return new UsageError(`%${name}: unknown magic — magics: ${known} (%help for usage)`);
}

/** Parses a magic line's arguments with the REPL's parser; `%store open <path>` is `:store <path>`. */
export function parseMagic(name: string, args: string): ParsedCommand {
  if (!MAGIC_COMMANDS.some((c) => c.name === name)) throw unknownMagic(name);
  const rest = name === "store" ? args.replace(/^open(\s+|$)/, "") : args;
  return parseCommand(`:${name} ${rest}`);
}

/** Notebook redraws of the model's text per second at most: each is a message to the front end. */
const STREAM_REDRAW_MS = 100;

/** The magics of one kernel: a workbench opened on first use, and one typed function per command. */
/**
 * The result of a typed call, shown in the notebook as one line (`‹query result, shown above›`) instead of
 * a dump of the whole object after the table the call already displayed.
 */
function quiet<T extends CommandResult>(result: T): T {
  Object.defineProperty(result, Symbol.for("nodejs.util.inspect.custom"), {
    value: () => `‹${result.kind} result, shown above›`,
    enumerable: false,
  });
  return result;
}

export class Magics {
  private open?: Workbench;
  private opening?: Promise<Workbench>;
  /** The running magic line's abort: the kernel's interrupt stops it (a model keeps what it wrote). */
  private running?: AbortController;

  constructor(
    private readonly host: MagicsHost,
    private readonly options: WorkbenchOptions = {},
  ) {}

  /**
   * The workbench, opened on first use at `path` (a first `%store <path>`), else `options.path`, else
   * `$SIGLA_HOME/store`.
   */
  async workbench(path?: string): Promise<Workbench> {
    if (this.open) return this.open;
    this.opening ??= Workbench.open({ session: "notebook", ...this.options, ...(path ? { path } : {}) });
    try {
      this.open = await this.opening;
      return this.open;
    } finally {
      this.opening = undefined;
    }
  }

  /** Shows a result (charts with their PNG) and returns it; with `live`, in place of that display. */
  private async show<T extends CommandResult>(result: T, live?: string): Promise<T> {
    const png = result.kind === "chart" && result.chart.png ? await readFile(result.chart.png) : undefined;
    this.host.display(resultBundle(result, png), live, live !== undefined);
    return result;
  }

  /**
   * Asks the pipeline with the trace table drawn as it runs: one display, redrawn after each step starts
   * and ends and (at most every {@link STREAM_REDRAW_MS} ms) as the model writes, that becomes the answer
   * at the end.
   */
  private async askLive(
    message: string,
    signal?: AbortSignal,
    args: Partial<AskArgs> = {},
  ): Promise<AskResult> {
    const id = `sigla-ask-${randomUUID()}`;
    const events: TraceEvent[] = [];
    let text = "";
    const draw = () => this.host.display(askProgressBundle(message, events, text), id, true);
    const tokens = throttle(draw, STREAM_REDRAW_MS);
    this.host.display(askProgressBundle(message, events, text), id);
    try {
      const result = await askCommand(
        await this.workbench(),
        { ...args, message },
        {
          signal,
          onTrace: (event) => {
            events.push(event);
            // A step's redraw carries the text so far too.
            tokens.cancel();
            draw();
          },
          onToken: (piece) => {
            text += piece;
            tokens.poke();
          },
        },
      );
      return this.show(result, id);
    } finally {
      tokens.cancel();
    }
  }

  /**
   * Stops the running magic line, as the kernel's interrupt: a model that is writing stops and the turn
   * ends with the partial answer; other work stops with `SIGLA_CANCELLED`. False when none runs.
   */
  interrupt(): boolean {
    if (!this.running || this.running.signal.aborted) return false;
    this.running.abort(new CancelledError("the magic"));
    return true;
  }

  /** Runs one magic line; never throws: a failure is one line through `host.error`. */
  async run(name: string, args: string): Promise<void> {
    const running = new AbortController();
    this.running = running;
    const { signal } = running;
    try {
      const command = parseMagic(name, args);
      if (command.name === "help") {
        await this.show(helpCommand({ command: command.words[0] }));
        return;
      }
      if (command.name === "ask") {
        await this.askLive(command.text, signal, findCommand("ask")?.input(command));
        return;
      }
      const path = command.name === "store" ? command.words[0] : undefined;
      const result = await this.show(await runCommand(await this.workbench(path), command, { signal }));
      const failure = findCommand(command.name)?.failure?.(result);
      if (failure) this.report(name, failure);
    } catch (error) {
      this.report(name, error);
    } finally {
      if (this.running === running) this.running = undefined;
    }
  }

  /** One line on stderr for a failed magic (with the stack under `SIGLA_DEBUG`). */
  private report(name: string, error: unknown): void {
    this.host.error(magicErrorLine(name, error));
    // With SIGLA_DEBUG, the stack (of the original error, for SIGLA_INTERNAL) on the lines after it.
    const detail = errorText(error).split("\n").slice(1).join("\n");
    if (detail) this.host.error(detail);
  }

  /**
   * A typed call, `siglaMagics.query("text", { k: 3 })`: the positional value and the options of the
   * command `name` (every registry command has one). It displays the result like the magic and returns it
   * (shown as one summary line, not dumped after the table); a failure prints the magic's one error line and
   * returns undefined.
   */
  async call(name: string, positional?: unknown, options: Record<string, unknown> = {}) {
    try {
      if (name === "ask") return await this.askLive(String(positional ?? ""));
      const bench =
        name === "help"
          ? undefined
          : await this.workbench(name === "store" ? (positional as string) : undefined);
      const context = bench
        ? workbenchContext(bench)
        : { workbench: () => this.workbench(), storePath: () => "", interactive: true };
      return quiet(await this.show(await callCommand(context, name, positional, options)));
    } catch (error) {
      this.report(name, error);
      return undefined;
    }
  }

  /**
   * The typed functions, one per command and alias, and `workbench()` (the kernel's open workbench, for
   * cells that go past the commands): what the startup cell names `siglaMagics`.
   */
  functions(): Record<string, (positional?: unknown, options?: Record<string, unknown>) => Promise<unknown>> {
    const all: Record<string, (positional?: unknown, options?: Record<string, unknown>) => Promise<unknown>> =
      {};
    for (const command of MAGIC_COMMANDS) {
      for (const name of [command.name, ...(command.aliases ?? [])]) {
        all[name] = (positional, options) => this.call(command.name, positional, options);
      }
    }
    all.workbench = () => this.workbench();
    return all;
  }

  /** Closes the workbench, if one was opened. */
  async close(): Promise<void> {
    const bench = this.open ?? (await this.opening?.catch(() => undefined));
    this.open = undefined;
    await bench?.close();
  }
}
