/**
 * The ONNX backend: a causal language model in the transformers.js folder layout (config.json,
 * tokenizer.json + tokenizer_config.json, onnx/model*.onnx) run by transformers.js on onnxruntime-node.
 * Tokens stream through a `TextStreamer` callback; aborting and stop strings end generation through an
 * interruptable stopping criterion, checked after every token. The tokenizer's chat template, when it has
 * one, places the system instruction.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { folderBytes } from "../disk.js";
import { DTYPE_SUFFIX, transformers } from "../embed/transformers.js";
import { CancelledError, errorMessage, ModelError } from "../errors.js";
import { checkPromptFits, generationLimit, pieceStream, stopStrings, Turns } from "./piece-stream.js";
import { type LlmSettings, threadCount } from "./profiles.js";
import type { GenerateOptions, ModelInfo, Runner } from "./runner.js";

/** What {@link loadOnnxRunner} needs of the settings. */
export type OnnxLoadSettings = Pick<LlmSettings, "dtype" | "threads" | "contextSize">;

/** Variants looked for when the asked-for one is absent: full precision first. */
const FALLBACK_ORDER = ["fp32", "fp16", "q8", "int8", "uint8", "q4", "q4f16", "bnb4"];

async function readJson(path: string): Promise<Record<string, unknown> | undefined> {
  const text = await readFile(path, "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new ModelError("SIGLA_MODEL_INVALID", `${path} is not valid JSON`, { cause: error });
  }
}

/** The weight variants an ONNX folder holds (`fp32` for onnx/model.onnx, `q8` for model_quantized.onnx…). */
async function variants(dir: string): Promise<string[]> {
  const files = new Set(await readdir(join(dir, "onnx")).catch(() => [] as string[]));
  return FALLBACK_ORDER.filter((dtype) => files.has(`model${DTYPE_SUFFIX[dtype]}.onnx`));
}

/** What an ONNX model folder says about itself (config.json, tokenizer_config.json, onnx/). */
export async function readOnnxFolder(dir: string): Promise<{
  architecture: string;
  contextLength?: number;
  chatTemplate: boolean;
  quantization?: string;
  /** The weight variants present, in fallback order. */
  variants: string[];
  bytes: number;
}> {
  const config = await readJson(join(dir, "config.json"));
  if (!config) throw new ModelError("SIGLA_MODEL_INVALID", `${dir} has no config.json`);
  const tokenizerConfig = (await readJson(join(dir, "tokenizer_config.json"))) ?? {};
  const present = await variants(dir);
  const context = config.max_position_embeddings ?? config.n_positions;
  return {
    architecture: String(config.model_type ?? "unknown"),
    contextLength: typeof context === "number" ? context : undefined,
    chatTemplate: Boolean(tokenizerConfig.chat_template),
    quantization: present.length > 0 ? present.join(",") : undefined,
    variants: present,
    bytes: await folderBytes(join(dir, "onnx")),
  };
}

/**
 * Loads the ONNX causal LM in `dir` as a {@link Runner}: the `dtype` variant when the folder has it, else
 * the first it has (fp32 first), so any complete folder loads.
 *
 * @throws ModelError SIGLA_MODEL_INVALID for a folder without config.json or any onnx/model*.onnx;
 *   SIGLA_MODEL_LOAD when transformers.js cannot load it as a causal LM.
 */
