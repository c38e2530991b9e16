/**
 * Tags are compared as plain strings by the store, so every source of tags (folders, front matter, record
 * fields, the user) goes through the same normalisation: trimmed, lowercased, no empty ones, no duplicates.
 */
import { dirname, isAbsolute, relative, sep } from "node:path";

/** Trims and lowercases tags, drops empty ones and duplicates, keeps first-seen order. */
export function normalizeTags(tags: Iterable<string>): string[] {
  const seen = new Set<string>();
  for (const raw of tags) {
    const tag = raw.trim().toLowerCase();
    if (tag !== "") seen.add(tag);
  }
  return [...seen];
}

/** Union of several tag lists (any of them may be missing), normalised. */
export function mergeTags(...lists: Array<Iterable<string> | undefined>): string[] {
  const all: string[] = [];
  for (const list of lists) if (list) all.push(...list);
  return normalizeTags(all);
}

/**
 * Splits a tag value written as one string: `"a, b"`, `"a; b"` or `"a|b"`. Used for front matter, JSON
 * `tags` strings and CSV `tags` cells, where a list has to fit in one scalar.
 */
export function splitTagString(value: string): string[] {
  return normalizeTags(value.split(/[,;|]/));
}

/**
 * Tags from the folders between `root` and `file`: `root/Papers/ML/x.md` gives `["papers", "ml"]`. A file
 * outside `root`, or directly in it, gives none (so a file named on the command line carries no path tags).
 */
export function pathTags(root: string, file: string): string[] {
  const rel = relative(root, dirname(file));
  if (rel === "" || isAbsolute(rel) || rel === ".." || rel.startsWith(`..${sep}`)) return [];
  return normalizeTags(rel.split(sep).filter((segment) => segment !== "."));
}
