/**
 * The module loader (seed §13.3, S3–S4): `attach(id)` loads a registered module and its dependencies,
 * `detach(id)` frees it. Attached modules sit in an LRU bounded in RAM (`SIGLA_MODULE_RAM_MB`) and, for
 * adapters on a GPU model, in VRAM (`SIGLA_MODULE_VRAM_MB`): an attach that would pass the budget first
 * detaches the least recently used, so it never runs the process out of memory; dependencies are read
 * `SIGLA_MODULE_PREFETCH` at a time. What attaching does depends on the type:
 *
 * - `lora` (and a `gguf` file that is a LoRA adapter): applied to the running GGUF model through
 *   node-llama-cpp's LoRA support (`Runner.setAdapters`), which changes its output; without a GGUF model it
 *   waits, attached but not applied, and is applied when one is set.
 * - `gguf` (a whole model): loaded as a runner of its own (`runner(id)`).
 * - `state`: its tensors, dequantised to float32, held in RAM (`tensors(id)`).
 */
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { config } from "../config.js";
import { ModuleError } from "../errors.js";
import { readGgufHeader } from "../llm/gguf-header.js";
import { openRunner } from "../llm/models.js";
import type { Runner } from "../llm/runner.js";
import type { ModuleEntry } from "./module-index.js";
import type { ModuleType } from "./module-meta.js";
import type { ModuleRegistry } from "./registry.js";
import { dequantizeState, readSafetensors } from "./safetensors.js";

/** An attached module. */
export interface AttachedModule {
  id: string;
  type: ModuleType;
  /** Bytes it holds (RAM, or VRAM when `device` is `gpu`). */
  bytes: number;
  device: "cpu" | "gpu";
  /** For an adapter: whether it is applied to a running model yet. */
  applied: boolean;
  attachedAt: string;
}

/** Options of a {@link ModuleLoader}. */
export interface LoaderOptions {
  /** RAM budget in bytes (default `SIGLA_MODULE_RAM_MB`). */
  ramBytes?: number;
  /** VRAM budget in bytes (default `SIGLA_MODULE_VRAM_MB`). */
  vramBytes?: number;
  /** Modules read in parallel (default `SIGLA_MODULE_PREFETCH`). */
  prefetch?: number;
  /** The running language model adapters apply to. */
  runner?: Runner;
  /** Whether this machine has a CUDA GPU (default: whether the runner runs on one). */
  cuda?: boolean;
}

/** What an attach did: the modules attached (dependencies first) and those evicted to make room. */
export interface AttachResult {
  attached: AttachedModule[];
  evicted: string[];
}

interface Held extends AttachedModule {
  entry: ModuleEntry;
  /** An adapter file applied to the runner. */
  adapter?: string;
  tensors?: Map<string, Float32Array>;
  model?: Runner;
}

const MB = 1024 * 1024;

/** A module's size and device, before or after loading. */
type Sized = Pick<AttachedModule, "id" | "device" | "bytes">;

/** Bytes a module will hold: its weights file, or for a state dict its tensors widened to float32. */
function estimate(entry: ModuleEntry): number {
  const { type, dtype, bytes } = entry.meta;
  return type === "state" ? bytes * (dtype === "int8" ? 4 : 2) : bytes;
}

/** Loads modules from a registry and keeps them in a memory-bounded LRU. */
export class ModuleLoader {
  /** In LRU order: the first is the least recently used. */
  private readonly held = new Map<string, Held>();
  private queue: Promise<unknown> = Promise.resolve();
  private runnerInUse?: Runner;
  /** RAM the attached modules may hold, in bytes. */
  readonly ramBytes: number;
  /** VRAM the attached modules may hold, in bytes. */
  readonly vramBytes: number;
  /** Modules read in parallel. */
  readonly prefetchCount: number;

  constructor(
    private readonly registry: ModuleRegistry,
    private readonly options: LoaderOptions = {},
  ) {
    this.ramBytes = options.ramBytes ?? config().moduleRamMb * MB;
    this.vramBytes = options.vramBytes ?? config().moduleVramMb * MB;
    this.prefetchCount = options.prefetch ?? config().modulePrefetch;
    this.runnerInUse = options.runner;
  }

  /** One change at a time: attach, detach and setRunner never interleave. */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** The attached modules, least recently used first. */
  attached(): AttachedModule[] {
    return [...this.held.values()].map(publicView);
  }

