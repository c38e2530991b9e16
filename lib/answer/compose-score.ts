/**
 * Sentence scoring for the answer composer: every sentence of every piece of evidence is a candidate
 * (`splitSentences`), scored by meaning (cosine of its embedding to the question's, one batched embed call),
 * by words (BM25 over the candidate pool), by the rank and score of its evidence, by the heading it sits
 * under, and by how well its form fits the question type. Text the embedder cannot read (Russian for
 * use-lite) is scored by its words alone.
 */
import { dot } from "../embed/embedder.js";
import { throwIfCancelled } from "../errors.js";
import { type Asked, coverage, formScore, labelPenalty, type TermUnit } from "./compose-forms.js";
import { splitSentences } from "./split.js";
import { bm25, terms } from "./terms.js";
import type { ComposeInput, QuestionType } from "./types.js";

/** Candidates embedded at most; a larger pool keeps the best by words and evidence rank. */
export const MAX_CANDIDATES = 100;

/** Signal weights. A sentence the embedder cannot read puts the cosine's weight on its words instead. */
const WEIGHTS = { cosine: 0.4, words: 0.35, evidence: 0.15, form: 0.25, section: 0.1 } as const;
/**
 * Embedders trained on many languages. use-lite and MiniLM read English only: on Russian, use-lite gives an
 * unrelated sentence the same cosine (≈ 0.88) as a paraphrase, and tokenizes it three times slower, so such
 * text is not embedded at all.
 */
const MULTILINGUAL = /multilingual|labse|bge-m3|\be5\b|e5-|xlm|distiluse/i;
/** A letter outside the Latin script. */
const NON_LATIN = /[^\p{Script=Latin}\P{L}]/u;
/** A unit that is nothing but inline code (a command line quoted in a paragraph). */
const ONLY_INLINE_CODE = /^`[^`]+`[.:]?$/;
const TERMINAL = /[.!?…:;"'”’»)\]`]$/;

/** A sentence of the evidence with its scores. */
export interface Candidate extends TermUnit {
  evidence: number;
  /** Share of the question's terms in the heading above the unit or the evidence title. */
  section: number;
  /** Starts or ends where its chunk was cut, so it is probably half a sentence. */
  fragment: boolean;
  cosine: number;
  words: number;
  form: number;
  score: number;
  vector?: Float32Array;
}

/**
 * Whether the embedder's cosine means anything for the question (then: for each sentence's script). An
 * English embedder reads Latin script: a language guess is no test, as technical English full of names
 * ("tsconfig.json", "SAPUI5", "JavaScript") is often guessed as another language.
 */
function readsQuestion(embedderId: string, language: string, question: string): boolean {
  if (MULTILINGUAL.test(embedderId)) return true;
  return language !== "rus" && !NON_LATIN.test(question);
}

/** The candidates of every piece of evidence, with their section match and fragment flag. */
export function candidatesOf(input: ComposeInput, qTerms: Set<string>): Candidate[] {
  const share = (text: string | undefined) => (text ? coverage(qTerms, terms(text)) : 0);
  return input.evidence.flatMap((e, evidence) => {
    const units = splitSentences(e.text);
    const title = share(e.title);
    let heading = 0;
    const out: Candidate[] = [];
    units.forEach((unit, i) => {
      if (unit.kind === "heading") {
        heading = share(unit.sentence);
        return;
      }
      const cut =
        unit.kind === "text" &&
        ((i === 0 && /^\p{Ll}/u.test(unit.sentence)) ||
          (i === units.length - 1 && unit.end === e.text.trimEnd().length && !TERMINAL.test(unit.sentence)));
      out.push({
        ...unit,
        evidence,
        terms: terms(unit.sentence),
        section: Math.max(title, heading),
        fragment: cut,
        cosine: 0,
        words: 0,
        form: 0,
        score: 0,
      });
    });
    return out;
  });
}

/** The evidence prior: half its score against the best piece's, half its rank. */
function evidencePrior(input: ComposeInput): number[] {
  const best = Math.max(...input.evidence.map((e) => e.score), 0);
  return input.evidence.map((e, rank) => {
    const share = best > 0 && Number.isFinite(e.score) ? Math.max(0, Math.min(1, e.score / best)) : 0;
    return 0.5 * share + 0.5 / (1 + rank);
  });
}

/** Whether code blocks can answer questions of this type (a how-to's command, a value's literal). */
export function answersWithCode(type: QuestionType): boolean {
  return type === "steps" || type === "value";
}

/**
 * Scores the candidates for the question: words (BM25) over all of them, then, for the best
 * `MAX_CANDIDATES` by words and evidence, meaning (one embed call for the sentences the embedder reads),
 * form, section and penalties. Returns that pool, and it ranked best first (ties: evidence, then offset).
 *
 * @throws CancelledError when `signal` aborts before or after the embedding call.
 */
export async function scoreCandidates(
  input: ComposeInput,
  asked: Asked,
  all: Candidate[],
): Promise<{ pool: Candidate[]; ranked: Candidate[] }> {
  const { question, questionVector, embedder, signal, language } = input;
  const { type } = asked;
  const prior = evidencePrior(input);
  const words = bm25(
    [...asked.terms],
    all.map((c) => c.terms),
  );
  const bestWords = Math.max(...words);
  all.forEach((c, i) => {
    c.words = bestWords > 0 ? words[i] / bestWords : 0;
  });
  // A very large pool keeps its best candidates by words and evidence before the (costly) embedding.
  const pool =
    all.length <= MAX_CANDIDATES
      ? all
      : [...all]
          .sort((a, b) => b.words + prior[b.evidence] - (a.words + prior[a.evidence]))
          .slice(0, MAX_CANDIDATES);

  // Only the sentences the embedder can read are embedded, all in one call.
  const multilingual = MULTILINGUAL.test(embedder.id);
  const readable = readsQuestion(embedder.id, language, question)
    ? pool.filter((c) => multilingual || !NON_LATIN.test(c.sentence))
    : [];
  throwIfCancelled(signal, "answer composition");
  const vectors = readable.length > 0 ? await embedder.embed(readable.map((c) => c.sentence)) : [];
  throwIfCancelled(signal, "answer composition");
  const cosines = vectors.map((v) => dot(questionVector, v));
  const low = Math.min(...cosines);
  const spread = Math.max(Math.max(...cosines) - low, 0.1);
  readable.forEach((c, i) => {
    c.vector = vectors[i];
    c.cosine = (cosines[i] - low) / spread;
  });
  const codeAnswers = answersWithCode(type);
  pool.forEach((c) => {
    c.form = formScore(c, asked);
    const penalty =
      (c.fragment ? 0.15 : 0) +
      (c.kind === "text" && c.terms.length < 3 ? 0.1 : 0) +
      ((c.kind === "code" || ONLY_INLINE_CODE.test(c.sentence)) && !codeAnswers ? 0.2 : 0) +
      (type === "value" && c.form === 0 ? 0.1 : 0) +
      (c.sentence.length > 400 ? 0.05 : 0) +
      labelPenalty(c, type);
    c.score =
      WEIGHTS.cosine * (c.vector ? c.cosine : c.words) +
      WEIGHTS.words * c.words +
      WEIGHTS.evidence * prior[c.evidence] +
      WEIGHTS.form * c.form +
      WEIGHTS.section * c.section -
      penalty;
  });
  const ranked = [...pool].sort((a, b) => b.score - a.score || a.evidence - b.evidence || a.start - b.start);
  return { pool, ranked };
}
