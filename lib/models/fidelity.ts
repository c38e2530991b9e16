/**
 * How close a quantised model stays to its original, both run by transformers.js from local folders in
 * its layout (config.json, tokenizer files, onnx/model.onnx): for an encoder, the cosine between their
 * sentence embeddings; for a causal LM, teacher-forced greedy agreement. The fixed sentence and prompt
 * sets make the numbers comparable from run to run.
 */
import { resolve } from "node:path";
import { transformers } from "../embed/transformers.js";
import { errorMessage, InvalidInputError, ModelError } from "../errors.js";

/** The fixed sentences {@link encoderFidelity} is measured on by default. */
export const FIDELITY_SENTENCES: readonly string[] = [
  "The quick brown fox jumps over the lazy dog.",
  "Memory capsules keep what an agent learned between sessions.",
  "How do I rotate the API keys without downtime?",
  "Der Bahnhof liegt zehn Minuten vom Hotel entfernt.",
  "Quantised weights trade a little precision for a much smaller file.",
  "She paid 42.50 EUR for two tickets on 3 March 2024.",
  "Reset the router, then wait until the status light turns green.",
  "An embedding maps text to a point where similar meanings lie close together.",
];

/** The fixed prompts {@link causalFidelity} is measured on by default. */
export const FIDELITY_PROMPTS: readonly string[] = [
  "The capital of France is",
  "Once upon a time, in a small village,",
  "To install the package, run",
  "The memory model stores",
  "def fibonacci(n):",
  "Three things to check before a release:",
  "The weather today is",
  "In summary, the results show that",
];

type Lib = Awaited<ReturnType<typeof transformers>>;

function loadFailure(dir: string, what: string, error: unknown): ModelError {
  return new ModelError(
    "SIGLA_MODEL_LOAD",
    `transformers.js cannot load ${dir} as ${what}: ${errorMessage(error)}`,
    { cause: error },
  );
}

async function library(): Promise<Lib> {
  const lib = await transformers();
  // Local folders only: a quality check must never reach for the hub.
  lib.env.allowLocalModels = true;
  lib.env.allowRemoteModels = false;
  return lib;
}

function checkTexts(texts: readonly string[], what: string): void {
  if (!Array.isArray(texts) || texts.length === 0 || texts.some((t) => typeof t !== "string" || t === "")) {
    throw new InvalidInputError(`${what} must be a non-empty list of non-empty strings`);
  }
}

/**
 * Fidelity of a quantised encoder against its original: both embed `sentences` (mean-pooled over the
 * attention mask, L2-normalised last_hidden_state) and each sentence's two vectors are compared.
 *
 * @returns the lowest and the mean cosine over the sentences.
 * @throws ModelError SIGLA_MODEL_LOAD when either folder does not load or run as a feature extractor.
 */
