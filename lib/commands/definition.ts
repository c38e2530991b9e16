/**
 * A command declared once: its spec (name, arguments, flags, help), how a parsed line becomes its typed
 * arguments, the library call, and what `--json` prints. The CLI, the REPL, the kernel magics and the typed
 * `siglaMagics` functions are all built from these declarations (`registry.ts`); text and HTML renderings
 * follow the result's `kind` (`text.ts`, `html.ts`).
 */
import type { SiglaError } from "../errors.js";
import type { ParsedCommand } from "./parse.js";
import type { CommandSpec } from "./specs.js";
import type { CommandOptions, CommandResult } from "./types.js";
import type { Workbench } from "./workbench.js";

/** What a command runs against: the door's workbench, opened when the command first needs it. */
export interface CommandContext {
  /** The workbench (store, pipeline, session, model). The CLI opens it per call; the REPL and kernel keep one. */
  workbench(): Promise<Workbench>;
  /** The store folder the door works on, without opening it. */
  storePath(): string;
  /** The door keeps a workbench open between commands (the REPL, the kernel). */
  readonly interactive: boolean;
}

/** One command: spec, arguments, the library call, and its JSON. */
// biome-ignore lint/suspicious/noExplicitAny: a registry holds commands of every argument type.
export interface CommandDefinition<A = any, R extends CommandResult = CommandResult> extends CommandSpec {
  /** The typed argument a positional value fills in a typed call: `siglaMagics.query(text, { k })`. */
  positional?: keyof A & string;
  /**
   * What the CLI opens for it: nothing, only the store's path (`doctor` opens it itself), an existing store,
   * or a store it may create.
   */
  opens: "nothing" | "path" | "store" | "new-store";
  /** The typed arguments of a parsed line (flags by name, words by meaning). */
  input(parsed: ParsedCommand): A;
  /** The library call. */
  run(context: CommandContext, args: A, options: CommandOptions): Promise<R>;
  /** What `--json` prints; default: the result itself. */
  json?(result: R): unknown;
  /** A failure a door reports after showing the result (a doctor that found damage): exit code 1. */
  failure?(result: R): SiglaError | undefined;
}

/** Declares a command (an identity function that keeps the argument and result types together). */
export function defineCommand<A, R extends CommandResult>(
  definition: CommandDefinition<A, R>,
): CommandDefinition<A, R> {
  return definition;
}

/** A flag's value from a parsed line, typed by the caller (the parser checked it against the spec). */
export function flag<T>(parsed: ParsedCommand, name: string): T | undefined {
  return parsed.flags[name] as T | undefined;
}
