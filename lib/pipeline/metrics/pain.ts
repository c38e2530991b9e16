/**
 * Pain (Iskra §3.1): distress in a message, in [0, 1], from a weighted lexicon (English and Russian, read
 * from `pain-words.ts`) with negation, intensifiers and capitals, plus tone — sentence-final punctuation,
 * shouted words and distress emoji. Pure and deterministic.
 */
import {
  INTENSIFIER_WORDS,
  MEDIUM_PHRASES,
  NEGATION_WORDS,
  SELF_BLAME_PHRASES,
  STRONG_PHRASES,
  WEAK_PHRASES,
} from "./pain-words.js";
import { clamp01, normalise, requireText } from "./shared.js";

/** Pain at or above this is high: KAIN speaks first and the shadow protocol applies. */
export const PAIN_HIGH = 0.7;

/** Weight tiers of the distress lexicon; one strong phrase alone reaches pain ≈ 0.68. */
const STRONG = 1.15;
const MEDIUM = 0.65;
const WEAK = 0.3;
const SELF_BLAME = 0.8;

/** Multiplier for a lexicon hit with a negation in the three words before it ("not hopeless"). */
export const PAIN_NEGATION_FACTOR = 0.25;
/** Multiplier for a lexicon hit with an intensifier in the two words before it ("so exhausted"). */
export const PAIN_INTENSIFIER_FACTOR = 1.4;
/** Multiplier for a lexicon hit written in capitals ("HOPELESS"). */
export const PAIN_CAPS_FACTOR = 1.3;

const NEGATION_WINDOW = 3;
const INTENSIFIER_WINDOW = 2;

const NEGATIONS = new Set(NEGATION_WORDS);
const INTENSIFIERS = new Set(INTENSIFIER_WORDS);

function isNegation(word: string): boolean {
  return NEGATIONS.has(word) || word.endsWith("n't");
}

const LETTER_OR_DIGIT = "\\p{L}\\p{N}_";

/**
 * Compiles a lexicon entry: spaces match any whitespace, `*` right after a letter means "any word ending"
 * (a stem), and the whole phrase must start and end on word boundaries (which `\b` does not give for
 * Cyrillic).
 */
function phrase(source: string): RegExp {
  const body = source.replace(/(?<=\p{L})\*/gu, "\\p{L}*").replace(/ /g, "\\s+");
  return new RegExp(`(?<![${LETTER_OR_DIGIT}])(?:${body})(?![${LETTER_OR_DIGIT}])`, "giu");
}

/** The words (letters and apostrophes) of a text, lower-cased. */
function lowerWords(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}']+/gu) ?? [];
}

/** The last `count` words before `index`, stopping at a clause boundary (punctuation or a line break). */
function wordsBefore(text: string, index: number, count: number): string[] {
  const before = text.slice(0, index);
  const clauseStart = Math.max(
    ...[".", ",", ";", ":", "!", "?", "\n", "—", "("].map((c) => before.lastIndexOf(c)),
  );
  return lowerWords(before.slice(clauseStart + 1)).slice(-count);
}

/** One entry of the distress lexicon (English and Russian, lower case, ё written as е). */
interface LexiconEntry {
  pattern: RegExp;
  weight: number;
  kind: "distress" | "self-blame";
}

function entries(weight: number, kind: LexiconEntry["kind"], sources: readonly string[]): LexiconEntry[] {
  return sources.map((source) => ({ pattern: phrase(source), weight, kind }));
}

/** Strongest entries first, so an overlapping weaker phrase inside a stronger one is not counted twice. */
const PAIN_LEXICON: readonly LexiconEntry[] = [
  ...entries(STRONG, "distress", STRONG_PHRASES),
  ...entries(SELF_BLAME, "self-blame", SELF_BLAME_PHRASES),
  ...entries(MEDIUM, "distress", MEDIUM_PHRASES),
  ...entries(WEAK, "distress", WEAK_PHRASES),
];

