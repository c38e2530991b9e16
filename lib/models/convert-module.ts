/**
 * `sigla converter-mod` (seed §13.2): weights → a `.capsulemod` module, a zstd tar of `meta.json`, the
 * weights and `assets/`. `--type` says how the weights are packed:
 *
 * - `lora`: a PEFT adapter folder (adapter_config.json + adapter_model.safetensors), converted to a GGUF
 *   LoRA adapter that llama.cpp applies (int8 → Q8_0, fp16 → F16; the base model's .gguf gives the head
 *   counts for llama's q/k layout), or a GGUF LoRA adapter file, checked and kept;
 * - `gguf`: a .gguf file (a model or an adapter), checked and kept;
 * - `state`: a safetensors state dict, its matrices stored as int8 (per-row scales) or fp16.
 *
 * The capability vector is the embedding of the skills and description by the embedder named (the
 * router embeds queries with the same one). Everything is staged in a temporary folder and the archive is
 * written beside its target and renamed, so an error or Ctrl-C leaves no module behind.
 */
import { cp, mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, extname, join } from "node:path";
import { createEmbedder } from "../embed/create-embedder.js";
import type { Embedder, EmbedderSpec } from "../embed/embedder.js";
import { errorMessage, isSiglaError, ModuleError } from "../errors.js";
import { readGgufHeader } from "../llm/gguf-header.js";
import { packArchive, sha256Manifest } from "./archive.js";
import { peftToGgufLora, readLoraAdapter } from "./lora.js";
import {
  checkModuleId,
  type DeviceConstraint,
  MODULE_FORMAT,
  MODULE_TYPES,
  type ModuleDtype,
  type ModuleMeta,
  type ModuleType,
  normalizeSkills,
} from "./module-meta.js";
import { encodeSafetensors, quantizeState, readSafetensors } from "./safetensors.js";

/** Options of {@link convertModule}. */
export interface ConvertModuleOptions {
  type: ModuleType;
  skills: readonly string[];
  dtype: ModuleDtype;
  /** Default: the output's file name without `.capsulemod`. */
  id?: string;
  description?: string;
  device?: DeviceConstraint;
  dependsOn?: readonly string[];
  /** The base model .gguf of a PEFT LoRA (its architecture and head counts). */
  base?: string;
  /** The embedder of the capability vector (default `SIGLA_EMBEDDER`). */
  embedder?: EmbedderSpec | Embedder;
  signal?: AbortSignal;
  onProgress?: (step: string, done: number, total: number) => void;
}

/** What {@link convertModule} wrote. */
export interface ConvertedModule {
  path: string;
  meta: ModuleMeta;
  /** Bytes of the archive. */
  bytes: number;
}

async function kindOf(path: string): Promise<"file" | "folder"> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new ModuleError("SIGLA_MODULE_INVALID", `${path} does not exist`);
  return info.isDirectory() ? "folder" : "file";
}

/** The one file in `dir` ending in `ext`, or a clear error. */
async function onlyFile(dir: string, ext: string, what: string): Promise<string> {
  const found = (await readdir(dir)).filter((n) => n.toLowerCase().endsWith(ext)).sort();
  if (found.length === 1) return join(dir, found[0]);
  throw new ModuleError(
    "SIGLA_MODULE_INVALID",
    found.length === 0
      ? `${dir} holds no ${ext} file (${what})`
      : `${dir} holds ${found.length} ${ext} files (${found.join(", ")}); name one`,
  );
}

/** Writes the weights into `stage`; returns the weights file name, its source and architecture. */
async function stageWeights(
  input: string,
  stage: string,
  options: ConvertModuleOptions,
): Promise<{ weights: string; source: string; architecture?: string }> {
  const kind = await kindOf(input);
  if (options.type === "lora") {
    if (kind === "folder") {
      const info = await peftToGgufLora(input, join(stage, "adapter.gguf"), {
        dtype: options.dtype,
        base: options.base,
      });
      return { weights: "adapter.gguf", source: basename(input), architecture: info.architecture };
    }
    const info = await readLoraAdapter(input);
    await cp(input, join(stage, "adapter.gguf"));
    return { weights: "adapter.gguf", source: basename(input), architecture: info.architecture };
  }
  if (options.type === "gguf") {
    const file = kind === "folder" ? await onlyFile(input, ".gguf", "a gguf module needs one") : input;
    const header = await readGgufHeader(file);
    await cp(file, join(stage, "model.gguf"));
    const arch = header.metadata.get("general.architecture");
    return {
      weights: "model.gguf",
      source: basename(file),
      architecture: typeof arch === "string" ? arch : undefined,
    };
  }
  const file =
    kind === "folder" ? await onlyFile(input, ".safetensors", "a state module needs one state dict") : input;
  if (extname(file).toLowerCase() !== ".safetensors") {
    throw new ModuleError(
      "SIGLA_MODULE_INVALID",
      `a state module is made from a .safetensors file, got ${file}`,
    );
  }
  const { tensors, metadata } = await readSafetensors(file);
  await writeFile(
    join(stage, "weights.safetensors"),
    encodeSafetensors(quantizeState(tensors, options.dtype), metadata),
  );
  return { weights: "weights.safetensors", source: basename(file) };
}

