/**
 * The session metrics (Iskra §3.1): pain, clarity, drift and trust, each a number in [0, 1] computed by a
 * pure, deterministic function of the message text, its embedding and the retrieval results — plus the two
 * policies that follow from them between turns, the session goal (`updateGoal`) and the phase
 * (`nextPhase`). No I/O: every input is an argument, every threshold a named constant below.
 */
import { InvalidInputError } from "../errors.js";
import { type Evidence, type EvidenceLayer, PHASES, type Phase } from "./types.js";

// ---------------------------------------------------------------------------------------------------------
// Thresholds
// ---------------------------------------------------------------------------------------------------------

/** Pain at or above this is high: KAIN speaks first and the shadow protocol applies. */
export const PAIN_HIGH = 0.7;
/** Clarity below this is low: SAM asks for what is missing. */
export const CLARITY_LOW = 0.35;
/** Drift at or above this is high: the message has left the session's goal (cos ≤ 0.32); ISKRIV speaks. */
export const DRIFT_HIGH = 0.6;
/** Trust below this is low: claims are kept as hypotheses in SHADOW (shadow protocol). */
export const TRUST_LOW = 0.4;

/**
 * Drift at or above this means a new topic, and `updateGoal` resets the goal to the message. It is
 * `DRIFT_HIGH` on purpose: callers mark `topicChanged` for `nextPhase` on the same condition, so the goal
 * and the phase restart together (a goal that lagged behind would flag every later message as a change).
 */
export const GOAL_RESET_DRIFT = DRIFT_HIGH;
/** Weight of the new message in the goal's moving average while on topic (drift < GOAL_RESET_DRIFT). */
export const GOAL_EMA_ALPHA = 0.3;

/** Cosine at or above which a message counts as fully on the goal (drift 0). */
export const DRIFT_COS_SAME = 0.8;
/** Cosine at or below which a message counts as fully off the goal (drift 1). */
export const DRIFT_COS_UNRELATED = 0;

/** How specificity and retrieval margin are blended into clarity; the request itself weighs most. */
export const CLARITY_WEIGHTS = { specificity: 0.7, margin: 0.3 } as const;

/** A top hit whose relative lead over its followers is 1 / MARGIN_GAIN (50 %) counts as perfectly clear. */
export const MARGIN_GAIN = 2;
/** How many hits after the top one the margin compares it with. */
export const MARGIN_FOLLOWERS = 4;

/** Phase by turns on the topic (this turn included): opening for the first, then exploring, then deepening. */
export const EXPLORING_FROM_TURN = 2;
/** First turn on a topic that is in the deepening phase. */
export const DEEPENING_FROM_TURN = 4;

/** How much each memory layer's evidence can be trusted; SHADOW holds hypotheses and counts as nothing. */
export const LAYER_TRUST: Readonly<Record<EvidenceLayer, number>> = {
  archive: 1,
  conversation: 0.7,
  growth: 0.6,
  external: 0.5,
  shadow: 0,
};

/** Provenance factors: a source whose hash re-checks, no source at all, a source whose hash fails. */
export const PROVENANCE_TRUST = { verified: 1, missing: 0.5, hashFailed: 0.25 } as const;

// ---------------------------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------------------------

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}

function requireText(text: unknown, what: string): string {
  if (typeof text !== "string") {
    throw new InvalidInputError(
      `${what}: text must be a string, got ${text === null ? "null" : typeof text}`,
    );
  }
  return text;
}

function requireUnit(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new InvalidInputError(`${what} must be a number in [0, 1], got ${String(value)}`);
  }
  return value;
}

/**
 * Lower-cases nothing but unifies the characters the lexicons are written without: typographic
 * apostrophes become `'` and ё becomes е. Each replacement is one UTF-16 unit for one, so offsets hold.
 */
function normalise(text: string): string {
  return text.replace(/[’ʼ]/g, "'").replace(/ё/g, "е").replace(/Ё/g, "Е");
}

