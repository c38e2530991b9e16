/**
 * USE-lite on onnxruntime-node: the packaged TF.js weights are read, written into an equivalent dense
 * ONNX graph in memory (use-lite-graph.ts) and compiled once per process; texts run as padded [batch, len]
 * id matrices with a mask. Calls go to one single-threaded session per core on worker threads
 * (use-lite-pool.ts), or, where workers cannot start, to one multi-threaded session in this thread.
 * Vectors match the TF.js path (cosine 1.0000 on the test set).
 */
import { EmbedderError, errorMessage } from "../errors.js";
import { normalize } from "./embedder.js";
import { ortThreads } from "./ort-threads.js";
import { readUseLiteFiles, type UseLiteFiles } from "./use-lite-files.js";
import { buildUseLiteGraph, USE_LITE_DIM } from "./use-lite-graph.js";
import type { UseLiteModel } from "./use-lite-model.js";
import { OrtWorkerPool, PoolUnavailable } from "./use-lite-pool.js";
import { MAX_TOKENS, modelTokens, UseLiteTokenizer } from "./use-lite-tokenizer.js";

/**
 * Padded tokens per runtime call. Small calls keep a call's activations (its 1536-wide FFN layer is
 * rows × 6 KiB) in cache: on a busy 2-core machine calls of 128–384 tokens embedded 17–20k characters
 * per CPU-second, calls of 2048 tokens 9–11k. Two calls or more per batch also feed every worker.
 */
const TOKENS_PER_RUN = 256;

/** Runs one padded call: ids and mask [rows, width] → embeddings [rows, 512], row-major. */
type Execute = (ids: Int32Array, mask: Float32Array, rows: number, width: number) => Promise<Float32Array>;

/** The runtime could not be loaded or could not compile the graph (as opposed to damaged model files). */
export class OrtUnavailable extends Error {}

/** One multi-threaded session in this thread: the fallback when worker threads cannot start. */
async function inProcess(bytes: Uint8Array): Promise<Execute> {
  let ort: typeof import("onnxruntime-node");
  try {
    ort = await import("onnxruntime-node");
  } catch (error) {
    throw new OrtUnavailable(`onnxruntime-node does not load: ${errorMessage(error)}`, { cause: error });
  }
  let session: import("onnxruntime-node").InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, {
      graphOptimizationLevel: "all",
      executionMode: "sequential",
      intraOpNumThreads: ortThreads(),
      interOpNumThreads: 1,
    });
  } catch (error) {
    throw new OrtUnavailable(`onnxruntime-node cannot compile the graph: ${errorMessage(error)}`, {
      cause: error,
    });
  }
  return async (ids, mask, rows, width) => {
    const { embedding } = await session.run({
      ids: new ort.Tensor("int32", ids, [rows, width]),
      mask: new ort.Tensor("float32", mask, [rows, width]),
    });
    try {
      return (embedding.data as Float32Array).slice();
    } finally {
      embedding.dispose();
    }
  };
}

/** The worker pool, or the in-process session (with a note on stderr) when workers cannot start. */
async function startRuntime(bytes: Uint8Array): Promise<Execute> {
  try {
    const pool = await OrtWorkerPool.start(bytes, ortThreads());
    return (ids, mask, rows, width) => pool.run(ids, mask, rows, width);
  } catch (error) {
    if (!(error instanceof PoolUnavailable)) throw error;
    const execute = await inProcess(bytes);
    process.stderr.write(
      `sigla: use-lite: ONNX Runtime worker threads did not start (${error.message}); running it in-process\n`,
    );
    return execute;
  }
}

/** Splits rows into consecutive calls of at most TOKENS_PER_RUN padded tokens (one row may exceed it). */
function* runs(batch: number[][]): Generator<number[][]> {
  let start = 0;
  while (start < batch.length) {
    let end = start;
    let width = 0;
    while (end < batch.length) {
      const next = Math.max(width, batch[end].length);
      if (end > start && next * (end - start + 1) > TOKENS_PER_RUN) break;
      width = next;
      end++;
    }
    yield batch.slice(start, end);
    start = end;
  }
}

/** Pads one call's rows into ids and mask, runs it and returns its unit vectors. */
async function runPadded(execute: Execute, rows: number[][]): Promise<Float32Array[]> {
  const width = Math.max(...rows.map((ids) => ids.length));
  const ids = new Int32Array(rows.length * width);
  const mask = new Float32Array(rows.length * width);
  rows.forEach((row, r) => {
    ids.set(row, r * width);
    mask.fill(1, r * width, r * width + row.length);
  });
  let flat: Float32Array;
  try {
    flat = await execute(ids, mask, rows.length, width);
  } catch (error) {
    if (error instanceof EmbedderError) throw error;
    throw new EmbedderError(
      "SIGLA_EMBEDDER_UNAVAILABLE",
      `use-lite: onnxruntime failed: ${errorMessage(error)}`,
      {
        cause: error,
      },
    );
  }
  if (flat.length !== rows.length * USE_LITE_DIM) {
    throw new EmbedderError(
      "SIGLA_EMBEDDER_UNAVAILABLE",
      `use-lite returned ${flat.length} values for ${rows.length} texts of ${USE_LITE_DIM}`,
    );
  }
  return rows.map((_, r) => normalize(flat.slice(r * USE_LITE_DIM, (r + 1) * USE_LITE_DIM)));
}

/**
 * Opens USE-lite on ONNX Runtime from `files` (default: the installed package).
 * @throws EmbedderError SIGLA_MODEL_LOAD for missing or damaged model files.
 * @throws OrtUnavailable when onnxruntime-node cannot load or compile the graph.
 */
export async function openUseLiteOrt(files?: UseLiteFiles): Promise<UseLiteModel> {
  const model = files ?? (await readUseLiteFiles());
  const execute = await startRuntime(buildUseLiteGraph(model.weights));
  const tokenizer = new UseLiteTokenizer(model.vocabulary);
  const encode = (text: string) => tokenizer.encode(text);
  const charBudget = MAX_TOKENS * tokenizer.longestPiece;
  const blank = tokenizer.encode(" ");
  return {
    backend: "onnxruntime",
    charBudget,
    tokenize: (text) => modelTokens(encode, text, charBudget, blank),
    async run(batch) {
      // Every call of the batch at once: the pool runs as many as it has workers.
      const parts = await Promise.all([...runs(batch)].map((rows) => runPadded(execute, rows)));
      return parts.flat();
    },
  };
}
