/**
 * Reasoning mode (Iskra §3.1, step 5): fast, deep or debate, and whether the shadow protocol holds — chosen
 * from the metrics, the active voices, the words of the message and what is known about the evidence.
 */
import { InvalidInputError } from "../errors.js";
import { CLARITY_LOW, isQuestion, PAIN_HIGH, TRUST_LOW, wordCount } from "./metrics/index.js";
import { type Metrics, type ReasoningMode, VOICES, type Voice } from "./types.js";

/** A message of at most this many words can take the fast path. */
export const FAST_MAX_WORDS = 20;
/** A message of at least this many words is complex enough for deep reasoning. */
export const DEEP_MIN_WORDS = 40;
/** A message that asks this many questions (`?`) or more is complex. */
export const DEEP_MIN_QUESTIONS = 2;

/** What `selectMode` decided, with a one-line reason for the trace. */
export interface ModeSelection {
  mode: ReasoningMode;
  /** Pain is high or trust is low: claims the evidence does not back stay hypotheses in SHADOW. */
  shadowProtocol: boolean;
  reason: string;
}

/** What `selectMode` looks at. */
export interface ModeInput {
  metrics: Metrics;
  /** Active voices, primary first (`VoiceSelection.active`). */
  voices: readonly Voice[];
  text: string;
  /**
   * Pieces of evidence retrieved, when memory has been searched. 0 means low trust comes from having no
   * evidence at all, which calls for the shadow protocol but not for deep reasoning; undefined means trust
   * is taken as it stands.
   */
  evidenceCount?: number;
  /** CONTRADICTS edges among the retrieved evidence; any makes the turn a debate. */
  contradictions?: number;
}

/** Builds a case-insensitive matcher for whole phrases (Unicode word boundaries; `*` after a letter = stem). */
function cues(sources: string[]): RegExp {
  const body = sources
    .map((source) => source.replace(/(?<=\p{L})\*/gu, "\\p{L}*").replace(/ /g, "\\s+"))
    .join("|");
  return new RegExp(`(?<![\\p{L}\\p{N}_])(?:${body})(?![\\p{L}\\p{N}_])`, "iu");
}

/** Comparisons and decisions (English and Russian): weigh the options against each other. */
const DEBATE_CUES = cues([
  "compar*",
  "vs",
  "versus",
  "which (?:one )?is better",
  "which (?:one )?should i",
  "should i",
  "better than",
  "or should",
  "pros and cons",
  "trade-?offs?",
  "difference between",
  "(?:choose|decide|pick) between",
  "сравни*",
  "сравнен*",
  "что лучше",
  "как(?:ой|ая|ое|ие) лучше",
  "стоит ли",
  "или лучше",
  "плюсы и минусы",
  "разниц* между",
  "чем отлича*",
  "выбрать между",
  "против",
]);

/** Requests that need reasoning rather than a lookup: explanations, designs, analyses, plans. */
const COMPLEX_CUES = cues([
  "why",
  "explain*",
  "design*",
  "architect*",
  "step by step",
  "in detail",
  "analy*",
  "how does",
  "prove",
  "derive",
  "debug*",
  "refactor*",
  "walk me through",
  "root cause",
  "почему",
  "объясни*",
  "подробн*",
  "шаг за шагом",
  "спроектир*",
  "архитектур*",
  "проанализир*",
  "анализ*",
  "разбер*",
  "докажи",
  "как работает",
  "отлад*",
  "рефактор*",
]);

function checkUnit(metrics: Metrics, key: keyof Metrics): number {
  const value = metrics?.[key];
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new InvalidInputError(
      `selectMode: metrics.${key} must be a number in [0, 1], got ${String(value)}`,
    );
  }
  return value;
}

function checkCount(value: unknown, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidInputError(`selectMode: ${what} must be a non-negative integer, got ${String(value)}`);
  }
  return value;
}

