/**
 * USE-lite on onnxruntime-node: the packaged TF.js weights are read, written into an equivalent dense
 * ONNX graph in memory (use-lite-graph.ts) and compiled once per process; texts run as padded [batch, len]
 * id matrices with a mask, on every core. Vectors match the TF.js path (cosine 1.0000 on the test set).
 */
import { EmbedderError, errorMessage } from "../errors.js";
import { normalize } from "./embedder.js";
import { ortThreads } from "./ort-threads.js";
import { readUseLiteFiles, type UseLiteFiles } from "./use-lite-files.js";
import { buildUseLiteGraph, USE_LITE_DIM } from "./use-lite-graph.js";
import type { UseLiteModel } from "./use-lite-model.js";
import { MAX_TOKENS, modelTokens, UseLiteTokenizer } from "./use-lite-tokenizer.js";

type Ort = typeof import("onnxruntime-node");
type Session = import("onnxruntime-node").InferenceSession;

/**
 * Padded tokens per runtime call. Larger calls gain nothing once the matrices fill the cores, and the
 * 1536-wide FFN activations of a call (rows × 6 KiB) should stay cache-friendly.
 */
const TOKENS_PER_RUN = 2048;

/** The runtime could not be loaded or could not compile the graph (as opposed to damaged model files). */
export class OrtUnavailable extends Error {}

async function createSession(bytes: Uint8Array): Promise<{ ort: Ort; session: Session }> {
  let ort: Ort;
  try {
    ort = await import("onnxruntime-node");
  } catch (error) {
    throw new OrtUnavailable(`onnxruntime-node does not load: ${errorMessage(error)}`, { cause: error });
  }
  try {
    const session = await ort.InferenceSession.create(bytes, {
      graphOptimizationLevel: "all",
      executionMode: "sequential",
      intraOpNumThreads: ortThreads(),
      interOpNumThreads: 1,
    });
    return { ort, session };
  } catch (error) {
    throw new OrtUnavailable(`onnxruntime-node cannot compile the graph: ${errorMessage(error)}`, {
      cause: error,
    });
  }
}

/** Splits rows (sorted or not) into consecutive runs of at most TOKENS_PER_RUN padded tokens. */
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

/**
 * Opens USE-lite on ONNX Runtime from `files` (default: the installed package).
 * @throws EmbedderError SIGLA_MODEL_LOAD for missing or damaged model files.
 * @throws OrtUnavailable when onnxruntime-node cannot load or compile the graph.
 */
export async function openUseLiteOrt(files?: UseLiteFiles): Promise<UseLiteModel> {
  const model = files ?? (await readUseLiteFiles());
  const { ort, session } = await createSession(buildUseLiteGraph(model.weights));
  const tokenizer = new UseLiteTokenizer(model.vocabulary);
  const encode = (text: string) => tokenizer.encode(text);
  const charBudget = MAX_TOKENS * tokenizer.longestPiece;
  const blank = tokenizer.encode(" ");

  async function execute(rows: number[][]): Promise<Float32Array[]> {
    const width = Math.max(...rows.map((ids) => ids.length));
    const ids = new Int32Array(rows.length * width);
    const mask = new Float32Array(rows.length * width);
    rows.forEach((row, r) => {
      ids.set(row, r * width);
      mask.fill(1, r * width, r * width + row.length);
    });
    const feeds = {
      ids: new ort.Tensor("int32", ids, [rows.length, width]),
      mask: new ort.Tensor("float32", mask, [rows.length, width]),
    };
    let output: import("onnxruntime-node").Tensor | undefined;
    try {
      ({ embedding: output } = await session.run(feeds));
      const [count, dim] = output.dims;
      if (count !== rows.length || dim !== USE_LITE_DIM) {
        throw new EmbedderError(
          "SIGLA_EMBEDDER_UNAVAILABLE",
          `use-lite returned a ${count}×${dim} matrix for ${rows.length} texts`,
        );
      }
      const flat = output.data as Float32Array;
      return rows.map((_, r) => normalize(flat.slice(r * dim, (r + 1) * dim)));
    } catch (error) {
      if (error instanceof EmbedderError) throw error;
      throw new EmbedderError(
        "SIGLA_EMBEDDER_UNAVAILABLE",
        `use-lite: onnxruntime failed: ${errorMessage(error)}`,
        {
          cause: error,
        },
      );
    } finally {
      output?.dispose();
    }
  }

  return {
    backend: "onnxruntime",
    charBudget,
    tokenize: (text) => modelTokens(encode, text, charBudget, blank),
    async run(batch) {
      const out: Float32Array[] = [];
      for (const rows of runs(batch)) out.push(...(await execute(rows)));
      return out;
    },
  };
}
