/**
 * What {@link peftToGgufLora} reads from a PEFT adapter folder (`adapter_config.json` beside
 * `adapter_model.safetensors`, as `peft` saves it) and how its tensors map onto a llama.cpp model: the
 * Hugging Face module names to GGUF tensor names (llama.cpp's convert_hf_to_gguf.py / tensor_mapping.py),
 * and the row permutation llama.cpp's converter applies to the q and k projections of `llama` models (it
 * reorders each head's rotary pairs). A LoRA's delta is B·A, so permuting the rows of W is permuting the
 * rows of B; A is unchanged (convert_lora_to_gguf.py does the same through its LoraTorchTensor).
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { errorMessage, ModuleError } from "../errors.js";
import { readSafetensors, type SafeTensor } from "./safetensors.js";

/** The config and tensors of a PEFT LoRA folder. */
export interface PeftAdapter {
  /** `lora_alpha`, already multiplied by √r for an rsLoRA adapter (llama.cpp scales by alpha / r). */
  alpha: number;
  /** `r`. */
  rank: number;
  tensors: SafeTensor[];
}

/** One adapted weight: its GGUF tensor name, the HF module it came from, and its A [r, in] and B [out, r]. */
export interface PeftPair {
  /** The base model's GGUF tensor, e.g. `blk.3.attn_q.weight`. */
  target: string;
  /** The HF module, e.g. `q_proj`. */
  module: string;
  a: SafeTensor;
  b: SafeTensor;
}

/** HF module paths inside a decoder layer → llama.cpp's tensor names (llama, qwen2, qwen3 alike). */
const LAYER_MODULES: Readonly<Record<string, string>> = {
  "self_attn.q_proj": "attn_q",
  "self_attn.k_proj": "attn_k",
  "self_attn.v_proj": "attn_v",
  "self_attn.o_proj": "attn_output",
  "mlp.gate_proj": "ffn_gate",
  "mlp.up_proj": "ffn_up",
  "mlp.down_proj": "ffn_down",
};

/**
 * The architectures whose HF→GGUF mapping is the one above, and whether llama.cpp's converter permutes
 * their q/k rows (`llama` does, for its interleaved rotary layout; the Qwen models use NeoX rotary and
 * are written as they are).
 */
export const LORA_ARCHITECTURES: Readonly<Record<string, { permutesQk: boolean }>> = {
  llama: { permutesQk: true },
  qwen2: { permutesQk: false },
  qwen3: { permutesQk: false },
};

const LAYER_TENSOR =
  /^(?:base_model\.model\.)?model\.layers\.(\d+)\.(\w+\.\w+)\.lora_([AB])(?:\.default)?\.weight$/;
const HEAD_TENSOR = /^(?:base_model\.model\.)?lm_head\.lora_([AB])(?:\.default)?\.weight$/;

function invalid(dir: string, problem: string, cause?: unknown): ModuleError {
  return new ModuleError("SIGLA_MODULE_INVALID", `PEFT adapter ${dir}: ${problem}`, { cause });
}

/** `adapter_config.json`'s settings that change the conversion, checked. */
function parseConfig(dir: string, config: Record<string, unknown>): { alpha: number; rank: number } {
  const peftType = config.peft_type ?? "LORA";
  if (peftType !== "LORA") throw invalid(dir, `it is a ${String(peftType)} adapter; only LORA converts`);
  const { r: rank, lora_alpha: alpha } = config;
  if (!Number.isInteger(rank) || (rank as number) < 1)
    throw invalid(dir, "adapter_config.json has no integer r ≥ 1");
  if (typeof alpha !== "number" || !Number.isFinite(alpha))
    throw invalid(dir, "adapter_config.json has no numeric lora_alpha");
  if (config.use_dora === true)
    throw invalid(dir, "it is a DoRA adapter (use_dora); llama.cpp applies plain LoRA only");
  if (config.fan_in_fan_out === true)
    throw invalid(dir, "fan_in_fan_out adapters (GPT-2 style Conv1D) are not supported");
  const pattern = config.alpha_pattern;
  if (pattern && typeof pattern === "object" && Object.keys(pattern).length > 0) {
    throw invalid(dir, "alpha_pattern gives some modules their own alpha; a GGUF adapter holds one alpha");
  }
  const modulesToSave = config.modules_to_save;
  if (Array.isArray(modulesToSave) && modulesToSave.length > 0) {
    throw invalid(
      dir,
      `modules_to_save (${modulesToSave.join(", ")}) are full weights, not LoRA; they do not convert`,
    );
  }
  // llama.cpp scales by alpha / r; rsLoRA means alpha / √r, which is (alpha·√r) / r.
  const effective = config.use_rslora === true ? alpha * Math.sqrt(rank as number) : alpha;
  return { alpha: effective, rank: rank as number };
}

