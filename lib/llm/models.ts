/**
 * Where language models come from: a spec names a `.gguf` file, a folder (an ONNX model folder, or one
 * holding exactly one `.gguf`), or a hub model — `hf:owner/repo:Q4_K_M` (or `hf:owner/repo/file.gguf`, or
 * an https URL of a .gguf) for GGUF, `owner/repo` for an ONNX model in the transformers.js layout. Hub
 * models are looked up in the model cache (`SIGLA_MODEL_CACHE`, default `<SIGLA_HOME>/models`: GGUF files
 * under `gguf/`, ONNX folders under `<owner>/<repo>/`) and never downloaded on open; `pullModel` (the
 * `sigla model pull` command) downloads them.
 */
import { readdir, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { config } from "../config.js";
import {
  CancelledError,
  errorMessage,
  firstLine,
  InvalidInputError,
  isSiglaError,
  ModelError,
  SiglaError,
} from "../errors.js";
import { loadGgufRunner } from "./gguf.js";
import { describeGguf, readGgufHeader } from "./gguf-header.js";
import { loadOnnxRunner, pullOnnxModel, readOnnxFolder } from "./onnx.js";
import { type LlmSettings, llmSettings } from "./profiles.js";
import type { Runner } from "./runner.js";

/** Options shared by {@link openRunner}, {@link pullModel}, {@link listModels} and {@link modelInfo}. */
export interface ModelOptions {
  /** A profile name (`home-cpu`, `home-gpu`); default `SIGLA_PROFILE`, else `home-cpu`. */
  profile?: string;
  /** Settings that win over the profile and the environment (context size, threads, GPU, dtype…). */
  settings?: Partial<LlmSettings>;
  /** Model cache folder; default `SIGLA_MODEL_CACHE`. */
  cacheDir?: string;
}

/** A model spec resolved to something on disk. */
export interface ResolvedModel {
  spec: string;
  backend: "gguf" | "onnx";
  /** The .gguf file or the ONNX model folder. */
  path: string;
}

/** What a model file or folder says about itself, read without loading it. */
export interface ModelFileInfo extends ResolvedModel {
  architecture: string;
  name?: string;
  /** Context length the model was trained for, when it says. */
  contextLength?: number;
  chatTemplate: boolean;
  parameters?: number;
  /** GGUF: the main tensor type; ONNX: the weight variants present (`fp32`, `q8`, …). */
  quantization?: string;
  bytes: number;
}

/** Options for {@link pullModel}. */
export interface PullOptions extends ModelOptions {
  /** Bytes downloaded so far of the total (per file for ONNX models). */
  onProgress?: (p: { file: string; loaded: number; total: number }) => void;
  signal?: AbortSignal;
}

const GGUF_URI = /^(hf:|huggingface:|https?:\/\/)/;
const HUB_ID = /^[\w.-]+\/[\w.-]+$/;

function cacheOf(options: ModelOptions): string {
  return resolve(options.cacheDir ?? config().modelCache);
}

function settingsOf(options: ModelOptions): LlmSettings {
  return { ...llmSettings(options.profile), ...options.settings };
}

async function kind(path: string): Promise<"file" | "folder" | undefined> {
  const info = await stat(path).catch(() => undefined);
  return info?.isDirectory() ? "folder" : info ? "file" : undefined;
}

/** An ONNX model folder has a config.json and an onnx/ folder. */
async function isOnnxFolder(dir: string): Promise<boolean> {
  return (await kind(join(dir, "config.json"))) === "file" && (await kind(join(dir, "onnx"))) === "folder";
}

async function ggufFilesIn(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.filter((n) => n.toLowerCase().endsWith(".gguf")).sort();
}

/**
 * Resolves `spec` to a model on disk (see the module comment for the forms), without loading it.
 *
 * @throws ModelError SIGLA_MODEL_NOT_FOUND for a path that does not exist or a hub model not in the
 *   cache (the message names `sigla model pull`); SIGLA_MODEL_INVALID for a folder that holds no model or
 *   several .gguf files.
 */
export async function resolveModel(spec: string, options: ModelOptions = {}): Promise<ResolvedModel> {
  if (typeof spec !== "string" || spec.trim() === "") {
    throw new InvalidInputError(
      "a model spec is needed: a .gguf file, a model folder or a hub id (or set SIGLA_LLM)",
    );
  }
  const cache = cacheOf(options);
  const onDisk = await kind(resolve(spec));
  if (onDisk === "file") return { spec, backend: "gguf", path: resolve(spec) };
  if (onDisk === "folder") return resolveFolder(spec, resolve(spec));
  if (GGUF_URI.test(spec)) {
    const { resolveModelFile } = await import("node-llama-cpp");
    try {
      const path = await resolveModelFile(spec, {
        directory: join(cache, "gguf"),
        download: false,
        cli: false,
      });
      return { spec, backend: "gguf", path };
    } catch (error) {
      throw new ModelError(
        "SIGLA_MODEL_NOT_FOUND",
        `${spec} is not in the model cache (${join(cache, "gguf")}); download it with \`sigla model pull ${spec}\``,
        { cause: error },
      );
    }
  }
  if (HUB_ID.test(spec) && !spec.toLowerCase().endsWith(".gguf")) {
    const dir = join(cache, ...spec.split("/"));
    if (await isOnnxFolder(dir)) return { spec, backend: "onnx", path: dir };
    throw new ModelError(
      "SIGLA_MODEL_NOT_FOUND",
      `${spec} is neither a path nor a model in the cache (${cache}); download it with \`sigla model pull ${spec}\``,
    );
  }
  throw new ModelError("SIGLA_MODEL_NOT_FOUND", `model ${spec} does not exist`);
}

async function resolveFolder(spec: string, dir: string): Promise<ResolvedModel> {
  if (await isOnnxFolder(dir)) return { spec, backend: "onnx", path: dir };
  const ggufs = await ggufFilesIn(dir);
  if (ggufs.length === 1) return { spec, backend: "gguf", path: join(dir, ggufs[0]) };
  throw new ModelError(
    "SIGLA_MODEL_INVALID",
    ggufs.length === 0
      ? `${dir} holds no model: neither a .gguf file nor an ONNX model (config.json and onnx/)`
      : `${dir} holds ${ggufs.length} .gguf files (${ggufs.join(", ")}); name one`,
  );
}

/**
 * Loads the model `spec` names (default `SIGLA_LLM`) with the profile's settings as a {@link Runner}.
 * Never downloads: a hub model must be pulled first.
 *
 * @throws ModelError SIGLA_MODEL_NOT_FOUND, SIGLA_MODEL_INVALID (a truncated or foreign file is caught
 *   before llama.cpp reads it), SIGLA_MODEL_LOAD; ConfigError for a bad profile or variable.
 */
export async function openRunner(spec?: string, options: ModelOptions = {}): Promise<Runner> {
  const settings = settingsOf(options);
  const model = await resolveModel(spec ?? settings.model ?? "", options);
  return model.backend === "gguf"
    ? loadGgufRunner(model.path, settings)
    : loadOnnxRunner(model.path, settings);
}

/** The model a door should load: `spec`, else the one `SIGLA_LLM` names, else none. */
export function configuredModel(spec?: string): string | undefined {
  return spec ?? (process.env.SIGLA_LLM || undefined);
}

/**
 * Loads the model `spec` names; without a spec, the one `SIGLA_LLM` names, or none (undefined: the
 * offline answerer). A failure of the environment's model says so, so that a stale `SIGLA_LLM` is not
 * mistaken for a bad argument.
 */
export async function openModel(spec?: string, profile?: string): Promise<Runner | undefined> {
  const chosen = configuredModel(spec);
  if (chosen === undefined) return undefined;
  try {
    return await openRunner(chosen, { profile });
  } catch (error) {
    if (spec !== undefined || !isSiglaError(error)) throw error;
    throw new SiglaError(
      error.code,
      `${error.message} (from SIGLA_LLM=${chosen}; unset it to answer with the offline answerer)`,
      { cause: error },
    );
  }
}

/** Reads what `spec`'s model file or folder says about itself, without loading it. */
export async function modelInfo(spec: string, options: ModelOptions = {}): Promise<ModelFileInfo> {
  const model = await resolveModel(spec, options);
  if (model.backend === "onnx") {
    const { variants: _, ...folder } = await readOnnxFolder(model.path);
    return { ...model, ...folder };
  }
  const header = await readGgufHeader(model.path);
  return { ...model, ...describeGguf(header), bytes: header.fileBytes };
}

/** Every model in the cache: `.gguf` files under `gguf/` and ONNX folders under `<owner>/<repo>/`. */
export async function listModels(options: ModelOptions = {}): Promise<ResolvedModel[]> {
  const cache = cacheOf(options);
  const found: ResolvedModel[] = (await ggufFilesIn(join(cache, "gguf"))).map((name) => ({
    spec: join(cache, "gguf", name),
    backend: "gguf",
    path: join(cache, "gguf", name),
  }));
  for (const owner of (await readdir(cache, { withFileTypes: true }).catch(() => [])).filter((d) =>
    d.isDirectory(),
  )) {
    if (owner.name === "gguf") continue;
    for (const repo of await readdir(join(cache, owner.name)).catch(() => [] as string[])) {
      const path = join(cache, owner.name, repo);
      if (await isOnnxFolder(path)) found.push({ spec: `${owner.name}/${repo}`, backend: "onnx", path });
    }
  }
  return found;
}

/**
 * Downloads `uri` into the model cache and returns where it is: a GGUF hub URI (`hf:owner/repo:Q4_K_M`;
 * without a quantisation the profile's is asked for) through node-llama-cpp's downloader, an `owner/repo`
 * ONNX model through transformers.js (the profile's dtype). A model already cached is not downloaded again.
 *
 * @throws ModelError SIGLA_MODEL_PULL when the download fails (offline, unknown model, interrupted).
 */
export async function pullModel(uri: string, options: PullOptions = {}): Promise<ResolvedModel> {
  const cache = cacheOf(options);
  const settings = settingsOf(options);
  const { onProgress, signal } = options;
  try {
    if (GGUF_URI.test(uri)) {
      const { resolveModelFile } = await import("node-llama-cpp");
      // `hf:owner/repo` alone: the profile's quantisation (a file name or a tag after the repo wins).
      const full = /^(hf|huggingface):[^/:]+\/[^/:]+$/.test(uri) ? `${uri}:${settings.ggufQuant}` : uri;
      const path = await resolveModelFile(full, {
        directory: join(cache, "gguf"),
        cli: false,
        signal,
        onProgress: onProgress
          ? (p) => onProgress({ file: uri, loaded: p.downloadedSize, total: p.totalSize })
          : undefined,
      });
      await readGgufHeader(path);
      return { spec: uri, backend: "gguf", path };
    }
    if (!HUB_ID.test(uri)) {
      throw new InvalidInputError(
        `cannot pull "${uri}": give hf:owner/repo[:quant] for GGUF or owner/repo for ONNX`,
      );
    }
    await pullOnnxModel(uri, { cacheDir: cache, dtype: settings.dtype, onProgress, signal });
    return { spec: uri, backend: "onnx", path: join(cache, ...uri.split("/")) };
  } catch (error) {
    if (isSiglaError(error)) throw error;
    if (signal?.aborted) throw new CancelledError(`pulling ${uri}`, { outcome: "", cause: error });
    throw new ModelError("SIGLA_MODEL_PULL", `cannot download ${uri}: ${pullReason(error, cache)}`, {
      cause: error,
    });
  }
}

/** undici says "fetch failed" and keeps the useful part (ENOTFOUND, ECONNREFUSED…) in `cause`. */
function pullReason(error: unknown, cache: string): string {
  const text = firstLine(errorMessage(error));
  const cause = (error as { cause?: { code?: string } })?.cause?.code;
  if (!/fetch failed|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ENETUNREACH/.test(`${text} ${cause ?? ""}`))
    return text;
  return `the network cannot be reached (${cause ?? text}); pull it where the network is open, or copy the model into ${cache}`;
}
