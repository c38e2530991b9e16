/**
 * A small reader for ONNX models, made for surgical rewrites (weight quantisation, reading one table)
 * rather than a full decode. It walks the protobuf wire format of ModelProto → GraphProto (field 7) and
 * keeps every field as its original bytes, decoding only what a rewrite needs: TensorProto (dims,
 * data_type, float_data, name, raw_data, external_data/data_location), NodeProto (input, output, name,
 * op_type, attribute, domain), graph input/output names and the opset imports. A rewrite copies every
 * field it does not change byte for byte, so fields we do not model (doc strings, metadata, value infos,
 * functions, training info) survive untouched. Why hand-written: onnx.proto is not shipped in npm, and
 * walking the wire format references the 90 MB of weights in place instead of decoding them into
 * objects. Field numbers follow onnx/onnx.proto.
 */
import { ModelError } from "../errors.js";

/** One protobuf field as it lies in the buffer. */
export interface WireField {
  /** Field number. */
  field: number;
  /** Wire type: 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32. */
  wire: number;
  /** The whole field, tag included, as a view into the input (copy it through unchanged). */
  encoded: Uint8Array;
  /** A length-delimited field's payload (a view into the input). */
  data: Uint8Array;
  /** A varint's value read as a signed 64-bit integer (exact up to 2^53), or a fixed32/fixed64's low bits. */
  value: number;
}

/** A `TensorProto`, decoded as far as a rewrite needs; the data stays a view into the model bytes. */
export interface OnnxTensor {
  name: string;
  dims: number[];
  /** `TensorProto.DataType` (1 float32, 3 int8, 7 int64, 10 float16…). */
  dataType: number;
  /** `raw_data`, when present. */
  raw: Uint8Array | undefined;
  /** `float_data` as little-endian float32 bytes (packed or not on the wire), when present. */
  floatData: Uint8Array | undefined;
  /** The tensor as encoded, for a byte-for-byte copy. */
  field: WireField;
}

/** An `AttributeProto`, with the parts a rewrite looks at. */
export interface OnnxAttribute {
  name: string;
  /** `AttributeProto.AttributeType` (2 int, 5 graph, 10 graphs…); 0 when the writer left it out. */
  type: number;
  /** `i`, when present. */
  int: number | undefined;
  /** Subgraphs held by the attribute (`g`, `graphs`), still encoded. */
  graphs: Uint8Array[];
}

/** A `NodeProto`, decoded as far as a rewrite needs. */
export interface OnnxNode {
  inputs: string[];
  outputs: string[];
  name: string;
  opType: string;
  /** "" for the default domain ("ai.onnx" is read as "" too). */
  domain: string;
  attributes: OnnxAttribute[];
  /** The node as encoded, for a byte-for-byte copy. */
  field: WireField;
}

/** The main graph: its fields in order, and the decoded nodes, initializers and interface names. */
export interface OnnxGraph {
  fields: WireField[];
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: string[];
  outputs: string[];
}

/** A `ModelProto`: its fields in order, the decoded main graph and the opset imports by domain. */
export interface OnnxModel {
  /** What the model is called in error messages (a path, or "the ONNX model"). */
  source: string;
  fields: WireField[];
  graph: OnnxGraph;
  /** Operator set version by domain; the default domain is "". */
  opsets: Map<string, number>;
}

/** `TensorProto.DataType` codes the readers and writers of this folder name. */
export const TENSOR_TYPE = { float32: 1, int8: 3, int64: 7, float16: 10 } as const;

const utf8 = new TextDecoder("utf-8", { fatal: false });

function invalid(source: string, why: string): ModelError {
  return new ModelError("SIGLA_MODEL_INVALID", `${source} is not a readable ONNX model: ${why}`);
}

/** Reads a varint at `pos`; returns its value (signed 64-bit, as a number) and the next position. */
function readVarint(bytes: Uint8Array, pos: number, source: string): [number, number] {
  let low = 0;
  let shift = 0;
  let p = pos;
  // Fast path: up to 4 bytes (28 bits) in plain number arithmetic.
  while (p < bytes.length && shift < 28) {
    const b = bytes[p++];
    low += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return [low, p];
    shift += 7;
  }
  let value = BigInt(low);
  let big = 28n;
  while (p < bytes.length && big < 70n) {
    const b = bytes[p++];
    value |= BigInt(b & 0x7f) << big;
    if (b < 0x80) return [Number(BigInt.asIntN(64, value)), p];
    big += 7n;
  }
  throw invalid(source, `a varint at byte ${pos} is truncated or too long`);
}

