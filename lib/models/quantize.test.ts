import * as ort from "onnxruntime-node";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { buildBertModel, randomBertWeights } from "../../bench/fixtures/bert-graph.js";
import { throwsInvalid } from "../../test/helpers/errors.js";
import { MINILM_VOCAB_TOY_BERT } from "../../test/helpers/tiny-bert.js";
import { isSiglaError } from "../errors.js";
import { fromFloat16Bits as float16Value } from "../llm/gguf-format.js";
import { encodeTensor } from "../onnx/onnx-encode.js";
import { type OnnxTensor, readOnnxModel, tensorFloat32 } from "../onnx/onnx-reader.js";
import { attr, OnnxGraphBuilder } from "../onnx/onnx-writer.js";
import { ProtoWriter } from "../onnx/proto-writer.js";
import { quantizeOnnx } from "./quantize.js";
import { tokenEmbeddings } from "./token-embeddings.js";
import { float16Bits } from "./weight-codecs.js";

ort.env.logLevel = "error"; // the graph-input initializer below draws a warning on purpose

const CONFIG = MINILM_VOCAB_TOY_BERT;
const weights = randomBertWeights(CONFIG, { seed: 5 });
const bert = buildBertModel(CONFIG, weights);

function floats(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

async function run(
  bytes: Uint8Array,
  feeds: Record<string, ort.Tensor>,
  output: string,
): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    return (await session.run(feeds))[output].data as Float32Array;
  } finally {
    await session.release();
  }
}

function bertFeeds(): Record<string, ort.Tensor> {
  const ids = BigInt64Array.from([101n, 7592n, 2088n, 2003n, 1037n, 3231n, 102n, 0n]);
  const mask = BigInt64Array.from([1n, 1n, 1n, 1n, 1n, 1n, 1n, 0n]);
  return {
    input_ids: new ort.Tensor("int64", ids, [2, 4]),
    attention_mask: new ort.Tensor("int64", mask, [2, 4]),
    token_type_ids: new ort.Tensor("int64", new BigInt64Array(8), [2, 4]),
  };
}

function cosine(a: Float32Array, b: Float32Array): number {
  let [dot, na, nb] = [0, 0, 0];
  for (let i = 0; i < a.length; i++) [dot, na, nb] = [dot + a[i] * b[i], na + a[i] ** 2, nb + b[i] ** 2];
  return dot / Math.sqrt(na * nb);
}

/** The model with one more float32 initializer appended to its graph. */
function withInitializer(model: Uint8Array, name: string, dims: number[], data: Float32Array): Uint8Array {
  const parsed = readOnnxModel(model);
  const graph = new ProtoWriter();
  for (const f of parsed.graph.fields) graph.raw(f.encoded);
  graph.message(5, encodeTensor({ type: "float32", dims, data }, name));
  const out = new ProtoWriter();
  for (const f of parsed.fields) f.field === 7 ? out.message(7, graph) : out.raw(f.encoded);
  return out.finish();
}

const byName = (bytes: Uint8Array) =>
  new Map(readOnnxModel(bytes).graph.initializers.map((t): [string, OnnxTensor] => [t.name, t]));

function int8(t: OnnxTensor | undefined): Int8Array {
  assert.ok(t?.raw, "int8 tensor with raw_data");
  return new Int8Array(new Uint8Array(t.raw).buffer);
}