export async function loadOnnxRunner(dir: string, settings: OnnxLoadSettings): Promise<Runner> {
  const folder = await readOnnxFolder(dir);
  const present = folder.variants;
  const dtype = present.includes(settings.dtype) ? settings.dtype : present[0];
  if (!dtype) throw new ModelError("SIGLA_MODEL_INVALID", `${dir} has no onnx/model*.onnx`);
  const lib = await transformers();
  lib.env.allowLocalModels = true;
  let tokenizer: Awaited<ReturnType<typeof lib.AutoTokenizer.from_pretrained>>;
  let model: Awaited<ReturnType<typeof lib.AutoModelForCausalLM.from_pretrained>>;
  try {
    // An absolute path is not a hub id, so transformers.js reads the folder as it is.
    tokenizer = await lib.AutoTokenizer.from_pretrained(dir, { local_files_only: true });
    model = await lib.AutoModelForCausalLM.from_pretrained(dir, {
      dtype: dtype as "fp32",
      device: "cpu",
      local_files_only: true,
      session_options: { intraOpNumThreads: threadCount(settings) },
    });
  } catch (error) {
    throw new ModelError(
      "SIGLA_MODEL_LOAD",
      `transformers.js cannot load ${dir} as a causal language model: ${errorMessage(error)}`,
      { cause: error },
    );
  }
  const chatTemplate = folder.chatTemplate && Boolean(tokenizer.chat_template);
  const info: ModelInfo = {
    path: dir,
    backend: "onnx",
    architecture: folder.architecture,
    contextSize: Math.min(settings.contextSize, folder.contextLength ?? settings.contextSize),
    chatTemplate,
    quantization: dtype,
    gpu: false,
  };
  const countTokens = (text: string) => tokenizer.encode(text, { add_special_tokens: false }).length;
  const turns = new Turns();
  let closed = false;

  return {
    info,
    generate(prompt: string, options: GenerateOptions = {}): AsyncIterable<string> {
      const maxTokens = generationLimit(prompt, options);
      return pieceStream(async (emit, signal) => {
        if (closed) throw new ModelError("SIGLA_MODEL_LOAD", `the runner for ${dir} is closed`);
        const text = chatTemplate
          ? (tokenizer.apply_chat_template(
              [
                ...(options.system ? [{ role: "system", content: options.system }] : []),
                { role: "user", content: prompt },
              ],
              { add_generation_prompt: true, tokenize: false },
            ) as string)
          : options.system
            ? `${options.system}\n\n${prompt}`
            : prompt;
        // The chat template writes its own special tokens.
        const inputs = tokenizer(text, { add_special_tokens: !chatTemplate });
        const promptTokens = inputs.input_ids.dims[1];
        checkPromptFits(promptTokens, info.contextSize);
        await turns.run(async () => {
          const criteria = new lib.InterruptableStoppingCriteria();
          const interrupt = () => criteria.interrupt();
          signal.addEventListener("abort", interrupt, { once: true });
          const filter = stopStrings(options.stop, emit, interrupt);
          try {
            const temperature = options.temperature ?? 0;
            await model.generate({
              ...inputs,
              max_new_tokens: Math.min(maxTokens, info.contextSize - promptTokens),
              do_sample: temperature > 0,
              ...(temperature > 0 ? { temperature } : {}),
              streamer: new lib.TextStreamer(tokenizer, {
                skip_prompt: true,
                skip_special_tokens: true,
                callback_function: filter.emit,
              }),
              stopping_criteria: [criteria],
            });
            filter.flush();
          } finally {
            signal.removeEventListener("abort", interrupt);
          }
        });
      }, options.signal);
    },
    async countTokens(text: string): Promise<number> {
      return countTokens(text);
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await turns.idle();
      await model.dispose();
    },
  };
}

/** Options for {@link pullOnnxModel}. */
export interface OnnxPullOptions {
  cacheDir: string;
  dtype: string;
  onProgress?: (p: { file: string; loaded: number; total: number }) => void;
  signal?: AbortSignal;
}

/**
 * Downloads the ONNX causal LM `id` (`owner/repo`) into `<cacheDir>/<owner>/<repo>` by loading it once
 * through transformers.js with remote models allowed (its file cache is that folder layout).
 */
export async function pullOnnxModel(id: string, options: OnnxPullOptions): Promise<void> {
  const lib = await transformers();
  lib.env.cacheDir = options.cacheDir;
  lib.env.allowRemoteModels = true;
  const progress_callback = options.onProgress
    ? (p: { status: string; file?: string; loaded?: number; total?: number }) => {
        if (p.status === "progress")
          options.onProgress?.({ file: p.file ?? id, loaded: p.loaded ?? 0, total: p.total ?? 0 });
      }
    : undefined;
  const common = { cache_dir: options.cacheDir, progress_callback: progress_callback as never };
  await lib.AutoTokenizer.from_pretrained(id, common);
  if (options.signal?.aborted) {
    throw new CancelledError(`pulling ${id}`, {
      outcome: "its tokenizer stays in the cache",
      cause: options.signal.reason,
    });
  }
  const model = await lib.AutoModelForCausalLM.from_pretrained(id, {
    ...common,
    dtype: options.dtype as "q8",
  });
  await model.dispose();
}
