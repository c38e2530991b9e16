/**
 * The workbench: what a front end keeps open between commands — a store, the pipeline over its memory,
 * the conversation session, the language model when one is loaded, the last benchmark — and the one place
 * that opens and switches stores and models.
 */
import { homedir } from "node:os";
import { basename, join, resolve } from "node:path";
import type { QuickBenchResult } from "../../bench/quick-bench.js";
import { config } from "../config.js";
import { createEmbedder } from "../embed/create-embedder.js";
import type { Embedder, EmbedderSpec } from "../embed/embedder.js";
import { InternalError, throwIfCancelled } from "../errors.js";
import { openModel } from "../llm/models.js";
import type { Runner } from "../llm/runner.js";
import { Memory } from "../memory/layers.js";
import { hasModules, type ModuleSystem, openModules } from "../models/modules.js";
import { Pipeline } from "../pipeline/pipeline.js";
import type { Session } from "../pipeline/session.js";
import type { ContextWindow } from "../pipeline/turn.js";
import { CapsuleStore } from "../store/capsule-store.js";
import { isRemote } from "../store/location.js";

/** Options of {@link Workbench.open}. */
export interface WorkbenchOptions {
  /** Store folder (default `$SIGLA_HOME/store`). */
  path?: string;
  /** Embedder for a new store (default `auto`; an existing store always uses its own). */
  embedder?: EmbedderSpec | Embedder;
  /** Conversation session id (default `repl`). */
  session?: string;
  /** Context window the pipeline budgets memory for (default 8192). */
  contextWindow?: ContextWindow;
  /** Where `:chart` and `:bench` write their PNGs and reports (default `$SIGLA_HOME/reports`). */
  reports?: string;
  /** May create the store when the folder holds none (default true; read-only doors pass false). */
  create?: boolean;
  /**
   * Open only the store now; the pipeline and session open on first `ready()` and memory reads through
   * `layers()` create nothing (the CLI, one command per process). Default false.
   */
  lazy?: boolean;
  /**
   * Where `auto` announces its choice. The line is also kept in `embedderNote`, so a full-screen front end
   * can show it in a status line instead of letting stderr write over the screen. Default: keep it only.
   */
  log?: (line: string) => void;
  /**
   * The language model that writes the answers: a .gguf file, a model folder or a cached hub id. Default
   * `SIGLA_LLM`; with neither, the offline answerer answers. A model that cannot be loaded fails the open.
   */
  llm?: string;
  /** Runtime profile the model is loaded with (default `SIGLA_PROFILE`, else `home-cpu`). */
  profile?: string;
}

/** Who answers: the model's file name, or `offline` for the offline answerer. */
export function answererName(runner: Runner | undefined): string {
  return runner ? basename(runner.info.path) : "offline";
}

/** The default store of the embedded workbench: `$SIGLA_HOME/store`. */
export function defaultStorePath(): string {
  return join(config().home, "store");
}

/** Expands a leading `~` and resolves against the working directory; an object-storage URI stays as it is. */
export function expandPath(path: string): string {
  if (isRemote(path)) return path;
  if (path === "~") return homedir();
  if (path.startsWith("~/")) return join(homedir(), path.slice(2));
  return resolve(path);
}

/** Short form of the `auto` line: `use-lite (offline fallback)` from `sigla: embedder auto → use-lite (…): why`. */
export function embedderChoice(line: string): string {
  const body = line.replace(/^sigla: embedder auto → /, "");
  const cut = body.indexOf("): ");
  return cut >= 0 ? body.slice(0, cut + 1) : body;
}

/** One open store with its pipeline and session. */
export class Workbench {
  /** The last `:bench` result, for `:chart latency`. */
  lastBench?: QuickBenchResult;
  /** What `auto` said about its choice of embedder, when it chose one in this process. */
  embedderNote?: string;

  private parts?: { pipeline: Pipeline; session: Session };
  private readOnlyMemory?: Memory;
  private moduleSystem?: Promise<ModuleSystem>;
  /** The module system once open (for what a status line reads synchronously). */
  private openModuleSystem?: ModuleSystem;

