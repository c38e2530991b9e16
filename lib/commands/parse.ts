/**
 * The command-line parser of the workbench: `:query "text" -k 5 --tags a,b --mode hybrid` becomes a typed
 * `{ name, text, words, flags }` checked against the command's spec. A line that does not start with `:`
 * is a message for the pipeline (`ask`). Errors are `SIGLA_USAGE` errors naming the command and its usage.
 */
import { SiglaError } from "../errors.js";
import { COMMANDS, type CommandSpec, commandSpec, type FlagSpec, flagLabels } from "./specs.js";

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

/** A usage error for one command: `:<name>: <problem> — usage: <usage>`. */
export function usageError(spec: CommandSpec, problem: string): SiglaError {
  return new SiglaError("SIGLA_USAGE", `:${spec.name}: ${problem} — usage: ${spec.usage}`);
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
  if (token.startsWith("--")) return spec.flags.find((flag) => flag.name === token.slice(2));
  return spec.flags.find((flag) => flag.short !== undefined && flag.short === token.slice(1));
}

function flagValue(spec: CommandSpec, flag: FlagSpec, raw: string): FlagValue {
  const shown = flagLabels(flag)[0];
  switch (flag.kind) {
    case "int": {
      const n = Number(raw);
      const min = flag.min ?? 1;
      const max = flag.max ?? Number.MAX_SAFE_INTEGER;
      if (!/^-?\d+$/.test(raw) || n < min || n > max) {
        throw usageError(spec, `${shown} must be an integer from ${min} to ${max}, got "${raw}"`);
      }
      return n;
    }
    case "list": {
      const items = raw
        .split(",")
        .map((item) => item.trim())
        .filter(Boolean);
      if (items.length === 0) throw usageError(spec, `${shown} needs at least one value`);
      return items;
    }
    case "choice":
      if (!flag.choices?.includes(raw)) {
        throw usageError(spec, `${shown} must be one of ${flag.choices?.join(", ")}, got "${raw}"`);
      }
      return raw;
    default:
      return raw;
  }
}

/**
 * Checks a typed argument (`queryCommand(bench, { k })`, a notebook's `magics.query(text, { k })`) against
 * the flag `flag` of `command`, so it fails exactly as the same value on a command line: an `int` flag
 * outside its bounds is a `SIGLA_USAGE` error naming the flag and the bounds. `undefined` passes.
 */
export function checkFlag(command: string, flag: string, value: unknown): void {
  const spec = commandSpec(command);
  const found = spec?.flags.find((f) => f.name === flag);
  if (!spec || !found) throw new SiglaError("SIGLA_USAGE", `:${command} has no flag ${flag}`);
  if (value === undefined || found.kind !== "int") return;
  const min = found.min ?? 1;
  const max = found.max ?? Number.MAX_SAFE_INTEGER;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    const shown = typeof value === "bigint" ? String(value) : (JSON.stringify(value) ?? String(value));
    throw usageError(spec, `${flagLabels(found)[0]} must be an integer from ${min} to ${max}, got ${shown}`);
  }
}

/** Strips one pair of matching quotes around a whole raw argument. */
function unquote(text: string): string {
  const t = text.trim();
  if (t.length >= 2 && (t[0] === '"' || t[0] === "'") && t.at(-1) === t[0]) return t.slice(1, -1);
  return t;
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
    throw new SiglaError("SIGLA_USAGE", `a command name must follow ":" — try :help`);
  }
  const spec = commandSpec(name);
  if (!spec) {
    const known = COMMANDS.map((c) => `:${c.name}`).join(" ");
    throw new SiglaError("SIGLA_USAGE", `unknown command :${name} — commands: ${known}`);
  }
  if (spec.args === "raw") {
    const text = unquote(rest);
    if (spec.required && text === "") throw usageError(spec, "needs an argument");
    return { name, text, words: text ? [text] : [], flags: {} };
  }
  const tokens = tokenize(rest);
  const words: string[] = [];
  const flags: Record<string, FlagValue> = {};
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token.open) throw usageError(spec, `a quote is not closed`);
    const isFlag = !token.quoted && /^--?[A-Za-z]/.test(token.value);
    if (!isFlag) {
      words.push(token.value);
      continue;
    }
    const [head, inline] = token.value.includes("=")
      ? [token.value.slice(0, token.value.indexOf("=")), token.value.slice(token.value.indexOf("=") + 1)]
      : [token.value, undefined];
    const flag = flagFor(spec, head);
    if (!flag) throw usageError(spec, `unknown flag ${head}`);
    if (flag.kind === "boolean") {
      flags[flag.name] = true;
      continue;
    }
    const raw = inline ?? tokens[++i]?.value;
    if (raw === undefined) throw usageError(spec, `${head} needs a value`);
    flags[flag.name] = flagValue(spec, flag, raw);
  }
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
  return { name, text: words.join(" "), words, flags };
}
