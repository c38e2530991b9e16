/**
 * Weight quantisation of an ONNX model, as a surgical rewrite of its ModelProto (see lib/onnx/onnx-reader):
 * only the chosen initializers and the nodes that read them are re-encoded; every other field is copied
 * byte for byte, so whatever the exporter wrote and we do not model survives. Fast on a 90 MB model (the
 * untouched weights are referenced, never decoded), and no onnx.proto is needed.
 *
 * Which weights: float32 initializers with ≥ 2 dims whose every consumer is MatMul (input 1), Gemm
 * (input 1) or Gather (input 0, axis 0), that are not graph inputs or outputs and not read inside a
 * subgraph. Graph inputs and outputs keep their types.
 * - A weight read by MatMul/Gemm is replaced by its int8 (or fp16) form plus a DequantizeLinear (or Cast)
 *   node named after the original initializer and put first in the node list, so consumers are unchanged.
 * - A table only read by Gather (token embeddings: half of MiniLM's weights) is gathered quantised, each
 *   such Gather becoming Gather(int8 table) → Cast → Mul by Gather(row scales), or Gather(fp16) → Cast, so
 *   the whole table is never dequantised per run.
 */
import { InvalidInputError } from "../errors.js";
import { encodeNode } from "../onnx/onnx-encode.js";
import {
  type OnnxModel,
  type OnnxNode,
  type OnnxTensor,
  readOnnxModel,
  subgraphReads,
  TENSOR_TYPE,
  tensorFloat32,
} from "../onnx/onnx-reader.js";
import type { NodeSpec, TypedAttribute } from "../onnx/onnx-types.js";
import { ProtoWriter } from "../onnx/proto-writer.js";
import { quantizeInt8, toFloat16Bytes } from "./weight-codecs.js";

/** Quantisation width: 8 (int8 weights, per output channel) or 16 (float16 weights). */
export type QuantBits = 8 | 16;

/** What {@link quantizeOnnx} changed. */
export interface QuantizeReport {
  bits: QuantBits;
  /** Names of the initializers stored quantised. */
  quantized: string[];
  /** Size of the model before and after, in bytes. */
  bytesBefore: number;
  bytesAfter: number;
}

/** How one weight is rewritten: gathered quantised, or dequantised once along `axis` (undefined: per tensor). */
type Plan = { kind: "gather" } | { kind: "dequantize"; axis: number | undefined };

/** DequantizeLinear exists from opset 10; its `axis` (per-channel scales) from opset 13. */
const DEQUANTIZE_OPSET = 10;
const PER_CHANNEL_OPSET = 13;

function intAttribute(node: OnnxNode, name: string, fallback: number): number {
  return node.attributes.find((a) => a.name === name)?.int ?? fallback;
}

/** The channel axis a consumer wants, null if it does not care, or false if it is not a weight consumer. */
function consumerAxis(node: OnnxNode, input: number, rank: number): number | null | false {
  if (node.domain !== "") return false;
  if (node.opType === "MatMul" && input === 1) return rank - 1; // B [.., K, N]: N output channels
  if (node.opType === "Gemm" && input === 1) return intAttribute(node, "transB", 0) ? 0 : 1;
  if (node.opType === "Gather" && input === 0) {
    const axis = intAttribute(node, "axis", 0);
    return axis === 0 || axis === -rank ? null : false;
  }
  return false;
}

/** Picks the weights to quantise and how (see the module comment). */
function planQuantization(model: OnnxModel, bits: QuantBits): Map<string, Plan> {
  const { graph } = model;
  const opset = model.opsets.get("") ?? 0;
  const excluded = new Set([...graph.inputs, ...graph.outputs]);
  for (const node of graph.nodes) {
    if (node.attributes.some((a) => a.graphs.length > 0)) {
      for (const name of subgraphReads(node, model.source)) excluded.add(name);
    }
  }
  const counts = new Map<string, number>();
  for (const t of graph.initializers) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);

  const plans = new Map<string, Plan>();
  for (const t of graph.initializers) {
    if (t.dataType !== TENSOR_TYPE.float32 || t.dims.length < 2 || excluded.has(t.name)) continue;
    if (counts.get(t.name) !== 1 || t.dims.includes(0)) continue;
    const axes = new Set<number>();
    let used = false;
    let onlyGather = true;
    let eligible = true;
    for (const node of graph.nodes) {
      node.inputs.forEach((input, index) => {
        if (input !== t.name) return;
        used = true;
        const axis = consumerAxis(node, index, t.dims.length);
        if (axis === false) eligible = false;
        else if (axis !== null) {
          axes.add(axis);
          onlyGather = false;
        }
      });
    }
    if (!eligible || !used) continue;
    if (onlyGather) plans.set(t.name, { kind: "gather" });
    else if (bits === 16 || opset >= DEQUANTIZE_OPSET) {
      const perChannel = axes.size === 1 && opset >= PER_CHANNEL_OPSET;
      plans.set(t.name, { kind: "dequantize", axis: perChannel ? [...axes][0] : undefined });
    }
  }
  return plans;
}