/** The id a module gets from its output file when none is given. */
export function moduleIdFromPath(out: string): string {
  return basename(out)
    .replace(/\.capsulemod$/i, "")
    .replace(/[^\w.-]+/g, "-")
    .replace(/^[^A-Za-z0-9]+/, "");
}

function checkOptions(options: ConvertModuleOptions): string[] {
  if (!(MODULE_TYPES as readonly string[]).includes(options.type)) {
    throw new ModuleError(
      "SIGLA_MODULE_INVALID",
      `--type must be one of ${MODULE_TYPES.join(", ")}, got ${JSON.stringify(options.type)}`,
    );
  }
  const skills = normalizeSkills(options.skills);
  if (skills.length === 0)
    throw new ModuleError("SIGLA_MODULE_INVALID", "a module needs at least one skill (--skills a,b)");
  for (const dep of options.dependsOn ?? []) checkModuleId(dep);
  return skills;
}

/**
 * Converts `input` (a folder or a file) into the module `out` (`.capsulemod`).
 *
 * @throws ModuleError SIGLA_MODULE_INVALID for a wrong type, a missing or damaged weights file;
 *   CancelledError when aborted (nothing is written).
 */
export async function convertModule(
  input: string,
  out: string,
  options: ConvertModuleOptions,
): Promise<ConvertedModule> {
  const skills = checkOptions(options);
  const id = checkModuleId(options.id ?? moduleIdFromPath(out));
  const stage = await mkdtemp(join(tmpdir(), "sigla-module-"));
  try {
    options.onProgress?.("weights", 0, 1);
    const staged = await stageWeights(input, stage, options).catch((error) => {
      if (isSiglaError(error) && error.code === "SIGLA_CANCELLED") throw error;
      throw isSiglaError(error) && error.code.startsWith("SIGLA_MODULE")
        ? error
        : new ModuleError(
            "SIGLA_MODULE_INVALID",
            `cannot make a ${options.type} module from ${input}: ${errorMessage(error)}`,
            {
              cause: error,
            },
          );
    });
    options.signal?.throwIfAborted();
    if (
      (await kindOf(input)) === "folder" &&
      (await stat(join(input, "assets")).catch(() => undefined))?.isDirectory()
    ) {
      await cp(join(input, "assets"), join(stage, "assets"), { recursive: true });
    }
    options.onProgress?.("checksums", 0, 1);
    const sha256 = await sha256Manifest(stage);
    options.onProgress?.("capability vector", 0, 1);
    const embedder = await createEmbedder(options.embedder, { log: () => {} });
    const description = options.description ?? "";
    const [vector] = await embedder.embed([`${skills.join(", ").replace(/_/g, " ")}. ${description}`.trim()]);
    const meta: ModuleMeta = {
      format: MODULE_FORMAT,
      module_id: id,
      type: options.type,
      skills,
      description,
      dtype: options.dtype,
      device_constraint: options.device ?? "any",
      depends_on: [...(options.dependsOn ?? [])],
      weights: staged.weights,
      sha256,
      embed: Array.from(vector),
      embed_model: embedder.id,
      bytes: (await stat(join(stage, staged.weights))).size,
      source: staged.source,
      ...(staged.architecture ? { architecture: staged.architecture } : {}),
      created: new Date().toISOString(),
    };
    await writeFile(join(stage, "meta.json"), `${JSON.stringify(meta, null, 2)}\n`);
    const { bytes } = await packArchive(stage, out, {
      compression: "zstd",
      signal: options.signal,
      onProgress: (done, total) => options.onProgress?.("pack", done, total),
    });
    return { path: out, meta, bytes };
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}
