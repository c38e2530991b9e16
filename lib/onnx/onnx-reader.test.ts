import { test } from "uvu";
import * as assert from "uvu/assert";
import { throwsCode } from "../../test/helpers/errors.js";
import { readFields, readOnnxModel, subgraphReads, tensorFloat32 } from "./onnx-reader.js";
import { OnnxGraphBuilder } from "./onnx-writer.js";
import { ProtoWriter } from "./proto-writer.js";

function smallModel(): Uint8Array {
  const g = new OnnxGraphBuilder("small");
  g.input("x", "float32", ["batch", 3]);
  g.initializer("w", "float32", [3, 2], Float32Array.from([1, -2, 3.5, 4, -5, 6]));
  g.initializer("shape", "int64", [2], [-1n, 2n]);
  g.node("MatMul", ["x", "w"], ["y"], {}, { name: "project" });
  g.node("Softmax", ["y"], ["p"], { axis: -1 });
  g.node("Reshape", ["p", "shape"], ["out"]);
  g.output("out", "float32", ["batch", 2]);
  return g.toBytes({ opset: 17, domains: { "com.microsoft": 1 } });
}

/** Asserts `fn` throws a ModelError SIGLA_MODEL_INVALID whose message matches `mentions`. */
function throwsModelInvalid(fn: () => unknown, mentions: RegExp): void {
  throwsCode(fn, "SIGLA_MODEL_INVALID", mentions);
}

test("a written model reads back: nodes, attributes, initializers, interface names, opsets", () => {
  const model = readOnnxModel(smallModel());
  const { graph } = model;
  assert.equal(
    graph.nodes.map((n) => [n.opType, n.name, n.inputs, n.outputs, n.domain]),
    [
      ["MatMul", "project", ["x", "w"], ["y"], ""],
      ["Softmax", "Softmax_1", ["y"], ["p"], ""],
      ["Reshape", "Reshape_2", ["p", "shape"], ["out"], ""],
    ],
  );
  const axis = graph.nodes[1].attributes[0];
  assert.equal([axis.name, axis.type, axis.int], ["axis", 2, -1]); // a negative int64 varint
  assert.equal(
    graph.initializers.map((t) => [t.name, t.dims, t.dataType]),
    [
      ["w", [3, 2], 1],
      ["shape", [2], 7],
    ],
  );
  assert.equal([...tensorFloat32(graph.initializers[0], "m")], [1, -2, 3.5, 4, -5, 6]);
  assert.equal(graph.inputs, ["x"]);
  assert.equal(graph.outputs, ["out"]);
  assert.equal(
    [...model.opsets],
    [
      ["", 17],
      ["com.microsoft", 1],
    ],
  );
});

test("fields keep their exact bytes: re-joining them reproduces the model", () => {
  const bytes = smallModel();
  const model = readOnnxModel(bytes);
  const top = new ProtoWriter();
  for (const f of model.fields) top.raw(f.encoded);
  assert.equal(top.finish(), bytes);
  const graphField = model.fields.find((f) => f.field === 7);
  const graph = new ProtoWriter();
  for (const f of model.graph.fields) graph.raw(f.encoded);
  assert.equal(graph.finish(), graphField?.data);
});

test("float_data (packed or one value per field) and packed dims are read like raw_data", () => {
  const packed = new ProtoWriter();
  const values = new Uint8Array(new Float32Array([0.5, -1.5]).buffer);
  packed
    .bytes(1, Uint8Array.from([2, 1]))
    .int(2, 1)
    .bytes(4, values)
    .string(8, "a");
  const unpacked = new ProtoWriter().int(1, 2).int(2, 1).float(4, 0.5).float(4, -1.5).string(8, "b");
  const graph = new ProtoWriter().message(5, packed).message(5, unpacked);
  const model = new ProtoWriter().int(1, 8).message(7, graph).finish();
  for (const t of readOnnxModel(model).graph.initializers) {
    assert.equal(t.dims, t.name === "a" ? [2, 1] : [2]);
    assert.equal([...tensorFloat32(t, "m")], [0.5, -1.5]);
  }
});

test("names read inside subgraphs (an If branch) are found", () => {
  const branch = new ProtoWriter().message(
    1,
    new ProtoWriter().string(1, "outer_weight").string(2, "z").string(4, "Identity"),
  );
  const attribute = new ProtoWriter().string(1, "then_branch").message(6, branch).int(20, 5);
  const ifNode = new ProtoWriter().string(1, "cond").string(2, "r").string(4, "If").message(5, attribute);
  const model = new ProtoWriter().message(7, new ProtoWriter().message(1, ifNode)).finish();
  const { graph } = readOnnxModel(model);
  assert.equal([...subgraphReads(graph.nodes[0], "m")], ["outer_weight"]);
});

test("external data is refused with a clear error", () => {
  const location = new ProtoWriter().string(1, "location").string(2, "weights.bin");
  const tensor = new ProtoWriter().int(1, 4).int(2, 1).string(8, "big").message(13, location).int(14, 1);
  const model = new ProtoWriter().message(7, new ProtoWriter().message(5, tensor)).finish();
  throwsModelInvalid(() => readOnnxModel(model, "x.onnx"), /x\.onnx.*"big".*external data is not supported/);
});

test("damaged bytes give SIGLA_MODEL_INVALID naming the source, never a crash", () => {
  const bytes = smallModel();
  throwsModelInvalid(() => readOnnxModel(new Uint8Array(0), "m.onnx"), /m\.onnx.*empty/);
  throwsModelInvalid(() => readOnnxModel(new TextEncoder().encode('{"not": "onnx"}'), "m.onnx"), /m\.onnx/);
  throwsModelInvalid(() => readOnnxModel(new ProtoWriter().int(1, 8).finish()), /no graph/);
  // Cut inside the graph: always an error. Cut anywhere: an error or a (shorter) readable model.
  const graphEnd = readOnnxModel(bytes).fields.find((f) => f.field === 7)?.encoded;
  assert.ok(graphEnd);
  const end = graphEnd.byteOffset - bytes.byteOffset + graphEnd.length;
  for (let cut = 1; cut < bytes.length; cut++) {
    const damaged = bytes.slice(0, cut);
    if (cut < end) throwsModelInvalid(() => readOnnxModel(damaged), /not a readable ONNX model/);
    else {
      try {
        readOnnxModel(damaged);
      } catch (error) {
        assert.is((error as { code?: string }).code, "SIGLA_MODEL_INVALID");
      }
    }
  }
  let seed = 7;
  for (let round = 0; round < 300; round++) {
    const noise = Uint8Array.from({ length: 64 + round }, () => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed >>> 24;
    });
    try {
      readOnnxModel(noise);
    } catch (error) {
      assert.is((error as { code?: string }).code, "SIGLA_MODEL_INVALID", String(error));
    }
  }
});

test("readFields rejects group wire types and varints that never end", () => {
  throwsModelInvalid(() => readFields(Uint8Array.from([0x0b]), "m"), /wire type 3/);
  throwsModelInvalid(() => readFields(new Uint8Array(11).fill(0xff), "m"), /varint/);
  throwsModelInvalid(() => readFields(Uint8Array.from([0x0a, 0x05, 1]), "m"), /runs past the end/);
});

test.run();
