/**
 * The command-line parser of the workbench: `:query "text" -k 5 --tags a,b --mode hybrid` becomes a typed
 * `{ name, text, words, flags }` checked against the command's spec. A line that does not start with `:`
 * is a message for the pipeline (`ask`). Errors are `SIGLA_USAGE` errors naming the command and its usage.
 */
import { UsageError } from "../errors.js";
import { COMMANDS, commandSpec, findCommand } from "./registry.js";
import { type CommandSpec, checkFlag, type FlagSpec, flagLabels, usageError } from "./specs.js";

export { checkFlag, usageError };

/** A flag's parsed value. */
export type FlagValue = string | number | boolean | string[];

/** One parsed line. */
export interface ParsedCommand {
  /** Command name without the colon (`ask` for plain text). */
  name: string;
  /** `text` and `raw` arguments: the text; otherwise the positional words joined by spaces. */
  text: string;
  /** Positional words (paths for `:ingest`). */
  words: string[];
  flags: Record<string, FlagValue>;
}

/** A token of a command line and where it starts (for completion). */
export interface Token {
  value: string;
  start: number;
  end: number;
  /** The token was (or started) quoted, so it is never a flag. */
  quoted: boolean;
  /** A quote was opened and not closed (the line ends inside it). */
  open: boolean;
}

/**
 * Splits a line into tokens at whitespace. A quote (`"` or `'`) opens a quoted part only at the start of a
 * token, so an apostrophe inside a word (`what's`) is a letter; inside double quotes `\"` and `\\` are
 * escapes. Never throws: an unclosed quote is reported on the last token (`open`).
 */
export function tokenize(line: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i])) i++;
    if (i >= line.length) break;
    const start = i;
    let value = "";
    let quoted = false;
    let open = false;
    if (line[i] === '"' || line[i] === "'") {
      const quote = line[i++];
      quoted = true;
      open = true;
      while (i < line.length) {
        const c = line[i];
        if (c === quote) {
          open = false;
          i++;
          break;
        }
        if (quote === '"' && c === "\\" && (line[i + 1] === '"' || line[i + 1] === "\\")) {
          value += line[i + 1];
          i += 2;
          continue;
        }
        value += c;
        i++;
      }
    }
    // The rest of the word (or everything after a closing quote up to whitespace) is literal.
    while (i < line.length && !/\s/.test(line[i])) value += line[i++];
    tokens.push({ value, start, end: i, quoted, open });
  }
  return tokens;
}

/** The command name of a line (`ask` for text without a leading colon) and the rest of the line. */
export function splitCommand(line: string): { name: string; rest: string } {
  const trimmed = line.trim();
  if (!trimmed.startsWith(":")) return { name: "ask", rest: trimmed };
  const match = /^:(\S*)\s*([\s\S]*)$/.exec(trimmed) as RegExpExecArray;
  return { name: match[1], rest: match[2] };
}

function flagFor(spec: CommandSpec, token: string): FlagSpec | undefined {
  if (token.startsWith("--")) {
    const name = token.slice(2);
    return spec.flags.find((flag) => flag.name === name || flag.aliases?.includes(name));
  }
  return spec.flags.find((flag) => flag.short !== undefined && flag.short === token.slice(1));
}

/**
 * A flag's raw value read as its kind, or the problem with it (`-k must be an integer from 1 to 10000, got
 * "zero"`): each door words the error its own way around the same problem.
 */
export function readFlag(flag: FlagSpec, raw: string): FlagValue | { problem: string } {
  const shown = flagLabels(flag)[0];
  switch (flag.kind) {
    case "int":
    case "number": {
      const n = Number(raw);
      const min = flag.min ?? (flag.kind === "int" ? 1 : Number.NEGATIVE_INFINITY);
      const max = flag.max ?? Number.MAX_SAFE_INTEGER;
      const form = flag.kind === "int" ? /^\s*-?\d+\s*$/ : /^\s*-?(\d+\.?\d*|\.\d+)\s*$/;
      if (!form.test(raw) || n < min || n > max) {
        const what = flag.kind === "int" ? "an integer" : "a number";
        return { problem: `${shown} must be ${what} from ${min} to ${max}, got "${raw}"` };
      }
      return n;
    }
    case "list": {
      const items = raw
        .split(",")
        .map((item) => item.trim())
        .filter(Boolean);
      if (items.length === 0) return { problem: `${shown} needs at least one value` };
      return items;
    }
    case "choice":
      if (!flag.choices?.includes(raw)) {
        return { problem: `${shown} must be one of ${flag.choices?.join(", ")}, got "${raw}"` };
      }
      return raw;
    default:
      return raw;
  }
}

function flagValue(spec: CommandSpec, flag: FlagSpec, raw: string): FlagValue {
  const value = readFlag(flag, raw);
  if (typeof value === "object" && !Array.isArray(value)) throw usageError(spec, value.problem);
  return value;
}

