/**
 * The pipeline (Iskra §3.1): ten async steps in one call per message, with no background work. Each step
 * emits `start` and `end` trace events; the turn's trace and metrics are saved with the session.
 */
import { nextTurn } from "../embed/embedder.js";
import { InvalidInputError, throwIfCancelled } from "../errors.js";
import { Memory } from "../memory/layers.js";
import type { CapsuleStore } from "../store/capsule-store.js";
import { checkConnectors } from "./connectors.js";
import { loadSession, type Session, saveSession } from "./session.js";
import { perception } from "./steps/01-perception.js";
import { contextBinding } from "./steps/02-context.js";
import { telos } from "./steps/03-telos.js";
import { voices } from "./steps/04-voices.js";
import { reasoningMode } from "./steps/05-mode.js";
import { memoryQuery } from "./steps/06-memory.js";
import { externalSources } from "./steps/07-external.js";
import { synthesis } from "./steps/08-synthesis.js";
import { formatting } from "./steps/09-formatting.js";
import { feedback } from "./steps/10-feedback.js";
import type { Step } from "./steps/step.js";
import { TraceChannel } from "./trace.js";
import type { ContextWindow, PipelineOptions, TurnState } from "./turn.js";
import { STEPS, type StepName, type TraceEvent } from "./types.js";

const CHAIN: Record<StepName, Step> = {
  perception,
  context: contextBinding,
  telos,
  voices,
  mode: reasoningMode,
  memory: memoryQuery,
  external: externalSources,
  synthesis,
  formatting,
  feedback,
};

const WINDOWS = [8192, 32768, 131072];

function checkWindow(contextWindow: number): ContextWindow {
  if (!WINDOWS.includes(contextWindow)) {
    throw new InvalidInputError(`contextWindow must be one of ${WINDOWS.join(", ")}, got ${contextWindow}`);
  }
  return contextWindow as ContextWindow;
}

/** What one message produced. */
export interface TurnResult {
  session: string;
  turn: number;
  /** The formatted answer (I-Loop line, sections, ∆DΩΛ). */
  answer: string;
  voice: TurnState["voice"];
  mode: TurnState["mode"];
  phase: TurnState["phase"];
  metrics: TurnState["metrics"];
  delta: TurnState["delta"];
  citations: TurnState["answer"]["citations"];
  clarifying: string[];
  trace: TraceEvent[];
}

/** One pipeline over one store's memory; `ask` runs a message through the ten steps. */
export class Pipeline {
  /** Every step's events, for whoever draws them live. */
  readonly trace = new TraceChannel();
  private readonly options: TurnState["options"];

  private constructor(
    readonly memory: Memory,
    options: PipelineOptions,
  ) {
    const contextWindow = checkWindow(options.contextWindow ?? 8192);
    this.options = {
      contextWindow,
      connectors: options.connectors ?? [],
      externalBudgetMs: options.externalBudgetMs ?? 400,
      externalMaxFiles: options.externalMaxFiles ?? 200,
      ...(options.generator ? { generator: options.generator } : {}),
    };
  }

  /** Opens the pipeline over `store`'s memory; every connector must be an existing folder or file. */
  static async open(store: CapsuleStore, options: PipelineOptions = {}): Promise<Pipeline> {
    checkWindow(options.contextWindow ?? 8192);
    const connectors = await checkConnectors(options.connectors ?? []);
    return new Pipeline(await Memory.open(store), { ...options, connectors });
  }

  /** Closes what the pipeline opened (the GROWTH log); the store stays open. */
  async close(): Promise<void> {
    this.trace.close();
    await this.memory.close();
  }

  /** Loads a saved session (or starts one with this id). */
  async session(id: string, options: { shared?: boolean } = {}): Promise<Session> {
    return loadSession(this.memory.store.path, id, options);
  }

  /**
   * Runs one message through the ten steps and saves the session. `onTrace` sees every event as it
   * happens (as does `trace.subscribe()`).
   */
  async ask(
    session: Session,
    message: string,
    options: { signal?: AbortSignal; now?: Date; onTrace?: (event: TraceEvent) => void } = {},
  ): Promise<TurnResult> {
    const state = {
      memory: this.memory,
      session,
      options: this.options,
      signal: options.signal,
      turn: session.traces.length + 1,
      now: options.now ?? new Date(),
      raw: message,
      metrics: { pain: 0, trust: 0.5, clarity: 0.5, drift: 0 },
      narrowing: [],
      written: [],
      phase: session.phase,
    } as unknown as TurnState;
    const events: TraceEvent[] = [];
    for (const [i, step] of STEPS.entries()) {
      throwIfCancelled(options.signal, `turn ${state.turn}`);
      const startedAt = Date.now();
      const base = { turn: state.turn, step, index: i + 1, startedAt };
      this.emit({ ...base, status: "start", ms: 0, summary: "", data: {} }, options.onTrace);
      // Let the event loop turn once so a front end can draw the step's start before CPU-bound work begins.
      await nextTurn();
      const t0 = performance.now();
      const report = await CHAIN[step](state);
      const event: TraceEvent = { ...base, status: "end", ms: performance.now() - t0, ...report };
      events.push(event);
      this.emit(event, options.onTrace);
    }
    session.traces.push(events);
    await saveSession(this.memory.store.path, session);
    return {
      session: session.id,
      turn: state.turn,
      answer: state.formatted,
      voice: state.voice,
      mode: state.mode,
      phase: session.phase,
      metrics: { ...state.metrics },
      delta: state.delta,
      citations: state.answer.citations,
      clarifying: state.clarifying,
      trace: events,
    };
  }

  private emit(event: TraceEvent, listener?: (event: TraceEvent) => void): void {
    listener?.(event);
    this.trace.emit(event);
  }
}
