/**
 * Every `SIGLA_*` environment variable, parsed once, typed, with its default. `.env.example` and the
 * README list the same variables; keep the three in step.
 */
import { homedir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "./errors.js";
import { INDEX_POLICIES } from "./store/index-policy.js";

/** The parsed `SIGLA_*` variables: `loadConfig` reads any environment, `config()` this process's own. */
export interface SiglaConfig {
  /** Data folder for the default store and the model cache. */
  home: string;
  /** Embedder spec used when none is named: "auto", "use-lite" or "transformers:<model>". */
  embedder: string;
  /** Hub id of the transformers model `auto` tries first. */
  model: string;
  /** Local folder holding a transformers.js model (config, tokenizer, onnx/); wins over the hub. */
  modelDir: string | undefined;
  /** Where downloaded hub models are cached. */
  modelCache: string;
  /** ONNX weight variant for transformers models: fp32, fp16, q8, int8, uint8, q4, bnb4, q4f16. */
  dtype: string;
  /** Texts per embedder call. */
  encoderBatch: number;
  /** How long `auto` waits for the hub before falling back to the offline embedder. */
  hubTimeoutMs: number;
  /** Default number of auto-links per new capsule. */
  autoLinkK: number;
  /** Default index policy: auto, flat, ivf or hnsw. */
  indexPolicy: string;
  /** Largest file ingest reads, in bytes; bigger files are refused (skipped) with a message. */
  maxFileBytes: number;
  /** Print stack traces as well as `code: message`. */
  debug: boolean;
  /** The module registry and its verified, unpacked `.capsulemod` modules (default `<home>/modules`). */
  modulesDir: string;
  /** Where `.capsulegraph` archives are unpacked once, by their sha256 (default `<home>/cache/capsulegraph`). */
  capsuleGraphCache: string;
  /** How long the router keeps a decision for the same query, in seconds (seed §13.6: 30). */
  routerCacheTtlSeconds: number;
  /** Modules the loader reads in parallel when it attaches several (seed §13.6: 2). */
  modulePrefetch: number;
  /** RAM the attached modules may hold before the least recently used is detached, in MiB. */
  moduleRamMb: number;
  /** VRAM the attached modules may hold on a GPU, in MiB (seed home-gpu: a 1 GB VRAM LRU). */
  moduleVramMb: number;
}

/** An integer variable ≥ `min`, or `fallback` when unset. */
export function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new ConfigError(`${name} must be an integer ≥ ${min}, got "${raw}"`);
  }
  return value;
}

/** A variable that must be one of `allowed`, or `fallback` when unset. */
export function oneOf(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: string,
  allowed: readonly string[],
): string {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (!allowed.includes(raw))
    throw new ConfigError(`${name} must be one of ${allowed.join(", ")}, got "${raw}"`);
  return raw;
}

/** Reads the configuration from an environment (the process's by default). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): SiglaConfig {
  const home = env.SIGLA_HOME || join(homedir(), ".sigla");
  return {
    home,
    embedder: env.SIGLA_EMBEDDER || "auto",
    model: env.SIGLA_MODEL || "Xenova/all-MiniLM-L6-v2",
    modelDir: env.SIGLA_MODEL_DIR || undefined,
    modelCache: env.SIGLA_MODEL_CACHE || join(home, "models"),
    dtype: oneOf(env, "SIGLA_DTYPE", "q8", ["fp32", "fp16", "q8", "int8", "uint8", "q4", "bnb4", "q4f16"]),
    encoderBatch: int(env, "SIGLA_ENCODER_BATCH", 64, 1),
    hubTimeoutMs: int(env, "SIGLA_HUB_TIMEOUT_MS", 3000, 1),
    autoLinkK: int(env, "SIGLA_AUTO_LINK_K", 5, 0),
    indexPolicy: oneOf(env, "SIGLA_INDEX_POLICY", "auto", INDEX_POLICIES),
    maxFileBytes: int(env, "SIGLA_MAX_FILE_BYTES", 32 * 1024 * 1024, 1),
    debug: Boolean(env.SIGLA_DEBUG && env.SIGLA_DEBUG !== "0"),
    modulesDir: env.SIGLA_MODULES || join(home, "modules"),
    capsuleGraphCache: env.SIGLA_CG_CACHE || join(home, "cache", "capsulegraph"),
    routerCacheTtlSeconds: int(env, "SIGLA_ROUTER_CACHE_TTL", 30, 0),
    modulePrefetch: int(env, "SIGLA_MODULE_PREFETCH", 2, 1),
    moduleRamMb: int(env, "SIGLA_MODULE_RAM_MB", 2048, 1),
    moduleVramMb: int(env, "SIGLA_MODULE_VRAM_MB", 1024, 1),
  };
}

let cached: SiglaConfig | undefined;
/** The process's configuration, read on first use. */
export function config(): SiglaConfig {
  cached ??= loadConfig();
  return cached;
}
