/**
 * Random-weight llama-family GGUF models: the real architecture metadata, a real SentencePiece-style
 * tokenizer in the file's metadata and a ChatML chat template, with random weights. Tests load the tiny
 * one ({@link writeTinyGguf}, a few hundred kilobytes, written in milliseconds); the LLM benchmark writes
 * one of the exact shape of Qwen2.5-0.5B-Instruct ({@link QWEN2_05B}), so its compute and memory
 * traffic match the real model. What either generates is word salad: they measure and test the runner,
 * never the answers.
 */
import { seededRandom } from "../random.js";
import { type GgmlTypeName, LLAMA_FILE_TYPE } from "./gguf-format.js";
import { type GgufTensor, type GgufValue, gguf, writeGguf } from "./gguf-writer.js";

/** The architecture of a llama-family decoder. */
export interface LlamaShape {
  /** `llama` or `qwen2` (which adds q/k/v biases). */
  architecture: "llama" | "qwen2";
  vocab: number;
  hidden: number;
  layers: number;
  heads: number;
  kvHeads: number;
  ffn: number;
  /** Trained context length written to the metadata. */
  contextLength: number;
  /** Output projection shares the token embedding (no `output.weight`). */
  tiedEmbeddings: boolean;
  ropeTheta: number;
  rmsEps: number;
}

/** Qwen2.5-0.5B-Instruct's shape (its config.json). */
export const QWEN2_05B: LlamaShape = {
  architecture: "qwen2",
  vocab: 151936,
  hidden: 896,
  layers: 24,
  heads: 14,
  kvHeads: 2,
  ffn: 4864,
  contextLength: 32768,
  tiedEmbeddings: true,
  ropeTheta: 1_000_000,
  rmsEps: 1e-6,
};

/** The tests' model: two layers, grouped-query attention, a vocabulary of common English words. */
export const TINY_LLAMA: Omit<LlamaShape, "vocab"> = {
  architecture: "llama",
  hidden: 64,
  layers: 2,
  heads: 4,
  kvHeads: 2,
  ffn: 128,
  contextLength: 2048,
  tiedEmbeddings: false,
  ropeTheta: 10000,
  rmsEps: 1e-5,
};

