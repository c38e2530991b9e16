/**
 * The token embedding table of a full-precision ONNX language model, read straight from its weights
 * (the `.capsulegraph` converter stores one vector per token before the model is quantised).
 */
import { ModelError } from "../errors.js";
import { type OnnxTensor, readOnnxModel, TENSOR_TYPE, tensorFloat32 } from "../onnx/onnx-reader.js";

/** A [rows, dim] float32 table, row-major. */
export interface TokenEmbeddingTable {
  /** The initializer's name in the model. */
  name: string;
  /** Vocabulary size. */
  rows: number;
  /** Embedding width. */
  dim: number;
  values: Float32Array;
}

/** Names exporters give the token table (BERT, Llama/Qwen, GPT-2), tried when no Gather reads input_ids. */
const TABLE_NAME = /(^|[./_])(word_embeddings|embed_tokens|wte)([./_]weight)?$/;

/** A float32 [rows, width > 1] tensor (width 1 would be per-row scales of a quantised table). */
const isTable = (t: OnnxTensor | undefined): t is OnnxTensor =>
  t !== undefined && t.dataType === TENSOR_TYPE.float32 && t.dims.length === 2 && t.dims[1] > 1;

/**
 * The full-precision token embedding table: the float32 initializer of shape [vocab, hidden] that a
 * Gather reads with the graph input `input_ids` as indices; failing that, a 2-D float32 initializer named
 * like `word_embeddings`, `embed_tokens` or `wte`.
 *
 * @param source names the model in error messages (its path).
 * @throws ModelError SIGLA_MODEL_INVALID when the model is unreadable or has no such table (a quantised
 *   model's table is not float32, so it does not count).
 */
export function tokenEmbeddings(model: Uint8Array, source = "the ONNX model"): TokenEmbeddingTable {
  const { graph } = readOnnxModel(model, source);
  const byName = new Map(graph.initializers.map((t) => [t.name, t]));
  let table: OnnxTensor | undefined;
  if (graph.inputs.includes("input_ids")) {
    for (const node of graph.nodes) {
      if (node.domain !== "" || node.opType !== "Gather" || node.inputs[1] !== "input_ids") continue;
      const candidate = byName.get(node.inputs[0]);
      if (isTable(candidate)) {
        table = candidate;
        break;
      }
    }
  }
  table ??= graph.initializers.find((t) => isTable(t) && TABLE_NAME.test(t.name));
  if (!table) {
    throw new ModelError(
      "SIGLA_MODEL_INVALID",
      `${source} has no full-precision token embedding table (no float32 [vocab, hidden] initializer gathered by input_ids)`,
    );
  }
  const [rows, dim] = table.dims;
  return { name: table.name, rows, dim, values: tensorFloat32(table, source) };
}
