/**
 * LoRA adapters in llama.cpp's GGUF form (src/llama-adapter.cpp): `general.type` "adapter",
 * `adapter.type` "lora", `adapter.lora.alpha` (f32), and for each adapted weight `<name>.lora_a` with ggml
 * dims [in, r] and `<name>.lora_b` with dims [r, out], where `<name>` is the base model's tensor. llama.cpp
 * adds (alpha / r) · scale · B·A·x to that weight's product.
 *
 * {@link readLoraAdapter} checks such a file; {@link checkLoraFitsModel} checks it against a model before
 * llama.cpp loads it (llama.cpp's own reasons only reach its log); {@link peftToGgufLora} converts a PEFT
 * adapter folder into one.
 */
import { basename } from "node:path";
import { InvalidInputError, ModelError, ModuleError } from "../errors.js";
import type { GgmlTypeName } from "../llm/gguf-format.js";
import { type GgufHeader, readGgufHeader } from "../llm/gguf-header.js";
import { type GgufTensor, gguf, writeGguf } from "../llm/gguf-writer.js";
import {
  LORA_ARCHITECTURES,
  type PeftPair,
  pairTensors,
  permuteHeads,
  readPeftAdapter,
} from "./lora-peft.js";
import { toFloat32 } from "./safetensors.js";

/** What a GGUF LoRA adapter holds. */
export interface LoraInfo {
  /** The base model architecture it was made for (`llama`, `qwen2`, …). */
  architecture: string;
  /** `adapter.lora.alpha` (0 when absent: llama.cpp then applies B·A unscaled). */
  alpha: number;
  /** The largest rank of its pairs (they usually share one). */
  rank: number;
  /** Tensors in the file (two per adapted weight). */
  tensors: number;
  /** The kinds of weight it adapts, e.g. `attn_q`, `attn_v`, `output`, sorted. */
  targets: string[];
  /** File size. */
  bytes: number;
}

/** One adapted weight of a GGUF adapter: the ggml dims of its A and B. */
interface AdapterPair {
  a: readonly number[];
  b: readonly number[];
}

function invalid(path: string, problem: string): ModuleError {
  return new ModuleError("SIGLA_MODULE_INVALID", `${path}: ${problem}`);
}

/** The header of a GGUF file, with the file errors retold as module errors. */
async function moduleHeader(path: string, what: string): Promise<GgufHeader> {
  try {
    return await readGgufHeader(path);
  } catch (error) {
    if (!(error instanceof ModelError)) throw error;
    const code = error.code === "SIGLA_MODEL_NOT_FOUND" ? "SIGLA_MODULE_NOT_FOUND" : "SIGLA_MODULE_INVALID";
    throw new ModuleError(code, `${what}: ${error.message}`, { cause: error });
  }
}

function text(header: GgufHeader, key: string): string | undefined {
  const value = header.metadata.get(key);
  return typeof value === "string" ? value : undefined;
}

/** Checks a LoRA header and pairs its tensors by base name. */
function adapterPairs(path: string, header: GgufHeader): { info: LoraInfo; pairs: Map<string, AdapterPair> } {
  const type = text(header, "general.type");
  const architecture = text(header, "general.architecture");
  if (type !== "adapter") {
    const model = type === undefined || type === "model";
    throw invalid(
      path,
      model
        ? `a whole ${architecture ?? "GGUF"} model, not a LoRA adapter`
        : `general.type is "${type}", not "adapter"`,
    );
  }
  const adapterType = text(header, "adapter.type");
  if (adapterType !== "lora")
    throw invalid(path, `adapter.type is ${JSON.stringify(adapterType ?? null)}, not "lora"`);
  if (!architecture) throw invalid(path, "names no general.architecture");
  const alpha = header.metadata.get("adapter.lora.alpha") ?? 0;
  if (typeof alpha !== "number" || !Number.isFinite(alpha))
    throw invalid(path, "adapter.lora.alpha is not a number");

  const halves = new Map<string, Partial<AdapterPair>>();
  for (const tensor of header.tensors) {
    const match = /^(.+)\.lora_([ab])$/.exec(tensor.name);
    if (!match) {
      if (tensor.name.endsWith("_norm.weight")) continue; // llama.cpp skips these too
      throw invalid(path, `tensor ${tensor.name} is neither a .lora_a nor a .lora_b`);
    }
    const pair = halves.get(match[1]) ?? {};
    pair[match[2] as "a" | "b"] = tensor.dims;
    halves.set(match[1], pair);
  }
  const pairs = new Map<string, AdapterPair>();
  let rank = 0;
  for (const [name, { a, b }] of halves) {
    if (!a || !b) throw invalid(path, `${name} has its .lora_${a ? "b" : "a"} missing`);
    // token_embd's pair is stored flipped (llama.cpp's llm_build_inp_embd): A [r, vocab], B [r, hidden].
    const pairRank = name.endsWith("token_embd.weight") ? a[0] : a[1];
    if (a.length !== 2 || b.length !== 2 || pairRank !== b[0]) {
      throw invalid(
        path,
        `${name}: lora_a [${a.join(", ")}] and lora_b [${b.join(", ")}] do not share a rank`,
      );
    }
    rank = Math.max(rank, pairRank);
    pairs.set(name, { a, b });
  }
  if (pairs.size === 0) throw invalid(path, "holds no LoRA tensors");
  const targets = new Set(
    [...pairs.keys()].map((name) => name.replace(/^blk\.\d+\./, "").replace(/\.weight$/, "")),
  );
  return {
    info: {
      architecture,
      alpha,
      rank,
      tensors: header.tensors.length,
      targets: [...targets].sort(),
      bytes: header.fileBytes,
    },
    pairs,
  };
}