/**
 * Reads the PEFT LoRA in folder `dir`.
 *
 * @throws ModuleError SIGLA_MODULE_NOT_FOUND when a file is missing; SIGLA_MODULE_INVALID for a config
 *   that is not JSON or names a kind of adapter that does not convert, or a damaged safetensors file.
 */
export async function readPeftAdapter(dir: string): Promise<PeftAdapter> {
  const configPath = join(dir, "adapter_config.json");
  let text: string;
  try {
    text = await readFile(configPath, "utf8");
  } catch (error) {
    throw new ModuleError(
      "SIGLA_MODULE_NOT_FOUND",
      `${configPath} does not exist: ${dir} is not a PEFT adapter folder`,
      {
        cause: error,
      },
    );
  }
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch (error) {
    throw invalid(dir, `adapter_config.json is not JSON (${errorMessage(error)})`, error);
  }
  if (typeof config !== "object" || config === null)
    throw invalid(dir, "adapter_config.json is not an object");
  const { alpha, rank } = parseConfig(dir, config as Record<string, unknown>);
  const { tensors } = await readSafetensors(join(dir, "adapter_model.safetensors"));
  return { alpha, rank, tensors };
}

/** The GGUF target and A/B role of a PEFT tensor name. */
function targetOf(dir: string, name: string): { target: string; module: string; role: "A" | "B" } {
  const layer = LAYER_TENSOR.exec(name);
  if (layer) {
    const gguf = LAYER_MODULES[layer[2]];
    if (!gguf)
      throw invalid(dir, `tensor ${name} adapts module ${layer[2]}, which has no llama.cpp counterpart`);
    return {
      target: `blk.${layer[1]}.${gguf}.weight`,
      module: layer[2].split(".")[1],
      role: layer[3] as "A" | "B",
    };
  }
  const head = HEAD_TENSOR.exec(name);
  if (head) return { target: "output.weight", module: "lm_head", role: head[1] as "A" | "B" };
  throw invalid(
    dir,
    `tensor ${name} is not a lora_A/lora_B weight of a decoder layer or lm_head (embedding LoRAs and saved modules do not convert)`,
  );
}

/**
 * The adapter's tensors paired by target, in the order first seen; each pair checked to be 2-D with
 * A [r, in] and B [out, r] of one rank.
 */
export function pairTensors(dir: string, tensors: readonly SafeTensor[]): PeftPair[] {
  const pairs = new Map<string, { module: string; a?: SafeTensor; b?: SafeTensor }>();
  for (const tensor of tensors) {
    const { target, module, role } = targetOf(dir, tensor.name);
    const pair = pairs.get(target) ?? { module };
    if (role === "A" ? pair.a : pair.b) throw invalid(dir, `two lora_${role} tensors for ${target}`);
    if (role === "A") pair.a = tensor;
    else pair.b = tensor;
    pairs.set(target, pair);
  }
  if (pairs.size === 0) throw invalid(dir, "adapter_model.safetensors holds no LoRA tensors");
  return [...pairs].map(([target, { module, a, b }]) => {
    if (!a || !b) throw invalid(dir, `${target} has lora_${a ? "B" : "A"} missing`);
    if (a.shape.length !== 2 || b.shape.length !== 2 || a.shape[0] !== b.shape[1]) {
      throw invalid(
        dir,
        `${target}: lora_A [${a.shape.join(", ")}] and lora_B [${b.shape.join(", ")}] are not [r, in] and [out, r]`,
      );
    }
    return { target, module, a, b };
  });
}

/**
 * llama.cpp's q/k permutation (convert_hf_to_gguf.py `LlamaModel.permute`) of a row-major matrix of
 * `rows` × `columns`: within each of `heads` heads, row `j·(d/2) + i` moves to row `2i + j`.
 */
export function permuteHeads(
  values: Float32Array,
  rows: number,
  columns: number,
  heads: number,
): Float32Array {
  const headRows = rows / heads;
  const half = headRows / 2;
  const out = new Float32Array(values.length);
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < half; i++) {
      for (let j = 0; j < 2; j++) {
        const from = (h * headRows + j * half + i) * columns;
        const to = (h * headRows + i * 2 + j) * columns;
        out.set(values.subarray(from, from + columns), to);
      }
    }
  }
  return out;
}
