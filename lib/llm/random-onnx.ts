/**
 * A tiny random-weight causal language model in the transformers.js folder layout, for the ONNX
 * backend's tests: config.json (model_type "llama", so transformers.js runs it as LlamaForCausalLM),
 * a byte-level BPE tokenizer.json with the ChatML template, and onnx/model.onnx written by SIGLA's ONNX
 * writer. The graph has the inputs and outputs of an exported llama decoder with its KV cache —
 * input_ids, attention_mask, position_ids, past_key_values.N.key/value in; logits, present.N.key/value
 * out — so transformers.js feeds the cache back each step as it does for real models. Inside it is a
 * small pre-norm transformer with learned positions (no rotary embedding): the interface is what the
 * runner depends on, and the maths stays short.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { OnnxGraphBuilder } from "../onnx/onnx-writer.js";
import { seededRandom } from "../random.js";
import { CHATML_TEMPLATE, TINY_WORDS } from "./random-gguf.js";

const SPECIAL = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"];
const SHAPE = { hidden: 32, heads: 2, layers: 2, ffn: 64, positions: 512 };

/** GPT-2's byte-to-character table: every byte as a printable character (space → "Ġ"). */
function byteCharacters(): string[] {
  const printable = new Set<number>();
  for (const [from, to] of [
    [33, 126],
    [161, 172],
    [174, 255],
  ])
    for (let b = from; b <= to; b++) printable.add(b);
  let extra = 0;
  return Array.from({ length: 256 }, (_, b) => String.fromCodePoint(printable.has(b) ? b : 256 + extra++));
}

/** A byte-level BPE vocabulary: specials, the 256 byte characters, then `Ġword` built by prefix merges. */
function bpeVocab(): { vocab: Record<string, number>; merges: string[]; words: Set<number> } {
  const tokens = [...SPECIAL, ...byteCharacters()];
  const vocab: Record<string, number> = Object.fromEntries(tokens.map((t, i) => [t, i]));
  const merges: string[] = [];
  const words = new Set<number>();
  for (const word of TINY_WORDS) {
    let piece = "Ġ";
    for (const c of word) {
      if (vocab[piece + c] === undefined) {
        merges.push(`${piece} ${c}`);
        vocab[piece + c] = Object.keys(vocab).length;
      }
      piece += c;
    }
    words.add(vocab[piece]);
  }
  return { vocab, merges, words };
}

