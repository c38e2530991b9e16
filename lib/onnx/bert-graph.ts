/**
 * A BERT encoder (the `BertModel` of Hugging Face transformers) written as plain ONNX ops with seeded
 * random weights. It has the same inputs, output and compute as an exported BERT feature-extraction
 * model — so transformers.js loads it like the real thing — which makes it good for throughput
 * benchmarks (at MiniLM size) and for offline tests (at toy size). The optional quantised variant
 * mirrors ONNX Runtime's dynamic quantisation (what `model_quantized.onnx` files on the hub contain):
 * int8 weights, activations quantised at run time by DynamicQuantizeLinear, MatMulInteger.
 */
import { InvalidInputError } from "../errors.js";
import { seededRandom } from "../random.js";
import { attr, OnnxGraphBuilder } from "./onnx-writer.js";

/** The architecture numbers of a BERT model (names follow the Hugging Face config.json). */
export interface BertConfig {
  vocabSize: number;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  intermediateSize: number;
  maxPositions: number;
  typeVocabSize: number;
  layerNormEps: number;
}

/** Weights of one encoder layer; matrices are stored [in, out] so they feed MatMul directly. */
export interface BertLayerWeights {
  query: Float32Array;
  queryBias: Float32Array;
  key: Float32Array;
  keyBias: Float32Array;
  value: Float32Array;
  valueBias: Float32Array;
  attentionOut: Float32Array;
  attentionOutBias: Float32Array;
  attentionNormScale: Float32Array;
  attentionNormBias: Float32Array;
  intermediate: Float32Array;
  intermediateBias: Float32Array;
  output: Float32Array;
  outputBias: Float32Array;
  outputNormScale: Float32Array;
  outputNormBias: Float32Array;
}

/** All weights of a BERT encoder. */
export interface BertWeights {
  wordEmbeddings: Float32Array;
  positionEmbeddings: Float32Array;
  tokenTypeEmbeddings: Float32Array;
  embeddingNormScale: Float32Array;
  embeddingNormBias: Float32Array;
  layers: BertLayerWeights[];
}

/** Options for {@link randomBertWeights}. */
export interface RandomWeightOptions {
  /** Seed of the generator; equal seeds give identical weights. */
  seed: number;
  /** Standard deviation of every matrix and embedding (BERT's `initializer_range`). Default 0.02. */
  std?: number;
  /** Standard deviation of the word embeddings alone, when it should differ from `std`. */
  wordEmbeddingStd?: number;
  /** Standard deviation of the biases. Default 0 (BERT initialises them to zero). */
  biasStd?: number;
}

/** Options for {@link buildBertModel}. */
export interface BertModelOptions {
  /** Write the dynamically quantised (int8) variant. Default false. */
  quantize?: boolean;
  /** Graph name. Default "bert". */
  name?: string;
}

/** Reads the architecture from a Hugging Face `config.json` object (model_type "bert"). */
export function bertConfigFromHf(json: Record<string, unknown>): BertConfig {
  const num = (key: string): number => {
    const value = json[key];
    if (typeof value !== "number" || !Number.isFinite(value))
      throw new InvalidInputError(`config.json has no numeric "${key}"`);
    return value;
  };
  return {
    vocabSize: num("vocab_size"),
    hiddenSize: num("hidden_size"),
    numLayers: num("num_hidden_layers"),
    numHeads: num("num_attention_heads"),
    intermediateSize: num("intermediate_size"),
    maxPositions: num("max_position_embeddings"),
    typeVocabSize: num("type_vocab_size"),
    layerNormEps: num("layer_norm_eps"),
  };
}