  /** Bytes held in RAM and in VRAM. */
  usage(): { ram: number; vram: number } {
    let ram = 0;
    let vram = 0;
    for (const h of this.held.values()) {
      if (h.device === "gpu") vram += h.bytes;
      else ram += h.bytes;
    }
    return { ram, vram };
  }

  /** A state module's tensors (attached), by name. */
  tensors(id: string): Map<string, Float32Array> {
    const held = this.require(id);
    if (!held.tensors)
      throw new ModuleError("SIGLA_MODULE_INVALID", `module ${id} is a ${held.type}, not a state dict`);
    this.touch(held);
    return held.tensors;
  }

  /** The runner of an attached whole-model `gguf` module. */
  runner(id: string): Runner {
    const held = this.require(id);
    if (!held.model) throw new ModuleError("SIGLA_MODULE_INVALID", `module ${id} is not a whole model`);
    this.touch(held);
    return held.model;
  }

  private require(id: string): Held {
    const held = this.held.get(id);
    if (!held)
      throw new ModuleError("SIGLA_MODULE_NOT_FOUND", `module ${id} is not attached (attach it first)`);
    return held;
  }

  private touch(held: Held): void {
    this.held.delete(held.id);
    this.held.set(held.id, held);
  }

  /**
   * Attaches `id` and, first, what it depends on. Already attached modules only become the most recently
   * used. Least recently used modules are detached while the new ones would not fit the budget.
   *
   * @throws ModuleError SIGLA_MODULE_NOT_FOUND, SIGLA_MODULE_DEVICE (it needs CUDA, there is none),
   *   SIGLA_MODULE_BUDGET (one module larger than the whole budget); nothing is attached then.
   */
  attach(id: string, options: { signal?: AbortSignal } = {}): Promise<AttachResult> {
    return this.serial(async () => {
      const chain = await this.registry.dependencies(id);
      for (const entry of chain) this.checkDevice(entry);
      const keep = new Set(chain.map((e) => e.meta.module_id));
      const missing = chain.filter((e) => !this.held.has(e.meta.module_id));
      // Room is made from estimates before anything is read, so old and new never sit in memory together.
      const incoming = missing.map((e) => ({
        id: e.meta.module_id,
        device: this.deviceOf(e),
        bytes: estimate(e),
      }));
      this.checkFits(incoming);
      const evicted = await this.makeRoom(incoming, keep);
      const loaded = await this.loadAll(missing, options.signal);
      for (const held of loaded) this.held.set(held.id, held);
      // Exact sizes can exceed the estimates a little: free more if they do.
      evicted.push(...(await this.makeRoom([], keep)));
      for (const entry of chain) this.touch(this.held.get(entry.meta.module_id) as Held);
      if (loaded.some((h) => h.adapter) || evicted.length > 0) await this.applyAdapters();
      return { attached: chain.map((e) => publicView(this.held.get(e.meta.module_id) as Held)), evicted };
    });
  }

  /** Detaches `id` (and what depends on it), freeing its memory. */
  detach(id: string): Promise<string[]> {
    return this.serial(async () => {
      this.require(id);
      const gone = await this.release(id);
      await this.applyAdapters();
      return gone;
    });
  }

  /** Detaches everything (the loader stays usable). */
  detachAll(): Promise<void> {
    return this.serial(async () => {
      for (const id of [...this.held.keys()]) if (this.held.has(id)) await this.release(id);
      await this.applyAdapters();
    });
  }

  /**
   * The running model adapters apply to (undefined: none); the attached adapters are applied to it. The
   * caller owns the runner.
   */
  setRunner(runner: Runner | undefined): Promise<void> {
    return this.serial(async () => {
      this.runnerInUse = runner;
      await this.applyAdapters();
    });
  }

  private checkDevice(entry: ModuleEntry): void {
    const cuda = this.options.cuda ?? this.runnerInUse?.info.gpu ?? false;
    if (entry.meta.device_constraint === "cuda" && !cuda) {
      throw new ModuleError(
        "SIGLA_MODULE_DEVICE",
        `module ${entry.meta.module_id} needs a CUDA GPU (device_constraint cuda) and this machine runs without one`,
      );
    }
  }

  /** Loads modules `prefetchCount` at a time; on any failure frees what was loaded and rethrows. */
  private async loadAll(entries: readonly ModuleEntry[], signal?: AbortSignal): Promise<Held[]> {
    const loaded: Held[] = [];
    try {
      for (let i = 0; i < entries.length; i += this.prefetchCount) {
        signal?.throwIfAborted();
        const batch = entries.slice(i, i + this.prefetchCount);
        loaded.push(...(await Promise.all(batch.map((e) => this.load(e)))));
      }
      return loaded;
    } catch (error) {
      await Promise.all(loaded.map((h) => h.model?.close()));
      throw error;
    }
  }

