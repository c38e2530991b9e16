/**
 * The workbench commands that the REPL and the Jupyter magics share: each command's name, arguments, flags
 * and usage line, in one table. The parser checks lines against it, `:help` prints it and completion
 * reads it.
 */
import { type SiglaError, UsageError } from "../errors.js";
import { LIMITS } from "../store/validate.js";

/** What `:bench` runs: the quick in-process benchmark, or a suite of the harness. */
export const BENCH_SUITES = ["quick", "store", "lorem", "retrieval"] as const;

/** How a flag's value is read. `boolean` flags take no value; `number` takes a decimal. */
export type FlagKind = "string" | "int" | "number" | "list" | "choice" | "boolean";

/** One `--flag` (with an optional `-x` short form) of a command. */
export interface FlagSpec {
  /** Long name without dashes, e.g. `tags`; the parsed value is stored under it. */
  name: string;
  short?: string;
  kind: FlagKind;
  /** Allowed values of a `choice` flag. */
  choices?: readonly string[];
  /** Other long names the flag answers to (`top-k` for `-k`). */
  aliases?: readonly string[];
  /** The flag must be given. */
  required?: boolean;
  /** A `string` flag that may be given again; its values are collected in a list. */
  repeat?: boolean;
  /** Smallest allowed value of an `int` or `number` flag. */
  min?: number;
  /** Largest allowed value of an `int` or `number` flag. */
  max?: number;
  /** How the value is shown in usage, e.g. `<a,b>`. */
  value?: string;
  help: string;
}

/**
 * What the words after the command name are: `none`, `text` (the bare words joined by spaces, between
 * flags), `raw` (the whole rest of the line, untouched: a DSL program or a message), `paths` (one or more
 * file or folder paths) or `word` (at most one word from `words`, or any word when `words` is absent).
 */
export type ArgumentKind = "none" | "text" | "raw" | "paths" | "word" | "path";

/** One command's row of the table: its names, argument, flags and usage line. */
export interface CommandSpec {
  /** Name without the colon. */
  name: string;
  /** Other names the command answers to in every door (`search` for `query`). */
  aliases?: readonly string[];
  args: ArgumentKind;
  /** Whether an argument is required. */
  required: boolean;
  /** Allowed words of a `word` argument (also offered by completion). */
  words?: readonly string[];
  flags: readonly FlagSpec[];
  /** One line: `:query <text> [-k 5] …`. */
  usage: string;
  summary: string;
  /** Whether the command is long work that shows progress and can be cancelled. */
  long?: boolean;
  /** Only for an interactive door (the REPL and the kernel): `:quit`. */
  interactive?: boolean;
}

/** Views of `:memory`. */
export const MEMORY_VIEWS = [
  "summary",
  "archive",
  "shadow",
  "growth",
  "review",
  "communities",
  "history",
] as const;
/** One of `MEMORY_VIEWS`. */
export type MemoryView = (typeof MEMORY_VIEWS)[number];

/** What `:memory` changes: a node added, anchored, moved through a gate, or linked. */
export const MEMORY_ACTIONS = ["add", "anchor", "promote", "redact", "raise", "link"] as const;
/** One of `MEMORY_ACTIONS`. */
export type MemoryAction = (typeof MEMORY_ACTIONS)[number];

export const K_FLAG: FlagSpec = {
  name: "k",
  short: "k",
  kind: "int",
  min: 1,
  max: LIMITS.topK,
  value: "<n>",
  help: `hits (at most ${LIMITS.topK})`,
};
export const TAGS_FLAG: FlagSpec = {
  name: "tags",
  kind: "list",
  value: "<a,b>",
  help: "tags (all must match when filtering)",
};

/** How a flag is written: `-k` for one-letter flags, `--tags` (and its aliases and short form). */
export function flagLabels(flag: FlagSpec): string[] {
  const long = flag.name.length === 1 ? [`-${flag.name}`] : [`--${flag.name}`];
  const short = flag.short && flag.short !== flag.name ? [`-${flag.short}`] : [];
  return [...long, ...(flag.aliases ?? []).map((a) => `--${a}`), ...short];
}

/** A usage error for one command: `:<name>: <problem> — usage: <usage>`. */
export function usageError(spec: CommandSpec, problem: string): SiglaError {
  return new UsageError(`:${spec.name}: ${problem} — usage: ${spec.usage}`);
}

/**
 * Checks a typed argument (`queryCommand(bench, { k })`, a notebook's `magics.query(text, { k })`) against
 * the flag `flag` of `command`, so it fails exactly as the same value on a command line: an `int` flag
 * outside its bounds is a `SIGLA_USAGE` error naming the flag and the bounds. `undefined` passes.
 */
export function checkFlag(spec: CommandSpec, flag: string, value: unknown): void {
  const found = spec?.flags.find((f) => f.name === flag);
  if (!found) throw new UsageError(`:${spec.name} has no flag ${flag}`);
  if (value === undefined || found.kind !== "int") return;
  const min = found.min ?? 1;
  const max = found.max ?? Number.MAX_SAFE_INTEGER;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    const shown = typeof value === "bigint" ? String(value) : (JSON.stringify(value) ?? String(value));
    throw usageError(spec, `${flagLabels(found)[0]} must be an integer from ${min} to ${max}, got ${shown}`);
  }
}