/** A `TensorProto` with its data in `raw_data`. */
function tensorBytes(name: string, dataType: number, dims: readonly number[], raw: Uint8Array): Uint8Array {
  const w = new ProtoWriter();
  for (const d of dims) w.int(1, d); // dims
  w.int(2, dataType); // data_type
  w.string(8, name); // name
  w.bytes(9, raw); // raw_data
  return w.finish();
}

function bytesOf(array: Float32Array | Int8Array): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

const toFloat: [string, TypedAttribute][] = [["to", { kind: "int", value: TENSOR_TYPE.float32 }]];

/** Value and node names not used by the graph yet. */
class Names {
  private readonly used = new Set<string>();
  constructor(model: OnnxModel) {
    const { graph } = model;
    for (const name of [...graph.inputs, ...graph.outputs]) this.used.add(name);
    for (const t of graph.initializers) this.used.add(t.name);
    for (const n of graph.nodes) for (const name of [n.name, ...n.inputs, ...n.outputs]) this.used.add(name);
  }
  fresh(base: string): string {
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }
}

/** One quantised weight: its new initializers, and the nodes or node rewrites that read them. */
interface Rewritten {
  initializers: Uint8Array[];
  /** Nodes to put first in the graph (DequantizeLinear / Cast producing the original name). */
  prelude: NodeSpec[];
  /** For a gathered table: the nodes that replace one Gather reading it. */
  gather?: (node: OnnxNode) => NodeSpec[];
}

function node(
  opType: string,
  inputs: string[],
  outputs: string[],
  name: string,
  attributes = [] as [string, TypedAttribute][],
): NodeSpec {
  return { opType, inputs, outputs, name, attributes, domain: "" };
}

/** Rewrites one weight as int8: a DequantizeLinear, or per-row scales for a gathered table. */
function rewriteInt8(t: OnnxTensor, values: Float32Array, plan: Plan, names: Names): Rewritten {
  const axis = plan.kind === "gather" ? 0 : plan.axis;
  const { q, scales } = quantizeInt8(values, t.dims, axis);
  const qName = names.fresh(`${t.name}_quantized`);
  const sName = names.fresh(`${t.name}_scale`);
  const table = tensorBytes(qName, TENSOR_TYPE.int8, t.dims, bytesOf(q));
  if (plan.kind === "gather") {
    // Scales shaped [rows, 1, …] so the gathered scales broadcast over each gathered row.
    const scaleDims = [t.dims[0], ...t.dims.slice(1).map(() => 1)];
    return {
      initializers: [table, tensorBytes(sName, TENSOR_TYPE.float32, scaleDims, bytesOf(scales))],
      prelude: [],
      gather: (g) => {
        const [ids, out, base] = [g.inputs[1], g.outputs[0], g.name || names.fresh(`${t.name}_gather`)];
        const [rows, rowsFloat, rowScales] = ["rows", "rows_float", "row_scales"].map((s) =>
          names.fresh(`${out}_${s}`),
        );
        const axis0: [string, TypedAttribute][] = [["axis", { kind: "int", value: 0 }]];
        return [
          node("Gather", [qName, ids], [rows], base, axis0),
          node("Cast", [rows], [rowsFloat], names.fresh(`${base}_cast`), toFloat),
          node("Gather", [sName, ids], [rowScales], names.fresh(`${base}_scales`), axis0),
          node("Mul", [rowsFloat, rowScales], [out], names.fresh(`${base}_dequantize`)),
        ];
      },
    };
  }
  const zName = names.fresh(`${t.name}_zero_point`);
  const scaleDims = axis === undefined ? [] : [t.dims[axis]];
  const attributes: [string, TypedAttribute][] =
    axis === undefined ? [] : [["axis", { kind: "int", value: axis }]];
  return {
    initializers: [
      table,
      tensorBytes(sName, TENSOR_TYPE.float32, scaleDims, bytesOf(scales)),
      tensorBytes(zName, TENSOR_TYPE.int8, scaleDims, new Uint8Array(scales.length)),
    ],
    prelude: [
      node(
        "DequantizeLinear",
        [qName, sName, zName],
        [t.name],
        names.fresh(`${t.name}_dequantize`),
        attributes,
      ),
    ],
  };
}