/** Splits a message into its fields; throws SIGLA_MODEL_INVALID on anything that is not protobuf. */
export function readFields(bytes: Uint8Array, source: string): WireField[] {
  const fields: WireField[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const start = pos;
    const [key, afterKey] = readVarint(bytes, pos, source);
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (field < 1 || key < 0) throw invalid(source, `field number ${field} at byte ${start}`);
    pos = afterKey;
    let value = 0;
    let data = bytes.subarray(pos, pos);
    if (wire === 0) {
      [value, pos] = readVarint(bytes, pos, source);
    } else if (wire === 1 || wire === 5) {
      const size = wire === 1 ? 8 : 4;
      if (pos + size > bytes.length) throw invalid(source, `field ${field} at byte ${start} is truncated`);
      value = new DataView(bytes.buffer, bytes.byteOffset + pos, 4).getUint32(0, true);
      pos += size;
    } else if (wire === 2) {
      const [length, afterLength] = readVarint(bytes, pos, source);
      if (length < 0 || afterLength + length > bytes.length) {
        throw invalid(source, `field ${field} at byte ${start} runs past the end (${length} bytes)`);
      }
      data = bytes.subarray(afterLength, afterLength + length);
      pos = afterLength + length;
    } else {
      throw invalid(source, `field ${field} at byte ${start} has wire type ${wire}`);
    }
    fields.push({ field, wire, encoded: bytes.subarray(start, pos), data, value });
  }
  return fields;
}

function text(f: WireField, what: string, source: string): string {
  if (f.wire !== 2) throw invalid(source, `${what} is not a string`);
  return utf8.decode(f.data);
}

function message(f: WireField, what: string, source: string): WireField[] {
  if (f.wire !== 2) throw invalid(source, `${what} is not a message`);
  return readFields(f.data, `${source} (${what})`);
}

/** A repeated integer field, packed or not. */
function pushVarints(into: number[], f: WireField, what: string, source: string): void {
  if (f.wire === 0) into.push(f.value);
  else if (f.wire === 2) {
    for (let pos = 0; pos < f.data.length; ) {
      const [v, next] = readVarint(f.data, pos, source);
      into.push(v);
      pos = next;
    }
  } else throw invalid(source, `${what} is not an integer list`);
}

