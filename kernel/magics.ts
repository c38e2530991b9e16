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
  type AskResult,
  askCommand,
  type BenchArgs,
  type BenchSuite,
  benchCommand,
  CancelledError,
  type ChartKind,
  type CommandResult,
  chartCommand,
  config,
  dslCommand,
  helpCommand,
  ingestCommand,
  type MemoryView,
  memoryCommand,
  modelCommand,
  type ParsedCommand,
  parseCommand,
  queryCommand,
  runCommand,
  type SearchMode,
  SiglaError,
  shortMessage,
  storeCommand,
  type TraceEvent,
  throttle,
  traceCommand,
  Workbench,
  type WorkbenchOptions,
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
  if (error instanceof SiglaError) {
    const message = magicUsage(shortMessage(error.message));
    return error.code === "SIGLA_USAGE" ? message : `%${name}: ${error.code}: ${message}`;
  }
  return `%${name}: ${error instanceof Error ? error.message : String(error)}`.split("\n")[0];
}

/** The usage error of a name that is not a magic. */
export function unknownMagic(name: string): SiglaError {
  const known = MAGIC_COMMANDS.map((c) => `%${c.name}`).join(" ");
  return new SiglaError("SIGLA_USAGE", `%${name}: unknown magic — magics: ${known} (%help for usage)`);
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
  private async askLive(message: string, signal?: AbortSignal): Promise<AskResult> {
    const id = `sigla-ask-${randomUUID()}`;
    const events: TraceEvent[] = [];
    let text = "";
    const draw = () => this.host.display(askProgressBundle(message, events, text), id, true);
    const tokens = throttle(draw, STREAM_REDRAW_MS);
    this.host.display(askProgressBundle(message, events, text), id);
    try {
      const result = await askCommand(
        await this.workbench(),
        { message },
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
        await this.askLive(command.text, signal);
        return;
      }
      const path = command.name === "store" ? command.words[0] : undefined;
      await this.show(await runCommand(await this.workbench(path), command, { signal }));
    } catch (error) {
      this.host.error(magicErrorLine(name, error));
      if (config().debug && error instanceof Error && error.stack) this.host.error(error.stack);
    } finally {
      if (this.running === running) this.running = undefined;
    }
  }

  /** `%store [open] [path]`. */
  async store(path?: string) {
    return this.show(await storeCommand(await this.workbench(path), { path }));
  }
  /** `%ingest <paths…> [--tags a,b] [--strict]`. */
  async ingest(paths: string | string[], options: { tags?: string[]; strict?: boolean } = {}) {
    const list = typeof paths === "string" ? [paths] : paths;
    return this.show(
      await ingestCommand(await this.workbench(), {
        paths: list,
        tags: options.tags,
        strict: options.strict,
      }),
    );
  }
  /** `%query "<text>" [-k 5] [--tags a,b] [--mode vector|fts|hybrid]`. */
  async query(text: string, options: { k?: number; tags?: string[]; mode?: SearchMode } = {}) {
    return this.show(await queryCommand(await this.workbench(), { text, ...options }));
  }
  /** `%dsl <program>`. */
  async dsl(program: string) {
    return this.show(await dslCommand(await this.workbench(), { program }));
  }
  /** `%ask "<message>"`: the answer, the gauges and the trace as a table. */
  async ask(message: string) {
    return this.askLive(message);
  }
  /** `%model [<file.gguf>|off] [--profile home-cpu|home-gpu]`: the model that writes the answers. */
  async model(spec?: string, options: { profile?: string } = {}) {
    return this.show(await modelCommand(await this.workbench(), { spec, profile: options.profile }));
  }
  /** `%trace [turn]`. */
  async trace(turn?: number) {
    return this.show(traceCommand(await this.workbench(), { turn }));
  }
  /** `%bench [quick|store|lorem|retrieval] [--size 3000] [--queries 100] [--sizes 10k] [--systems …] [--reps 3] [--out dir]`. */
  async bench(suite?: BenchSuite, options: Omit<BenchArgs, "suite"> = {}) {
    return this.show(await benchCommand(await this.workbench(), { suite, ...options }));
  }
  /**
   * `%chart [metrics|recall|latency|qps|ingest|memory] [from <report.json>] [--out dir]`, `%chart graph <id>
   * [--depth 1]`: the Vega-Lite spec and its PNG.
   */
  async chart(kind?: ChartKind, options: { out?: string; id?: number; depth?: number; from?: string } = {}) {
    return this.show(await chartCommand(await this.workbench(), { kind, ...options }));
  }
  /** `%memory [view] [-n 10]`. */
  async memory(view?: MemoryView, options: { n?: number } = {}) {
    return this.show(await memoryCommand(await this.workbench(), { view, n: options.n }));
  }
  /** `%help [magic]`. */
  async help(command?: string) {
    return this.show(helpCommand({ command }));
  }

  /** Closes the workbench, if one was opened. */
  async close(): Promise<void> {
    const bench = this.open ?? (await this.opening?.catch(() => undefined));
    this.open = undefined;
    await bench?.close();
  }
}