/** Rewrites one weight as float16, cast back to float32 where it is read. */
function rewriteFloat16(t: OnnxTensor, values: Float32Array, plan: Plan, names: Names): Rewritten {
  const hName = names.fresh(`${t.name}_fp16`);
  const initializers = [tensorBytes(hName, TENSOR_TYPE.float16, t.dims, toFloat16Bytes(values))];
  if (plan.kind === "gather") {
    return {
      initializers,
      prelude: [],
      gather: (g) => {
        const base = g.name || names.fresh(`${t.name}_gather`);
        const rows = names.fresh(`${g.outputs[0]}_rows`);
        return [
          node("Gather", [hName, g.inputs[1]], [rows], base, [["axis", { kind: "int", value: 0 }]]),
          node("Cast", [rows], [g.outputs[0]], names.fresh(`${base}_cast`), toFloat),
        ];
      },
    };
  }
  return { initializers, prelude: [node("Cast", [hName], [t.name], names.fresh(`${t.name}_cast`), toFloat)] };
}

/** The graph with the rewrites applied; untouched fields are copied as they were. */
function rewriteGraph(model: OnnxModel, rewrites: Map<string, Rewritten>): ProtoWriter {
  const { graph } = model;
  const out = new ProtoWriter();
  const prelude = [...rewrites.values()].flatMap((r) => r.prelude);
  let nodeIndex = 0;
  let tensorIndex = 0;
  for (const f of graph.fields) {
    if (f.field === 1) {
      if (nodeIndex === 0) for (const spec of prelude) out.message(1, encodeNode(spec));
      const n = graph.nodes[nodeIndex++];
      const gather = n.opType === "Gather" ? rewrites.get(n.inputs[0])?.gather : undefined;
      if (gather) for (const spec of gather(n)) out.message(1, encodeNode(spec));
      else out.raw(f.encoded);
    } else if (f.field === 5) {
      const replaced = rewrites.get(graph.initializers[tensorIndex++].name);
      if (replaced) for (const bytes of replaced.initializers) out.tag(5, 2).varint(bytes.length).raw(bytes);
      else out.raw(f.encoded);
    } else out.raw(f.encoded);
  }
  return out;
}

/**
 * Quantises the weights of an ONNX model (see the module comment for which ones and how).
 * 8: weight-only int8, symmetric, per output channel (DequantizeLinear with `axis`; per tensor when the
 * default-domain opset is below 13); 16: float16 weights with a Cast to float32.
 *
 * @param source names the model in error messages (its path).
 * @throws ModelError SIGLA_MODEL_INVALID when the bytes are not a readable ONNX model, or weights live
 *   in external data files.
 * @throws InvalidInputError for bits other than 8 or 16.
 */
export function quantizeOnnx(
  model: Uint8Array,
  bits: QuantBits,
  source = "the ONNX model",
): { bytes: Uint8Array; report: QuantizeReport } {
  if (bits !== 8 && bits !== 16)
    throw new InvalidInputError(`quantisation bits must be 8 or 16, got ${String(bits)}`);
  const parsed = readOnnxModel(model, source);
  const plans = planQuantization(parsed, bits);
  const names = new Names(parsed);
  const rewrites = new Map<string, Rewritten>();
  for (const t of parsed.graph.initializers) {
    const plan = plans.get(t.name);
    if (!plan) continue;
    const values = tensorFloat32(t, source);
    if (!values.every(Number.isFinite)) continue; // a broken weight is left exactly as it was
    rewrites.set(t.name, (bits === 8 ? rewriteInt8 : rewriteFloat16)(t, values, plan, names));
  }
  const out = new ProtoWriter();
  for (const f of parsed.fields) {
    if (f.field === 7) out.message(7, rewriteGraph(parsed, rewrites));
    else out.raw(f.encoded);
  }
  const bytes = out.finish();
  return {
    bytes,
    report: { bits, quantized: [...rewrites.keys()], bytesBefore: model.length, bytesAfter: bytes.length },
  };
}
