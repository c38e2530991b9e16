/**
 * What a group of capsules is about, in a few words: the terms most of its texts use, without stop words
 * (English and Russian: the project's one list, lib/text/stop-words.ts). Names a community in a chart or a
 * table better than its index.
 */
import { ENGLISH_STOP_WORDS, RUSSIAN_STOP_WORDS } from "../text/stop-words.js";

/** A stop word in either language (the project's one list: the `stopword` package with its documented changes). */
const isStopWord = (term: string) => ENGLISH_STOP_WORDS.has(term) || RUSSIAN_STOP_WORDS.has(term);

/** Lower-cased words of 3 letters or more (letters, digits, inner hyphens), not only digits. */
export function terms(text: string): string[] {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+(?:-[\p{L}\p{N}]+)*/gu) ?? [];
  return words.filter((w) => [...w].length >= 3 && !/^[\p{N}-]+$/u.test(w));
}

/**
 * The `n` terms (default 3) that the most texts use, stop words left out; ties go to the term used more
 * often overall, then to alphabetical order, so the same texts always give the same terms.
 */
export function topTerms(texts: readonly string[], n = 3): string[] {
  const documents = new Map<string, number>();
  const uses = new Map<string, number>();
  for (const text of texts) {
    const found = terms(text).filter((t) => !isStopWord(t));
    for (const term of found) uses.set(term, (uses.get(term) ?? 0) + 1);
    for (const term of new Set(found)) documents.set(term, (documents.get(term) ?? 0) + 1);
  }
  return [...documents.keys()]
    .sort(
      (a, b) =>
        (documents.get(b) ?? 0) - (documents.get(a) ?? 0) ||
        (uses.get(b) ?? 0) - (uses.get(a) ?? 0) ||
        a.localeCompare(b),
    )
    .slice(0, n);
}
