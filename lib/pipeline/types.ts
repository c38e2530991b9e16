/**
 * Types shared by the 10-step pipeline (Iskra §3.1): metrics, voices, reasoning modes, phases, evidence
 * and the trace events every step emits.
 */
import type { LayerName } from "../memory/types.js";

/** The four session metrics, each a number in [0, 1]. */
export interface Metrics {
  /** Distress signals in the user's message. */
  pain: number;
  /** Agreement and provenance of the evidence. */
  trust: number;
  /** How specified the request is and how clear the retrieval margin is. */
  clarity: number;
  /** Distance of the message from the session's goal. */
  drift: number;
}

/** A voice of the assistant (step 4): each answers one condition of the metrics; ISKRA is the base voice. */
export type Voice = "KAIN" | "SAM" | "ISKRIV" | "SIBYL" | "ISKRA";
/** Every voice, in the priority order `selectVoices` picks the primary one by (KAIN first, ISKRA last). */
export const VOICES: readonly Voice[] = ["KAIN", "SAM", "ISKRIV", "SIBYL", "ISKRA"];
/** How a turn reasons (step 5): fast, deep, or a debate (thesis, antithesis, and a judge between them). */
export type ReasoningMode = "fast" | "deep" | "debate";
/** Every reasoning mode, cheapest first. */
export const REASONING_MODES: readonly ReasoningMode[] = ["fast", "deep", "debate"];
/** Phases of work on one topic; a topic change ends the phase (and writes a recap). */
export type Phase = "opening" | "exploring" | "deepening" | "closing";
/** Every phase, in the order work on one topic goes through them. */
export const PHASES: readonly Phase[] = ["opening", "exploring", "deepening", "closing"];

/** Where a piece of evidence comes from: a memory layer, the conversation, or a connector folder. */
export type EvidenceLayer = LayerName | "conversation" | "external";

/** A piece of memory the synthesis may use, with the id it is cited by. */
export interface Evidence {
  /** `ev:<capsule id>`: what a citation carries. */
  evidenceId: string;
  capsuleId: number;
  layer: EvidenceLayer;
  text: string;
  /** Fused retrieval score (higher is better). */
  score: number;
  /** Provenance present, and its hash re-checked. */
  hasSource: boolean;
  hashOk: boolean;
  /** Typed edges with other retrieved evidence. */
  supports: number;
  contradicts: number;
  title?: string;
  /** The file or reference it came from (ingested file, node source ref, connector file). */
  source?: string;
  /** The capsule's meta: an ingested chunk's `source` (file offsets, lines) places a quoted sentence. */
  meta?: Record<string, unknown>;
  /** A node's own locator (`L12-L20`, `chars 10-90`), when it carries one. */
  locator?: string;
  /** Conversation evidence: the session it was said in and when. */
  session?: string;
  at?: string;
}

/**
 * A citation with its provenance: which evidence, where it comes from (file or ref, and the line or
 * character range of the sentence used), its layer, and the sentence itself.
 */
export interface Citation {
  evidenceId: string;
  /** The sentence used. */
  text: string;
  layer: EvidenceLayer;
  /** File or source reference; `session:<id>` for the conversation. */
  source?: string;
  /** `lines 12-14`, `chars 100-180`, or the conversation's turn and time. */
  locator?: string;
}

/** The ten steps, in order. */
export const STEPS = [
  "perception",
  "context",
  "telos",
  "voices",
  "mode",
  "memory",
  "external",
  "synthesis",
  "formatting",
  "feedback",
] as const;
/** One of the ten `STEPS`. */
export type StepName = (typeof STEPS)[number];

/**
 * One trace event: `start` when a step begins (ms 0), `end` when it finishes, with a one-line summary and
 * the step's data (JSON-serialisable).
 */
export interface TraceEvent {
  turn: number;
  step: StepName;
  /** 1..10 */
  index: number;
  status: "start" | "end";
  /** Milliseconds since the epoch. */
  startedAt: number;
  ms: number;
  summary: string;
  data: Record<string, unknown>;
}

/** ∆DΩΛ: what changed, the evidence depth, the confidence, the next concrete step. */
export interface DeltaBlock {
  delta: string;
  depth: string;
  omega: number;
  lambda: string;
}