/**
 * Reads and checks the GGUF LoRA adapter at `path`.
 *
 * @throws ModuleError SIGLA_MODULE_NOT_FOUND when there is no file; SIGLA_MODULE_INVALID when it is not a
 *   valid GGUF file, is a whole model or another kind of adapter, or its lora_a/lora_b tensors do not pair up.
 */
export async function readLoraAdapter(path: string): Promise<LoraInfo> {
  return adapterPairs(path, await moduleHeader(path, `LoRA adapter ${path}`)).info;
}

/**
 * Checks that the adapter at `adapterPath` fits the model whose header is `model`: the same architecture,
 * and every adapted weight present in the model with the dims the adapter's pairs multiply to. llama.cpp
 * makes the same checks but only logs why it refuses; this names the problem.
 *
 * @throws ModuleError SIGLA_MODULE_INVALID (or SIGLA_MODULE_NOT_FOUND) naming the adapter and the model.
 */
export async function checkLoraFitsModel(
  adapterPath: string,
  model: { path: string; header: GgufHeader },
): Promise<LoraInfo> {
  const { info, pairs } = adapterPairs(
    adapterPath,
    await moduleHeader(adapterPath, `LoRA adapter ${adapterPath}`),
  );
  const architecture = text(model.header, "general.architecture");
  if (info.architecture !== architecture) {
    throw invalid(
      adapterPath,
      `the adapter is for ${info.architecture} models; ${model.path} is ${architecture ?? "of no named architecture"}`,
    );
  }
  const weights = new Map(model.header.tensors.map((t) => [t.name, t.dims]));
  for (const [name, { a, b }] of pairs) {
    const dims = weights.get(name);
    if (!dims)
      throw invalid(
        adapterPath,
        `the adapter changes ${name}, which ${model.path} does not have (made for another model?)`,
      );
    const fits = name.endsWith("token_embd.weight")
      ? dims[0] === b[1] && dims[1] === a[1]
      : dims[0] === a[0] && dims[1] === b[1];
    if (!fits) {
      throw invalid(
        adapterPath,
        `${name} is [${dims.join(", ")}] in ${model.path}; the adapter's pair makes [${a[0]}, ${b[1]}] (made for another model shape?)`,
      );
    }
  }
  return info;
}

/** What conversion needs of the base model: its architecture, head counts and weight dims. */
interface BaseModel {
  architecture: string;
  heads?: number;
  kvHeads?: number;
  weights?: Map<string, readonly number[]>;
}

async function readBase(path: string): Promise<BaseModel> {
  const header = await moduleHeader(path, `base model (--base) ${path}`);
  const architecture = text(header, "general.architecture");
  if (text(header, "general.type") === "adapter")
    throw invalid(path, "--base must be the base model .gguf, not an adapter");
  if (!architecture) throw invalid(path, "the base model names no general.architecture");
  const count = (key: string) => {
    const value = header.metadata.get(`${architecture}.attention.${key}`);
    return typeof value === "number" && Number.isInteger(value) && value > 0 ? value : undefined;
  };
  const heads = count("head_count");
  return {
    architecture,
    heads,
    kvHeads: count("head_count_kv") ?? heads,
    weights: new Map(header.tensors.map((t) => [t.name, t.dims])),
  };
}

/** Checks a pair against the base weight it adapts (ggml dims [in, out]). */
function checkAgainstBase(base: BaseModel, basePath: string | undefined, pair: PeftPair): void {
  if (!base.weights) return;
  const [rank, inputs] = pair.a.shape;
  const outputs = pair.b.shape[0];
  const dims = base.weights.get(pair.target);
  if (!dims) {
    throw new ModuleError(
      "SIGLA_MODULE_INVALID",
      `the adapter changes ${pair.target} (${pair.module}); base model ${basePath} has no such tensor (another model?)`,
    );
  }
  if (dims.length !== 2 || dims[0] !== inputs || dims[1] !== outputs) {
    throw new ModuleError(
      "SIGLA_MODULE_INVALID",
      `the adapter's ${pair.module} for ${pair.target} maps ${inputs} → ${outputs} (rank ${rank}); in base model ${basePath} it is [${dims.join(", ")}] (another model shape?)`,
    );
  }
}

