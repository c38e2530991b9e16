/**
 * The USE-lite network as a dense ONNX graph, built from the TF.js weights by name.
 *
 * The TF.js graph ("KonaTransformer", 2 layers) takes a sparse [texts × tokens] matrix and gathers and
 * scatters the real tokens around every step. Read as dense maths it is:
 *
 *   x   = 2·E[id] + timing(position)           (the graph adds the embedding to itself-plus-timing)
 *   L0: h = MHA(LN(x)) + (x·W_d + b_d)          (256 → 512: the residual goes through a dense layer)
 *       h = h + FFN(LN(h))
 *   L1: h = h + MHA(LN(h));  h = h + FFN(LN(h))
 *   v   = tanh(mean over the text's tokens of h · W + b)
 *
 * with 4 attention heads, keys of padding positions masked by −1e9 (so padding never changes a text's
 * result), LayerNorm ε and the attention scales read from the model. Padded positions compute values that
 * nothing reads — the same as the rows the TF.js graph leaves at zero — which lets the graph skip the
 * gathers. Inputs: `ids` int32 [batch, len] and `mask` float32 [batch, len] (1 for a token, 0 for
 * padding); output: `embedding` float32 [batch, 512], before L2 normalisation.
 */
import { EmbedderError } from "../errors.js";
import { OnnxGraphBuilder } from "../onnx/onnx-writer.js";
import type { UseLiteWeight } from "./use-lite-files.js";

/** Output width of the network. */
export const USE_LITE_DIM = 512;
/** Longest token sequence the model reads (its `ClipToMaxLength/Less/y`), and the timing table's rows. */
export const USE_LITE_MAX_TOKENS = 128;

const APPLY = "module_apply_default/Encoder_en/KonaTransformer/";
const STACK = `${APPLY}Encode/TransformerStack/`;
const HEAD = "module/Encoder_en/hidden_layers/tanh_layer_0/";

/** Looks weights up by TF name and checks their shapes, so a different model fails with a clear message. */
class WeightTable {
  constructor(private readonly weights: ReadonlyMap<string, UseLiteWeight>) {}

  get(name: string, shape: readonly number[]): UseLiteWeight {
    const found = this.weights.get(name);
    if (!found) this.fail(`has no weight ${name}`);
    if (found.shape.join("×") !== shape.join("×")) {
      this.fail(
        `weight ${name} is ${found.shape.join("×") || "a scalar"}, expected ${shape.join("×") || "a scalar"}`,
      );
    }
    return found;
  }

  float(name: string, shape: readonly number[]): Float32Array {
    const { values } = this.get(name, shape);
    if (!(values instanceof Float32Array)) this.fail(`weight ${name} is not float32`);
    return values;
  }

  int(name: string): number {
    const { values } = this.get(name, []);
    if (!(values instanceof Int32Array)) this.fail(`weight ${name} is not int32`);
    return values[0];
  }

  private fail(why: string): never {
    throw new EmbedderError("SIGLA_MODEL_LOAD", `use-lite: model.json ${why}; is this the USE-lite model?`);
  }
}

/** Emits the graph; `w` names are the TF weight names, re-registered as ONNX initializers. */
class UseLiteEmitter {
  readonly g = new OnnxGraphBuilder("use_lite");
  private readonly t: WeightTable;
  private readonly heads: number;
  private readonly epsilon: number;
  /** [batch, len] of the input, to shape the 2-D activations back into texts where attention needs it. */
  private batchShape = "";

  constructor(weights: ReadonlyMap<string, UseLiteWeight>) {
    this.t = new WeightTable(weights);
    this.heads = this.t.int(
      `${STACK}Layer_1/TransformerLayer/MultiheadAttention/split_heads/split_last_dimension/Reshape/shape/2`,
    );
    this.epsilon = this.t.float(
      `${STACK}Layer_1/TransformerLayer/FFN/layer_prepostprocess/layer_norm/Cast/x`,
      [],
    )[0];
  }

  /** A float32 initializer holding `values` under `shape`. */
  private weight(values: Float32Array, shape: readonly number[]): string {
    return this.g.constant("float32", shape, values, "w");
  }

  private ints(values: readonly number[]): string {
    return this.g.constant("int64", [values.length], values, "shape");
  }

  private dense(x: string, kernel: Float32Array, bias: Float32Array, inDim: number, outDim: number): string {
    const product = this.g.op("MatMul", [x, this.weight(kernel, [inDim, outDim])]);
    return this.g.op("Add", [product, this.weight(bias, [outDim])]);
  }