export async function encoderFidelity(
  originalDir: string,
  quantizedDir: string,
  sentences: readonly string[] = FIDELITY_SENTENCES,
): Promise<{ minCosine: number; meanCosine: number }> {
  checkTexts(sentences, "sentences");
  const lib = await library();
  const embed = async (dir: string): Promise<Float32Array[]> => {
    let extractor: Awaited<ReturnType<Lib["pipeline"]>>;
    try {
      extractor = await lib.pipeline("feature-extraction", resolve(dir), {
        dtype: "fp32",
        device: "cpu",
        local_files_only: true,
      });
    } catch (error) {
      throw loadFailure(dir, "a feature-extraction model", error);
    }
    try {
      const run = extractor as unknown as (
        texts: string[],
        options: { pooling: "mean"; normalize: boolean },
      ) => Promise<{ dims: number[]; data: Float32Array }>;
      const { dims, data } = await run([...sentences], { pooling: "mean", normalize: true });
      const width = dims[1];
      return sentences.map((_, i) => data.slice(i * width, (i + 1) * width));
    } catch (error) {
      throw new ModelError("SIGLA_MODEL_LOAD", `${dir} loads but does not run: ${errorMessage(error)}`, {
        cause: error,
      });
    } finally {
      await extractor.dispose();
    }
  };
  const original = await embed(originalDir);
  const quantized = await embed(quantizedDir);
  const cosines = original.map((a, i) => cosine(a, quantized[i]));
  return {
    minCosine: Math.min(...cosines),
    meanCosine: cosines.reduce((s, c) => s + c, 0) / cosines.length,
  };
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

type CausalModel = Awaited<ReturnType<Lib["AutoModelForCausalLM"]["from_pretrained"]>>;

async function loadCausal(lib: Lib, dir: string): Promise<CausalModel> {
  try {
    return await lib.AutoModelForCausalLM.from_pretrained(resolve(dir), {
      dtype: "fp32",
      device: "cpu",
      local_files_only: true,
    });
  } catch (error) {
    throw loadFailure(dir, "a causal language model", error);
  }
}

/** The index of the largest of `count` values starting at `offset`. */
function argmax(values: Float32Array, offset: number, count: number): number {
  let best = 0;
  for (let i = 1; i < count; i++) if (values[offset + i] > values[offset + best]) best = i;
  return best;
}

/**
 * Fidelity of a quantised causal LM against its original, teacher-forced: the original continues each
 * prompt greedily for up to `maxTokens` tokens; then the quantised model reads prompt + continuation in
 * one forward pass, and a position agrees when its argmax is the token the original chose there.
 *
 * @returns the share of agreeing positions and how many positions were compared.
 * @throws InvalidInputError for empty prompts or a `maxTokens` that is not a positive integer.
 * @throws ModelError SIGLA_MODEL_LOAD when either folder does not load as a causal LM.
 */
export async function causalFidelity(
  originalDir: string,
  quantizedDir: string,
  prompts: readonly string[] = FIDELITY_PROMPTS,
  maxTokens = 16,
): Promise<{ agreement: number; positions: number }> {
  checkTexts(prompts, "prompts");
  if (!Number.isInteger(maxTokens) || maxTokens < 1) {
    throw new InvalidInputError(`maxTokens must be a positive integer, got ${maxTokens}`);
  }
  const lib = await library();
  let tokenizer: Awaited<ReturnType<Lib["AutoTokenizer"]["from_pretrained"]>>;
  try {
    tokenizer = await lib.AutoTokenizer.from_pretrained(resolve(originalDir), { local_files_only: true });
  } catch (error) {
    throw loadFailure(originalDir, "a tokenizer", error);
  }
  const original = await loadCausal(lib, originalDir);
  let quantized: CausalModel | undefined;
  try {
    quantized = await loadCausal(lib, quantizedDir);
    let agree = 0;
    let positions = 0;
    for (const prompt of prompts) {
      const inputs = tokenizer(prompt);
      const promptLength: number = inputs.input_ids.dims[1];
      // Greedy, with nothing from generation_config.json (sampling, penalties) bending the choice.
      const sequences = (await original.generate({
        ...inputs,
        max_new_tokens: maxTokens,
        do_sample: false,
        repetition_penalty: 1,
      })) as { data: BigInt64Array; dims: number[] };
      const ids = BigInt64Array.from(sequences.data);
      if (ids.length <= promptLength) continue;
      const { logits } = (await quantized.forward({
        input_ids: new lib.Tensor("int64", ids, [1, ids.length]),
        attention_mask: new lib.Tensor("int64", new BigInt64Array(ids.length).fill(1n), [1, ids.length]),
      })) as { logits: { data: Float32Array; dims: number[] } };
      const vocab = logits.dims[2];
      for (let p = promptLength - 1; p < ids.length - 1; p++) {
        positions++;
        if (BigInt(argmax(logits.data, p * vocab, vocab)) === ids[p + 1]) agree++;
      }
    }
    return { agreement: positions === 0 ? 0 : agree / positions, positions };
  } finally {
    await original.dispose();
    await quantized?.dispose();
  }
}
