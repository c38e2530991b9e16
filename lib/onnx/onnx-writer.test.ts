import * as ort from "onnxruntime-node";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  type BertConfig,
  type BertWeights,
  buildBertModel,
  randomBertWeights,
} from "../../bench/fixtures/bert-graph.js";
import { throwsInvalid } from "../../test/helpers/errors.js";
import { attr, OnnxGraphBuilder } from "./onnx-writer.js";

/** Deterministic pseudo-random floats in [-1, 1). */
function floats(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

async function run(
  bytes: Uint8Array,
  feeds: Record<string, ort.Tensor>,
): Promise<ort.InferenceSession.ReturnType> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance = 1e-5): void {
  assert.is(actual.length, expected.length, "length");
  for (let i = 0; i < expected.length; i++) {
    if (Math.abs(actual[i] - expected[i]) > tolerance) {
      assert.unreachable(`index ${i}: got ${actual[i]}, expected ${expected[i]}`);
    }
  }
}

test("Gemm + TopK: scores and best indices match a JS dot product", async () => {
  const dim = 16;
  const rows = 10;
  const batch = 3;
  const k = 4;
  const matrix = floats(rows * dim, 1);
  const queries = floats(batch * dim, 2);

  const g = new OnnxGraphBuilder("gemm-topk");
  g.input("q", "float32", ["batch", dim]);
  g.initializer("x", "float32", [rows, dim], matrix);
  g.initializer("k", "int64", [1], [k]);
  g.node("Gemm", ["q", "x"], ["s"], { transB: 1, alpha: attr.float(1) });
  g.node("TopK", ["s", "k"], ["values", "indices"], { axis: -1, largest: 1, sorted: 1 });
  g.output("values", "float32", ["batch", k]);
  g.output("indices", "int64", ["batch", k]);
  g.output("s", "float32", ["batch", rows]);
  const out = await run(g.toBytes({ opset: 17 }), { q: new ort.Tensor("float32", queries, [batch, dim]) });

  const scores = new Float32Array(batch * rows);
  for (let b = 0; b < batch; b++) {
    for (let r = 0; r < rows; r++) {
      let sum = 0;
      for (let d = 0; d < dim; d++) sum += queries[b * dim + d] * matrix[r * dim + d];
      scores[b * rows + r] = sum;
    }
  }
  assertClose(out.s.data as Float32Array, scores);
  assert.equal(out.values.dims, [batch, k]);
  for (let b = 0; b < batch; b++) {
    const row = Array.from(scores.subarray(b * rows, (b + 1) * rows));
    const order = row.map((v, i) => [v, i]).sort((a, c) => c[0] - a[0]);
    const indices = Array.from(out.indices.data as BigInt64Array).slice(b * k, (b + 1) * k);
    assert.equal(
      indices.map(Number),
      order.slice(0, k).map(([, i]) => i),
    );
    assertClose(
      (out.values.data as Float32Array).slice(b * k, (b + 1) * k),
      order.slice(0, k).map(([v]) => v),
    );
  }
});

test("Gather: int64 ids index an embedding table", async () => {
  const table = floats(6 * 3, 3);
  const g = new OnnxGraphBuilder("gather");
  g.input("ids", "int64", ["batch", "seq"]);
  g.initializer("table", "float32", [6, 3], table);
  g.node("Gather", ["table", "ids"], ["rows"], { axis: 0 });
  g.output("rows", "float32", ["batch", "seq", 3]);
  const ids = BigInt64Array.from([5n, 0n, 2n, 2n, 1n, 4n]);
  const out = await run(g.toBytes(), { ids: new ort.Tensor("int64", ids, [2, 3]) });
  assert.equal(out.rows.dims, [2, 3, 3]);
  const expected = Array.from(ids).flatMap((id) =>
    Array.from(table.subarray(Number(id) * 3, Number(id) * 3 + 3)),
  );
  assertClose(out.rows.data as Float32Array, expected);
});

test("Add with a broadcast initializer, Cast from an int32 initializer, Concat on a negative axis", async () => {
  const g = new OnnxGraphBuilder("add");
  g.input("a", "float32", [2, 3]);
  g.initializer("bias", "float32", [3], [0.5, -1, 2]);
  g.initializer("offsets", "int32", [2, 1], Int32Array.from([-7, 100000]));
  const sum = g.op("Add", ["a", "bias"]);
  const offsets = g.op("Cast", ["offsets"], { to: 1 });
  g.node("Concat", [sum, offsets], ["out"], { axis: -1 });
  g.output("out", "float32", [2, 4]);
  const a = Float32Array.from([1, 2, 3, 4, 5, 6]);
  const out = await run(g.toBytes({ opset: 13 }), { a: new ort.Tensor("float32", a, [2, 3]) });
  assert.equal(out.out.dims, [2, 4]);
  assertClose(out.out.data as Float32Array, [1.5, 1, 5, -7, 4.5, 4, 8, 100000]);
});

