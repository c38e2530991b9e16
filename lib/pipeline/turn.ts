/**
 * What one message carries through the ten steps, as typed stages: each step takes what the steps before
 * it produced and returns its own part, which the pipeline adds to the state for the next. Nothing is
 * filled in later by a cast, and nothing runs in the background: the state is complete when the last step
 * returns.
 */

import type { Runner } from "../llm/runner.js";
import type { Memory } from "../memory/layers.js";
import type { MemoryNode } from "../memory/types.js";
import type { ModuleRouter } from "../models/router.js";
import type { Session } from "./session.js";
import type { Citation, DeltaBlock, Evidence, Metrics, Phase, ReasoningMode, Voice } from "./types.js";

/** Context windows the memory budget is chosen for (§3.6). */
export type ContextWindow = 8192 | 32768 | 131072;

/** Options of a `Pipeline`: context window, connector folders, language model, external-step budget. */
export interface PipelineOptions {
  /** Tokens of the model's context window; decides how much memory is injected. Default 8192. */
  contextWindow?: ContextWindow;
  /** Local folders searched as RAG connectors when memory is not enough. */
  connectors?: string[];
  /** The language model; without one the offline answerer answers. The pipeline does not close it. */
  runner?: Runner;
  /** Most tokens the model may write per call (default 384). */
  maxAnswerTokens?: number;
  /** Time budget of the external-source step in ms (default 400): past it, a narrow slice and a Λ step. */
  externalBudgetMs?: number;
  /** Files the external step may read per turn (default 200). */
  externalMaxFiles?: number;
  /** Chooses `.capsulemod` modules for each message; its choice is shown in the mode step's trace. */
  router?: ModuleRouter;
}

/** The options with their defaults filled in. */
export type ResolvedOptions = Required<Omit<PipelineOptions, "runner" | "router">> & {
  runner?: Runner;
  router?: ModuleRouter;
};

/** What every step can read: the turn's fixed inputs. */
export interface TurnContext {
  memory: Memory;
  session: Session;
  options: ResolvedOptions;
  signal?: AbortSignal;
  /** Text pieces of the answer as the model writes them (live display). */
  onToken?: (piece: string) => void;
  /** 1-based turn number in the session. */
  turn: number;
  now: Date;
  raw: string;
  /** The metrics as they stand; a step that measures one returns the updated set. */
  metrics: Metrics;
}

/** Step 1. */
export interface Perceived {
  text: string;
  language: string;
}

/** Step 2: the message embedded once; this vector is passed to every search of the turn. */
export interface Bound {
  vector: Float32Array;
  /** The question to answer: the message, or a vague follow-up resolved to the session's topic. */
  question: string;
  history: Session["messages"];
  topicChanged: boolean;
  anchors: MemoryNode[];
  /** Knowledge a RAG refresh after the previous turn brought back (id and title). */
  refreshed: Array<{ id: number; title: string }>;
  /** Scores of the quick probe (for clarity before the full query). */
  probeScores: number[];
}

/** Step 3. */
export interface Telos {
  intent: string;
  clarifying: string[];
}

/** Step 4. */
export interface Voiced {
  voice: Voice;
  voices: Voice[];
}

/** Step 5. */
export interface Moded {
  mode: ReasoningMode;
  shadowProtocol: boolean;
}

/** Step 6 (step 7 may add evidence, narrowing steps and writes). */
export interface Recalled {
  /** Whether the question is about the knowledge or about the conversation itself. */
  about: "knowledge" | "conversation";
  evidence: Evidence[];
  shadowHits: MemoryNode[];
  growthHits: MemoryNode[];
  pain: Array<{ node: MemoryNode; score: number }>;
  /** Narrowing steps a step proposes when it stopped at its budget (go into Λ). */
  narrowing: string[];
  /** What this turn wrote to memory so far (for Δ). */
  written: string[];
}

/** Step 8: the answer's parts. */
export interface Answer {
  summary: string;
  structure: string[];
  reflection: string;
  citations: Citation[];
  candidates: Array<{ label: string; text: string; score: number }>;
  /** Concrete next steps (Λ first). */
  steps: string[];
  /** Who wrote it: the offline answerer or the model (its file). */
  by: string;
  /** The model was stopped before it finished (Ctrl-C): the text is what it wrote until then. */
  partial: boolean;
  /** Sentences of a model's answer that cite no evidence. */
  unsupported: string[];
}

export interface Synthesised {
  answer: Answer;
}

/** Step 9. */
export interface Formatted {
  delta: DeltaBlock;
  formatted: string;
}

/** Step 10. */
export interface Fed {
  phase: Phase;
}

/** The state the steps see, stage by stage. */
export type AfterPerception = TurnContext & Perceived;
export type AfterContext = AfterPerception & Bound;
export type AfterTelos = AfterContext & Telos;
export type AfterVoices = AfterTelos & Voiced;
export type AfterMode = AfterVoices & Moded;
export type AfterMemory = AfterMode & Recalled;
export type AfterSynthesis = AfterMemory & Synthesised;
export type AfterFormatting = AfterSynthesis & Formatted;
