/**
 * Assembly of the composed answer: the single best sentence first, a list or how-to's whole list (or the
 * sentences a count announces) in the document's order, supporting sentences that say something new, and
 * the summary with a citation tag per sentence. Sentences are never cut: the summary's ~900-character cap
 * drops whole ones.
 */
import { dot } from "../embed/embedder.js";
import { citationTag } from "../pipeline/format.js";
import { announcedCount, labelPenalty } from "./compose-forms.js";
import { answersWithCode, type Candidate } from "./compose-score.js";
import type { ComposeInput, QuestionType, UsedSentence } from "./types.js";

/** The summary stops taking sentences past this many characters (the first one always goes in). */
export const SUMMARY_MAX_CHARS = 900;
/** A supporting sentence must score at least this share of the answer's. */
export const SUPPORT_SHARE = 0.6;
/** In fast mode another type takes supporting sentences scoring at least this share of the answer's. */
const FAST_SUPPORT_SHARE = 0.75;
/** Supporting sentences a fast answer of another type takes at most. */
const SUPPORT_FAST = 2;
/** In fast mode a list or how-to takes supporting sentences only of at least this form score. */
const SUPPORT_FORM = 0.4;
/** Supporting sentences in deep and debate mode. */
const SUPPORT_DEEP = 3;
/** An item of a list scoring at least this share of the best sentence brings its list into the answer. */
const LIST_SHARE = 0.8;
/** Items of one list a steps or list answer quotes at most. */
const LIST_ITEMS_MAX = 8;

/** Shared terms over all terms of the two. */
function jaccard(a: readonly string[], b: readonly string[]): number {
  const x = new Set(a);
  const y = new Set(b);
  const shared = [...x].filter((t) => y.has(t)).length;
  return shared / (x.size + y.size - shared || 1);
}

/** Whether `c` repeats one of `chosen` (overlapping chunks quote the same sentence twice). */
export function repeats(c: Candidate, chosen: readonly Candidate[]): boolean {
  return chosen.some(
    (o) =>
      (o.evidence === c.evidence && o.start < c.end && c.start < o.end) ||
      jaccard(o.terms, c.terms) >= 0.6 ||
      (o.vector !== undefined && c.vector !== undefined && dot(o.vector, c.vector) >= 0.92),
  );
}

/** The list a unit belongs to: the run of items (and code between them) around it, and its lead-in. */
function listAround(pool: readonly Candidate[], unit: Candidate): Candidate[] {
  const same = pool.filter((c) => c.evidence === unit.evidence).sort((a, b) => a.start - b.start);
  const at = same.indexOf(unit);
  const inList = (c: Candidate) => c.kind === "item" || c.kind === "code";
  let first = at;
  let last = at;
  while (first > 0 && inList(same[first - 1])) first--;
  while (last < same.length - 1 && inList(same[last + 1])) last++;
  const run = same.slice(first, last + 1);
  if (!run.some((c) => c.kind === "item")) return [unit];
  const lead = same[first - 1];
  const withLead = lead && lead.kind === "text" && /:$/.test(lead.sentence) ? [lead, ...run] : run;
  return withLead.slice(0, LIST_ITEMS_MAX + 1);
}

/**
 * The units a steps or list answer brings, in the document's order: the list of the answer, or of an item
 * nearly as good (a how-to's numbered steps under a sentence that merely mentions the task), or the
 * sentences a count in the answer announces. `ordered` when more than the answer was brought.
 */
export function listUnits(
  answer: Candidate,
  ranked: readonly Candidate[],
  pool: readonly Candidate[],
  qTerms: ReadonlySet<string>,
): { units: Candidate[]; ordered: boolean } {
  const item =
    answer.kind === "item"
      ? answer
      : ranked.find((c) => c.kind === "item" && c.score >= answer.score * LIST_SHARE);
  if (item) {
    const list = listAround(pool, item);
    const units = list.includes(answer) ? list : [answer, ...list];
    return { units, ordered: units.length > 1 };
  }
  // "The memory has three layers." is followed by the three: bring them, in order.
  const count = announcedCount(answer, qTerms);
  const after = pool
    .filter((c) => c.evidence === answer.evidence && c.start > answer.start && c.kind === "text")
    .sort((a, b) => a.start - b.start);
  if (count > 0 && after.length > 0) {
    return { units: [answer, ...after.slice(0, Math.min(count, LIST_ITEMS_MAX))], ordered: true };
  }
  return { units: [answer], ordered: false };
}

/**
 * Adds supporting sentences to `units` (in place). Deep and debate add what else answers; a fast list or
 * how-to adds only sentences of its own form; a fast answer of another type may add two sentences that
 * score nearly as well (the value or the condition often sits next to the sentence naming the subject).
 */
export function addSupport(
  units: Candidate[],
  ranked: readonly Candidate[],
  answer: Candidate,
  type: QuestionType,
  mode: ComposeInput["mode"],
): void {
  const deep = mode === "deep" || mode === "debate";
  const supportWanted = deep ? SUPPORT_DEEP : SUPPORT_FAST;
  const codeAnswers = answersWithCode(type);
  const listLike = type === "steps" || type === "list";
  for (const c of ranked) {
    if (units.length > supportWanted) break;
    if (c.score < Math.max(0, answer.score) * SUPPORT_SHARE) break;
    if (c.kind === "code" && !codeAnswers) continue;
    if (!deep && listLike && c.form < SUPPORT_FORM) continue;
    if (!deep && !listLike && c.score < answer.score * FAST_SUPPORT_SHARE) break;
    if (units.includes(c) || repeats(c, units) || labelPenalty(c) > 0) continue;
    units.push(c);
  }
}

/** A candidate as the answer reports it. */
export function used(input: ComposeInput, c: Candidate): UsedSentence {
  return {
    evidenceId: input.evidence[c.evidence].evidenceId,
    sentence: c.sentence,
    start: c.start,
    end: c.end,
    score: c.score,
  };
}

/** The summary: each unit with its tag, list items and code on lines of their own, capped by dropping whole units. */
export function summaryOf(
  input: ComposeInput,
  units: Candidate[],
  prefix: string | undefined,
  ordered: boolean,
) {
  let summary = prefix ?? "";
  const kept: Candidate[] = [];
  for (const c of units) {
    const tag = citationTag(input.evidence[c.evidence].evidenceId);
    const piece = c.kind === "code" ? `${c.sentence}\n${tag}` : `${c.sentence} ${tag}`;
    const block = c.kind !== "text" || (kept.length > 0 && kept[kept.length - 1].kind !== "text");
    const joined = summary === "" ? piece : `${summary}${block ? "\n" : " "}${piece}`;
    if (kept.length > 0 && joined.length > SUMMARY_MAX_CHARS) {
      // A list stops at the first item that does not fit, so its order has no gap.
      if (ordered) break;
      continue;
    }
    summary = joined;
    kept.push(c);
  }
  return { summary, kept };
}