/** The Hugging Face `config.json` object describing `config` (a BertModel with GELU). */
export function bertConfigToHf(config: BertConfig, nameOrPath: string): Record<string, unknown> {
  return {
    _name_or_path: nameOrPath,
    architectures: ["BertModel"],
    model_type: "bert",
    hidden_act: "gelu",
    hidden_size: config.hiddenSize,
    intermediate_size: config.intermediateSize,
    num_attention_heads: config.numHeads,
    num_hidden_layers: config.numLayers,
    max_position_embeddings: config.maxPositions,
    type_vocab_size: config.typeVocabSize,
    vocab_size: config.vocabSize,
    layer_norm_eps: config.layerNormEps,
    initializer_range: 0.02,
    pad_token_id: 0,
    position_embedding_type: "absolute",
  };
}

/** Seeded random BERT weights: normal(0, std) matrices and embeddings, LayerNorm scale 1 and bias 0. */
export function randomBertWeights(config: BertConfig, options: RandomWeightOptions): BertWeights {
  const uniform = seededRandom(options.seed);
  const std = options.std ?? 0.02;
  let spare: number | undefined;
  // Box–Muller, keeping the second value of each pair.
  const gaussian = (): number => {
    if (spare !== undefined) {
      const value = spare;
      spare = undefined;
      return value;
    }
    const u = 1 - uniform();
    const v = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
  const normal = (size: number, sd: number): Float32Array => {
    const out = new Float32Array(size);
    if (sd !== 0) for (let i = 0; i < size; i++) out[i] = gaussian() * sd;
    return out;
  };
  const ones = (size: number): Float32Array => new Float32Array(size).fill(1);
  const biasStd = options.biasStd ?? 0;
  const { hiddenSize: h, intermediateSize: m } = config;

  const wordEmbeddings = normal(config.vocabSize * h, options.wordEmbeddingStd ?? std);
  wordEmbeddings.fill(0, 0, h); // the padding token (id 0) embeds to zero, as in BERT
  return {
    wordEmbeddings,
    positionEmbeddings: normal(config.maxPositions * h, std),
    tokenTypeEmbeddings: normal(config.typeVocabSize * h, std),
    embeddingNormScale: ones(h),
    embeddingNormBias: new Float32Array(h),
    layers: Array.from({ length: config.numLayers }, () => ({
      query: normal(h * h, std),
      queryBias: normal(h, biasStd),
      key: normal(h * h, std),
      keyBias: normal(h, biasStd),
      value: normal(h * h, std),
      valueBias: normal(h, biasStd),
      attentionOut: normal(h * h, std),
      attentionOutBias: normal(h, biasStd),
      attentionNormScale: ones(h),
      attentionNormBias: new Float32Array(h),
      intermediate: normal(h * m, std),
      intermediateBias: normal(m, biasStd),
      output: normal(m * h, std),
      outputBias: normal(h, biasStd),
      outputNormScale: ones(h),
      outputNormBias: new Float32Array(h),
    })),
  };
}

/** Symmetric per-tensor int8 quantisation: value ≈ q * scale, zero point 0. */
function quantizeInt8(values: Float32Array): { q: Int8Array; scale: number } {
  let max = 0;
  for (const v of values) max = Math.max(max, Math.abs(v));
  const scale = max > 0 ? max / 127 : 1;
  const q = new Int8Array(values.length);
  for (let i = 0; i < values.length; i++) q[i] = Math.max(-127, Math.min(127, Math.round(values[i] / scale)));
  return { q, scale };
}

/** Emits graph pieces; the float and quantised variants differ only in `matmul` and `embedding`. */
class BertEmitter {
  private readonly scalars = new Map<number, string>();

  constructor(
    private readonly g: OnnxGraphBuilder,
    private readonly quantize: boolean,
  ) {}

  /** A float32 scalar initializer, shared by every use of the same value. */
  scalar(value: number): string {
    let name = this.scalars.get(value);
    if (name === undefined) {
      name = this.g.constant("float32", [], [value], "scalar");
      this.scalars.set(value, name);
    }
    return name;
  }

  /** x[…, in] · W[in, out] + b. */
  linear(
    x: string,
    weights: Float32Array,
    bias: Float32Array,
    inSize: number,
    outSize: number,
    name: string,
  ): string {
    const { g } = this;
    let product: string;
    if (!this.quantize) {
      product = g.op("MatMul", [x, g.constant("float32", [inSize, outSize], weights, `${name}.weight`)]);
    } else {
      const { q, scale } = quantizeInt8(weights);
      const w = g.constant("int8", [inSize, outSize], q, `${name}.weight_quantized`);
      const wScale = g.constant("float32", [], [scale], `${name}.weight_scale`);
      const wZero = g.constant("int8", [], [0], `${name}.weight_zero_point`);
      const [xq, xScale, xZero] = [
        g.fresh(`${name}.x_q`),
        g.fresh(`${name}.x_scale`),
        g.fresh(`${name}.x_zp`),
      ];
      g.node("DynamicQuantizeLinear", [x], [xq, xScale, xZero]);
      const integer = g.op("MatMulInteger", [xq, w, xZero, wZero]);
      const asFloat = g.op("Cast", [integer], { to: 1 });
      product = g.op("Mul", [asFloat, g.op("Mul", [xScale, wScale])]);
    }
    return g.op("Add", [product, g.constant("float32", [outSize], bias, `${name}.bias`)]);
  }

  /** Rows of an embedding table; quantised tables are dequantised after the Gather, as ORT does. */
  embedding(table: Float32Array, rows: number, width: number, ids: string, name: string): string {
    const { g } = this;
    if (!this.quantize)
      return g.op("Gather", [g.constant("float32", [rows, width], table, name), ids], { axis: 0 });
    const { q, scale } = quantizeInt8(table);
    const gathered = g.op("Gather", [g.constant("int8", [rows, width], q, `${name}_quantized`), ids], {
      axis: 0,
    });
    const s = g.constant("float32", [], [scale], `${name}_scale`);
    const zero = g.constant("int8", [], [0], `${name}_zero_point`);
    return g.op("DequantizeLinear", [gathered, s, zero]);
  }

  layerNorm(x: string, scale: Float32Array, bias: Float32Array, eps: number, name: string): string {
    const { g } = this;
    const width = scale.length;
    return g.op(
      "LayerNormalization",
      [
        x,
        g.constant("float32", [width], scale, `${name}.weight`),
        g.constant("float32", [width], bias, `${name}.bias`),
      ],
      { axis: -1, epsilon: attr.float(eps) },
    );
  }

  /** Exact (erf) GELU, as BERT's `hidden_act: "gelu"`: 0.5·x·(1 + erf(x/√2)). */
  gelu(x: string): string {
    const { g } = this;
    const scaled = g.op("Div", [x, this.scalar(Math.SQRT2)]);
    const plusOne = g.op("Add", [g.op("Erf", [scaled]), this.scalar(1)]);
    return g.op("Mul", [g.op("Mul", [x, plusOne]), this.scalar(0.5)]);
  }
}

/**
 * Builds the ONNX model: inputs `input_ids`, `attention_mask`, `token_type_ids` (int64 [batch, seq]),
 * output `last_hidden_state` (float32 [batch, seq, hidden]). Opset 17 (for LayerNormalization).
 */
export function buildBertModel(
  config: BertConfig,
  weights: BertWeights,
  options: BertModelOptions = {},
): Uint8Array {
  const { hiddenSize: h, numHeads, intermediateSize: m } = config;
  if (h % numHeads !== 0)
    throw new InvalidInputError(`hidden size ${h} is not a multiple of ${numHeads} heads`);
  const headSize = h / numHeads;
  const g = new OnnxGraphBuilder(options.name ?? "bert");
  const e = new BertEmitter(g, options.quantize ?? false);

  for (const name of ["input_ids", "attention_mask", "token_type_ids"]) {
    g.input(name, "int64", ["batch_size", "sequence_length"]);
  }
  g.output("last_hidden_state", "float32", ["batch_size", "sequence_length", h]);

  // Embeddings: word + position (rows 0..seq-1) + token type, then LayerNorm.
  const words = e.embedding(weights.wordEmbeddings, config.vocabSize, h, "input_ids", "word_embeddings");
  const types = e.embedding(
    weights.tokenTypeEmbeddings,
    config.typeVocabSize,
    h,
    "token_type_ids",
    "token_type_embeddings",
  );
  const seqLength = g.op("Shape", ["input_ids"], { start: 1, end: 2 });
  const positionTable = g.constant(
    "float32",
    [config.maxPositions, h],
    weights.positionEmbeddings,
    "position_embeddings",
  );
  const positions = g.op("Slice", [
    positionTable,
    g.constant("int64", [1], [0], "zero"),
    seqLength,
    g.constant("int64", [1], [0], "axis0"),
  ]);
  const summed = g.op("Add", [g.op("Add", [words, types]), positions]);
  let hidden = e.layerNorm(
    summed,
    weights.embeddingNormScale,
    weights.embeddingNormBias,
    config.layerNormEps,
    "embeddings.LayerNorm",
  );

  // Additive mask [batch, 1, 1, seq]: 0 where attended, float32 min where padded (as transformers does).
  const mask4d = g.op("Unsqueeze", ["attention_mask", g.constant("int64", [2], [1, 2], "mask_axes")]);
  const inverted = g.op("Sub", [e.scalar(1), g.op("Cast", [mask4d], { to: 1 })]);
  const additiveMask = g.op("Mul", [inverted, e.scalar(-3.4028234663852886e38)]);

  const splitHeads = g.constant("int64", [4], [0, 0, numHeads, headSize], "split_heads_shape");
  const mergeHeads = g.constant("int64", [3], [0, 0, h], "merge_heads_shape");
  const scale = e.scalar(Math.sqrt(headSize));

  weights.layers.forEach((w, i) => {
    const p = `encoder.layer.${i}`;
    const heads = (x: string, perm: number[]) =>
      g.op("Transpose", [g.op("Reshape", [x, splitHeads])], { perm });
    const q = heads(e.linear(hidden, w.query, w.queryBias, h, h, `${p}.attention.self.query`), [0, 2, 1, 3]);
    const k = heads(e.linear(hidden, w.key, w.keyBias, h, h, `${p}.attention.self.key`), [0, 2, 3, 1]);
    const v = heads(e.linear(hidden, w.value, w.valueBias, h, h, `${p}.attention.self.value`), [0, 2, 1, 3]);
    const scores = g.op("Add", [g.op("Div", [g.op("MatMul", [q, k]), scale]), additiveMask]);
    const probs = g.op("Softmax", [scores], { axis: -1 });
    const context = g.op("Transpose", [g.op("MatMul", [probs, v])], { perm: [0, 2, 1, 3] });
    const merged = g.op("Reshape", [context, mergeHeads]);
    const attended = e.linear(
      merged,
      w.attentionOut,
      w.attentionOutBias,
      h,
      h,
      `${p}.attention.output.dense`,
    );
    hidden = e.layerNorm(
      g.op("Add", [attended, hidden]),
      w.attentionNormScale,
      w.attentionNormBias,
      config.layerNormEps,
      `${p}.attention.output.LayerNorm`,
    );
    const inner = e.gelu(
      e.linear(hidden, w.intermediate, w.intermediateBias, h, m, `${p}.intermediate.dense`),
    );
    const out = e.linear(inner, w.output, w.outputBias, m, h, `${p}.output.dense`);
    hidden = e.layerNorm(
      g.op("Add", [out, hidden]),
      w.outputNormScale,
      w.outputNormBias,
      config.layerNormEps,
      `${p}.output.LayerNorm`,
    );
  });

  g.node("Identity", [hidden], ["last_hidden_state"]);
  return g.toBytes({ opset: 17, producerName: "sigla-bert-graph" });
}
