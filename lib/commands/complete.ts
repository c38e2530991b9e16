/**
 * Tab completion of workbench lines, shared by the REPL and the kernel: command names after `:`, flags,
 * the words a command takes (chart kinds, memory views, command names for `:help`), flag choices, tags
 * after `--tags` (each item of a comma list) and file system paths for `:store` and `:ingest`.
 */
import { readdir } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { tokenize } from "./parse.js";
import { COMMANDS, commandSpec } from "./registry.js";
import { type FlagSpec, flagLabels } from "./specs.js";

/** Where completion finds what it cannot know from the command table. */
export interface CompletionSources {
  /** The tags of the open store. */
  tags?: () => Promise<string[]> | string[];
  /** Folder relative paths are completed against (default: the working directory). */
  cwd?: string;
}

/** What can replace `line.slice(start)`: full replacement strings for the word being completed. */
export interface Completion {
  start: number;
  candidates: string[];
}

const byPrefix = (prefix: string) => (value: string) => value.startsWith(prefix);

/** File system entries whose path starts with `typed`, directories with a trailing `/`. */
async function pathCandidates(typed: string, cwd: string): Promise<string[]> {
  const cut = typed.lastIndexOf("/") + 1;
  const dirPart = typed.slice(0, cut);
  const base = typed.slice(cut);
  const expanded = dirPart.startsWith("~/") || dirPart === "~/" ? join(homedir(), dirPart.slice(2)) : dirPart;
  const dir = expanded === "" ? cwd : expanded.startsWith("/") ? expanded : join(cwd, expanded);
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries
      .filter((entry) => entry.name.startsWith(base) && (base.startsWith(".") || !entry.name.startsWith(".")))
      .map((entry) => `${dirPart}${entry.name}${entry.isDirectory() ? "/" : ""}`)
      .sort();
  } catch {
    return [];
  }
}

function flagOf(name: string, flags: readonly FlagSpec[]): FlagSpec | undefined {
  if (name.startsWith("--")) return flags.find((flag) => flag.name === name.slice(2));
  if (name.startsWith("-")) return flags.find((flag) => flag.short === name.slice(1));
  return undefined;
}

/** Candidates for the word at the end of `line` (the cursor is at the end). */
export async function complete(line: string, sources: CompletionSources = {}): Promise<Completion> {
  const none = { start: line.length, candidates: [] };
  if (!line.startsWith(":")) return none;
  if (!/\s/.test(line)) {
    return { start: 0, candidates: COMMANDS.map((c) => `:${c.name}`).filter(byPrefix(line)) };
  }
  const name = line.slice(1, line.search(/\s/));
  const spec = commandSpec(name);
  if (!spec || spec.args === "raw") return none;
  const tokens = tokenize(line).slice(1);
  const atSpace = /\s$/.test(line);
  const current = atSpace ? undefined : tokens[tokens.length - 1];
  const word = current?.value ?? "";
  const start = current?.start ?? line.length;
  const previous = atSpace ? tokens[tokens.length - 1] : tokens[tokens.length - 2];
  const flag = previous && !previous.quoted ? flagOf(previous.value, spec.flags) : undefined;

  if (flag?.kind === "list" && flag.name === "tags") {
    const head = word.slice(0, word.lastIndexOf(",") + 1);
    const item = word.slice(head.length);
    const used = new Set(head.split(",").filter(Boolean));
    const tags = (await sources.tags?.()) ?? [];
    return {
      start,
      candidates: tags.filter((tag) => tag.startsWith(item) && !used.has(tag)).map((tag) => head + tag),
    };
  }
  if (flag?.kind === "choice") return { start, candidates: (flag.choices ?? []).filter(byPrefix(word)) };
  if (flag && flag.kind !== "boolean") {
    return flag.name === "out"
      ? { start, candidates: await pathCandidates(word, sources.cwd ?? process.cwd()) }
      : none;
  }
  if (word.startsWith("-")) {
    // Aliases (`--top-k`) are accepted but not offered: one name per flag.
    const names = spec.flags.flatMap((flag) => flagLabels({ ...flag, aliases: [] }));
    return { start, candidates: names.filter(byPrefix(word)) };
  }
  if (spec.args === "paths" || spec.args === "path") {
    return { start, candidates: await pathCandidates(word, sources.cwd ?? process.cwd()) };
  }
  if (spec.name === "help") return { start, candidates: COMMANDS.map((c) => c.name).filter(byPrefix(word)) };
  if (spec.words) return { start, candidates: spec.words.filter(byPrefix(word)) };
  return none;
}

/** The longest prefix every string shares. */
export function commonPrefix(values: readonly string[]): string {
  if (values.length === 0) return "";
  let prefix = values[0];
  for (const value of values.slice(1)) {
    let i = 0;
    while (i < prefix.length && i < value.length && prefix[i] === value[i]) i++;
    prefix = prefix.slice(0, i);
  }
  return prefix;
}

/**
 * The line after completing: the word becomes the candidates' common prefix; a single candidate that is
 * not a folder also gets a space, so the next word can follow.
 */
export function applyCompletion(line: string, completion: Completion): string {
  const { start, candidates } = completion;
  if (candidates.length === 0) return line;
  const prefix = commonPrefix(candidates);
  const word = line.slice(start);
  if (prefix.length < word.length) return line;
  const unique = candidates.length === 1 && !prefix.endsWith("/");
  return line.slice(0, start) + prefix + (unique ? " " : "");
}
