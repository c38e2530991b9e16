/**
 * LoRA adapters on a loaded GGUF model. node-llama-cpp applies adapters per context
 * (`model.createContext({ lora })`), so a new set of adapters is a new context; an adapter it loaded stays
 * in the model until the model is disposed, so the ones no longer listed are released here. Every adapter
 * is checked against the model's header first ({@link checkLoraFitsModel}): llama.cpp only logs why it
 * refuses one, and a truncated file must never reach it.
 */
import { resolve } from "node:path";
import type { LlamaContext, LlamaContextSequence, LlamaModel } from "node-llama-cpp";
import { InvalidInputError, ModelError } from "../errors.js";
import { checkLoraFitsModel } from "../models/lora.js";
import type { GgufHeader } from "./gguf-header.js";

/** An adapter as a context applies it: an absolute path and a scale. */
export interface AdapterChoice {
  filePath: string;
  scale: number;
}

/** An adapter loaded into a model, as node-llama-cpp's addon holds it. */
interface LoadedLora {
  dispose(): Promise<void>;
}

/**
 * The adapters node-llama-cpp has loaded into `model`, by resolved path. node-llama-cpp 3.22 keeps them in
 * the internal `LlamaModel._loraAdapters` map (filled by `_getOrLoadLora`) and has no public way to
 * unload one, yet detaching must give the adapter's memory back; so this is the one place SIGLA reaches
 * into it. A version without that map is a clear error before anything changes, not a crash.
 */
export function loadedLoras(model: LlamaModel): Map<string, LoadedLora> {
  const map = (model as unknown as { _loraAdapters?: unknown })._loraAdapters;
  const usable =
    map instanceof Map &&
    [...map.values()].every((lora) => typeof (lora as Partial<LoadedLora> | null)?.dispose === "function");
  if (!usable) {
    throw new ModelError(
      "SIGLA_MODEL_LOAD",
      "this node-llama-cpp has no LlamaModel._loraAdapters map (the internal SIGLA uses to unload a detached LoRA adapter, present in 3.22); pin node-llama-cpp ^3.22 or adapt lib/llm/gguf-lora.ts",
    );
  }
  return map as Map<string, LoadedLora>;
}

/**
 * The adapters of `list` as a context takes them, each checked against the model: a path given once,
 * a finite scale (default 1), an adapter whose architecture and shapes fit.
 *
 * @throws InvalidInputError for a repeated path or a bad scale; ModuleError from the fit check.
 */
export async function checkAdapters(
  list: readonly { path: string; scale?: number }[],
  model: { path: string; header: GgufHeader },
): Promise<AdapterChoice[]> {
  if (!Array.isArray(list)) throw new InvalidInputError("setAdapters() takes a list of { path, scale }");
  const choices: AdapterChoice[] = [];
  for (const { path, scale = 1 } of list) {
    if (typeof path !== "string" || path === "") throw new InvalidInputError("an adapter needs a path");
    if (typeof scale !== "number" || !Number.isFinite(scale)) {
      throw new InvalidInputError(`adapter ${path}: scale must be a finite number, got ${String(scale)}`);
    }
    const filePath = resolve(path);
    if (choices.some((c) => c.filePath === filePath))
      throw new InvalidInputError(`adapter ${path} is listed twice`);
    await checkLoraFitsModel(filePath, model);
    choices.push({ filePath, scale });
  }
  return choices;
}

/** Unloads from the model every adapter `keep` does not list (no context may still use them). */
export async function releaseUnlisted(
  loaded: Map<string, LoadedLora>,
  keep: readonly AdapterChoice[],
): Promise<void> {
  for (const [filePath, lora] of [...loaded]) {
    if (keep.some((c) => c.filePath === filePath)) continue;
    loaded.delete(filePath);
    await lora.dispose();
  }
}

/**
 * The runner's one context and its sequence, made again with another set of adapters on demand. A swap
 * that fails goes back to the adapters applied before (they loaded then), and whichever way it ends, the
 * adapters not in use are released.
 */
export class AdaptedContext {
  context!: LlamaContext;
  sequence!: LlamaContextSequence;
  adapters: AdapterChoice[] = [];

  constructor(private readonly create: (adapters: readonly AdapterChoice[]) => Promise<LlamaContext>) {}

  /** Makes the context with `adapters`. */
  async open(adapters: AdapterChoice[]): Promise<void> {
    this.context = await this.create(adapters);
    this.sequence = this.context.getSequence();
    this.adapters = adapters;
  }

  /** Disposes the context and makes it again with `adapters` (no generation may be running). */
  async swap(adapters: AdapterChoice[], loaded: Map<string, LoadedLora>): Promise<void> {
    await this.context.dispose();
    try {
      await this.open(adapters);
    } catch (error) {
      await this.open(this.adapters);
      throw error;
    } finally {
      await releaseUnlisted(loaded, this.adapters);
    }
  }
}
