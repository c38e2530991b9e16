/**
 * Stop words for English and Russian: the maintained lists of the `stopword` package (NLTK-style function
 * words), with the project's documented changes below. One module, so the extractive summaries, the goal's
 * topic words, connector matching, community names and the answerer's BM25 terms drop the same words.
 *
 * The changes keep the answerer's behaviour as measured in `reports/answers.md` (its rates were tuned with
 * these sets): a larger list (stopwords-iso's 1,300 English words, tried) drops words that name things in
 * documentation (index, value, page, system, run) and lowered the cited-when-found and key-phrase rates.
 */
import { eng, rus } from "stopword";

/** Function words the answerer drops that `stopword` lacks: negations, question words, auxiliaries. */
const ADD_ENGLISH = ["its", "she", "us", "does", "not", "no", "so", "whom", "when", "why", "will", "just"];
/** Particles and adverbs of position or repetition (`down`, `own`, `again`) the answerer drops too. */
const ADD_ENGLISH_ADVERBS = ["down", "own", "again"];

/**
 * `stopword` entries kept as content words: in technical text they name actions and relations a question
 * asks about ("get the value", "make a build", "like a list", "between versions", "must be set").
 */
const KEEP_ENGLISH = [
  "am",
  "another",
  "because",
  "between",
  "both",
  "came",
  "come",
  "get",
  "got",
  "him",
  "himself",
  "like",
  "make",
  "many",
  "might",
  "much",
  "must",
  "never",
  "now",
  "said",
  "since",
  "still",
  "take",
  "through",
  "under",
  "way",
  "well",
  "while",
];

/** Russian function words `stopword` lacks: ё spellings, numerals, and the forms of "какой"/"такой". */
const ADD_RUSSIAN = [
  ..."её ещё вдруг опять здесь один сейчас зачем наконец два три впрочем хорошо эта".split(" "),
  ..."такое такие какие каких каким какое почему сколько также".split(" "),
];
/** `stopword` entries kept as content words: "said", "today" and "only" carry meaning in a question. */
const KEEP_RUSSIAN = ["сказал", "сегодня", "лишь"];

/** The words plus `add`, less `keep`, each also with ё written as е (the answerer folds ё). */
function stopSet(
  words: readonly string[],
  add: readonly string[],
  keep: readonly string[],
): ReadonlySet<string> {
  const kept = new Set(keep);
  const set = new Set<string>();
  for (const word of [...words, ...add]) {
    if (kept.has(word)) continue;
    set.add(word);
    set.add(word.replace(/ё/g, "е"));
  }
  return set;
}

/** English stop words: `stopword`'s `eng` with `ADD_ENGLISH`, less `KEEP_ENGLISH`. */
export const ENGLISH_STOP_WORDS: ReadonlySet<string> = stopSet(
  eng,
  [...ADD_ENGLISH, ...ADD_ENGLISH_ADVERBS],
  KEEP_ENGLISH,
);

/** Russian stop words: `stopword`'s `rus` with `ADD_RUSSIAN`, less `KEEP_RUSSIAN`; ё also as е. */
export const RUSSIAN_STOP_WORDS: ReadonlySet<string> = stopSet(rus, ADD_RUSSIAN, KEEP_RUSSIAN);
