/**
 * The `sigla` command line: a thin door over the command registry. Each registry command becomes a
 * subcommand with the same name, aliases and flags as in the REPL and the kernel; it opens the store it
 * needs (`-s`), runs the library call and prints the result as text or, with `--json`, as one JSON document
 * on stdout. Errors print one line, `code: message`, on stderr and exit non-zero (with the stack too when
 * SIGLA_DEBUG is set).
 */
import { Command, CommanderError, Option } from "commander";
import type { CommandDefinition } from "../commands/definition.js";
import type { FlagValue, ParsedCommand } from "../commands/parse.js";
import { checkParsed, readFlag } from "../commands/parse.js";
import { BATCH_COMMANDS } from "../commands/registry.js";
import { type FlagSpec, flagLabels } from "../commands/specs.js";
import { errorText, InvalidInputError } from "../errors.js";
import { PROFILE_NAMES } from "../llm/profiles.js";
import { cliContext, defaultIo, type Io, printResult, runOptions, withInterrupt } from "./common.js";
import { serveProgram } from "./serve-command.js";

/** How a flag is written for commander: `-k, --top-k <n>`, `--strict`, `--tags <a,b>`. */
function optionSyntax(flag: FlagSpec): string {
  const names = flagLabels(flag);
  // Commander takes one short and one long name; more aliases are added as hidden options.
  const short = names.find((n) => /^-[^-]$/.test(n));
  const long = names.find((n) => n.startsWith("--"));
  const head = [short, long].filter(Boolean).join(", ");
  return flag.kind === "boolean" ? head : `${head} ${flag.value ?? "<value>"}`;
}

function optionOf(flag: FlagSpec): Option {
  const option = new Option(optionSyntax(flag), flag.help);
  if (flag.kind === "choice" && flag.choices) option.choices(flag.choices);
  if (flag.repeat) option.argParser((value: string, all: string[] = []) => [...all, value]);
  if (flag.required) option.makeOptionMandatory();
  return option;
}

/** The argument a command takes on the command line. */
function argumentOf(definition: CommandDefinition): string | undefined {
  const wrap = (name: string) => (definition.required ? `<${name}>` : `[${name}]`);
  switch (definition.args) {
    case "none":
      return undefined;
    case "paths":
      return wrap("paths...");
    case "word":
    case "path":
      return wrap(definition.positional ?? "word");
    default:
      return wrap(`${definition.positional ?? "text"}...`);
  }
}

/** The flags commander read, checked and typed as the registry's parser does. */
function flagsOf(definition: CommandDefinition, options: Record<string, unknown>, command: Command) {
  const flags: Record<string, FlagValue> = {};
  for (const flag of definition.flags) {
    const option = command.options.find((o) => o.long === `--${flag.name}` || o.short === `-${flag.name}`);
    const raw = option ? options[option.attributeName()] : undefined;
    if (raw === undefined) continue;
    if (flag.kind === "boolean" || flag.repeat || flag.kind === "choice") {
      flags[flag.name] = raw as FlagValue;
      continue;
    }
    const value = readFlag(flag, String(raw));
    if (typeof value === "object" && !Array.isArray(value)) throw new InvalidInputError(value.problem);
    flags[flag.name] = value;
  }
  return flags;
}

