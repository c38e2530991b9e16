/**
 * The workbench commands that the REPL and the Jupyter magics share: each command's name, arguments, flags
 * and usage line, in one table. The parser checks lines against it, `:help` prints it and completion
 * reads it.
 */
import { CHART_KINDS } from "../charts/chart.js";
import { PROFILE_NAMES } from "../llm/profiles.js";
import { LIMITS } from "../store/validate.js";

/** What `:bench` runs: the quick in-process benchmark, or a suite of the harness. */
export const BENCH_SUITES = ["quick", "store", "lorem", "retrieval"] as const;

/** How a flag's value is read. `boolean` flags take no value. */
export type FlagKind = "string" | "int" | "list" | "choice" | "boolean";

/** One `--flag` (with an optional `-x` short form) of a command. */
export interface FlagSpec {
  /** Long name without dashes, e.g. `tags`; the parsed value is stored under it. */
  name: string;
  short?: string;
  kind: FlagKind;
  /** Allowed values of a `choice` flag. */
  choices?: readonly string[];
  /** Smallest allowed value of an `int` flag. */
  min?: number;
  /** Largest allowed value of an `int` flag. */
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

export interface CommandSpec {
  /** Name without the colon. */
  name: string;
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
export type MemoryView = (typeof MEMORY_VIEWS)[number];

const K_FLAG: FlagSpec = {
  name: "k",
  short: "k",
  kind: "int",
  min: 1,
  max: LIMITS.topK,
  value: "<n>",
  help: `hits (at most ${LIMITS.topK})`,
};
const TAGS_FLAG: FlagSpec = {
  name: "tags",
  kind: "list",
  value: "<a,b>",
  help: "tags (all must match when filtering)",
};

/** Every command, in the order `:help` lists them. */
export const COMMANDS: readonly CommandSpec[] = [
  {
    name: "store",
    args: "path",
    required: false,
    flags: [],
    usage: ":store [path]",
    summary: "show the open store (count, embedder, index); with a path, open that store instead",
  },
  {
    name: "ingest",
    args: "paths",
    required: true,
    flags: [
      TAGS_FLAG,
      {
        name: "strict",
        kind: "boolean",
        help: "fail on the first unreadable file (default: skip it with a warning)",
      },
    ],
    usage: ":ingest <paths…> [--tags a,b] [--strict]",
    summary:
      "add files and folders (.txt .md .json .jsonl .csv .html); unreadable files are skipped and listed (--strict: fail instead); Ctrl-C stops between files",
    long: true,
  },
  {
    name: "query",
    args: "text",
    required: true,
    flags: [
      K_FLAG,
      TAGS_FLAG,
      {
        name: "mode",
        kind: "choice",
        choices: ["vector", "fts", "hybrid"],
        value: "<vector|fts|hybrid>",
        help: "search by meaning, words or both",
      },
    ],
    usage: ':query "<text>" [-k 5] [--tags a,b] [--mode vector|fts|hybrid]',
    summary: "find the capsules closest to a text",
  },
  {
    name: "dsl",
    args: "raw",
    required: true,
    flags: [],
    usage: ':dsl INTENT "<text>" | RETRIEVE k=5 | EXPAND depth=1 | MERGE | INJECT "<template>"',
    summary: "run a DSL program and show its hits and prompt",
  },
  {
    name: "ask",
    args: "raw",
    required: true,
    flags: [],
    usage: ":ask <message>",
    summary: "run a message through the ten-step pipeline (plain text does the same)",
    long: true,
  },
  {
    name: "model",
    // A .gguf file or model folder (completed as a path), a hub id, or `off`.
    args: "path",
    required: false,
    flags: [
      {
        name: "profile",
        kind: "choice",
        choices: PROFILE_NAMES,
        value: "<home-cpu|home-gpu>",
        help: "runtime profile the model is loaded with (default $SIGLA_PROFILE, else home-cpu)",
      },
    ],
    usage: ":model [<file.gguf>|off] [--profile home-cpu|home-gpu]",
    summary:
      "the language model that writes the answers (or the offline answerer); with a model file, folder or hub id loads it, off unloads it",
  },
  {
    name: "trace",
    args: "word",
    required: false,
    flags: [],
    usage: ":trace [turn]",
    summary: "the ten steps of the last turn (or of turn n) with their timings",
  },
  {
    name: "bench",
    args: "word",
    required: false,
    words: BENCH_SUITES,
    flags: [
      {
        name: "size",
        kind: "int",
        min: 100,
        max: 50_000,
        value: "<n>",
        help: "quick: vectors (default 3000)",
      },
      {
        name: "queries",
        kind: "int",
        min: 1,
        max: 2000,
        value: "<n>",
        help: "queries (quick 100, suites 1000)",
      },
      { name: "sizes", kind: "string", value: "<10k,50k>", help: "store/lorem: dataset sizes (default 10k)" },
      {
        name: "systems",
        kind: "string",
        value: "<a,b>",
        help: "store/lorem: sigla,sigla-nolink,lancedb,chroma,exact",
      },
      { name: "reps", kind: "int", min: 1, max: 20, value: "<n>", help: "repetitions (default 3)" },
      { name: "out", kind: "string", value: "<dir>", help: "store/lorem: report folder (default reports/)" },
    ],
    usage:
      ":bench [quick|store|lorem|retrieval] [--size 3000] [--queries 100] [--sizes 10k] [--systems sigla,lancedb,chroma] [--reps 3] [--out dir]",
    summary:
      "quick (default): each index kind against exact in seconds; store/lorem: the harness against LanceDB and Chroma (report in reports/); retrieval: MRR@10 on the Fiori documents",
    long: true,
  },
  {
    name: "chart",
    // "text": `graph` takes a capsule id after the kind; chartWords (run.ts) checks the words.
    args: "text",
    required: false,
    words: CHART_KINDS,
    flags: [
      { name: "out", kind: "string", value: "<dir>", help: "folder for the PNG (default reports/)" },
      { name: "depth", kind: "int", min: 0, max: 4, value: "<n>", help: "hops for graph (default 1)" },
    ],
    usage:
      ":chart [metrics|recall|latency|qps|ingest|memory] [from <report.json>] [--out dir] | :chart graph <id> [--depth 1]",
    summary:
      "draw a chart in the terminal and write its Vega-Lite PNG (metrics over turns by default; benchmark charts from the newest report or from a given one)",
  },
  {
    name: "memory",
    args: "word",
    required: false,
    words: MEMORY_VIEWS,
    flags: [
      { name: "n", short: "n", kind: "int", min: 1, max: 1000, value: "<n>", help: "rows (default 10)" },
    ],
    usage: ":memory [summary|archive|shadow|growth|review|communities|history] [-n 10]",
    summary: "the memory layers: counts, nodes of a layer, due reviews, communities, the GROWTH log",
  },
  {
    name: "help",
    args: "word",
    required: false,
    flags: [],
    usage: ":help [command]",
    summary: "list the commands, or show one command's usage and flags",
  },
  {
    name: "quit",
    args: "none",
    required: false,
    flags: [],
    usage: ":quit",
    summary: "leave (Ctrl-C twice at an empty prompt does the same)",
  },
];

/** The spec of a command by name (without the colon), or undefined. */
export function commandSpec(name: string): CommandSpec | undefined {
  return COMMANDS.find((spec) => spec.name === name);
}

/** How a flag is written: `-k` for one-letter flags, `--tags` (and its short form, when it has one). */
export function flagLabels(flag: FlagSpec): string[] {
  if (flag.name.length === 1) return [`-${flag.name}`];
  return [`--${flag.name}`, ...(flag.short ? [`-${flag.short}`] : [])];
}