/** The q/k heads of `pair`'s rows when the architecture permutes them, else undefined. */
function permutationHeads(base: BaseModel, pair: PeftPair): number | undefined {
  const kind = /\.(attn_q|attn_k)\.weight$/.exec(pair.target)?.[1];
  if (!kind || !LORA_ARCHITECTURES[base.architecture]?.permutesQk) return undefined;
  const heads = kind === "attn_q" ? base.heads : base.kvHeads;
  if (!base.weights || heads === undefined) {
    throw new InvalidInputError(
      `the adapter changes ${pair.module}; llama.cpp permutes q/k rows by attention head, so the conversion needs the base model: pass --base <model.gguf>`,
    );
  }
  if (pair.b.shape[0] % (heads * 2) !== 0) {
    throw new ModuleError(
      "SIGLA_MODULE_INVALID",
      `${pair.target}: ${pair.b.shape[0]} rows do not split into ${heads} heads of rotary pairs`,
    );
  }
  return heads;
}

/** ggml type of a tensor whose rows are `rowLength` long, for the chosen dtype. */
function tensorType(dtype: "int8" | "fp16" | "fp32", rowLength: number): GgmlTypeName {
  if (dtype === "fp32") return "F32";
  // Q8_0 packs rows in blocks of 32; a shorter or uneven row stays F16.
  return dtype === "int8" && rowLength % 32 === 0 ? "Q8_0" : "F16";
}

/**
 * Converts the PEFT LoRA in folder `dir` (`adapter_config.json` + `adapter_model.safetensors`) to a GGUF
 * LoRA at `out`: names mapped to llama.cpp's, q/k rows of `llama` models permuted as llama.cpp's converter
 * permutes the base weights, tensors as Q8_0 (`int8`, where a row holds whole blocks of 32; F16 otherwise),
 * F16 or F32. `base` is the base model's .gguf: its architecture and head counts are read, and every
 * adapted weight is checked against its shape. Without it the adapter is written for `llama`, and an
 * adapter of q or k needs it. The file appears under `out` only when complete.
 *
 * @throws ModuleError SIGLA_MODULE_INVALID / SIGLA_MODULE_NOT_FOUND for a damaged or missing adapter or
 *   base, an unsupported architecture, or an adapter that does not fit the base; InvalidInputError for a
 *   bad dtype or a q/k adapter without `base`.
 */
export async function peftToGgufLora(
  dir: string,
  out: string,
  options: { dtype: "int8" | "fp16" | "fp32"; base?: string },
): Promise<LoraInfo> {
  if (!["int8", "fp16", "fp32"].includes(options.dtype)) {
    throw new InvalidInputError(`LoRA dtype must be int8, fp16 or fp32, got ${String(options.dtype)}`);
  }
  const adapter = await readPeftAdapter(dir);
  const base: BaseModel = options.base ? await readBase(options.base) : { architecture: "llama" };
  if (!LORA_ARCHITECTURES[base.architecture]) {
    throw new ModuleError(
      "SIGLA_MODULE_INVALID",
      `base model ${options.base} is ${base.architecture}; LoRA conversion knows ${Object.keys(LORA_ARCHITECTURES).join(", ")}`,
    );
  }
  const pairs = pairTensors(dir, adapter.tensors);
  const tensors: GgufTensor[] = [];
  for (const pair of pairs) {
    checkAgainstBase(base, options.base, pair);
    const heads = permutationHeads(base, pair);
    const [rank, inputs] = pair.a.shape;
    const outputs = pair.b.shape[0];
    tensors.push(
      {
        name: `${pair.target}.lora_a`,
        dims: [inputs, rank],
        type: tensorType(options.dtype, inputs),
        values: () => toFloat32(pair.a),
      },
      {
        name: `${pair.target}.lora_b`,
        dims: [rank, outputs],
        type: tensorType(options.dtype, rank),
        values: () => (heads ? permuteHeads(toFloat32(pair.b), outputs, rank, heads) : toFloat32(pair.b)),
      },
    );
  }
  await writeGguf(
    out,
    {
      "general.architecture": base.architecture,
      "general.type": "adapter",
      "general.name": basename(dir),
      "general.alignment": gguf.u32(32),
      "adapter.type": "lora",
      "adapter.lora.alpha": gguf.f32(adapter.alpha),
    },
    tensors,
  );
  return readLoraAdapter(out);
}