/** One registry command as a subcommand of `sigla`. */
function addCommand(cli: Command, definition: CommandDefinition, io: Io): void {
  const command = cli.command(definition.name).description(definition.summary);
  for (const alias of definition.aliases ?? []) command.alias(alias);
  const argument = argumentOf(definition);
  if (argument) command.argument(argument);
  for (const flag of definition.flags) command.addOption(optionOf(flag));
  if (definition.opens !== "nothing") {
    command.addOption(new Option("-s, --store <path>", "store folder (default $SIGLA_HOME/store)"));
  }
  if (definition.opens === "store" || definition.opens === "new-store") {
    command.addOption(
      new Option(
        "--embedder <spec>",
        "auto | use-lite | transformers:<model> (default $SIGLA_EMBEDDER or auto)",
      ),
    );
    command.addOption(new Option("--llm <spec>", "model that writes the answers (default $SIGLA_LLM)"));
    if (!definition.flags.some((f) => f.name === "profile")) {
      command.addOption(new Option("--profile <name>", "runtime profile of --llm").choices(PROFILE_NAMES));
    }
  }
  command.option("--json", "print the result as JSON");
  command.action(async (...values: unknown[]) => {
    const self = values.at(-1) as Command;
    const options = self.opts();
    const given = argument ? values[0] : undefined;
    const words = (Array.isArray(given) ? given : given === undefined ? [] : [given]).map(String);
    const flags = flagsOf(definition, options, self);
    checkParsed(definition, definition.args === "raw" ? [words.join(" ")].filter(Boolean) : words, flags);
    const parsed: ParsedCommand = { name: definition.name, text: words.join(" "), words, flags };
    const input = definition.input(parsed);
    const context = cliContext(definition, options);
    try {
      let streamed = false;
      const result = await withInterrupt(async (signal) => {
        const live = runOptions(io, definition, options, signal);
        try {
          return await definition.run(context, input, live.options);
        } finally {
          live.stop();
          streamed = live.streamed();
        }
      });
      printResult(io, definition, result, options.json === true, streamed);
      const failure = definition.failure?.(result);
      if (failure) throw failure;
    } finally {
      await context.close();
    }
  });
}

function program(io: Io): Command {
  const cli = new Command("sigla")
    .description("SIGLA: an offline memory workbench for LLM agents")
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride()
    .showHelpAfterError(false)
    .addHelpText(
      "after",
      "\nWith no command, sigla opens the REPL: sigla [--llm <spec>] [--profile home-cpu|home-gpu] [-s <store>].\nThe same commands work there as :name and in the Jupyter kernel as %name.",
    );
  for (const definition of BATCH_COMMANDS) addCommand(cli, definition, io);
  serveProgram(cli, io);
  return cli;
}

/** What the REPL takes on the command line: `sigla [--llm <spec>] [--profile <name>] [-s <store>]`. */
export interface InteractiveOptions {
  llm?: string;
  profile?: string;
  store?: string;
}

/** What `sigla` does with no command: the REPL, supplied by `bin/sigla.js` (lib/ never imports a front end). */
export interface MainOptions {
  /** Runs the interactive front end and resolves with its exit code. Without it, no arguments print help. */
  interactive?: (options: InteractiveOptions) => Promise<number>;
}

/** The REPL's own flags, parsed (and refused) by commander like any command's. */
function interactiveProgram(io: Io): Command {
  return new Command("sigla")
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride()
    .option("--llm <spec>", "model that writes the answers (default $SIGLA_LLM)")
    .addOption(new Option("--profile <name>", "runtime profile of --llm").choices(PROFILE_NAMES))
    .option("-s, --store <path>", "store folder (default $SIGLA_HOME/store)")
    .allowExcessArguments(false);
}

/**
 * Runs the CLI with `argv` (without node and script) and returns the exit code. With no command — no
 * arguments, or only `--llm`/`--profile`/`--store` — it runs `options.interactive` (the REPL) when given, and
 * prints the help otherwise.
 */
export async function main(argv: string[], io: Io = defaultIo, options: MainOptions = {}): Promise<number> {
  const cli = program(io);
  const replFlags = argv.length === 0 || /^(--(llm|profile|store)(=|$)|-s$)/.test(argv[0]);
  if (replFlags && !options.interactive) {
    cli.outputHelp();
    return 0;
  }
  try {
    if (replFlags && options.interactive) {
      const repl = interactiveProgram(io).parse(argv, { from: "user" });
      return await options.interactive(repl.opts<InteractiveOptions>());
    }
    await cli.parseAsync(argv, { from: "user" });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander already printed its message (usage errors) or the help/version text.
      return error.exitCode === 0 ? 0 : 2;
    }
    // One line; with SIGLA_DEBUG the stack (of the original error, for SIGLA_INTERNAL) after it.
    io.err(`${errorText(error)}\n`);
    return 1;
  }
}