/** Replaces fenced and inline code with spaces: `!`, capitals and symbols inside code are not tone. */
function blankCode(text: string): string {
  return text.replace(/```[\s\S]*?(?:```|$)|`[^`\n]*`/g, (code) => " ".repeat(code.length));
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

// ---------------------------------------------------------------------------------------------------------
// Pain
// ---------------------------------------------------------------------------------------------------------

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

const NEGATIONS = new Set([
  "not",
  "no",
  "never",
  "hardly",
  "without",
  "nor",
  "не",
  "нет",
  "ни",
  "без",
  "вовсе",
  "отнюдь",
]);
const INTENSIFIERS = new Set([
  "so",
  "very",
  "really",
  "totally",
  "completely",
  "absolutely",
  "extremely",
  "utterly",
  "incredibly",
  "super",
  "fucking",
  "очень",
  "так",
  "такой",
  "совсем",
  "абсолютно",
  "полностью",
  "вообще",
  "реально",
  "жутко",
  "дико",
  "ужасно",
  "страшно",
]);

function isNegation(word: string): boolean {
  return NEGATIONS.has(word) || word.endsWith("n't");
}

/** One entry of the distress lexicon (English and Russian, lower case, ё written as е). */
interface LexiconEntry {
  pattern: RegExp;
  weight: number;
  kind: "distress" | "self-blame";
}

function entries(weight: number, kind: LexiconEntry["kind"], sources: string[]): LexiconEntry[] {
  return sources.map((source) => ({ pattern: phrase(source), weight, kind }));
}

/** Strongest entries first, so an overlapping weaker phrase inside a stronger one is not counted twice. */
const PAIN_LEXICON: readonly LexiconEntry[] = [
  ...entries(STRONG, "distress", [
    "hopeless*",
    "(?:can't|cannot|can not) take (?:it|this|any(?: )?more)",
    "(?:can't|cannot) stand (?:it|this) any(?: )?more",
    "(?:can't|cannot) go on",
    "desperat*",
    "despair*",
    "devastat*",
    "miserable",
    "at my wits'? end",
    "i give up",
    "giving up",
    "want to die",
    "suicid*",
    "falling apart",
    "не могу больше",
    "больше не могу",
    "не выдерживаю",
    "не вывожу",
    "отчаян*",
    "безнадеж*",
    "(?:сил (?:больше )?нет|нет (?:больше )?сил)",
    "руки опускаются",
    "опустились руки",
    "сдаюсь",
    "хочу умереть",
    "все бессмысленн*",
    "в ярости",
  ]),
  ...entries(SELF_BLAME, "self-blame", [
    "(?:it's |it is )?(?:all )?my fault",
    "i(?:'m| am)(?: so| such| a| an| completely| totally| just)* (?:stupid|dumb|idiot|failure|useless|worthless|incompetent|moron)",
    "i (?:messed|screwed|fucked) (?:it |everything |this )?up",
    "i (?:ruined|broke|destroyed) (?:it|this|everything)",
    "i hate myself",
    "i can't do anything right",
    "what's wrong with me",
    "моя вина",
    "(?:я|сам|сама) виноват*",
    "я(?: такой| такая| полный| полная| просто| же)* (?:идиот*|дурак|дура|туп(?:ой|ая)|бездар*|неудачни*|ничтожество|бесполез*)",
    "какой же я (?:идиот|дурак)",
    "какая же я (?:дура|идиотка)",
    "я (?:все|всё) (?:испортил*|сломал*|провалил*)",
    "я ни на что не год*",
    "что со мной не так",
    "ненавижу себя",
  ]),
  ...entries(MEDIUM, "distress", [
    "furious",
    "exhaust*",
    "nothing (?:ever )?works",
    "nothing is working",
    "(?:broke|broken|breaks|ruined|wrecked) everything",
    "frustrat*",
    "fed up",
    "sick (?:and tired )?of",
    "hate (?:this|it|everything)",
    "driving me (?:crazy|insane|nuts|mad)",
    "losing my mind",
    "burn(?:ed|t) out",
    "burnout",
    "overwhelm*",
    "awful",
    "terrible",
    "horrible",
    "nightmare",
    "disaster",
    "angry",
    "pissed",
    "wtf",
    "fuck*",
    "panic*",
    "stressed",
    "wasted (?:hours|days|weeks|the whole day|all day)",
    "killing me",
    "ужасн*",
    "кошмар*",
    "беси*",
    "бешен*",
    "взбеси*",
    "достало",
    "достали",
    "задолбал*",
    "надоел*",
    "ненавиж*",
    "устал*",
    "измучил*",
    "измотан*",
    "ничего не работает",
    "(?:все|всё) (?:сломал*|сломано|пошло не так)",
    "сломал* все",
    "катастроф*",
    "паник*",
    "злюсь",
    "злит",
    "выгоран*",
    "выгорел*",
    "хуже некуда",
    "полный провал",
  ]),
  ...entries(WEAK, "distress", [
    "annoy*",
    "stuck",
    "ugh+",
    "argh+",
    "damn",
    "shit",
    "confus*",
    "upset",
    "worried",
    "anxious",
    "застрял*",
    "блин",
    "черт",
    "чертов*",
    "жесть",
    "фигня",
    "не понимаю",
    "запутал*",
    "раздража*",
    "обидно",
    "тревож*",
  ]),
];

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

// ---------------------------------------------------------------------------------------------------------
// Specificity, retrieval margin, clarity
// ---------------------------------------------------------------------------------------------------------

/** Words at which a request counts as fully stated (the length part of specificity saturates). */
export const SPECIFICITY_FULL_WORDS = 12;

/** Specificity = (0.3·length + 0.5·concrete + 0.2·question) × (1 − min(0.8, 1.5·vague share)). */
const SPECIFICITY_WEIGHTS = { length: 0.3, concrete: 0.5, question: 0.2 } as const;
const VAGUE_PENALTY = 1.5;
const VAGUE_PENALTY_MAX = 0.8;

/**
 * Technical words (English and Russian): an entry ending in `*` matches any word it begins, any other entry
 * the word itself or its plural in -s/-es ("import" must not match "important").
 */
const TECHNICAL_WORDS = [
  "index*",
  "vector*",
  "embed*",
  "quer*",
  "database*",
  "table",
  "schema*",
  "column*",
  "function*",
  "method*",
  "class",
  "api",
  "endpoint*",
  "error*",
  "exception*",
  "stack",
  "trace*",
  "compil*",
  "install*",
  "config*",
  "deploy*",
  "server*",
  "client*",
  "request*",
  "response*",
  "latenc*",
  "throughput",
  "recall",
  "precision",
  "cosine",
  "similarit*",
  "token*",
  "model*",
  "encoder*",
  "cluster*",
  "graph*",
  "node",
  "edge",
  "file",
  "path",
  "json",
  "csv",
  "sql",
  "regex*",
  "parse*",
  "parsing",
  "thread*",
  "memory",
  "cache*",
  "timeout*",
  "version*",
  "dependenc*",
  "package*",
  "module*",
  "import",
  "export",
  "test*",
  "benchmark*",
  "algorithm*",
  "matri*",
  "tensor*",
  "gpu",
  "cpu",
  "ram",
  "batch*",
  "dimension*",
  "parameter*",
  "argument*",
  "variable*",
  "interface*",
  "capsule*",
  "store",
  "search*",
  "script*",
  "kernel*",
  "byte*",
  "python*",
  "typescript",
  "javascript",
  "rust",
  "индекс*",
  "вектор*",
  "эмбеддинг*",
  "запрос*",
  "бд",
  "таблиц*",
  "функци*",
  "метод*",
  "класс*",
  "ошибк*",
  "исключени*",
  "компил*",
  "сборк*",
  "установ*",
  "конфиг*",
  "настройк*",
  "сервер*",
  "клиент*",
  "латентност*",
  "задержк*",
  "точност*",
  "косинус*",
  "модел*",
  "кластер*",
  "граф*",
  "узел",
  "узл*",
  "файл*",
  "памят*",
  "кэш*",
  "кеш*",
  "верси*",
  "пакет*",
  "модул*",
  "тест*",
  "алгоритм*",
  "матриц*",
  "тензор*",
  "размерност*",
  "параметр*",
  "аргумент*",
  "переменн*",
  "интерфейс*",
  "поиск*",
  "хранилищ*",
  "скрипт*",
  "капсул*",
  "ядр*",
];

function isTechnical(lower: string): boolean {
  return TECHNICAL_WORDS.some((entry) =>
    entry.endsWith("*")
      ? lower.startsWith(entry.slice(0, -1))
      : lower === entry || lower === `${entry}s` || lower === `${entry}es`,
  );
}

/** Words that stand in for what the request does not say. */
const VAGUE_WORDS = new Set([
  "something",
  "anything",
  "everything",
  "stuff",
  "thing",
  "things",
  "help",
  "it",
  "this",
  "that",
  "somehow",
  "whatever",
  "etc",
  "some",
  "kinda",
  "smth",
  "что-нибудь",
  "что-то",
  "чем-нибудь",
  "чем-то",
  "чего-нибудь",
  "чего-то",
  "как-нибудь",
  "как-то",
  "какой-то",
  "какая-то",
  "какое-то",
  "какие-то",
  "помоги",
  "помогите",
  "помощь",
  "это",
  "этим",
  "этот",
  "эта",
  "этого",
  "штука",
  "штуку",
  "штуки",
  "штукой",
  "вещь",
  "вещи",
  "всякое",
  "там",
  "тут",
  "типа",
]);

/** First words that make a message a question or a direct request. */
const QUESTION_STARTERS = new Set([
  "what",
  "who",
  "whom",
  "whose",
  "when",
  "where",
  "which",
  "why",
  "how",
  "is",
  "are",
  "was",
  "were",
  "do",
  "does",
  "did",
  "can",
  "could",
  "should",
  "would",
  "will",
  "explain",
  "show",
  "list",
  "compare",
  "describe",
  "write",
  "give",
  "tell",
  "find",
  "define",
  "что",
  "кто",
  "когда",
  "где",
  "какой",
  "какая",
  "какое",
  "какие",
  "каким",
  "каких",
  "почему",
  "зачем",
  "как",
  "сколько",
  "можно",
  "есть",
  "объясни",
  "покажи",
  "перечисли",
  "сравни",
  "опиши",
  "напиши",
  "найди",
  "дай",
  "расскажи",
]);

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
    if (VAGUE_WORDS.has(core.toLowerCase())) vague.push(core);
    else if (isConcrete(raw, core, sentenceStart)) concrete.push(core);
  });

  const words = chunks.length + codeSpans;
  const firstWord = (chunks[0] ?? "").replace(EDGE_PUNCTUATION, "").toLowerCase();
  const question = /\?/.test(rest) || QUESTION_STARTERS.has(firstWord);
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

// ---------------------------------------------------------------------------------------------------------
// Drift and the session goal
// ---------------------------------------------------------------------------------------------------------

/** A vector: an embedding as the embedders return it, or a plain array. */
export type VectorLike = Float32Array | readonly number[];

function requireVector(vector: unknown, what: string): VectorLike {
  if (!(vector instanceof Float32Array) && !Array.isArray(vector)) {
    throw new InvalidInputError(`${what} must be a Float32Array or an array of numbers`);
  }
  const v = vector as VectorLike;
  if (v.length === 0) throw new InvalidInputError(`${what} is empty`);
  for (let i = 0; i < v.length; i++) {
    if (typeof v[i] !== "number" || !Number.isFinite(v[i])) {
      throw new InvalidInputError(`${what} has a non-finite value at index ${i} (${String(v[i])})`);
    }
  }
  return v;
}

function norm(v: VectorLike): number {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i] * v[i];
  return Math.sqrt(sum);
}

/** Cosine similarity of two checked vectors of the same length; throws on a zero vector. */
function cosine(a: VectorLike, b: VectorLike, aName: string, bName: string): number {
  if (a.length !== b.length) {
    throw new InvalidInputError(`${aName} has dimension ${a.length} but ${bName} has dimension ${b.length}`);
  }
  const na = norm(a);
  const nb = norm(b);
  if (na === 0) throw new InvalidInputError(`${aName} is the zero vector; it has no direction`);
  if (nb === 0) throw new InvalidInputError(`${bName} is the zero vector; it has no direction`);
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i] * b[i];
  return Math.max(-1, Math.min(1, dot / (na * nb)));
}

/**
 * Distance of a message from the session's goal, in [0, 1]. The raw distance `(1 − cos) / 2` lies in
 * [0, 1], but a sentence encoder puts same-topic pairs at cos ≥ 0.6 (raw ≤ 0.2) and unrelated ones near
 * cos 0–0.2 (raw 0.4–0.5), so the raw value is stretched: `drift = clamp((raw − 0.1) / 0.4)`, which is
 * `clamp((0.8 − cos) / 0.8)` — 0 at cos ≥ 0.8 (`DRIFT_COS_SAME`), 0.25 at cos 0.6, 0.5 at cos 0.4, 0.75
 * at cos 0.2 and 1 at cos ≤ 0 (`DRIFT_COS_UNRELATED`). No goal yet gives 0. Vectors need not be unit
 * length; they must have the same dimension.
 */
export function driftOf(input: { message: VectorLike; goal?: VectorLike }): number {
  const message = requireVector(input?.message, "message vector");
  if (input.goal === undefined) return 0;
  const goal = requireVector(input.goal, "goal vector");
  const cos = cosine(message, goal, "message vector", "goal vector");
  return clamp01((DRIFT_COS_SAME - cos) / (DRIFT_COS_SAME - DRIFT_COS_UNRELATED));
}

function unit(v: ArrayLike<number>): Float32Array {
  const n = norm(v as VectorLike);
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i] / n;
  return out;
}

/**
 * The session goal after a message, as a new unit vector (inputs are not changed): with no goal yet, or at
 * drift ≥ `GOAL_RESET_DRIFT` (0.6, a new topic), the message itself; otherwise the exponential moving
 * average `(1 − 0.3) × goal + 0.3 × message` (`GOAL_EMA_ALPHA`) of the unit-normalised vectors, normalised
 * again, so the goal follows the topic as it develops. (The average of two unit vectors weighted 0.7 and 0.3
 * has norm ≥ 0.4, so it never cancels out.)
 */
export function updateGoal(goal: VectorLike | undefined, message: VectorLike, drift: number): Float32Array {
  const m = requireVector(message, "message vector");
  requireUnit(drift, "updateGoal: drift");
  if (norm(m) === 0) throw new InvalidInputError("message vector is the zero vector; it has no direction");
  if (goal === undefined || drift >= GOAL_RESET_DRIFT) return unit(m);
  const g = requireVector(goal, "goal vector");
  if (g.length !== m.length) {
    throw new InvalidInputError(
      `message vector has dimension ${m.length} but goal vector has dimension ${g.length}`,
    );
  }
  if (norm(g) === 0) throw new InvalidInputError("goal vector is the zero vector; it has no direction");
  const alpha = GOAL_EMA_ALPHA;
  const gu = unit(g);
  const mu = unit(m);
  const mixed = new Float32Array(m.length);
  for (let i = 0; i < m.length; i++) mixed[i] = (1 - alpha) * gu[i] + alpha * mu[i];
  return unit(mixed);
}

// ---------------------------------------------------------------------------------------------------------
// Phase
// ---------------------------------------------------------------------------------------------------------

/**
 * The phase after a turn. A topic change ends the current phase (`ended: true`, the caller writes a recap)
 * and restarts at `opening`. A resolved topic moves to `closing`. Otherwise the phase follows the turns on
 * the topic, this one included — `opening` for the first, `exploring` from `EXPLORING_FROM_TURN` (2),
 * `deepening` from `DEEPENING_FROM_TURN` (4) — and never moves back, except that a `closing` topic the
 * user takes up again without resolving returns to `deepening`.
 */
export function nextPhase(
  previous: Phase,
  signal: { topicChanged: boolean; turnsOnTopic: number; resolved: boolean },
): { phase: Phase; ended: boolean } {
  if (!PHASES.includes(previous)) {
    throw new InvalidInputError(
      `nextPhase: unknown phase ${JSON.stringify(previous)} (expected ${PHASES.join(", ")})`,
    );
  }
  if (typeof signal !== "object" || signal === null)
    throw new InvalidInputError("nextPhase: signal must be an object");
  const { topicChanged, turnsOnTopic, resolved } = signal;
  if (typeof topicChanged !== "boolean")
    throw new InvalidInputError("nextPhase: topicChanged must be a boolean");
  if (typeof resolved !== "boolean") throw new InvalidInputError("nextPhase: resolved must be a boolean");
  if (!Number.isSafeInteger(turnsOnTopic) || turnsOnTopic < 0) {
    throw new InvalidInputError(
      `nextPhase: turnsOnTopic must be a non-negative integer, got ${String(turnsOnTopic)}`,
    );
  }
  if (topicChanged) return { phase: "opening", ended: true };
  if (resolved) return { phase: "closing", ended: false };
  if (previous === "closing") return { phase: "deepening", ended: false };
  const byTurns: Phase =
    turnsOnTopic >= DEEPENING_FROM_TURN
      ? "deepening"
      : turnsOnTopic >= EXPLORING_FROM_TURN
        ? "exploring"
        : "opening";
  const phase = PHASES.indexOf(byTurns) > PHASES.indexOf(previous) ? byTurns : previous;
  return { phase, ended: false };
}

// ---------------------------------------------------------------------------------------------------------
// Trust
// ---------------------------------------------------------------------------------------------------------

/** Corroboration: an item without SUPPORTS edges keeps 0.8 of its trust, two or more restore it fully. */
const UNCORROBORATED = 0.8;
const CORROBORATED_AT = 2;
/** A CONTRADICTS edge outweighs a SUPPORTS edge two to one. */
const CONTRADICTION_WEIGHT = 2;

function checkEvidence(item: Evidence, what: string): void {
  if (typeof item !== "object" || item === null) throw new InvalidInputError(`${what} is not an object`);
  if (!Object.hasOwn(LAYER_TRUST, item.layer)) {
    throw new InvalidInputError(`${what} has unknown layer ${JSON.stringify(item.layer)}`);
  }
  if (typeof item.score !== "number" || !Number.isFinite(item.score)) {
    throw new InvalidInputError(`${what} has a score that is not a finite number (${String(item.score)})`);
  }
  for (const key of ["supports", "contradicts"] as const) {
    const n = item[key];
    if (typeof n !== "number" || !Number.isFinite(n) || n < 0) {
      throw new InvalidInputError(`${what} has ${key} that is not a non-negative number (${String(n)})`);
    }
  }
  for (const key of ["hasSource", "hashOk"] as const) {
    if (typeof item[key] !== "boolean")
      throw new InvalidInputError(`${what} has ${key} that is not a boolean`);
  }
}

/**
 * How far one piece of evidence can be trusted on its own, in [0, 1]: layer (`LAYER_TRUST`: archive 1,
 * turn 0.7, growth 0.6, external 0.5, shadow 0) × provenance (`PROVENANCE_TRUST`: source with a hash that
 * re-checks 1, no source 0.5, a source whose hash fails 0.25) × agreement, where agreement =
 * `(1 + supports) / (1 + supports + 2 × contradicts)` × corroboration (0.8 with no SUPPORTS edge, rising
 * linearly to 1 at two).
 */
export function evidenceTrust(item: Evidence): number {
  checkEvidence(item, "evidenceTrust: evidence");
  return credibility(item);
}

function credibility(item: Evidence): number {
  const layer = LAYER_TRUST[item.layer];
  const provenance = !item.hasSource
    ? PROVENANCE_TRUST.missing
    : item.hashOk
      ? PROVENANCE_TRUST.verified
      : PROVENANCE_TRUST.hashFailed;
  const { supports, contradicts } = item;
  const agreement = (1 + supports) / (1 + supports + CONTRADICTION_WEIGHT * contradicts);
  const corroboration = UNCORROBORATED + (1 - UNCORROBORATED) * Math.min(1, supports / CORROBORATED_AT);
  return clamp01(layer * provenance * agreement * corroboration);
}

/**
 * Trust in the evidence of a turn, in [0, 1]: the mean of `evidenceTrust` over the items, weighted by
 * retrieval score relative to the best one (scores ≤ 0 weigh nothing; if none is positive all weigh alike).
 * Scores are used relatively because their scale depends on the search mode. Shadow evidence counts as 0
 * and so pulls trust down; no evidence gives 0.
 */
export function trustOf(evidence: readonly Evidence[]): number {
  if (!Array.isArray(evidence)) throw new InvalidInputError("trustOf: evidence must be an array");
  evidence.forEach((item, i) => {
    checkEvidence(item, `trustOf: evidence ${i}`);
  });
  if (evidence.length === 0) return 0;
  const best = Math.max(...evidence.map((e) => e.score));
  let weighted = 0;
  let total = 0;
  for (const item of evidence) {
    const weight = best > 0 ? Math.max(0, item.score) / best : 1;
    weighted += weight * credibility(item);
    total += weight;
  }
  return total === 0 ? 0 : clamp01(weighted / total);
}