test("8-bit: a toy BERT shrinks to ≤ 30%, per-channel and per-row scales reproduce every weight", async () => {
  const { bytes, report } = quantizeOnnx(bert, 8);
  assert.ok(report.bytesAfter / report.bytesBefore <= 0.3, `ratio ${report.bytesAfter / report.bytesBefore}`);
  assert.is(report.bytesBefore, bert.length);
  assert.is(report.bytesAfter, bytes.length);
  // 6 matrices a layer, the word and token-type tables; not the Slice-read position table, nor 1-D biases.
  assert.is(report.quantized.length, 2 * 6 + 2);
  const before = byName(bert);
  const after = byName(bytes);
  const words = [...before.keys()].find((n) => n.startsWith("word_embeddings"));
  assert.ok(words && report.quantized.includes(words));
  assert.not.ok(report.quantized.some((n) => n.startsWith("position_embeddings")));
  for (const [name, t] of before) {
    if (!report.quantized.includes(name)) assert.equal(after.get(name)?.field.encoded, t.field.encoded, name);
  }
  // Each table row dequantises to within half a step of the original.
  const table = tensorFloat32(before.get(words) as OnnxTensor, "m");
  const q = int8(after.get(`${words}_quantized`));
  const scales = tensorFloat32(after.get(`${words}_scale`) as OnnxTensor, "m");
  assert.equal(after.get(`${words}_scale`)?.dims, [CONFIG.vocabSize, 1]);
  for (let i = 0; i < table.length; i++) {
    const step = scales[Math.floor(i / CONFIG.hiddenSize)];
    if (Math.abs(q[i] * step - table[i]) > step / 2 + 1e-9) assert.unreachable(`row value ${i}`);
  }
  const { graph } = readOnnxModel(bytes);
  const dequantize = graph.nodes.filter((n) => n.opType === "DequantizeLinear");
  assert.is(dequantize.length, 12);
  assert.ok(dequantize.every((n) => n.attributes.find((a) => a.name === "axis")?.int === 1));
  assert.ok(graph.nodes.every((n) => !(n.opType === "Gather" && n.inputs[0] === words)));

  const expected = await run(bert, bertFeeds(), "last_hidden_state");
  const actual = await run(bytes, bertFeeds(), "last_hidden_state");
  assert.ok(cosine(expected, actual) > 0.999, `cosine ${cosine(expected, actual)}`);
});

test("16-bit: a toy BERT shrinks to ≤ 55% and runs with float16 weights cast back", async () => {
  const { bytes, report } = quantizeOnnx(bert, 16);
  assert.ok(
    report.bytesAfter / report.bytesBefore <= 0.55,
    `ratio ${report.bytesAfter / report.bytesBefore}`,
  );
  assert.is(report.quantized.length, 14);
  const { graph } = readOnnxModel(bytes);
  assert.is(graph.initializers.filter((t) => t.dataType === 10).length, 14);
  const expected = await run(bert, bertFeeds(), "last_hidden_state");
  const actual = await run(bytes, bertFeeds(), "last_hidden_state");
  assert.ok(cosine(expected, actual) > 0.99999, `cosine ${cosine(expected, actual)}`);
  // A Node Buffer that is a view into a larger pool quantises the same (its slice() does not copy).
  const pooled = Buffer.concat([Buffer.alloc(3), bert]).subarray(3);
  assert.equal(quantizeOnnx(pooled, 16).bytes, bytes);
  // Quantising again finds no float32 weight left to change.
  assert.equal(quantizeOnnx(bytes, 16).report.quantized, []);
});

test("Gemm with transB takes axis 0, opset 12 falls back to one scale, other consumers block a weight", async () => {
  const build = (opset: number) => {
    const g = new OnnxGraphBuilder("mixed");
    g.input("x", "float32", ["batch", 8]);
    g.input("bias_in", "float32", [4, 8]);
    g.initializer("wt", "float32", [6, 8], floats(48, 1)); // Gemm B, transposed: 6 output channels
    g.initializer("shared", "float32", [8, 8], floats(64, 2)); // MatMul and Add read it
    g.node("Gemm", ["x", "wt"], ["y"], { transB: 1, alpha: attr.float(1) });
    g.node("MatMul", ["x", "shared"], ["m"]);
    g.node("Add", ["shared", "shared"], ["s"]);
    g.node("Gemm", ["x", "bias_in"], ["z"], { transB: 1, alpha: attr.float(1) });
    g.output("y", "float32", ["batch", 6]);
    g.output("s", "float32", [8, 8]);
    g.output("z", "float32", ["batch", 4]);
    // "bias_in" is a graph input with a default: an initializer too (IR < 4 style), so it stays float32.
    return withInitializer(g.toBytes({ opset }), "bias_in", [4, 8], floats(32, 3));
  };
  const x = { x: new ort.Tensor("float32", floats(24, 9), [3, 8]) };
  for (const opset of [17, 12]) {
    const original = build(opset);
    const { bytes, report } = quantizeOnnx(original, 8);
    assert.equal(report.quantized, ["wt"]);
    const node = readOnnxModel(bytes).graph.nodes.find((n) => n.opType === "DequantizeLinear");
    const axis = node?.attributes.find((a) => a.name === "axis")?.int;
    assert.is(axis, opset >= 13 ? 0 : undefined);
    assert.equal(byName(bytes).get("wt_scale")?.dims, opset >= 13 ? [6] : []);
    const expected = await run(original, x, "y");
    const actual = await run(bytes, x, "y");
    for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(expected[i] - actual[i]) < 0.05);
  }
});

