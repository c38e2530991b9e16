/**
 * Word matching for the answerer: index terms (content words, English and Russian stop words out, a light
 * stem so "indexes" meets "index" and "индексов" meets "индексы") and Okapi BM25 over a small pool of
 * sentences. The store's BM25 lives in LanceDB's full-text index, which ranks capsules, not the few dozen
 * sentences of one answer; an npm library would bring its own tokenizer and corpus bookkeeping for what is
 * twenty lines here, and this tokenizer shares `contentWords` with the extractive summaries.
 */
import { contentWords } from "../memory/extractive.js";
import { RUSSIAN_STOP_WORDS } from "../text/stop-words.js";

/** Russian endings, longest first; a stem keeps at least three letters. */
const RUSSIAN_ENDINGS = (
  "иями ями ами ией ого его ому ему ыми ими ешь ете ите ает яет ают яют ует уют ать ять ить еть ной ный ная " +
  "ное ные ном ным ных ой ей ий ый ая яя ое ее ые ие ых их ую юю ом ем ам ям ах ях ов ев ью ет ит ут ют ат " +
  "ят ть а я о е ы и у ю ь"
)
  .split(" ")
  .sort((a, b) => b.length - a.length);

/**
 * A light stem: Russian endings off; English plurals, -ing and -ed off, British -our as American -or
 * ("colour" meets "color"). Good enough to match word forms.
 */
export function stem(word: string): string {
  if (/[а-яё]/.test(word)) {
    const w = word.replace(/ё/g, "е");
    for (const ending of RUSSIAN_ENDINGS) {
      if (w.endsWith(ending) && w.length - ending.length >= 3) return w.slice(0, -ending.length);
    }
    return w;
  }
  if (word.length <= 3 || /\d/.test(word)) return word;
  if (word.endsWith("ies") && word.length > 4) return `${word.slice(0, -3)}y`;
  if (/(?:ss|x|z|ch|sh)es$/.test(word)) return word.slice(0, -2);
  if (word.endsWith("s") && !/(?:ss|us|is)$/.test(word)) return stem(word.slice(0, -1));
  if (/.{3}our$/.test(word)) return `${word.slice(0, -3)}or`;
  const base = /.{3}(?:ing|ed)$/.test(word) ? word.replace(/(?:ing|ed)$/, "") : word;
  // "running" → "run", "overlapped" → "overlap"; "installing" keeps its double l.
  return /([^aeioulsz])\1$/.test(base) && base !== word ? base.slice(0, -1) : base;
}

/** The index terms of a text: stemmed content words, in order, repeats kept (BM25 counts them). */
export function terms(text: string): string[] {
  return contentWords(text.replace(/ё/gi, "е"))
    .filter((word) => !RUSSIAN_STOP_WORDS.has(word))
    .map(stem);
}

const K1 = 1.2;
const B = 0.75;

/**
 * Okapi BM25 of each document (a list of terms) for the query terms (k1 = 1.2, b = 0.75, idf
 * `ln(1 + (N − n + 0.5) / (n + 0.5))`, which stays positive). A repeated query term counts once.
 */
export function bm25(query: readonly string[], documents: readonly (readonly string[])[]): number[] {
  const n = documents.length;
  if (n === 0) return [];
  const average = documents.reduce((sum, d) => sum + d.length, 0) / n || 1;
  const frequency = documents.map((d) => {
    const counts = new Map<string, number>();
    for (const term of d) counts.set(term, (counts.get(term) ?? 0) + 1);
    return counts;
  });
  const unique = [...new Set(query)];
  const idf = unique.map((term) => {
    const having = frequency.filter((counts) => counts.has(term)).length;
    return Math.log(1 + (n - having + 0.5) / (having + 0.5));
  });
  return frequency.map((counts, d) =>
    unique.reduce((score, term, q) => {
      const tf = counts.get(term) ?? 0;
      if (tf === 0) return score;
      return score + (idf[q] * tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * documents[d].length) / average));
    }, 0),
  );
}
