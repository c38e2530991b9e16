/**
 * One entry for both doors: a command line (or a parsed command) in, typed plain data out. Plain text is a
 * message for the pipeline; `:name …` runs that command. Each command is also a typed function of its own
 * (`queryCommand`, `ingestCommand`, …) for callers that build arguments themselves.
 */
import type { ChartKind } from "../charts/chart.js";
import { SiglaError } from "../errors.js";
import type { SearchMode } from "../store/types.js";
import { type BenchSuite, benchCommand, chartCommand } from "./bench-commands.js";
import { memoryCommand } from "./memory-command.js";
import { type ParsedCommand, parseCommand, usageError } from "./parse.js";
import { askCommand, modelCommand, traceCommand } from "./pipeline-commands.js";
import { COMMANDS, commandSpec, type MemoryView } from "./specs.js";
import { dslCommand, ingestCommand, queryCommand, storeCommand } from "./store-commands.js";
import type { CommandOptions, CommandResult, HelpResult } from "./types.js";
import type { Workbench } from "./workbench.js";

/** `:help [command]`: every command's usage and summary, or one command's flags too. */
export function helpCommand(args: { command?: string } = {}): HelpResult {
  if (!args.command) return { kind: "help", commands: [...COMMANDS] };
  const name = args.command.replace(/^:/, "");
  const detail = commandSpec(name);
  if (!detail) {
    throw new SiglaError("SIGLA_USAGE", `:help: unknown command :${name} — usage: :help [command]`);
  }
  return { kind: "help", commands: [detail], detail };
}

/** Runs one line (or an already parsed command) on the workbench. */
export async function runCommand(
  bench: Workbench,
  line: string | ParsedCommand,
  options: CommandOptions = {},
): Promise<CommandResult> {
  const command = typeof line === "string" ? parseCommand(line) : line;
  const { flags } = command;
  switch (command.name) {
    case "store":
      return storeCommand(bench, { path: command.words[0] });
    case "ingest":
      return ingestCommand(
        bench,
        { paths: command.words, tags: flags.tags as string[] | undefined, strict: flags.strict === true },
        options,
      );
    case "query":
      return queryCommand(bench, {
        text: command.text,
        k: flags.k as number | undefined,
        tags: flags.tags as string[] | undefined,
        mode: flags.mode as SearchMode | undefined,
      });
    case "dsl":
      return dslCommand(bench, { program: command.text });
    case "ask":
      return askCommand(bench, { message: command.text }, options);
    case "model":
      return modelCommand(
        bench,
        { spec: command.words[0], profile: flags.profile as string | undefined },
        options,
      );
    case "trace": {
      const word = command.words[0];
      if (word !== undefined && !/^\d+$/.test(word)) {
        throw usageError(
          commandSpec("trace") as (typeof COMMANDS)[number],
          `turn must be a number, got "${word}"`,
        );
      }
      return traceCommand(bench, { turn: word === undefined ? undefined : Number(word) });
    }
    case "bench":
      return benchCommand(
        bench,
        {
          suite: command.words[0] as BenchSuite | undefined,
          size: flags.size as number | undefined,
          queries: flags.queries as number | undefined,
          sizes: flags.sizes as string | undefined,
          systems: flags.systems as string | undefined,
          reps: flags.reps as number | undefined,
          out: flags.out as string | undefined,
        },
        options,
      );
    case "chart": {
      const spec = commandSpec("chart") as (typeof COMMANDS)[number];
      const [kind, second, ...extra] = command.words;
      if (kind === "graph" && (second === undefined || !/^\d+$/.test(second) || extra.length > 0)) {
        throw usageError(spec, `graph takes one capsule id, got "${command.words.slice(1).join(" ")}"`);
      }
      const from = kind !== "graph" && second === "from" ? extra : undefined;
      if (kind !== "graph" && second !== undefined && from?.length !== 1) {
        throw usageError(spec, `after the kind only "from <report.json>" may follow, got: ${command.text}`);
      }
      return chartCommand(bench, {
        kind: kind as ChartKind | undefined,
        out: flags.out as string | undefined,
        id: kind === "graph" ? Number(second) : undefined,
        depth: flags.depth as number | undefined,
        from: from?.[0],
      });
    }
    case "memory":
      return memoryCommand(bench, {
        view: command.words[0] as MemoryView | undefined,
        n: flags.n as number | undefined,
      });
    case "help":
      return helpCommand({ command: command.words[0] });
    case "quit":
      return { kind: "quit" };
    default:
      throw new SiglaError("SIGLA_USAGE", `unknown command :${command.name} — try :help`);
  }
}
