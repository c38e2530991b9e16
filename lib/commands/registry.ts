/**
 * Every command, declared once (see `definition.ts`), in the order help lists them. The CLI builds its
 * commander program from this list, the REPL and the kernel parse lines against it, and the kernel's typed
 * `siglaMagics` functions are made from it: a command added here shows in every door.
 */

import { UsageError } from "../errors.js";
import { ATTACH, CONVERT, CONVERTER_MOD, DETACH, MODULE, RUN_CG } from "./artifact-commands.js";
import { BENCH, CHART } from "./bench-commands.js";
import { type CommandContext, type CommandDefinition, defineCommand } from "./definition.js";
import { MEMORY } from "./memory-command.js";
import { MODEL, RUN } from "./model-commands.js";
import { type ParsedCommand, parseCommand } from "./parse.js";
import { ASK, SESSION, TRACE } from "./pipeline-commands.js";
import type { CommandSpec } from "./specs.js";
import { DOCTOR, DSL, INGEST, QUERY, REINDEX, STORE } from "./store-commands.js";
import type { CommandOptions, CommandResult, HelpResult, QuitResult } from "./types.js";
import type { Workbench } from "./workbench.js";

/** `:help [command]`: every command's usage and summary, or one command's flags too. */
export function helpCommand(args: { command?: string } = {}): HelpResult {
  if (!args.command) return { kind: "help", commands: [...COMMANDS] };
  const name = args.command.replace(/^[:%]/, "");
  const detail = findCommand(name);
  if (!detail) {
    throw new UsageError(`:help: unknown command :${name} — usage: :help [command]`);
  }
  return { kind: "help", commands: [detail], detail };
}

export const HELP = defineCommand({
  name: "help",
  args: "word",
  required: false,
  flags: [],
  usage: ":help [command]",
  summary: "list the commands, or show one command's usage and flags",
  positional: "command",
  opens: "nothing",
  input: (parsed) => ({ command: parsed.words[0] }),
  run: async (_context, args: { command?: string }) => helpCommand(args),
});

export const QUIT = defineCommand({
  name: "quit",
  args: "none",
  required: false,
  flags: [],
  usage: ":quit",
  summary: "leave (Ctrl-C twice at an empty prompt does the same)",
  interactive: true,
  opens: "nothing",
  input: () => ({}),
  run: async (): Promise<QuitResult> => ({ kind: "quit" }),
});

/** Every command, in the order help lists them. */
export const COMMANDS: readonly CommandDefinition[] = [
  STORE,
  INGEST,
  QUERY,
  DSL,
  ASK,
  SESSION,
  MODEL,
  RUN,
  CONVERT,
  RUN_CG,
  CONVERTER_MOD,
  MODULE,
  ATTACH,
  DETACH,
  TRACE,
  MEMORY,
  BENCH,
  CHART,
  REINDEX,
  DOCTOR,
  HELP,
  QUIT,
];

/** The command a name or alias (without `:` or `%`) names, or undefined. */
export function findCommand(name: string): CommandDefinition | undefined {
  return COMMANDS.find((command) => command.name === name || command.aliases?.includes(name));
}

/** The spec of a command by name or alias (without the colon), or undefined. */
export function commandSpec(name: string): CommandSpec | undefined {
  return findCommand(name);
}

/** The commands a non-interactive door (the CLI, an HTTP server) serves: all but `:quit`. */
export const BATCH_COMMANDS: readonly CommandDefinition[] = COMMANDS.filter((c) => !c.interactive);

/** A door's context over a workbench it keeps open (the REPL, the kernel). */
export function workbenchContext(bench: Workbench): CommandContext {
  return { workbench: async () => bench, storePath: () => bench.store.path, interactive: true };
}

/** Runs a parsed command in `context`: its typed arguments from the line, then the library call. */
export async function runParsed(
  context: CommandContext,
  command: ParsedCommand,
  options: CommandOptions = {},
): Promise<CommandResult> {
  const definition = findCommand(command.name);
  if (!definition) throw new UsageError(`unknown command :${command.name} — try :help`);
  return definition.run(context, definition.input(command), options);
}

/** Runs one line (or an already parsed command) on the workbench: plain text asks, `:name …` runs that. */
export async function runCommand(
  bench: Workbench,
  line: string | ParsedCommand,
  options: CommandOptions = {},
): Promise<CommandResult> {
  const command = typeof line === "string" ? parseCommand(line) : line;
  return runParsed(workbenchContext(bench), command, options);
}

/**
 * A typed call (`siglaMagics.query("text", { k: 3 })`): the positional value fills the command's
 * positional argument, the options the rest; flags are checked as on a command line.
 */
export async function callCommand(
  context: CommandContext,
  name: string,
  positional?: unknown,
  args: Record<string, unknown> = {},
  options: CommandOptions = {},
): Promise<CommandResult> {
  const definition = findCommand(name);
  if (!definition) throw new UsageError(`unknown command ${name} — try help`);
  const typed =
    definition.positional && positional !== undefined
      ? { ...args, [definition.positional]: positional }
      : args;
  return definition.run(context, typed, options);
}