  private constructor(
    public store: CapsuleStore,
    parts: { pipeline: Pipeline; session: Session } | undefined,
    /** The model the pipeline answers with; undefined: the offline answerer. The workbench closes it. */
    public runner: Runner | undefined,
    /** The profile `runner` was loaded with. */
    public profile: string | undefined,
    readonly options: Required<Pick<WorkbenchOptions, "session" | "contextWindow" | "reports">> &
      Pick<WorkbenchOptions, "embedder" | "log">,
  ) {
    this.parts = parts;
  }

  /** The pipeline over the store's memory (open unless the workbench is lazy and not `ready()` yet). */
  get pipeline(): Pipeline {
    if (!this.parts)
      throw new InternalError("the workbench's pipeline was used before ready()", { cause: undefined });
    return this.parts.pipeline;
  }

  /** The conversation session turns go to. */
  get session(): Session {
    if (!this.parts)
      throw new InternalError("the workbench's session was used before ready()", { cause: undefined });
    return this.parts.session;
  }

  /** Opens the pipeline and the session when the workbench was opened lazily. */
  async ready(): Promise<this> {
    if (!this.parts) {
      this.parts = await Workbench.openPipeline(this.store, this.options, this.runner);
      await this.routeModules();
    }
    return this;
  }

  /**
   * The module registry, router and loader (opened on first use; the loader attaches adapters to this
   * workbench's model). Once open, the pipeline routes every message through it.
   */
  async modules(): Promise<ModuleSystem> {
    // The router embeds queries with the embedder that wrote the modules' vectors: the store's, when it is that one.
    const embedder = (id: string) =>
      id === this.store.embedder.id
        ? Promise.resolve(this.store.embedder)
        : createEmbedder(id as EmbedderSpec, { log: () => {} });
    this.moduleSystem ??= openModules({ runner: this.runner, router: { embedder } }).catch((error) => {
      this.moduleSystem = undefined;
      throw error;
    });
    const system = await this.moduleSystem;
    this.openModuleSystem = system;
    await this.parts?.pipeline.configure({ router: system.router });
    return system;
  }

  /** Ids of the attached modules, least recently used first (none until a module command ran). */
  get attachedModules(): string[] {
    return this.openModuleSystem?.loader.attached().map((m) => m.id) ?? [];
  }

  /** Gives the pipeline the router when modules are open or registered (a workbench without creates none). */
  private async routeModules(): Promise<void> {
    if (this.moduleSystem || (await hasModules())) await this.modules();
  }

  /** The memory layers: the pipeline's when it is open, else opened for reading (a read creates nothing). */
  async layers(): Promise<Memory> {
    if (this.parts) return this.parts.pipeline.memory;
    this.readOnlyMemory ??= await Memory.open(this.store, { lazyGrowth: true });
    return this.readOnlyMemory;
  }

  /**
   * Opens the model (when one is named or `SIGLA_LLM` is set), then opens (or creates) the store, the
   * pipeline and the session. The model is loaded first so that a bad model path creates no store.
   */
  static async open(options: WorkbenchOptions = {}): Promise<Workbench> {
    const settings = {
      session: options.session ?? "repl",
      contextWindow: options.contextWindow ?? 8192,
      reports: options.reports ?? join(config().home, "reports"),
      embedder: options.embedder,
      log: options.log,
    } as const;
    let note: string | undefined;
    const log = (line: string) => {
      note = line;
      settings.log?.(line);
    };
    const runner = await openModel(options.llm, options.profile);
    try {
      const store = await CapsuleStore.open(expandPath(options.path ?? defaultStorePath()), {
        embedder: settings.embedder ?? "auto",
        log,
        create: options.create,
      });
      const parts = options.lazy ? undefined : await Workbench.openPipeline(store, settings, runner, true);
      const bench = new Workbench(store, parts, runner, options.profile, settings);
      bench.embedderNote = note;
      if (parts) await bench.routeModules();
      return bench;
    } catch (error) {
      await runner?.close();
      throw error;
    }
  }

