/**
 * Turns an embedder spec into a loaded `Embedder`, and decides what `auto` means. A store's vectors only
 * make sense to the embedder that wrote them, so an existing store pins the embedder; a new one gets the
 * transformers model when it loads, and the offline USE-lite otherwise.
 */
import { config as processConfig, type SiglaConfig } from "../config.js";
import {
  DimensionMismatchError,
  EmbedderError,
  EmbedderMismatchError,
  InvalidInputError,
} from "../errors.js";
import type { Embedder, EmbedderSpec } from "./embedder.js";
import { loadTransformersEmbedder } from "./transformers.js";
import { loadUseLite } from "./use-lite.js";

const TRANSFORMERS = "transformers:";
const ACCEPTED = `"auto", "use-lite" or "transformers:<model>" (e.g. "transformers:Xenova/all-MiniLM-L6-v2")`;

/** Options for {@link createEmbedder}. */
export interface CreateEmbedderOptions {
  /** The embedder id and dimension an existing store was written with. */
  stored?: { id: string; dim: number };
  /** Configuration to use instead of the process's `SIGLA_*` environment. */
  config?: SiglaConfig;
  /** Where `auto` reports its choice: one line without a newline, once per process (default: stderr). */
  log?: (line: string) => void;
  /** Download progress of transformers model files. */
  onProgress?: (p: { file: string; loaded: number; total: number }) => void;
}

/**
 * Loads the embedder named by `spec`.
 *
 * - An `Embedder` object is used as is.
 * - `"use-lite"`: the offline Universal Sentence Encoder lite (512-d).
 * - `"transformers:<model>"`: a transformers.js model from `SIGLA_MODEL_DIR` if set, else the cache or hub.
 * - `"auto"`: with `stored`, the store's own embedder; otherwise the `SIGLA_MODEL` transformers model
 *   (or `SIGLA_MODEL_DIR`), falling back to use-lite when it cannot load within `SIGLA_HUB_TIMEOUT_MS`.
 * - `undefined`: `SIGLA_EMBEDDER`.
 *
 * @throws EmbedderMismatchError when `spec` names another embedder than `stored.id`.
 * @throws DimensionMismatchError when the embedder's dimension is not `stored.dim`.
 * @throws InvalidInputError for a spec string that is none of the accepted forms.
 */
export async function createEmbedder(
  spec: EmbedderSpec | Embedder | undefined,
  options: CreateEmbedderOptions = {},
): Promise<Embedder> {
  const { stored } = options;
  if (typeof spec === "object" && spec !== null) {
    if (stored) checkStored(spec, stored);
    return spec;
  }
  const cfg = options.config ?? processConfig();
  const name = parseSpec(spec ?? cfg.embedder, spec === undefined ? "SIGLA_EMBEDDER" : "embedder");
  if (stored) {
    if (name !== "auto" && name !== stored.id) throw new EmbedderMismatchError(stored.id, name);
    const embedder = await createNamed(storedSpec(stored.id), cfg, options);
    checkStored(embedder, stored);
    return embedder;
  }
  if (name === "auto") return createAuto(cfg, options);
  return createNamed(name, cfg, options);
}

/** Checks that `value` is one of the accepted spec forms and returns it typed. */
function parseSpec(value: unknown, what: string): EmbedderSpec {
  if (value === "auto" || value === "use-lite") return value;
  if (typeof value === "string" && value.startsWith(TRANSFORMERS) && value.length > TRANSFORMERS.length) {
    return value as EmbedderSpec;
  }
  throw new InvalidInputError(`${what} must be ${ACCEPTED}, got ${JSON.stringify(value)}`);
}

/** The spec that recreates a store's embedder; stores written by a custom `Embedder` object have none. */
function storedSpec(id: string): Exclude<EmbedderSpec, "auto"> {
  if (id === "use-lite" || (id.startsWith(TRANSFORMERS) && id.length > TRANSFORMERS.length)) {
    return id as Exclude<EmbedderSpec, "auto">;
  }
  throw new EmbedderError(
    "SIGLA_EMBEDDER_UNAVAILABLE",
    `this store was written with embedder "${id}", which cannot be loaded by name; pass that Embedder object`,
  );
}

function checkStored(embedder: Embedder, stored: { id: string; dim: number }): void {
  if (embedder.id !== stored.id) throw new EmbedderMismatchError(stored.id, embedder.id);
  if (embedder.dim !== stored.dim) {
    throw new DimensionMismatchError(stored.dim, embedder.dim, `embedder "${embedder.id}"`);
  }
}

async function createNamed(
  spec: Exclude<EmbedderSpec, "auto">,
  cfg: SiglaConfig,
  options: CreateEmbedderOptions,
): Promise<Embedder> {
  if (spec === "use-lite") return loadUseLite({ batch: cfg.encoderBatch });
  return loadTransformersEmbedder(spec.slice(TRANSFORMERS.length), {
    modelDir: cfg.modelDir,
    cacheDir: cfg.modelCache,
    dtype: cfg.dtype,
    batch: cfg.encoderBatch,
    allowRemote: true,
    timeoutMs: cfg.hubTimeoutMs,
    onProgress: options.onProgress,
  });
}

/**
 * What `auto` settled on, per model setting: later calls reuse the choice, so a fallback costs the hub
 * timeout once per process, and the choice is announced once.
 */
const autoChoices = new Map<string, Promise<Exclude<EmbedderSpec, "auto">>>();

async function createAuto(cfg: SiglaConfig, options: CreateEmbedderOptions): Promise<Embedder> {
  const key = JSON.stringify([cfg.model, cfg.modelDir, cfg.modelCache, cfg.dtype]);
  const known = autoChoices.get(key);
  if (known) return createNamed(await known, cfg, options);

  let settle!: (choice: Exclude<EmbedderSpec, "auto">) => void;
  let abandon!: (error: unknown) => void;
  const choice = new Promise<Exclude<EmbedderSpec, "auto">>((resolve, reject) => {
    settle = resolve;
    abandon = reject;
  });
  choice.catch(() => undefined);
  autoChoices.set(key, choice);

  const log = options.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const wanted = `transformers:${cfg.model}` as const;
  const source = cfg.modelDir ? `from ${cfg.modelDir}` : `from ${cfg.modelCache} or the hub`;
  try {
    const embedder = await createNamed(wanted, cfg, options);
    settle(wanted);
    log(`sigla: embedder auto → ${embedder.id} (loaded ${source})`);
    return embedder;
  } catch (error) {
    const reason = firstLine(error);
    try {
      const embedder = await loadUseLite({ batch: cfg.encoderBatch });
      settle("use-lite");
      // Loader errors usually name the model already; do not say it twice.
      const why = reason.startsWith(wanted) ? reason : `${wanted} did not load: ${reason}`;
      log(`sigla: embedder auto → use-lite (offline fallback): ${why}`);
      return embedder;
    } catch (fallbackError) {
      // Neither loads: forget the attempt so a later call tries again.
      autoChoices.delete(key);
      abandon(fallbackError);
      throw fallbackError;
    }
  }
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n", 1)[0].trim() || "unknown error";
}
