/**
 * The pipeline (Iskra §3.1): ten async steps in one call per message, with no background work. Each step
 * emits `start` and `end` trace events; the turn's trace and metrics are saved with the session.
 */
import { nextTurn } from "../embed/embedder.js";
import { InvalidInputError, throwIfCancelled } from "../errors.js";
import type { Runner } from "../llm/runner.js";
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
import type { Answer, ContextWindow, PipelineOptions, ResolvedOptions, TurnContext } from "./turn.js";
import type {
  Citation,
  DeltaBlock,
  Metrics,
  Phase,
  ReasoningMode,
  StepName,
  TraceEvent,
  Voice,
} from "./types.js";

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
  /** The Summary section alone: the answer itself. */
  summary: string;
  /** The question answered: the message, or a vague follow-up resolved to the session's topic. */
  question: string;
  /** Whether it was answered from the knowledge or from the conversation. */
  about: "knowledge" | "conversation";
  voice: Voice;
  mode: ReasoningMode;
  phase: Phase;
  metrics: Metrics;
  delta: DeltaBlock;
  /** Every citation with its provenance (file or ref, locator, layer, sentence). */
  citations: Citation[];
  clarifying: string[];
  /** `offline answerer`, or `model <file>`. */
  by: Answer["by"];
  /** The model was stopped (Ctrl-C) before it finished. */
  partial: boolean;
  trace: TraceEvent[];
}

/** Options of one {@link Pipeline.ask}. */
export interface AskOptions {
  /** Stops the turn; while the model writes, it stops the writing and keeps the partial answer. */
  signal?: AbortSignal;
  now?: Date;
  onTrace?: (event: TraceEvent) => void;
  /** The answer's text pieces as the model writes them. */
  onToken?: (piece: string) => void;
}

/** One pipeline over one store's memory; `ask` runs a message through the ten steps. */
export class Pipeline {
  /** Every step's events, for whoever draws them live. */
  readonly trace = new TraceChannel();
  private options: ResolvedOptions;

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
      maxAnswerTokens: options.maxAnswerTokens ?? 384,
      ...(options.runner ? { runner: options.runner } : {}),
      ...(options.router ? { router: options.router } : {}),
    };
  }

  /** Opens the pipeline over `store`'s memory; every connector must be an existing folder or file. */
  static async open(store: CapsuleStore, options: PipelineOptions = {}): Promise<Pipeline> {
    checkWindow(options.contextWindow ?? 8192);
    const connectors = await checkConnectors(options.connectors ?? []);
    return new Pipeline(await Memory.open(store), { ...options, connectors });
  }

  /**
   * Answers with `runner` from the next turn on (undefined: the offline answerer). A turn under way keeps
   * the runner it started with. The caller owns the models and closes the one it replaces.
   */
  setRunner(runner: Runner | undefined): void {
    const { runner: _, ...rest } = this.options;
    this.options = runner ? { ...rest, runner } : rest;
  }

  /**
   * Changes the context window, the connectors, the answer budget or the module router from the next turn
   * on; each connector must be an existing folder or file (checked before anything changes).
   */
  async configure(
    options: Pick<PipelineOptions, "contextWindow" | "connectors" | "maxAnswerTokens" | "router">,
  ): Promise<void> {
    const connectors = options.connectors ? await checkConnectors(options.connectors) : undefined;
    this.options = {
      ...this.options,
      ...(options.contextWindow !== undefined && { contextWindow: checkWindow(options.contextWindow) }),
      ...(connectors && { connectors }),
      ...(options.maxAnswerTokens !== undefined && { maxAnswerTokens: options.maxAnswerTokens }),
      ...(options.router && { router: options.router }),
    };
  }

  /** Closes what the pipeline opened (the GROWTH log); the store stays open. */
  async close(): Promise<void> {
    this.trace.close();
    await this.memory.close();
  }

  /** Loads a saved session (or starts one with this id). */
  async session(id: string, options: { shared?: boolean } = {}): Promise<Session> {
    return loadSession(this.memory.store.localDir, id, options);
  }

  /**
   * Runs one message through the ten steps and saves the session. `onTrace` sees every event as it
   * happens (as does `trace.subscribe()`); `onToken` every piece of a model's answer.
   */
  async ask(session: Session, message: string, options: AskOptions = {}): Promise<TurnResult> {
    const context: TurnContext = {
      memory: this.memory,
      session,
      options: this.options,
      signal: options.signal,
      onToken: options.onToken,
      turn: session.traces.length + 1,
      now: options.now ?? new Date(),
      raw: message,
      metrics: { pain: 0, trust: 0.5, clarity: 0.5, drift: 0 },
    };
    const events: TraceEvent[] = [];
    let index = 0;
    // Once the model was stopped mid-answer, the turn still formats and stores the partial answer.
    let stopped = false;
    const run = async <I extends object, O extends object>(
      step: StepName,
      fn: Step<I, O>,
      state: I,
    ): Promise<Omit<I, keyof O> & O> => {
      if (!stopped) throwIfCancelled(options.signal, `turn ${context.turn}`);
      index++;
      const startedAt = Date.now();
      const base = { turn: context.turn, step, index, startedAt };
      this.emit({ ...base, status: "start", ms: 0, summary: "", data: {} }, options.onTrace);
      // Let the event loop turn once so a front end can draw the step's start before CPU-bound work begins.
      await nextTurn();
      const t0 = performance.now();
      const { out, summary, data } = await fn(state);
      const event: TraceEvent = { ...base, status: "end", ms: performance.now() - t0, summary, data };
      events.push(event);
      this.emit(event, options.onTrace);
      return { ...state, ...out };
    };
    const perceived = await run("perception", perception, context);
    const bound = await run("context", contextBinding, perceived);
    const aimed = await run("telos", telos, bound);
    const voiced = await run("voices", voices, aimed);
    const moded = await run("mode", reasoningMode, voiced);
    const recalled = await run("memory", memoryQuery, moded);
    const widened = await run("external", externalSources, recalled);
    const answered = await run("synthesis", synthesis, widened);
    stopped = answered.answer.partial;
    const shown = await run(
      "formatting",
      formatting,
      stopped ? { ...answered, signal: undefined } : answered,
    );
    await run("feedback", feedback, shown);
    session.traces.push(events);
    await saveSession(this.memory.store.localDir, session);
    return {
      session: session.id,
      turn: context.turn,
      answer: shown.formatted,
      summary: shown.answer.summary,
      question: shown.question,
      about: shown.about,
      voice: shown.voice,
      mode: shown.mode,
      phase: session.phase,
      metrics: { ...shown.metrics },
      delta: shown.delta,
      citations: shown.answer.citations,
      clarifying: shown.clarifying,
      by: shown.answer.by,
      partial: shown.answer.partial,
      trace: events,
    };
  }

  private emit(event: TraceEvent, listener?: (event: TraceEvent) => void): void {
    listener?.(event);
    this.trace.emit(event);
  }
}