test("fields the rewrite does not model are copied byte for byte", () => {
  const extra = new ProtoWriter()
    .string(6, "doc string of the model")
    .message(14, new ProtoWriter().string(1, "key").string(2, "value"))
    .finish();
  const model = new Uint8Array(bert.length + extra.length);
  model.set(bert);
  model.set(extra, bert.length); // concatenated messages merge, so these fields join the model
  const { bytes } = quantizeOnnx(model, 8);
  const fields = readOnnxModel(bytes).fields;
  assert.equal(
    fields.filter((f) => f.field !== 7).map((f) => f.encoded),
    readOnnxModel(model)
      .fields.filter((f) => f.field !== 7)
      .map((f) => f.encoded),
  );
});

test("float16 bits: exact values, round to nearest even, saturate instead of overflowing", () => {
  const cases: [number, number][] = [
    [0, 0],
    [1, 0x3c00],
    [-2, 0xc000],
    [65504, 0x7bff],
    [1e6, 0x7bff],
    [2 ** -24, 1],
    [2 ** -25, 0], // halfway to the smallest subnormal: even is 0
    [1 + 2 ** -11, 0x3c00], // halfway between 1 and the next half: even is 1
    [0.1, 0x2e66],
    [Number.POSITIVE_INFINITY, 0x7c00],
  ];
  for (const [value, bits] of cases) assert.is(float16Bits(value), bits, String(value));
  assert.ok(Number.isNaN(float16Value(float16Bits(Number.NaN))));
  for (const v of floats(1000, 4)) assert.ok(Math.abs(float16Value(float16Bits(v)) - v) <= 2 ** -12);
});

test("tokenEmbeddings returns the table the fixture wrote; by name when no Gather reads input_ids", () => {
  const table = tokenEmbeddings(bert);
  assert.is(table.rows, CONFIG.vocabSize);
  assert.is(table.dim, CONFIG.hiddenSize);
  assert.ok(table.name.startsWith("word_embeddings"));
  assert.equal(table.values, weights.wordEmbeddings);

  const g = new OnnxGraphBuilder("named");
  g.input("ids", "int64", [1]);
  g.initializer("model.embed_tokens.weight", "float32", [4, 2], floats(8, 6));
  g.node("Gather", ["model.embed_tokens.weight", "ids"], ["e"]);
  g.output("e", "float32", [1, 2]);
  assert.is(tokenEmbeddings(g.toBytes()).name, "model.embed_tokens.weight");
});

test("no float32 token table, damaged bytes and bad bits give clear errors", () => {
  const codeOf = (fn: () => unknown): string => {
    try {
      fn();
    } catch (error) {
      assert.ok(isSiglaError(error), String(error));
      return `${error.code}: ${error.message}`;
    }
    return "returned";
  };
  const quantized = quantizeOnnx(bert, 8).bytes;
  assert.match(
    codeOf(() => tokenEmbeddings(quantized, "q.onnx")),
    /SIGLA_MODEL_INVALID: q\.onnx has no full-precision token/,
  );
  assert.match(
    codeOf(() => quantizeOnnx(bert.slice(0, bert.length >> 1), 8, "cut.onnx")),
    /SIGLA_MODEL_INVALID: cut\.onnx/,
  );
  assert.match(
    codeOf(() => tokenEmbeddings(new TextEncoder().encode("not protobuf at all"))),
    /SIGLA_MODEL_INVALID/,
  );
  throwsInvalid(() => quantizeOnnx(bert, 4 as 8), /8 or 16/);
});

test.run();