/** Replaces fenced and inline code with spaces: `!`, capitals and symbols inside code are not tone. */
function blankCode(text: string): string {
  return text.replace(/```[\s\S]*?(?:```|$)|`[^`\n]*`/g, (code) => " ".repeat(code.length));
}

/** Weight of each `!` (the first in a run counts less), of a `?!` run, and of each `?` after the first. */
const BANG_FIRST = 0.1;
const BANG_MORE = 0.15;
const INTERROBANG = 0.3;
const QUESTION_MORE = 0.1;
/** Punctuation, shouting and emoji each add at most this much, so tone alone cannot max out pain. */
const TONE_CAP = 0.6;
/** Weight of each shouted (ALL-CAPS) word. */
const SHOUT_WEIGHT = 0.12;
/** Weight of each distress emoji or emoticon. */
const EMOJI_WEIGHT = 0.25;

const EMOJI = /😭|😡|🤬|😩|😫|😤|😢|😞|😖|😣|💀|(?<!\S)(?:>?:'?\(+|D:)(?!\S)/gu;

/** One thing that raised (or, negated, barely raised) pain. */
export interface PainSignal {
  kind: "distress" | "self-blame" | "punctuation" | "shouting" | "emoji";
  /** The words or characters, as written. */
  text: string;
  /** What it added to the raw score (after negation, intensifier and capitals). */
  weight: number;
}

/** Pain with its raw score and every signal behind it, for traces. */
export interface PainReport {
  pain: number;
  /** Sum of the signal weights; `pain = 1 − exp(−raw)`. */
  raw: number;
  signals: PainSignal[];
}

function isCapsWord(word: string): boolean {
  return /\p{L}/u.test(word) && word === word.toUpperCase() && word !== word.toLowerCase();
}

function lexiconSignals(text: string): PainSignal[] {
  const signals: PainSignal[] = [];
  const taken: Array<[number, number]> = [];
  for (const entry of PAIN_LEXICON) {
    for (const match of text.matchAll(entry.pattern)) {
      const start = match.index;
      const end = start + match[0].length;
      if (taken.some(([a, b]) => start < b && end > a)) continue;
      taken.push([start, end]);
      let weight = entry.weight;
      if (wordsBefore(text, start, NEGATION_WINDOW).some(isNegation)) weight *= PAIN_NEGATION_FACTOR;
      else if (wordsBefore(text, start, INTENSIFIER_WINDOW).some((w) => INTENSIFIERS.has(w))) {
        weight *= PAIN_INTENSIFIER_FACTOR;
      }
      if (match[0].replace(/[^\p{L}]/gu, "").length >= 3 && isCapsWord(match[0])) weight *= PAIN_CAPS_FACTOR;
      signals.push({ kind: entry.kind, text: match[0], weight });
    }
  }
  return signals;
}

function punctuationSignals(text: string): PainSignal[] {
  const signals: PainSignal[] = [];
  // Only runs that end a sentence: `!=` and `!ready` are code, not tone.
  for (const match of text.matchAll(/[!?]+(?=[\s)"'»”]|$)/gu)) {
    const run = match[0];
    const bangs = run.split("!").length - 1;
    const asks = run.length - bangs;
    let weight = 0;
    if (bangs > 0 && asks > 0) weight = INTERROBANG + QUESTION_MORE * (run.length - 2);
    else if (bangs > 0) weight = BANG_FIRST + BANG_MORE * (bangs - 1);
    else weight = QUESTION_MORE * (asks - 1);
    if (weight > 0) signals.push({ kind: "punctuation", text: run, weight });
  }
  return signals;
}

/**
 * Shouted words: ALL-CAPS words of six letters or more, or any run of two or more ALL-CAPS words. A lone
 * short capitalised word is an acronym (API, HNSW), and tokens with digits or symbols (IVF_PQ) are code.
 */
function shoutingSignals(text: string): PainSignal[] {
  const chunks = text.split(/\s+/).map((chunk) => chunk.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, ""));
  const caps = chunks.map((w) => /^\p{L}+(?:['-]\p{L}+)*$/u.test(w) && isCapsWord(w));
  const signals: PainSignal[] = [];
  chunks.forEach((word, i) => {
    if (!caps[i]) return;
    const letters = word.replace(/[^\p{L}]/gu, "").length;
    const inRun = (caps[i - 1] ?? false) || (caps[i + 1] ?? false);
    if (letters >= 6 || (inRun && letters >= 2))
      signals.push({ kind: "shouting", text: word, weight: SHOUT_WEIGHT });
  });
  return signals;
}

function capped(signals: PainSignal[], cap: number): number {
  return Math.min(
    cap,
    signals.reduce((sum, s) => sum + s.weight, 0),
  );
}

/**
 * Pain with its reasons. Raw score = Σ lexicon hits (strong 1.15, self-blame 0.8, medium 0.65, weak 0.3;
 * ×0.25 when negated in the three words before, ×1.4 after an intensifier, ×1.3 in capitals) + tone
 * (sentence-final `!` 0.1 then 0.15 each, a `?!` run 0.3, each extra `?` 0.1; shouted words 0.12 each;
 * distress emoji 0.25 each; each of the three capped at 0.6). Squashed as `pain = 1 − exp(−raw)`: one
 * strong phrase with one `!` gives ≥ 0.7, a neutral question 0.
 */
export function explainPain(text: string): PainReport {
  const clean = blankCode(normalise(requireText(text, "painOf")));
  const lexicon = lexiconSignals(clean);
  const punctuation = punctuationSignals(clean);
  const shouting = shoutingSignals(clean);
  const emoji = [...clean.matchAll(EMOJI)].map((m) => ({
    kind: "emoji" as const,
    text: m[0],
    weight: EMOJI_WEIGHT,
  }));
  const raw =
    lexicon.reduce((sum, s) => sum + s.weight, 0) +
    capped(punctuation, TONE_CAP) +
    capped(shouting, TONE_CAP) +
    capped(emoji, TONE_CAP);
  return {
    pain: clamp01(1 - Math.exp(-raw)),
    raw,
    signals: [...lexicon, ...punctuation, ...shouting, ...emoji],
  };
}

/** Distress in a message, in [0, 1] (English and Russian); see `explainPain` for the scoring. */
export function painOf(text: string): number {
  return explainPain(text).pain;
}