/** Decodes a `TensorProto`; external data is refused, since the rewritten model could not carry it. */
export function readTensor(f: WireField, source: string): OnnxTensor {
  const tensor: OnnxTensor = {
    name: "",
    dims: [],
    dataType: 0,
    raw: undefined,
    floatData: undefined,
    field: f,
  };
  const floats: Uint8Array[] = [];
  for (const t of message(f, "a tensor", source)) {
    if (t.field === 1) pushVarints(tensor.dims, t, "tensor dims", source);
    else if (t.field === 2 && t.wire === 0) tensor.dataType = t.value;
    else if (t.field === 4 && t.wire === 2) floats.push(t.data);
    else if (t.field === 4 && t.wire === 5) floats.push(t.encoded.subarray(t.encoded.length - 4));
    else if (t.field === 8) tensor.name = text(t, "a tensor name", source);
    else if (t.field === 9 && t.wire === 2) tensor.raw = t.data;
    else if (t.field === 13 || (t.field === 14 && t.value === 1)) {
      throw new ModelError(
        "SIGLA_MODEL_INVALID",
        `${source}: tensor "${tensor.name || "(unnamed)"}" keeps its data in an external file; external data is not supported`,
      );
    }
  }
  if (floats.length > 0) tensor.floatData = floats.length === 1 ? floats[0] : concat(floats);
  if (tensor.dims.some((d) => d < 0))
    throw invalid(source, `tensor "${tensor.name}" has a negative dimension`);
  return tensor;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

function readAttribute(f: WireField, source: string): OnnxAttribute {
  const attribute: OnnxAttribute = { name: "", type: 0, int: undefined, graphs: [] };
  for (const a of message(f, "a node attribute", source)) {
    if (a.field === 1) attribute.name = text(a, "an attribute name", source);
    else if (a.field === 3 && a.wire === 0) attribute.int = a.value;
    else if ((a.field === 6 || a.field === 11) && a.wire === 2) attribute.graphs.push(a.data);
    else if (a.field === 20 && a.wire === 0) attribute.type = a.value;
  }
  return attribute;
}

/** Decodes a `NodeProto`. */
export function readNode(f: WireField, source: string): OnnxNode {
  const node: OnnxNode = {
    inputs: [],
    outputs: [],
    name: "",
    opType: "",
    domain: "",
    attributes: [],
    field: f,
  };
  for (const n of message(f, "a node", source)) {
    if (n.field === 1) node.inputs.push(text(n, "a node input", source));
    else if (n.field === 2) node.outputs.push(text(n, "a node output", source));
    else if (n.field === 3) node.name = text(n, "a node name", source);
    else if (n.field === 4) node.opType = text(n, "an op type", source);
    else if (n.field === 5) node.attributes.push(readAttribute(n, source));
    else if (n.field === 7) node.domain = text(n, "a node domain", source);
  }
  if (node.domain === "ai.onnx") node.domain = "";
  return node;
}

/** The name of a `ValueInfoProto` (graph input or output). */
function valueName(f: WireField, source: string): string {
  const name = message(f, "a graph input or output", source).find((v) => v.field === 1);
  return name ? text(name, "a value name", source) : "";
}

/** Decodes a `GraphProto`: nodes (1), initializers (5), inputs (11) and outputs (12); the rest stays raw. */
export function readGraph(bytes: Uint8Array, source: string): OnnxGraph {
  const graph: OnnxGraph = {
    fields: readFields(bytes, source),
    nodes: [],
    initializers: [],
    inputs: [],
    outputs: [],
  };
  for (const f of graph.fields) {
    if (f.field === 1) graph.nodes.push(readNode(f, source));
    else if (f.field === 5) graph.initializers.push(readTensor(f, source));
    else if (f.field === 11) graph.inputs.push(valueName(f, source));
    else if (f.field === 12) graph.outputs.push(valueName(f, source));
  }
  return graph;
}

/**
 * Every value name read by a node inside the subgraphs of `node` (If/Loop/Scan bodies), at any depth.
 * Over-approximates the outer-scope reads (a body's own values are included), which is the safe side.
 */
export function subgraphReads(node: OnnxNode, source: string): Set<string> {
  const names = new Set<string>();
  const visit = (graphBytes: Uint8Array) => {
    for (const f of readFields(graphBytes, `${source} (subgraph of ${node.name || node.opType})`)) {
      if (f.field !== 1) continue;
      const inner = readNode(f, source);
      for (const input of inner.inputs) names.add(input);
      for (const a of inner.attributes) for (const g of a.graphs) visit(g);
    }
  };
  for (const a of node.attributes) for (const g of a.graphs) visit(g);
  return names;
}

/**
 * Reads a serialised `ModelProto`. Damaged or foreign bytes (truncated, not protobuf, no graph) give a
 * ModelError SIGLA_MODEL_INVALID naming `source`, never a crash.
 */
export function readOnnxModel(bytes: Uint8Array, source = "the ONNX model"): OnnxModel {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) throw invalid(source, "it is empty");
  // A plain view, so a Node Buffer's different slice() never reaches the views handed out.
  const fields = readFields(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), source);
  const graphs = fields.filter((f) => f.field === 7);
  if (graphs.length !== 1 || graphs[0].wire !== 2) {
    throw invalid(source, graphs.length === 0 ? "it has no graph" : "its graph field is malformed");
  }
  const opsets = new Map<string, number>();
  for (const f of fields) {
    if (f.field !== 8) continue;
    let domain = "";
    let version = 0;
    for (const o of message(f, "an opset import", source)) {
      if (o.field === 1) domain = text(o, "an opset domain", source);
      else if (o.field === 2 && o.wire === 0) version = o.value;
    }
    opsets.set(domain === "ai.onnx" ? "" : domain, version);
  }
  return { source, fields, graph: readGraph(graphs[0].data, `${source} (graph)`), opsets };
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A float32 tensor's values (a copy), from `raw_data` or `float_data`; checks the count against dims. */
export function tensorFloat32(tensor: OnnxTensor, source: string): Float32Array {
  if (tensor.dataType !== TENSOR_TYPE.float32) {
    throw invalid(source, `tensor "${tensor.name}" is data type ${tensor.dataType}, not float32`);
  }
  const count = tensor.dims.reduce((a, b) => a * b, 1);
  const bytes = tensor.raw ?? tensor.floatData ?? new Uint8Array(0);
  if (bytes.length !== count * 4) {
    throw invalid(
      source,
      `tensor "${tensor.name}" holds ${bytes.length} bytes, but dims [${tensor.dims.join(", ")}] need ${count * 4}`,
    );
  }
  // new Uint8Array(view) copies into a fresh, aligned buffer (a Buffer's slice() would not copy).
  if (LITTLE_ENDIAN) return new Float32Array(new Uint8Array(bytes).buffer);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Float32Array.from({ length: count }, (_, i) => view.getFloat32(i * 4, true));
}