  private layerNorm(x: string, prefix: string, dim: number): string {
    const scale = this.t.float(`${prefix}layer_norm/layer_norm_scale/ConcatPartitions/concat`, [dim]);
    const bias = this.t.float(`${prefix}layer_norm/layer_norm_bias/ConcatPartitions/concat`, [dim]);
    return this.g.op("LayerNormalization", [x, this.weight(scale, [dim]), this.weight(bias, [dim])], {
      axis: -1,
      epsilon: this.epsilon,
    });
  }

  /**
   * Token embeddings plus the sinusoidal timing signal, as the TF graph sums them, as a [batch·len, 256]
   * matrix: the dense layers run on 2-D activations, where ONNX Runtime fuses MatMul, bias and ReLU.
   */
  embed(ids: string): string {
    this.batchShape = this.g.op("Shape", [ids]);
    const table = this.t.get("module/Embeddings_en", [8002, 256]).values as Float32Array;
    const inverse = this.t.float(`${STACK}Layer_0/AddTimingSignal/TimingSignal/ExpandDims_1`, [1, 128]);
    const timing = new Float32Array(USE_LITE_MAX_TOKENS * 256);
    for (let p = 0; p < USE_LITE_MAX_TOKENS; p++) {
      for (let i = 0; i < 128; i++) {
        const angle = Math.fround(p * inverse[i]);
        timing[p * 256 + i] = Math.sin(angle);
        timing[p * 256 + 128 + i] = Math.cos(angle);
      }
    }
    const length = this.g.op("Shape", [ids], { start: 1, end: 2 });
    const signal = this.g.op("Slice", [
      this.weight(timing, [USE_LITE_MAX_TOKENS, 256]),
      this.ints([0]),
      length,
      this.ints([0]),
    ]);
    const embedded = this.g.op("Gather", [this.weight(table, [8002, 256]), ids], { axis: 0 });
    const summed = this.g.op("Add", [this.g.op("Add", [embedded, signal]), embedded]);
    return this.g.op("Reshape", [summed, this.ints([-1, 256])]);
  }

  /** The additive attention bias [batch, 1, 1, len]: 0 on tokens, −1e9 on padding. */
  attentionBias(mask: string): string {
    const scale = this.t.float(
      `${STACK}Layer_1/TransformerLayer/MultiheadAttention/DotProductAttention/attention_bias_ignore_padding/mul/y`,
      [],
    );
    const padding = this.g.op("Sub", [this.weight(new Float32Array([1]), []), mask]);
    const bias = this.g.op("Mul", [padding, this.weight(scale, [])]);
    return this.g.op("Unsqueeze", [bias, this.ints([1, 2])]);
  }

  /** Multi-head self-attention of layer `layer` on the normalised input `x` of width `dim`. */
  attention(x: string, bias: string, layer: number, dim: number): string {
    const stack = `${STACK}Layer_${layer}/TransformerLayer/MultiheadAttention/`;
    const own = `${APPLY}Encode/Layer_${layer}/TransformerLayer/MultiheadAttention/`;
    const kernels = `module/Encoder_en/KonaTransformer/Encode/Layer_${layer}/TransformerLayer/MultiheadAttention/`;
    const headDim = this.t.int(`${stack}split_heads/split_last_dimension/Reshape/shape/3`);
    if (headDim * this.heads !== dim) {
      throw new EmbedderError(
        "SIGLA_MODEL_LOAD",
        `use-lite: layer ${layer} has ${this.heads} heads of ${headDim}, not ${dim} wide`,
      );
    }
    const qkv = this.dense(
      x,
      this.t.float(`${kernels}qkv_transform_single/kernel/part_0`, [1, 1, dim, 3 * dim]),
      this.t.float(`${own}qkv_transform_single/bias/ConcatPartitions/concat`, [3 * dim]),
      dim,
      3 * dim,
    );
    const [q, k, v] = [this.g.fresh("q"), this.g.fresh("k"), this.g.fresh("v")];
    this.g.node("Split", [qkv, this.ints([dim, dim, dim])], [q, k, v], { axis: 1 });
    const split = this.g.op("Concat", [this.batchShape, this.ints([this.heads, headDim])], { axis: 0 });
    const heads = (value: string, perm: number[]) =>
      this.g.op("Transpose", [this.g.op("Reshape", [value, split])], { perm });
    const scale = this.t.float(`${stack}mul/y`, []);
    const query = this.g.op("Mul", [heads(q, [0, 2, 1, 3]), this.weight(scale, [])]);
    const scores = this.g.op("Add", [this.g.op("MatMul", [query, heads(k, [0, 2, 3, 1])]), bias]);
    const weights = this.g.op("Softmax", [scores], { axis: -1 });
    const context = this.g.op("MatMul", [weights, heads(v, [0, 2, 1, 3])]);
    const merged = this.g.op("Reshape", [
      this.g.op("Transpose", [context], { perm: [0, 2, 1, 3] }),
      this.ints([-1, dim]),
    ]);
    return this.dense(
      merged,
      this.t.float(`${kernels}output_transform_single/kernel/part_0`, [1, 1, dim, 512]),
      this.t.float(`${own}output_transform_single/bias/ConcatPartitions/concat`, [512]),
      dim,
      512,
    );
  }

