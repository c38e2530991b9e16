/**
 * The offline answerer's types: what the composer takes (the resolved question, its vector, ranked
 * evidence) and what it gives back (an answer-first summary whose every sentence is an exact, cited
 * substring of one piece of evidence).
 */
import type { Embedder } from "../embed/embedder.js";

/** What kind of answer a question wants; it decides which sentences the composer prefers. */
export type QuestionType =
  | "definition"
  | "value"
  | "yesno"
  | "steps"
  | "list"
  | "reason"
  | "comparison"
  | "open";

/** One piece of evidence the composer may quote, with the id its citations name. */
export interface AnswerEvidence {
  evidenceId: string;
  text: string;
  /** fused retrieval score, higher better */
  score: number;
  title?: string;
}

/** What the composer takes: the resolved question, its vector and the ranked evidence to quote from. */
export interface ComposeInput {
  /** the (already resolved) question text */
  question: string;
  /** the question embedded ONCE by the pipeline — do not re-embed it */
  questionVector: Float32Array;
  /** ranked, best first (already cut to the budget; SHADOW already removed) */
  evidence: AnswerEvidence[];
  /** to embed the candidate sentences (one batched call) */
  embedder: Embedder;
  /** ISO 639-3: "eng", "rus", "und", … */
  language: string;
  mode?: "fast" | "deep" | "debate";
  signal?: AbortSignal;
}

/** A sentence the answer quotes: its evidence, where it sits in that evidence's text, and its score. */
export interface UsedSentence {
  evidenceId: string;
  sentence: string;
  /** character range of the sentence inside the evidence text */
  start: number;
  end: number;
  score: number;
}

/** What the composer gives back: the answer-first summary and the sentences it quotes. */
export interface ComposedAnswer {
  questionType: QuestionType;
  /** answer first; each sentence followed by its citation tag `[evidence_id: ev:N]` */
  summary: string;
  used: UsedSentence[];
  /** the best sentence per evidence, for deep/debate candidates */
  perEvidence: UsedSentence[];
}