function tokenizerJson(vocab: Record<string, number>, merges: string[]): unknown {
  const byteLevel = { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true };
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: SPECIAL.map((content, id) => ({
      id,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: null,
    decoder: byteLevel,
    model: {
      type: "BPE",
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges,
    },
  };
}

/** The decoder graph; `words` are the only tokens with non-zero output rows (see writeRandomGguf). */
function decoderGraph(vocabSize: number, words: Set<number>, seed: number): Uint8Array {
  const { hidden, heads, layers, ffn, positions } = SHAPE;
  const headDim = hidden / heads;
  const uniform = seededRandom(seed);
  const random = (count: number, fanIn: number) => {
    const half = Math.sqrt(3 / fanIn);
    return Float32Array.from({ length: count }, () => (uniform() * 2 - 1) * half);
  };
  const g = new OnnxGraphBuilder("sigla-tiny-causal-lm");
  const f32 = (dims: number[], data: Float32Array, name: string) => g.constant("float32", dims, data, name);
  const i64 = (values: number[]) => g.constant("int64", [values.length], values.map(BigInt), "shape");
  const cacheDims = ["batch_size", heads, "past_sequence_length", headDim];
  g.input("input_ids", "int64", ["batch_size", "sequence_length"]);
  g.input("attention_mask", "int64", ["batch_size", "total_sequence_length"]);
  g.input("position_ids", "int64", ["batch_size", "sequence_length"]);
  const ones = new Float32Array(hidden).fill(1);
  const zeros = new Float32Array(hidden);
  const norm = (x: string, name: string) =>
    g.op(
      "LayerNormalization",
      [x, f32([hidden], ones, `${name}.scale`), f32([hidden], zeros, `${name}.bias`)],
      {
        axis: -1,
      },
    );
  const splitHeads = (x: string) =>
    g.op("Transpose", [g.op("Reshape", [x, i64([0, 0, heads, headDim])])], { perm: [0, 2, 1, 3] });

  let x = g.op("Add", [
    g.op(
      "Gather",
      [f32([vocabSize, hidden], random(vocabSize * hidden, hidden), "embed_tokens"), "input_ids"],
      { axis: 0 },
    ),
    g.op(
      "Gather",
      [f32([positions, hidden], random(positions * hidden, hidden), "embed_positions"), "position_ids"],
      {
        axis: 0,
      },
    ),
  ]);
  // Key j is visible to the query at position p when j ≤ p and the mask keeps j.
  const keyIndex = (keys: string) =>
    g.op("Range", [
      g.constant("int64", [], [0n], "zero"),
      g.op("Squeeze", [g.op("Slice", [g.op("Shape", [keys]), i64([2]), i64([3])]), i64([0])]),
      g.constant("int64", [], [1n], "one"),
    ]);
  const scale = g.constant("float32", [], [1 / Math.sqrt(headDim)], "scale");
  const masked = g.constant("float32", [], [-1e9], "masked");
  for (let i = 0; i < layers; i++) {
    const h = norm(x, `layer${i}.attn_norm`);
    const project = (name: string) =>
      g.op("MatMul", [h, f32([hidden, hidden], random(hidden * hidden, hidden), `layer${i}.${name}`)]);
    const q = splitHeads(project("q"));
    g.input(`past_key_values.${i}.key`, "float32", cacheDims);
    g.input(`past_key_values.${i}.value`, "float32", cacheDims);
    g.node("Concat", [`past_key_values.${i}.key`, splitHeads(project("k"))], [`present.${i}.key`], {
      axis: 2,
    });
    g.node("Concat", [`past_key_values.${i}.value`, splitHeads(project("v"))], [`present.${i}.value`], {
      axis: 2,
    });
    const scores = g.op("Mul", [
      g.op("MatMul", [q, g.op("Transpose", [`present.${i}.key`], { perm: [0, 1, 3, 2] })]),
      scale,
    ]);
    const causal = g.op("LessOrEqual", [
      keyIndex(`present.${i}.key`),
      g.op("Unsqueeze", ["position_ids", i64([1, 3])]),
    ]);
    const kept = g.op("Cast", [g.op("Unsqueeze", ["attention_mask", i64([1, 2])])], { to: 9 });
    const probs = g.op("Softmax", [g.op("Where", [g.op("And", [causal, kept]), scores, masked])], {
      axis: -1,
    });
    const context = g.op("Reshape", [
      g.op("Transpose", [g.op("MatMul", [probs, `present.${i}.value`])], { perm: [0, 2, 1, 3] }),
      i64([0, 0, hidden]),
    ]);
    x = g.op("Add", [
      x,
      g.op("MatMul", [context, f32([hidden, hidden], random(hidden * hidden, hidden), `layer${i}.o`)]),
    ]);
    const up = g.op("Relu", [
      g.op("MatMul", [
        norm(x, `layer${i}.ffn_norm`),
        f32([hidden, ffn], random(hidden * ffn, hidden), `layer${i}.up`),
      ]),
    ]);
    x = g.op("Add", [
      x,
      g.op("MatMul", [up, f32([ffn, hidden], random(ffn * hidden, ffn), `layer${i}.down`)]),
    ]);
    g.output(`present.${i}.key`, "float32", ["batch_size", heads, "total_sequence_length", headDim]);
    g.output(`present.${i}.value`, "float32", ["batch_size", heads, "total_sequence_length", headDim]);
  }
  // Output projection [hidden, vocab] with zero columns for every token that is not a whole word.
  const lmHead = random(hidden * vocabSize, hidden);
  for (let t = 0; t < vocabSize; t++)
    if (!words.has(t)) for (let r = 0; r < hidden; r++) lmHead[r * vocabSize + t] = 0;
  g.node("MatMul", [norm(x, "final_norm"), f32([hidden, vocabSize], lmHead, "lm_head")], ["logits"]);
  g.output("logits", "float32", ["batch_size", "sequence_length", vocabSize]);
  return g.toBytes({ opset: 17 });
}

/**
 * Writes the tiny ONNX causal LM folder `dir` (config.json, generation_config.json, tokenizer.json,
 * tokenizer_config.json with the ChatML template, onnx/model.onnx; ≈ 0.3 MB, a few milliseconds).
 */
export async function writeTinyOnnxModel(dir: string, options: { seed?: number } = {}): Promise<void> {
  const { vocab, merges, words } = bpeVocab();
  const vocabSize = Object.keys(vocab).length;
  const eos = vocab["<|im_end|>"];
  await mkdir(join(dir, "onnx"), { recursive: true });
  const json = (name: string, value: unknown) =>
    writeFile(join(dir, name), `${JSON.stringify(value, null, 2)}\n`);
  await json("config.json", {
    architectures: ["LlamaForCausalLM"],
    model_type: "llama",
    vocab_size: vocabSize,
    hidden_size: SHAPE.hidden,
    intermediate_size: SHAPE.ffn,
    num_hidden_layers: SHAPE.layers,
    num_attention_heads: SHAPE.heads,
    num_key_value_heads: SHAPE.heads,
    head_dim: SHAPE.hidden / SHAPE.heads,
    max_position_embeddings: SHAPE.positions,
    bos_token_id: vocab["<|endoftext|>"],
    eos_token_id: eos,
    use_cache: true,
  });
  await json("generation_config.json", { eos_token_id: eos, bos_token_id: vocab["<|endoftext|>"] });
  await json("tokenizer.json", tokenizerJson(vocab, merges));
  await json("tokenizer_config.json", {
    tokenizer_class: "GPT2Tokenizer",
    chat_template: CHATML_TEMPLATE,
    bos_token: null,
    eos_token: "<|im_end|>",
    pad_token: "<|endoftext|>",
    unk_token: null,
    add_bos_token: false,
    model_max_length: SHAPE.positions,
  });
  await writeFile(join(dir, "onnx", "model.onnx"), decoderGraph(vocabSize, words, options.seed ?? 1));
}