  /** The pipeline and session over an open store; with `closeOnError`, a failure closes the store. */
  private static async openPipeline(
    store: CapsuleStore,
    settings: Workbench["options"],
    runner: Runner | undefined,
    closeOnError = false,
  ): Promise<{ pipeline: Pipeline; session: Session }> {
    try {
      const pipeline = await Pipeline.open(store, { contextWindow: settings.contextWindow, runner });
      const session = await pipeline.session(settings.session);
      return { pipeline, session };
    } catch (error) {
      if (closeOnError) await store.close();
      throw error;
    }
  }

  /** Who answers: the model's file name, or `offline`. */
  get answerer(): string {
    return answererName(this.runner);
  }

  /**
   * Loads the model `spec` names and answers with it from the next turn on; `undefined` goes back to the
   * offline answerer. The old model is closed only once the new one loaded, so a spec that fails to load
   * leaves the workbench as it was; so does an abort (loading cannot be stopped halfway, so it is checked
   * once the model is in).
   */
  async setModel(spec: string | undefined, profile?: string, signal?: AbortSignal): Promise<void> {
    const runner = spec === undefined ? undefined : await openModel(spec, profile);
    if (signal?.aborted) {
      await runner?.close();
      throwIfCancelled(signal, `loading ${spec}`);
    }
    this.parts?.pipeline.setRunner(runner);
    await (await this.moduleSystem)?.loader.setRunner(runner);
    const old = this.runner;
    this.runner = runner;
    this.profile = profile;
    await old?.close();
  }

  /** The embedder in use, with how `auto` chose it (`use-lite (offline fallback)`), when known. */
  get embedder(): string {
    const id = this.store.embedder.id;
    return this.embedderNote ? embedderChoice(this.embedderNote) : id;
  }

  /**
   * Opens another store and makes it current; the old one is closed only once the new one is open, so
   * a path that fails to open leaves the workbench as it was.
   */
  async switchStore(path: string): Promise<void> {
    const target = expandPath(path);
    if (target === this.store.path) return;
    let note: string | undefined;
    const store = await CapsuleStore.open(target, {
      embedder: this.options.embedder ?? "auto",
      log: (line) => {
        note = line;
        this.options.log?.(line);
      },
    });
    const parts = await Workbench.openPipeline(store, this.options, this.runner, true);
    // The note belongs to the store it came with: an existing store opens without one.
    this.embedderNote = note;
    const old = { store: this.store, parts: this.parts, memory: this.readOnlyMemory };
    this.store = store;
    this.parts = parts;
    this.readOnlyMemory = undefined;
    await this.routeModules();
    await old.parts?.pipeline.close();
    await old.memory?.close();
    await old.store.close();
  }

  /** Continues (or starts) the session `id`; `shared`: a session several people share (SIBYL speaks). */
  async continueSession(id: string, shared?: boolean): Promise<void> {
    await this.ready();
    if (id === this.session.id && (shared === undefined || shared === this.session.shared)) return;
    const parts = (await this.ready()).parts as { pipeline: Pipeline; session: Session };
    parts.session = await parts.pipeline.session(id, shared === undefined ? {} : { shared });
  }

  /** Every distinct tag in the store (the first `limit` capsules), sorted: for completion. */
  async tags(limit = 20_000): Promise<string[]> {
    const capsules = await this.store.list({ limit });
    const tags = new Set<string>();
    for (const capsule of capsules) for (const tag of capsule.tags) tags.add(tag);
    return [...tags].sort();
  }

  /** Detaches the modules, closes the pipeline, the store and the model. */
  async close(): Promise<void> {
    await (await this.moduleSystem?.catch(() => undefined))?.close();
    await this.parts?.pipeline.close();
    await this.readOnlyMemory?.close();
    await this.store.close();
    await this.runner?.close();
    this.runner = undefined;
  }
}