/**
 * Chooses the reasoning mode, first rule that applies:
 * 1. debate — the message compares or decides ("compare", "vs", "which is better", "should I", "сравни",
 *    "что лучше", …) or the evidence contradicts itself; but when KAIN is active (pain is high) a debate
 *    would argue with someone in distress, so the turn goes deep instead;
 * 2. deep — the message is long (≥ `DEEP_MIN_WORDS` words), asks several questions, asks why / to explain /
 *    to design or analyse; or trust is below `TRUST_LOW` while there is evidence to weigh;
 * 3. fast — a short (≤ `FAST_MAX_WORDS` words), clear (clarity ≥ `CLARITY_LOW`) question;
 * 4. deep — anything else (an unclear or unasked request deserves care, not a quick lookup).
 * The shadow protocol holds whenever pain ≥ `PAIN_HIGH` or trust < `TRUST_LOW`: the answer then keeps its
 * unbacked claims as hypotheses in SHADOW.
 */
export function selectMode(input: ModeInput): ModeSelection {
  if (typeof input !== "object" || input === null)
    throw new InvalidInputError("selectMode: input must be an object");
  const { metrics, voices, text } = input;
  if (typeof text !== "string")
    throw new InvalidInputError(`selectMode: text must be a string, got ${typeof text}`);
  const pain = checkUnit(metrics, "pain");
  const trust = checkUnit(metrics, "trust");
  const clarity = checkUnit(metrics, "clarity");
  checkUnit(metrics, "drift");
  if (!Array.isArray(voices) || voices.some((v) => !VOICES.includes(v))) {
    throw new InvalidInputError(`selectMode: voices must be an array of ${VOICES.join(", ")}`);
  }
  const evidenceCount = checkCount(input.evidenceCount, "evidenceCount");
  const contradictions = checkCount(input.contradictions, "contradictions") ?? 0;

  const shadowReasons: string[] = [];
  if (pain >= PAIN_HIGH) shadowReasons.push(`pain ${pain.toFixed(2)} ≥ ${PAIN_HIGH.toFixed(2)}`);
  if (trust < TRUST_LOW) shadowReasons.push(`trust ${trust.toFixed(2)} < ${TRUST_LOW.toFixed(2)}`);
  const shadowProtocol = shadowReasons.length > 0;
  const decide = (mode: ReasoningMode, why: string): ModeSelection => ({
    mode,
    shadowProtocol,
    reason: shadowProtocol ? `${why}; shadow protocol: ${shadowReasons.join(", ")}` : why,
  });

  const debateCue = DEBATE_CUES.exec(text)?.[0];
  const debateWhy = debateCue
    ? `comparison or decision ("${debateCue.toLowerCase()}")`
    : contradictions > 0
      ? `${contradictions} contradiction${contradictions === 1 ? "" : "s"} in the evidence`
      : undefined;
  if (debateWhy) {
    return voices.includes("KAIN")
      ? decide("deep", `${debateWhy}, but KAIN speaks: careful reasoning, not a debate`)
      : decide("debate", debateWhy);
  }

  const words = wordCount(text);
  const questions = (text.match(/\?/g) ?? []).length;
  const complexCue = COMPLEX_CUES.exec(text)?.[0];
  if (words >= DEEP_MIN_WORDS) return decide("deep", `long message (${words} words)`);
  if (questions >= DEEP_MIN_QUESTIONS) return decide("deep", `${questions} questions in one message`);
  if (complexCue) return decide("deep", `asks for reasoning ("${complexCue.toLowerCase()}")`);
  if (trust < TRUST_LOW && evidenceCount !== 0) {
    return decide("deep", `low trust in the evidence (${trust.toFixed(2)} < ${TRUST_LOW.toFixed(2)})`);
  }

  const question = isQuestion(text);
  if (words <= FAST_MAX_WORDS && clarity >= CLARITY_LOW && question) {
    return decide("fast", `short clear question (${words} words, clarity ${clarity.toFixed(2)})`);
  }
  const missing =
    clarity < CLARITY_LOW
      ? `unclear request (clarity ${clarity.toFixed(2)} < ${CLARITY_LOW.toFixed(2)})`
      : !question
        ? "not a question"
        : `${words} words, more than ${FAST_MAX_WORDS}`;
  return decide("deep", `not a short clear question: ${missing}`);
}