/** ChatML, the template of Qwen2.5 and many others; node-llama-cpp recognises it. */
export const CHATML_TEMPLATE =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/** SentencePiece token types (llama.cpp's llama_token_type). */
const TOKEN_TYPE = { normal: 1, unknown: 2, control: 3, byte: 6 } as const;
/** SentencePiece's visible space. */
const SPACE = "\u2581";
const SPECIAL = ["<unk>", "<s>", "</s>", "<|im_start|>", "<|im_end|>"];
const CHARACTERS = [..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,;:!?'\"()-", SPACE];

/** Words of the tiny vocabulary: enough to make generated text readable. */
export const TINY_WORDS = (
  "the of and to in is was it for on with as at by from that this be are or an not but have had " +
  "memory model token store search vector index graph capsule answer question text time data " +
  "fast slow small large new old good first last long short high low open close read write run " +
  "stream word page note link tag layer query user agent home cpu gpu file folder local offline " +
  "window context prompt reply quick brown fox jumps over lazy dog river stone light night day " +
  "green blue red white black north south east west water fire earth wind cloud rain snow sun"
).split(" ");

/** A SentencePiece vocabulary: tokens with scores and types, and which tokens are whole words. */
export interface SpmVocab {
  tokens: string[];
  scores: Float32Array;
  types: Int32Array;
  /** Whole-word tokens (the ones a random model is allowed to emit). */
  words: Set<number>;
}

/**
 * Builds a vocabulary llama.cpp's SentencePiece tokenizer can use: the special tokens, 256 byte-fallback
 * tokens `<0xNN>`, single characters, then `▁word` tokens with every prefix of each (SPM merges a word
 * one character at a time, so each step must be a token), in order, to `size` tokens when given —
 * filled with syllable words after `words`.
 */
export function spmVocab(words: readonly string[], size?: number): SpmVocab {
  const tokens: string[] = [...SPECIAL];
  const types: number[] = SPECIAL.map((_, i) => (i === 0 ? TOKEN_TYPE.unknown : TOKEN_TYPE.control));
  for (let b = 0; b < 256; b++) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`);
    types.push(TOKEN_TYPE.byte);
  }
  const ids = new Map(tokens.map((token, id) => [token, id]));
  const wordIds = new Set<number>();
  const add = (token: string, word: boolean) => {
    let id = ids.get(token);
    if (id === undefined) {
      if (size !== undefined && tokens.length >= size) return;
      id = tokens.length;
      ids.set(token, id);
      tokens.push(token);
      types.push(TOKEN_TYPE.normal);
    }
    if (word) wordIds.add(id);
  };
  for (const c of CHARACTERS) add(c, false);
  const addWord = (word: string) => {
    const piece = SPACE + word;
    for (let i = 2; i < piece.length; i++) add(piece.slice(0, i), false);
    add(piece, true);
  };
  for (const word of words) addWord(word);
  if (size !== undefined) {
    // Breadth-first over syllable strings keeps the vocabulary prefix-closed.
    const syllables = [..."bdfgklmnprstvz"].flatMap((c) => [..."aeiou"].map((v) => c + v));
    let frontier = [""];
    while (tokens.length < size) {
      const next: string[] = [];
      for (const stem of frontier) {
        for (const s of syllables) {
          if (tokens.length >= size) break;
          addWord(stem + s);
          next.push(stem + s);
        }
      }
      frontier = next;
    }
  }
  // Longer pieces first when the tokenizer has a choice; the exact scores only order the merges.
  const scores = Float32Array.from(tokens, (_, i) => (i < SPECIAL.length + 256 ? 0 : -i));
  return { tokens, scores, types: Int32Array.from(types), words: wordIds };
}

/** Options for {@link writeRandomGguf}. */
export interface RandomGgufOptions {
  /** Type of the weight matrices (norms and biases stay F32). Default Q8_0. */
  type?: GgmlTypeName;
  /** Weight seed; equal seeds give identical files. Default 1. */
  seed?: number;
  /** Write the ChatML template (default true); without it the runner does plain completion. */
  chatTemplate?: boolean;
  /** `general.name`. */
  name?: string;
}

/**
 * Writes a random-weight model of `shape` with tokenizer `vocab` to `path`. Matrices are uniform with
 * the standard deviation 1/√fan-in (activations keep their scale through the layers); the output rows
 * of tokens that are not whole words — specials, bytes, characters, prefixes — are zero, so greedy
 * decoding emits words and never the end-of-text token, and a generation runs to its `maxTokens`.
 */
export async function writeRandomGguf(
  path: string,
  shape: LlamaShape,
  vocab: SpmVocab,
  options: RandomGgufOptions = {},
): Promise<void> {
  const type = options.type ?? "Q8_0";
  const uniform = seededRandom(options.seed ?? 1);
  const headDim = shape.hidden / shape.heads;
  const kvWidth = headDim * shape.kvHeads;
  const arch = shape.architecture;

  const random = (count: number, fanIn: number) => (): Float32Array => {
    const half = Math.sqrt(3 / fanIn); // uniform(-a, a) has standard deviation a/√3
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = (uniform() * 2 - 1) * half;
    return out;
  };
  const ones = (count: number) => () => new Float32Array(count).fill(1);
  const matrix = (name: string, cols: number, rows: number): GgufTensor => ({
    name,
    dims: [cols, rows],
    type,
    values: random(cols * rows, cols),
  });
  const vector = (name: string, length: number, values: () => Float32Array): GgufTensor => ({
    name,
    dims: [length],
    type: "F32",
    values,
  });
  // Zero rows for every token but whole words: see the doc comment.
  const wordsOnly = (values: () => Float32Array) => (): Float32Array => {
    const out = values();
    for (let t = 0; t < shape.vocab; t++) {
      if (!vocab.words.has(t)) out.fill(0, t * shape.hidden, (t + 1) * shape.hidden);
    }
    return out;
  };

  const embedding = random(shape.vocab * shape.hidden, shape.hidden);
  const tensors: GgufTensor[] = [
    {
      name: "token_embd.weight",
      dims: [shape.hidden, shape.vocab],
      type,
      values: shape.tiedEmbeddings ? wordsOnly(embedding) : embedding,
    },
    vector("output_norm.weight", shape.hidden, ones(shape.hidden)),
  ];
  if (!shape.tiedEmbeddings) {
    tensors.push({ ...matrix("output.weight", shape.hidden, shape.vocab), values: wordsOnly(embedding) });
  }
  for (let i = 0; i < shape.layers; i++) {
    const blk = `blk.${i}`;
    tensors.push(
      vector(`${blk}.attn_norm.weight`, shape.hidden, ones(shape.hidden)),
      matrix(`${blk}.attn_q.weight`, shape.hidden, shape.hidden),
      matrix(`${blk}.attn_k.weight`, shape.hidden, kvWidth),
      matrix(`${blk}.attn_v.weight`, shape.hidden, kvWidth),
      matrix(`${blk}.attn_output.weight`, shape.hidden, shape.hidden),
      vector(`${blk}.ffn_norm.weight`, shape.hidden, ones(shape.hidden)),
      matrix(`${blk}.ffn_gate.weight`, shape.hidden, shape.ffn),
      matrix(`${blk}.ffn_up.weight`, shape.hidden, shape.ffn),
      matrix(`${blk}.ffn_down.weight`, shape.ffn, shape.hidden),
    );
    if (arch === "qwen2") {
      tensors.push(
        vector(`${blk}.attn_q.bias`, shape.hidden, random(shape.hidden, shape.hidden)),
        vector(`${blk}.attn_k.bias`, kvWidth, random(kvWidth, shape.hidden)),
        vector(`${blk}.attn_v.bias`, kvWidth, random(kvWidth, shape.hidden)),
      );
    }
  }

  const metadata: Record<string, GgufValue> = {
    "general.architecture": arch,
    "general.name": options.name ?? `sigla-random-${arch}`,
    "general.file_type": gguf.u32(LLAMA_FILE_TYPE[type]),
    "general.alignment": gguf.u32(32),
    [`${arch}.vocab_size`]: gguf.u32(shape.vocab),
    [`${arch}.context_length`]: gguf.u32(shape.contextLength),
    [`${arch}.embedding_length`]: gguf.u32(shape.hidden),
    [`${arch}.block_count`]: gguf.u32(shape.layers),
    [`${arch}.feed_forward_length`]: gguf.u32(shape.ffn),
    [`${arch}.attention.head_count`]: gguf.u32(shape.heads),
    [`${arch}.attention.head_count_kv`]: gguf.u32(shape.kvHeads),
    [`${arch}.attention.layer_norm_rms_epsilon`]: gguf.f32(shape.rmsEps),
    [`${arch}.rope.freq_base`]: gguf.f32(shape.ropeTheta),
    [`${arch}.rope.dimension_count`]: gguf.u32(headDim),
    "tokenizer.ggml.model": "llama",
    "tokenizer.ggml.tokens": vocab.tokens,
    "tokenizer.ggml.scores": gguf.array("float32", vocab.scores),
    "tokenizer.ggml.token_type": gguf.array("int32", vocab.types),
    "tokenizer.ggml.unknown_token_id": gguf.u32(0),
    "tokenizer.ggml.bos_token_id": gguf.u32(1),
    "tokenizer.ggml.eos_token_id": gguf.u32(2),
    "tokenizer.ggml.add_bos_token": gguf.bool(true),
    "tokenizer.ggml.add_eos_token": gguf.bool(false),
  };
  if (options.chatTemplate ?? true) metadata["tokenizer.chat_template"] = CHATML_TEMPLATE;
  await writeGguf(path, metadata, tensors);
}

/**
 * Writes the tests' tiny llama model (≈ 0.3 MB, {@link TINY_LLAMA} with the {@link TINY_WORDS}
 * vocabulary) to `path`; it takes a few milliseconds. node-llama-cpp loads it and generates from it.
 */
export async function writeTinyGguf(path: string, options: RandomGgufOptions = {}): Promise<void> {
  const vocab = spmVocab(TINY_WORDS);
  const shape: LlamaShape = { ...TINY_LLAMA, vocab: vocab.tokens.length };
  await writeRandomGguf(path, shape, vocab, { name: "sigla-tiny-llama", ...options });
}
