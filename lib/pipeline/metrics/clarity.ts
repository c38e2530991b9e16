/**
 * Clarity (Iskra §3.1): how specified a request is (length, concrete tokens, question form, vague words —
 * word lists in `clarity-words.ts`) blended with how clearly the top retrieval hit stands out. Pure and
 * deterministic.
 */
import { InvalidInputError } from "../../errors.js";
import { QUESTION_STARTERS, TECHNICAL_WORDS, VAGUE_WORDS } from "./clarity-words.js";
import { clamp01, normalise, requireText } from "./shared.js";

/** Clarity below this is low: SAM asks for what is missing. */
export const CLARITY_LOW = 0.35;

/** How specificity and retrieval margin are blended into clarity; the request itself weighs most. */
export const CLARITY_WEIGHTS = { specificity: 0.7, margin: 0.3 } as const;

/** A top hit whose relative lead over its followers is 1 / MARGIN_GAIN (50 %) counts as perfectly clear. */
export const MARGIN_GAIN = 2;
/** How many hits after the top one the margin compares it with. */
export const MARGIN_FOLLOWERS = 4;

/** Words at which a request counts as fully stated (the length part of specificity saturates). */
export const SPECIFICITY_FULL_WORDS = 12;

/** Specificity = (0.3·length + 0.5·concrete + 0.2·question) × (1 − min(0.8, 1.5·vague share)). */
const SPECIFICITY_WEIGHTS = { length: 0.3, concrete: 0.5, question: 0.2 } as const;
const VAGUE_PENALTY = 1.5;
const VAGUE_PENALTY_MAX = 0.8;

function isTechnical(lower: string): boolean {
  return TECHNICAL_WORDS.some((entry) =>
    entry.endsWith("*")
      ? lower.startsWith(entry.slice(0, -1))
      : lower === entry || lower === `${entry}s` || lower === `${entry}es`,
  );
}

const VAGUE = new Set(VAGUE_WORDS);
const STARTERS = new Set(QUESTION_STARTERS);

const ABBREVIATIONS = /^(?:e\.g|i\.e|etc|vs|т\.е|т\.д|т\.п|т\.к)\.?$/iu;
const EDGE_PUNCTUATION = /^[.,;:!?()[\]{}"'«»“”„…]+|[.,;:!?()[\]{}"'«»“”„…]+$/gu;
const QUOTED =
  /"[^"\n]{1,80}"|«[^»\n]{1,80}»|“[^”\n]{1,80}”|(?<![\p{L}\p{N}])'[^'\n]{1,80}'(?![\p{L}\p{N}])/gu;

/** Specificity with the counts behind it, for traces. */
export interface SpecificityReport {
  specificity: number;
  /** Words plus code spans. */
  words: number;
  /** Concrete tokens: numbers, quoted terms, code, names, acronyms, technical words. */
  concrete: string[];
  /** Vague words. */
  vague: string[];
  /** Ends in `?` or opens with a question word or a request verb. */
  question: boolean;
}

