/**
 * The state one message carries through the ten steps. Each step reads what earlier steps wrote and adds
 * its own part; nothing runs in the background, so the state is complete when the last step returns.
 */
import type { Memory } from "../memory/layers.js";
import type { MemoryNode } from "../memory/types.js";
import type { Session } from "./session.js";
import type { DeltaBlock, Evidence, Metrics, Phase, ReasoningMode, Voice } from "./types.js";

/** Generates text from a prompt: the LLM runner, when one is configured. */
export type Generator = (prompt: string, options?: { signal?: AbortSignal }) => Promise<string>;

/** Context windows the memory budget is chosen for (§3.6). */
export type ContextWindow = 8192 | 32768 | 131072;

export interface PipelineOptions {
  /** Tokens of the model's context window; decides how much memory is injected. Default 8192. */
  contextWindow?: ContextWindow;
  /** Local folders searched as RAG connectors when memory is not enough. */
  connectors?: string[];
  /** The LLM runner; without it the extractive composer answers. */
  generator?: Generator;
  /** Time budget of the external-source step in ms (default 400): past it, a narrow slice and a Λ step. */
  externalBudgetMs?: number;
  /** Files the external step may read per turn (default 200). */
  externalMaxFiles?: number;
}

/** A message's journey: filled step by step. */
export interface TurnState {
  memory: Memory;
  session: Session;
  options: Required<Omit<PipelineOptions, "generator">> & { generator?: Generator };
  signal?: AbortSignal;
  /** 1-based turn number in the session. */
  turn: number;
  now: Date;
  raw: string;
  text: string;
  language: string;
  vector: Float32Array;
  metrics: Metrics;
  /** Scores of the quick probe at context binding (for clarity before the full query). */
  probeScores: number[];
  history: Session["messages"];
  anchors: MemoryNode[];
  refreshed: MemoryNode[];
  clarifying: string[];
  intent: string;
  topicChanged: boolean;
  voice: Voice;
  voices: Voice[];
  mode: ReasoningMode;
  shadowProtocol: boolean;
  evidence: Evidence[];
  shadowHits: MemoryNode[];
  growthHits: MemoryNode[];
  pain: Array<{ node: MemoryNode; score: number }>;
  /** Narrowing steps a step proposes when it stopped at its budget (go into Λ). */
  narrowing: string[];
  /** Nodes this turn wrote (for Δ). */
  written: string[];
  answer: {
    summary: string;
    structure: string[];
    reflection: string;
    steps: string[];
    citations: Array<{ evidenceId: string; text: string }>;
    candidates: Array<{ label: string; text: string; score: number }>;
  };
  delta: DeltaBlock;
  phase: Phase;
  formatted: string;
}