  /** h + FFN(LN(h)) for layer `layer` (512 → 1536 → 512, ReLU). */
  feedForward(h: string, layer: number): string {
    const own = `${APPLY}Encode/Layer_${layer}/TransformerLayer/FFN/`;
    const stack = `${STACK}Layer_${layer}/TransformerLayer/FFN/`;
    const normed = this.layerNorm(h, `${own}layer_prepostprocess/`, 512);
    const inner = this.dense(
      normed,
      this.t.float(`${stack}conv1/Tensordot/Reshape_1`, [512, 1536]),
      this.t.float(`${own}conv1/bias/ConcatPartitions/concat`, [1536]),
      512,
      1536,
    );
    const out = this.dense(
      this.g.op("Relu", [inner]),
      this.t.float(`${stack}conv2/Tensordot/Reshape_1`, [1536, 512]),
      this.t.float(`${own}conv2/bias/ConcatPartitions/concat`, [512]),
      1536,
      512,
    );
    return this.g.op("Add", [out, h]);
  }

  /** Layer 0: 256 wide in, its residual projected to 512 by a dense layer. */
  layer0(x: string, bias: string): string {
    const own = `${APPLY}Encode/Layer_0/TransformerLayer/`;
    const residual = this.dense(
      x,
      this.t.float(`${own}dense/kernel/ConcatPartitions/concat`, [256, 512]),
      this.t.float(`${own}dense/bias/ConcatPartitions/concat`, [512]),
      256,
      512,
    );
    const attended = this.attention(this.layerNorm(x, `${own}layer_prepostprocess/`, 256), bias, 0, 256);
    return this.feedForward(this.g.op("Add", [attended, residual]), 0);
  }

  layer1(h: string, bias: string): string {
    const own = `${APPLY}Encode/Layer_1/TransformerLayer/`;
    const attended = this.attention(this.layerNorm(h, `${own}layer_prepostprocess/`, 512), bias, 1, 512);
    return this.feedForward(this.g.op("Add", [attended, h]), 1);
  }

  /** Mean over each text's tokens, then the tanh layer. */
  head(h: string, mask: string): string {
    const texts = this.g.op("Reshape", [
      h,
      this.g.op("Concat", [this.batchShape, this.ints([512])], { axis: 0 }),
    ]);
    const summed = this.g.op("MatMul", [this.g.op("Unsqueeze", [mask, this.ints([1])]), texts]);
    const count = this.g.op("ReduceSum", [mask, this.ints([1])], { keepdims: 1 });
    const divisor = this.g.op("Max", [count, this.weight(new Float32Array([1]), [])]);
    const mean = this.g.op("Div", [this.g.op("Squeeze", [summed, this.ints([1])]), divisor]);
    const projected = this.dense(
      mean,
      this.t.float(`${HEAD}weights`, [512, 512]),
      this.t.float(`${HEAD}bias`, [512]),
      512,
      512,
    );
    return this.g.op("Tanh", [projected]);
  }
}

/** Builds the ONNX model bytes of USE-lite from its TF.js weights (by name, shapes checked). */
export function buildUseLiteGraph(weights: ReadonlyMap<string, UseLiteWeight>): Uint8Array {
  const e = new UseLiteEmitter(weights);
  e.g.input("ids", "int32", ["batch", "len"]).input("mask", "float32", ["batch", "len"]);
  const bias = e.attentionBias("mask");
  const h = e.layer1(e.layer0(e.embed("ids"), bias), bias);
  e.g.node("Identity", [e.head(h, "mask")], ["embedding"]);
  e.g.output("embedding", "float32", ["batch", USE_LITE_DIM]);
  return e.g.toBytes({ opset: 17 });
}
