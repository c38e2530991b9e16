/**
 * Runtime profiles for home machines (seed §12.1): `home-cpu`, the default, for a laptop or desktop
 * without a GPU and 4–8 GB of RAM (8-bit weights, encoder batch 32, generation target 10–15 tokens/s),
 * and `home-gpu` for a 6–8 GB card (4-bit weights, batch 128, GPU on, target 40–60 tokens/s). A profile
 * is only a named set of settings; each `SIGLA_LLM_*` variable overrides its own setting (§13.6).
 */
import { availableParallelism } from "node:os";
import { int, oneOf } from "../config.js";
import { DTYPE_SUFFIX } from "../embed/transformers.js";
import { ConfigError } from "../errors.js";

/** The runtime profiles, the default first. */
export const PROFILE_NAMES = ["home-cpu", "home-gpu"] as const;
/** One of `PROFILE_NAMES`. */
export type ProfileName = (typeof PROFILE_NAMES)[number];

/** How a language model is run. */
export interface LlmSettings {
  profile: ProfileName;
  /** The model `sigla run` and the pipeline use when none is named (`SIGLA_LLM`). */
  model?: string;
  /** GGUF: "auto" uses CUDA, Vulkan or Metal when llama.cpp finds one; false keeps to the CPU. */
  gpu: "auto" | false;
  /** Tokens of context a loaded model holds (the seed's working window is 8K). */
  contextSize: number;
  /** CPU threads for generation; 0 means one per core. */
  threads: number;
  /** Prompt tokens evaluated per batch. */
  batchSize: number;
  /** ONNX weight variant for the ONNX backend and ONNX pulls (seed: quant_bits 8 → q8, 4 → q4). */
  dtype: string;
  /** The GGUF quantisation `sigla model pull` picks when a hub URI names none. */
  ggufQuant: string;
  /** Texts per embedder call the profile suggests (seed: batch=32 on CPU, 128 on GPU). */
  encoderBatch: number;
}

/** The profiles' settings before any variable overrides them. */
export const PROFILES: Readonly<Record<ProfileName, Omit<LlmSettings, "profile" | "model">>> = {
  "home-cpu": {
    gpu: false,
    contextSize: 8192,
    threads: 0,
    batchSize: 512,
    dtype: "q8",
    ggufQuant: "Q8_0",
    encoderBatch: 32,
  },
  "home-gpu": {
    gpu: "auto",
    contextSize: 8192,
    threads: 0,
    batchSize: 512,
    dtype: "q4",
    ggufQuant: "Q4_K_M",
    encoderBatch: 128,
  },
};

const ONNX_DTYPES = Object.keys(DTYPE_SUFFIX);

/**
 * The settings of `profile` (default `SIGLA_PROFILE`, else `home-cpu`) with the `SIGLA_LLM*` variables
 * of `env` applied over them.
 *
 * @throws ConfigError for an unknown profile or a malformed variable.
 */
export function llmSettings(profile?: string, env: NodeJS.ProcessEnv = process.env): LlmSettings {
  const name = profile ?? oneOf(env, "SIGLA_PROFILE", "home-cpu", PROFILE_NAMES);
  if (!(PROFILE_NAMES as readonly string[]).includes(name)) {
    throw new ConfigError(`profile must be one of ${PROFILE_NAMES.join(", ")}, got "${name}"`);
  }
  const base = PROFILES[name as ProfileName];
  const gpu = oneOf(env, "SIGLA_LLM_GPU", base.gpu === false ? "off" : "auto", ["auto", "on", "off"]);
  return {
    profile: name as ProfileName,
    model: env.SIGLA_LLM || undefined,
    gpu: gpu === "off" ? false : "auto",
    contextSize: int(env, "SIGLA_LLM_CONTEXT", base.contextSize, 64),
    threads: int(env, "SIGLA_LLM_THREADS", base.threads, 0),
    batchSize: int(env, "SIGLA_LLM_BATCH", base.batchSize, 1),
    dtype: oneOf(env, "SIGLA_LLM_DTYPE", base.dtype, ONNX_DTYPES),
    ggufQuant: env.SIGLA_LLM_QUANT || base.ggufQuant,
    encoderBatch: int(env, "SIGLA_ENCODER_BATCH", base.encoderBatch, 1),
  };
}

/** `threads` with 0 resolved to the cores this process may use. */
export function threadCount(settings: Pick<LlmSettings, "threads">): number {
  return settings.threads > 0 ? settings.threads : availableParallelism();
}