/** Stores a flag's value; a repeatable flag collects its values in a list. */
function setFlag(flags: Record<string, FlagValue>, flag: FlagSpec, value: FlagValue): void {
  if (!flag.repeat) {
    flags[flag.name] = value;
    return;
  }
  const before = flags[flag.name];
  flags[flag.name] = [...(Array.isArray(before) ? before : []), String(value)];
}

/** Strips one pair of matching quotes around a whole raw argument. */
function unquote(text: string): string {
  const t = text.trim();
  if (t.length >= 2 && (t[0] === '"' || t[0] === "'") && t.at(-1) === t[0]) return t.slice(1, -1);
  return t;
}

/** Reads the flag at `tokens[i]`; returns the index of the last token it used. */
function readFlagAt(spec: CommandSpec, tokens: Token[], i: number, flags: Record<string, FlagValue>): number {
  const value = tokens[i].value;
  const [head, inline] = value.includes("=")
    ? [value.slice(0, value.indexOf("=")), value.slice(value.indexOf("=") + 1)]
    : [value, undefined];
  const flag = flagFor(spec, head);
  if (!flag) throw usageError(spec, `unknown flag ${head}`);
  if (flag.kind === "boolean") {
    flags[flag.name] = true;
    return i;
  }
  const raw = inline ?? tokens[i + 1]?.value;
  if (raw === undefined) throw usageError(spec, `${head} needs a value`);
  setFlag(flags, flag, flagValue(spec, flag, raw));
  return inline === undefined ? i + 1 : i;
}

const isFlagToken = (token: Token) => !token.quoted && /^--?[A-Za-z]/.test(token.value);

/**
 * A `raw` argument (a message, a DSL program): flags are read only before it (`:ask --session a what is
 * IVF?`), and the rest of the line is kept exactly as typed.
 */
function parseRaw(spec: CommandSpec, rest: string): ParsedCommand {
  const flags: Record<string, FlagValue> = {};
  const tokens = tokenize(rest);
  let i = 0;
  while (i < tokens.length && isFlagToken(tokens[i]) && flagFor(spec, tokens[i].value.split("=")[0])) {
    i = readFlagAt(spec, tokens, i, flags) + 1;
  }
  const text = unquote(i < tokens.length ? rest.slice(tokens[i].start) : "");
  if (spec.required && text === "") throw usageError(spec, "needs an argument");
  return { name: spec.name, text, words: text ? [text] : [], flags };
}

/** The checks on a parsed line's words and flags that do not depend on the door. */
export function checkParsed(spec: CommandSpec, words: string[], flags: Record<string, FlagValue>): void {
  if (spec.args === "none" && words.length > 0) {
    throw usageError(spec, `takes no argument, got "${words.join(" ")}"`);
  }
  if ((spec.args === "word" || spec.args === "path") && words.length > 1) {
    throw usageError(spec, `takes one argument, got ${words.length}: ${words.join(" ")}`);
  }
  if (spec.words && words.length === 1 && !spec.words.includes(words[0])) {
    throw usageError(spec, `"${words[0]}" is not one of ${spec.words.join(", ")}`);
  }
  if (spec.required && words.length === 0) {
    throw usageError(spec, spec.args === "paths" ? "needs at least one path" : "needs an argument");
  }
  const missing = spec.flags.find((flag) => flag.required && flags[flag.name] === undefined);
  if (missing) throw usageError(spec, `${flagLabels(missing)[0]} is required`);
}

/**
 * Parses one line. Plain text is `ask` with the line as its message; `:name …` is checked against the
 * command's spec: flags (`-k 5`, `--tags a,b`, `--mode=hybrid`), quoted arguments, required arguments.
 *
 * @throws SiglaError `SIGLA_USAGE` for an unknown command, an unknown flag, a bad value, a missing or
 * extra argument, or an unclosed quote; the message names the command and its usage.
 */
export function parseCommand(line: string): ParsedCommand {
  const { name, rest } = splitCommand(line);
  if (name === "") {
    throw new UsageError(`a command name must follow ":" — try :help`);
  }
  const spec = commandSpec(name);
  if (!spec) {
    const known = COMMANDS.map((c) => `:${c.name}`).join(" ");
    throw new UsageError(`unknown command :${name} — commands: ${known}`);
  }
  if (spec.args === "raw") return parseRaw(spec, rest);
  const tokens = tokenize(rest);
  const words: string[] = [];
  const flags: Record<string, FlagValue> = {};
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i].open) throw usageError(spec, `a quote is not closed`);
    if (isFlagToken(tokens[i])) i = readFlagAt(spec, tokens, i, flags);
    else words.push(tokens[i].value);
  }
  checkParsed(spec, words, flags);
  const parsed = { name: spec.name, text: words.join(" "), words, flags };
  // The command's own reading of its words (a chart kind, a memory view) fails here too, before it runs.
  findCommand(spec.name)?.input(parsed);
  return parsed;
}