/** Whether one whitespace-separated chunk of a message is concrete, and how. */
function isConcrete(raw: string, core: string, sentenceStart: boolean): boolean {
  if (ABBREVIATIONS.test(core)) return false;
  if (/\p{N}/u.test(core)) return true; // numbers, versions, sizes: 384, v0.31, 50k
  if (/[_=<>{}[\]\\|#@$]|::|->|\(\)|[a-z0-9]\.[a-z]|\w\/\w|^--?[a-z]/i.test(raw)) return true; // code-ish
  if (/\p{Ll}\p{Lu}/u.test(core)) return true; // camelCase, LanceDB
  if (/^\p{Lu}{2,}s?$/u.test(core)) return true; // acronyms: HNSW, APIs
  if (!sentenceStart && /^\p{Lu}\p{Ll}+/u.test(core)) return true; // names mid-sentence
  return isTechnical(core.toLowerCase());
}

/**
 * How specified a request is, in [0, 1]. Parts: length (words / 12, capped at 1; a dozen words state a
 * request), concrete tokens (numbers, quoted terms, code-ish tokens and code spans, camelCase, acronyms,
 * capitalised names mid-sentence, technical words; `1 − exp(−count / 2)`, so 2 give 0.63 and 4 give 0.86)
 * and question form (0 or 1), blended 0.3 / 0.5 / 0.2, then multiplied by `1 − min(0.8, 1.5 × vague share)`
 * where the vague share is the fraction of words like "something", "stuff", "help", "it", "что-нибудь",
 * "помоги". Fenced code blocks count as two concrete tokens, inline code as one.
 */
export function explainSpecificity(text: string): SpecificityReport {
  let rest = normalise(requireText(text, "specificityOf"));
  const concrete: string[] = [];
  let codeSpans = 0;
  rest = rest.replace(/```[\s\S]*?(?:```|$)|`[^`\n]+`/g, (code) => {
    const weight = code.startsWith("```") ? 2 : 1;
    for (let i = 0; i < weight; i++) concrete.push(code.length > 40 ? `${code.slice(0, 37)}...` : code);
    codeSpans += 1;
    return " ";
  });
  for (const match of rest.matchAll(QUOTED)) concrete.push(match[0]);

  const chunks = rest.split(/\s+/).filter((chunk) => /[\p{L}\p{N}]/u.test(chunk));
  const vague: string[] = [];
  chunks.forEach((raw, i) => {
    const core = raw.replace(EDGE_PUNCTUATION, "");
    const sentenceStart = i === 0 || /[.!?…:]["'»”)]*$/u.test(chunks[i - 1]);
    if (VAGUE.has(core.toLowerCase())) vague.push(core);
    else if (isConcrete(raw, core, sentenceStart)) concrete.push(core);
  });

  const words = chunks.length + codeSpans;
  const firstWord = (chunks[0] ?? "").replace(EDGE_PUNCTUATION, "").toLowerCase();
  const question = /\?/.test(rest) || STARTERS.has(firstWord);
  if (words === 0) return { specificity: 0, words, concrete, vague, question };

  const length = Math.min(1, words / SPECIFICITY_FULL_WORDS);
  const concreteness = 1 - Math.exp(-concrete.length / 2);
  const base =
    SPECIFICITY_WEIGHTS.length * length +
    SPECIFICITY_WEIGHTS.concrete * concreteness +
    SPECIFICITY_WEIGHTS.question * (question ? 1 : 0);
  const penalty = Math.min(VAGUE_PENALTY_MAX, (VAGUE_PENALTY * vague.length) / words);
  return { specificity: clamp01(base * (1 - penalty)), words, concrete, vague, question };
}

/** How specified a request is, in [0, 1]; see `explainSpecificity` for the parts and weights. */
export function specificityOf(text: string): number {
  return explainSpecificity(text).specificity;
}

/** Whether a message is phrased as a question or a direct request (ends in `?` or opens with one). */
export function isQuestion(text: string): boolean {
  return explainSpecificity(text).question;
}

/** Number of words in a message (code spans count as one word each). */
export function wordCount(text: string): number {
  return explainSpecificity(text).words;
}

/**
 * How clearly the top retrieval hit stands out, in [0, 1]: its relative lead over the mean of the next
 * `MARGIN_FOLLOWERS` (4) hits, `(top − mean) / top`, times `MARGIN_GAIN` (2) and clamped. Relative, so
 * cosine and BM25 scores compare alike (reciprocal-rank fusion compresses gaps, and its margins read lower).
 * No hits, or a top score ≤ 0, give 0; a single positive hit stands out alone and gives 1. The scores may
 * come in any order.
 */
export function retrievalMargin(scores: readonly number[]): number {
  if (!Array.isArray(scores))
    throw new InvalidInputError("retrievalMargin: scores must be an array of numbers");
  scores.forEach((score, i) => {
    if (typeof score !== "number" || !Number.isFinite(score)) {
      throw new InvalidInputError(`retrievalMargin: score ${i} is not a finite number (${String(score)})`);
    }
  });
  if (scores.length === 0) return 0;
  const sorted = [...scores].sort((a, b) => b - a);
  const top = sorted[0];
  if (top <= 0) return 0;
  const followers = sorted.slice(1, 1 + MARGIN_FOLLOWERS);
  if (followers.length === 0) return 1;
  const mean = followers.reduce((sum, s) => sum + s, 0) / followers.length;
  return clamp01((MARGIN_GAIN * (top - mean)) / top);
}

/**
 * Clarity in [0, 1]: `0.7 × specificity + 0.3 × retrieval margin` (`CLARITY_WEIGHTS`). The request weighs
 * most; a clear margin means memory recognised what it is about. Without `scores` (retrieval not run yet)
 * clarity is the specificity alone; an empty `scores` (nothing found) counts as margin 0.
 */
export function clarityOf(input: { text: string; scores?: readonly number[] }): number {
  const specificity = specificityOf(input?.text);
  if (input.scores === undefined) return specificity;
  const margin = retrievalMargin(input.scores);
  return clamp01(CLARITY_WEIGHTS.specificity * specificity + CLARITY_WEIGHTS.margin * margin);
}
