/**
 * The offline answer composer: answers from the evidence by quoting its best sentences whole, answer first.
 * Every sentence of every piece of evidence is a candidate (`splitSentences`), scored by meaning (cosine of
 * its embedding to the question's, one batched embed call), by words (BM25 over the candidate pool), by the
 * rank and score of its evidence, by the heading it sits under, and by how well its form fits the question
 * type (a definition's "X is …", a value's number or default, a list's enumeration, a how-to's numbered
 * steps). The single best sentence comes first (after "Yes."/"No."/"It depends." for a yes/no question the
 * evidence settles); a list or how-to brings its whole list, or the sentences a count announces ("three
 * layers"), in the document's order; deep or debate mode adds a few supporting sentences that say
 * something new. Text the embedder cannot read (Russian for use-lite) is scored by its words alone.
 * Sentences are never cut: the summary's ~900-character cap drops whole ones.
 */
import { DimensionMismatchError, InvalidInputError } from "../errors.js";
import { addSupport, listUnits, summaryOf, used } from "./compose-assembly.js";
import { labelPenalty, readQuestion, verdict } from "./compose-forms.js";
import { answersWithCode, type Candidate, candidatesOf, scoreCandidates } from "./compose-score.js";
import type { ComposedAnswer, ComposeInput, UsedSentence } from "./types.js";

export { SUMMARY_MAX_CHARS, SUPPORT_SHARE } from "./compose-assembly.js";
export { MAX_CANDIDATES } from "./compose-score.js";

/**
 * Composes an extractive answer to `input.question` from `input.evidence` (see the module comment). The
 * question vector is used as given; the candidate sentences are embedded in one call. Returns an empty
 * summary when the evidence holds no sentence.
 *
 * @throws DimensionMismatchError when the question vector is not the embedder's dimension.
 * @throws CancelledError when `signal` aborts before or after the embedding call.
 */
export async function composeAnswer(input: ComposeInput): Promise<ComposedAnswer> {
  const { question, questionVector, embedder } = input;
  if (typeof question !== "string") throw new InvalidInputError("composeAnswer: question must be a string");
  if (!Array.isArray(input.evidence)) throw new InvalidInputError("composeAnswer: evidence must be an array");
  if (questionVector.length !== embedder.dim) {
    throw new DimensionMismatchError(embedder.dim, questionVector.length, "question vector");
  }
  const asked = readQuestion(question, input.language);
  const { type } = asked;
  const all = candidatesOf(input, asked.terms);
  if (all.length === 0) return { questionType: type, summary: "", used: [], perEvidence: [] };

  const { pool, ranked } = await scoreCandidates(input, asked, all);
  const answer = ranked.find((c) => c.kind !== "code" || answersWithCode(type)) ?? ranked[0];
  let units: Candidate[] = [answer];
  let ordered = false;
  if (type === "steps" || type === "list")
    ({ units, ordered } = listUnits(answer, ranked, pool, asked.terms));
  if (!ordered) addSupport(units, ranked, answer, type, input.mode);
  if (type === "steps" && !ordered && units.every((c) => c.evidence === answer.evidence)) {
    // Steps from one note read in its order (the lead-in, the command, what follows).
    units.sort((a, b) => a.start - b.start);
  }
  // A labelled summary or a heading settles nothing: no verdict from it.
  const prefix = type === "yesno" && labelPenalty(answer) === 0 ? verdict(asked, answer) : undefined;
  const { summary, kept } = summaryOf(input, units, prefix, ordered);

  const perEvidence: UsedSentence[] = [];
  input.evidence.forEach((_, evidence) => {
    const best = ranked.find((c) => c.evidence === evidence);
    if (best) perEvidence.push(used(input, best));
  });
  return { questionType: type, summary, used: kept.map((c) => used(input, c)), perEvidence };
}