test("Constant nodes carry float, int, floats, ints, string and tensor attributes", async () => {
  const g = new OnnxGraphBuilder("constants");
  g.node("Constant", [], ["f"], { value_float: attr.float(2.5) });
  g.node("Constant", [], ["i"], { value_int: -3 });
  g.node("Constant", [], ["fs"], { value_floats: [0.25, -1.5, 3] });
  g.node("Constant", [], ["is"], { value_ints: [1, -2, 2 ** 40] });
  g.node("Constant", [], ["s"], { value_string: "héllo" });
  g.node("Constant", [], ["t"], {
    value: attr.tensor("int64", [2, 2], BigInt64Array.from([1n, -1n, 9n, -(2n ** 50n)])),
  });
  g.node("Constant", [], ["u"], { value: attr.tensor("uint8", [3], [0, 128, 255]) });
  g.output("f", "float32", []);
  g.output("i", "int64", []);
  g.output("fs", "float32", [3]);
  g.output("is", "int64", [3]);
  g.output("s", "float32");
  g.output("t", "int64", [2, 2]);
  g.output("u", "uint8", [3]);
  const out = await run(g.toBytes({ opset: 17 }), {});
  assertClose(out.f.data as Float32Array, [2.5]);
  assert.equal(Array.from(out.i.data as BigInt64Array), [-3n]);
  assertClose(out.fs.data as Float32Array, [0.25, -1.5, 3]);
  assert.equal(Array.from(out.is.data as BigInt64Array), [1n, -2n, 2n ** 40n]);
  assert.equal(out.s.data, ["héllo"]);
  assert.equal(Array.from(out.t.data as BigInt64Array), [1n, -1n, 9n, -(2n ** 50n)]);
  assert.equal(Array.from(out.u.data as Uint8Array), [0, 128, 255]);
});

test("attribute strings and symbolic dims encode; a large initializer round-trips through MatMul", async () => {
  const rows = 384;
  const cols = 700; // > 2^18 floats, so lengths need multi-byte varints
  const weights = floats(rows * cols, 4);
  const g = new OnnxGraphBuilder("big");
  g.input("x", "float32", ["n", rows]);
  g.initializer("w", "float32", [rows, cols], weights);
  const y = g.op("MatMul", ["x", "w"]);
  g.node("ReduceSum", [y], ["sum"], { keepdims: 0, axes: [1] });
  g.output("sum", "float32", ["n"]);
  const x = floats(2 * rows, 5);
  const out = await run(g.toBytes({ opset: 12 }), { x: new ort.Tensor("float32", x, [2, rows]) });
  const expected = [0, 1].map((n) => {
    let total = 0;
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < cols; c++) total += x[n * rows + r] * weights[r * cols + c];
    return total;
  });
  assertClose(out.sum.data as Float32Array, expected, 1e-2);
});

test("custom domains need an opset import and are written with it", async () => {
  const g = new OnnxGraphBuilder("gelu");
  g.input("x", "float32", [3]);
  g.node("Gelu", ["x"], ["y"], {}, { domain: "com.microsoft" });
  g.output("y", "float32", [3]);
  throwsInvalid(() => g.toBytes(), /domain "com.microsoft"/);
  const out = await run(g.toBytes({ domains: { "com.microsoft": 1 } }), {
    x: new ort.Tensor("float32", Float32Array.from([-1, 0, 2]), [3]),
  });
  assertClose(out.y.data as Float32Array, [-0.158655, 0, 1.9545], 1e-4);
});

test("invalid graphs are rejected with InvalidInputError", () => {
  const g = new OnnxGraphBuilder("bad");
  g.input("a", "float32", [2]);
  throwsInvalid(() => g.input("a", "float32", [2]), /defined twice/);
  throwsInvalid(() => g.initializer("w", "float32", [2, 2], [1, 2, 3]), /has 3 values/);
  throwsInvalid(() => g.initializer("w", "int64", [2], Float32Array.from([1, 2])), /Float32Array/);
  throwsInvalid(() => g.initializer("w", "int32", [1], [0.5]), /non-integer/);
  throwsInvalid(() => g.input("b", "float32", [-1]), /invalid dimension/);
  g.node("Add", ["a", "missing"], ["c"]);
  g.output("c", "float32", [2]);
  throwsInvalid(() => g.toBytes(), /reads "missing" before it is defined/);

  const h = new OnnxGraphBuilder("no-output");
  h.input("a", "float32", [2]);
  h.output("z", "float32", [2]);
  throwsInvalid(() => h.toBytes(), /never produced/);
});

test("fresh names never collide with declared ones", () => {
  const g = new OnnxGraphBuilder("names");
  g.input("add_0", "float32", [1]);
  const first = g.op("Add", ["add_0", "add_0"]);
  const second = g.op("Add", [first, first]);
  assert.not.equal(first, "add_0");
  assert.not.equal(first, second);
});