  private async load(entry: ModuleEntry): Promise<Held> {
    const { meta } = entry;
    const path = join(entry.dir, meta.weights);
    const base = {
      id: meta.module_id,
      type: meta.type,
      entry,
      attachedAt: new Date().toISOString(),
    };
    if (meta.type === "state") {
      const { tensors } = await readSafetensors(path);
      const values = dequantizeState(tensors);
      let bytes = 0;
      for (const v of values.values()) bytes += v.byteLength;
      return { ...base, bytes, device: "cpu", applied: true, tensors: values };
    }
    const bytes = (await stat(path)).size;
    const isAdapter =
      meta.type === "lora" || (await readGgufHeader(path)).metadata.get("general.type") === "adapter";
    if (isAdapter) {
      const device = this.runnerInUse?.info.gpu ? "gpu" : "cpu";
      return { ...base, bytes, device, applied: false, adapter: path };
    }
    const model = await openRunner(path);
    return { ...base, bytes, device: model.info.gpu ? "gpu" : "cpu", applied: true, model };
  }

  /** `SIGLA_MODULE_BUDGET` when one module is larger than its whole budget. */
  private checkFits(incoming: readonly Sized[]): void {
    const tooLarge = incoming.find((h) => h.bytes > this.budget(h.device));
    if (!tooLarge) return;
    const what = tooLarge.device === "gpu" ? "VRAM" : "RAM";
    throw new ModuleError(
      "SIGLA_MODULE_BUDGET",
      `module ${tooLarge.id} needs ${(tooLarge.bytes / MB).toFixed(1)} MiB, more than the whole ${what} budget of ${(this.budget(tooLarge.device) / MB).toFixed(0)} MiB (SIGLA_MODULE_${what}_MB)`,
    );
  }

  private budget(device: "cpu" | "gpu"): number {
    return device === "gpu" ? this.vramBytes : this.ramBytes;
  }

  /** Where a module will sit: adapters on the runner's device, everything else in RAM. */
  private deviceOf(entry: ModuleEntry): "cpu" | "gpu" {
    return entry.meta.type !== "state" && this.runnerInUse?.info.gpu ? "gpu" : "cpu";
  }

  /**
   * Detaches least recently used modules (never those in `keep`) until what is held plus `incoming` fits
   * each budget; returns the detached ids.
   */
  private async makeRoom(incoming: readonly Sized[], keep: Set<string>): Promise<string[]> {
    const evicted: string[] = [];
    for (const device of ["cpu", "gpu"] as const) {
      const needed = incoming.filter((h) => h.device === device).reduce((sum, h) => sum + h.bytes, 0);
      const used = () => (device === "gpu" ? this.usage().vram : this.usage().ram);
      while (used() + needed > this.budget(device)) {
        const victim = [...this.held.values()].find((h) => h.device === device && !keep.has(h.id));
        if (!victim) break;
        evicted.push(...(await this.release(victim.id)));
      }
    }
    return evicted;
  }

  /** Frees `id` and every attached module that depends on it; returns their ids. */
  private async release(id: string): Promise<string[]> {
    const held = this.held.get(id);
    if (!held) return [];
    this.held.delete(id);
    const gone = [id];
    for (const other of [...this.held.values()]) {
      if (other.entry.meta.depends_on.includes(id)) gone.push(...(await this.release(other.id)));
    }
    await held.model?.close();
    held.tensors?.clear();
    return gone;
  }

  /** Makes the runner's adapters exactly the attached ones (a no-op without a GGUF runner). */
  private async applyAdapters(): Promise<void> {
    const adapters = [...this.held.values()].filter((h) => h.adapter);
    const runner = this.runnerInUse;
    if (!runner?.setAdapters) {
      for (const h of adapters) h.applied = false;
      return;
    }
    await runner.setAdapters(adapters.map((h) => ({ path: h.adapter as string })));
    for (const h of adapters) h.applied = true;
  }

  /** Detaches everything and forgets the runner. */
  async close(): Promise<void> {
    await this.detachAll();
    this.runnerInUse = undefined;
  }
}

function publicView(held: Held): AttachedModule {
  const { id, type, bytes, device, applied, attachedAt } = held;
  return { id, type, bytes, device, applied, attachedAt };
}