// ---------------------------------------------------------------------------------------------------
// The largest graph we write: a whole BERT encoder (bert-graph.ts), checked against a JS forward pass.
// ---------------------------------------------------------------------------------------------------

/** erf by Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7), enough for a 1e-4 comparison. */
function erf(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-x * x);
  return x >= 0 ? y : -y;
}

/** rows[n][in] · W[in][out] + b */
function dense(rows: number[][], w: Float32Array, b: Float32Array, out: number): number[][] {
  return rows.map((row) =>
    Array.from({ length: out }, (_, o) => row.reduce((sum, v, i) => sum + v * w[i * out + o], b[o])),
  );
}

function layerNorm(rows: number[][], eps: number): number[][] {
  return rows.map((row) => {
    const mean = row.reduce((a, b) => a + b, 0) / row.length;
    const variance = row.reduce((a, b) => a + (b - mean) ** 2, 0) / row.length;
    return row.map((v) => (v - mean) / Math.sqrt(variance + eps)); // scale 1, bias 0 in random weights
  });
}

/** BertModel forward pass for one sequence, straight from the transformers source. */
function bertReference(
  c: BertConfig,
  w: BertWeights,
  ids: number[],
  mask: number[],
  types: number[],
): number[][] {
  const h = c.hiddenSize;
  const hd = h / c.numHeads;
  const row = (table: Float32Array, i: number) => Array.from(table.subarray(i * h, (i + 1) * h));
  let x = layerNorm(
    ids.map((id, t) =>
      row(w.wordEmbeddings, id).map(
        (v, k) => v + row(w.positionEmbeddings, t)[k] + row(w.tokenTypeEmbeddings, types[t])[k],
      ),
    ),
    c.layerNormEps,
  );
  for (const l of w.layers) {
    const [q, k, v] = [
      dense(x, l.query, l.queryBias, h),
      dense(x, l.key, l.keyBias, h),
      dense(x, l.value, l.valueBias, h),
    ];
    const context = x.map(() => new Array<number>(h).fill(0));
    for (let head = 0; head < c.numHeads; head++) {
      const cols = Array.from({ length: hd }, (_, j) => head * hd + j);
      for (let i = 0; i < ids.length; i++) {
        const scores = ids.map((_, j) =>
          mask[j] ? cols.reduce((s, col) => s + q[i][col] * k[j][col], 0) / Math.sqrt(hd) : -Infinity,
        );
        const max = Math.max(...scores);
        const exps = scores.map((s) => Math.exp(s - max));
        const total = exps.reduce((a, b) => a + b, 0);
        for (const col of cols) context[i][col] = exps.reduce((s, e, j) => s + (e / total) * v[j][col], 0);
      }
    }
    const attended = dense(context, l.attentionOut, l.attentionOutBias, h);
    x = layerNorm(
      attended.map((r, i) => r.map((val, j) => val + x[i][j])),
      c.layerNormEps,
    );
    const inner = dense(x, l.intermediate, l.intermediateBias, c.intermediateSize).map((r) =>
      r.map((val) => 0.5 * val * (1 + erf(val / Math.SQRT2))),
    );
    const out = dense(inner, l.output, l.outputBias, h);
    x = layerNorm(
      out.map((r, i) => r.map((val, j) => val + x[i][j])),
      c.layerNormEps,
    );
  }
  return x;
}

test("a BERT encoder built from ONNX ops matches a JS forward pass (padding, token types, biases)", async () => {
  const config: BertConfig = {
    vocabSize: 20,
    hiddenSize: 8,
    numLayers: 2,
    numHeads: 2,
    intermediateSize: 12,
    maxPositions: 6,
    typeVocabSize: 2,
    layerNormEps: 1e-12,
  };
  // Large weights and biases so attention is far from uniform and every term matters.
  const weights = randomBertWeights(config, { seed: 42, std: 0.5, biasStd: 0.3 });
  const ids = [
    [2, 7, 11, 5, 3],
    [2, 9, 3, 0, 0],
  ];
  const mask = ids.map((r) => r.map((id) => (id === 0 ? 0 : 1)));
  const types = [
    [0, 0, 0, 1, 1],
    [0, 0, 0, 0, 0],
  ];
  const tensor = (rows: number[][]) =>
    new ort.Tensor("int64", BigInt64Array.from(rows.flat(), BigInt), [2, 5]);
  const feeds = { input_ids: tensor(ids), attention_mask: tensor(mask), token_type_ids: tensor(types) };

  const out = await run(buildBertModel(config, weights), feeds);
  assert.equal(out.last_hidden_state.dims, [2, 5, 8]);
  const expected = ids.flatMap((r, b) => bertReference(config, weights, r, mask[b], types[b]).flat());
  assertClose(out.last_hidden_state.data as Float32Array, expected, 1e-4);

  // The int8 variant approximates the float one (dynamic quantisation error only).
  const quantized = await run(buildBertModel(config, weights, { quantize: true }), feeds);
  assertClose(quantized.last_hidden_state.data as Float32Array, expected, 0.25);
});

test.run();
