/**
 * Encoding of the individual ONNX messages (onnx/onnx.proto field numbers): nodes, attributes, tensors
 * with their `raw_data`, and value infos.
 */

import {
  DATA_TYPE,
  type NodeSpec,
  type TensorData,
  type TensorElementType,
  type TensorSpec,
  type TypedAttribute,
  type ValueInfo,
} from "./onnx-types.js";
import { ProtoWriter } from "./proto-writer.js";

/** A `NodeProto`. */
export function encodeNode(node: NodeSpec): ProtoWriter {
  const w = new ProtoWriter();
  for (const input of node.inputs) w.string(1, input); // input
  for (const output of node.outputs) w.string(2, output); // output
  w.string(3, node.name); // name
  w.string(4, node.opType); // op_type
  for (const [name, value] of node.attributes) w.message(5, encodeAttribute(name, value)); // attribute
  if (node.domain !== "") w.string(7, node.domain); // domain
  return w;
}

/** `AttributeProto.AttributeType` codes. */
const ATTRIBUTE_TYPE = { float: 1, int: 2, string: 3, tensor: 4, floats: 6, ints: 7, strings: 8 } as const;

function encodeAttribute(name: string, a: TypedAttribute): ProtoWriter {
  const w = new ProtoWriter();
  w.string(1, name); // name
  switch (a.kind) {
    case "float":
      w.float(2, a.value); // f
      break;
    case "int":
      w.int(3, a.value); // i
      break;
    case "string":
      w.string(4, a.value); // s
      break;
    case "tensor":
      w.message(5, encodeTensor(a.value)); // t
      break;
    case "floats":
      for (const v of a.value) w.float(7, v); // floats (proto2: unpacked)
      break;
    case "ints":
      for (const v of a.value) w.int(8, v); // ints (proto2: unpacked)
      break;
    case "strings":
      for (const v of a.value) w.string(9, v); // strings
      break;
  }
  w.int(20, ATTRIBUTE_TYPE[a.kind]); // type
  return w;
}

/** A `TensorProto` with its data in `raw_data`; `name` is set for initializers. */
export function encodeTensor(tensor: TensorSpec, name?: string): ProtoWriter {
  const w = new ProtoWriter();
  for (const d of tensor.dims) w.int(1, d); // dims
  w.int(2, DATA_TYPE[tensor.type]); // data_type
  if (name !== undefined) w.string(8, name); // name
  w.bytes(9, rawData(tensor)); // raw_data
  return w;
}

/** A `ValueInfoProto`: name, element type and, when known, the shape (numeric or symbolic dims). */
export function encodeValueInfo(info: ValueInfo): ProtoWriter {
  const tensorType = new ProtoWriter();
  tensorType.int(1, DATA_TYPE[info.type]); // elem_type
  if (info.dims !== undefined) {
    const shape = new ProtoWriter();
    for (const d of info.dims) {
      const dim = new ProtoWriter();
      if (typeof d === "number")
        dim.int(1, d); // dim_value
      else dim.string(2, d); // dim_param
      shape.message(1, dim); // dim
    }
    tensorType.message(2, shape); // shape
  }
  const type = new ProtoWriter().message(1, tensorType); // TypeProto.tensor_type
  return new ProtoWriter().string(1, info.name).message(2, type); // name, type
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Little-endian element bytes, as `raw_data` requires. */
function rawData({ type, data }: TensorSpec): Uint8Array {
  const typed = toTypedArray(type, data);
  if (LITTLE_ENDIAN || typed.BYTES_PER_ELEMENT === 1) {
    return new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
  }
  const out = new Uint8Array(typed.byteLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < typed.length; i++) {
    if (typed instanceof Float32Array) view.setFloat32(i * 4, typed[i], true);
    else if (typed instanceof Int32Array) view.setInt32(i * 4, typed[i], true);
    else if (typed instanceof BigInt64Array) view.setBigInt64(i * 8, typed[i], true);
  }
  return out;
}

type ElementArray = Float32Array | Int32Array | BigInt64Array | Int8Array | Uint8Array;

function toTypedArray(type: TensorElementType, data: TensorData): ElementArray {
  switch (type) {
    case "float32":
      return data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>, Number);
    case "int32":
      return data instanceof Int32Array ? data : Int32Array.from(data as ArrayLike<number>, Number);
    case "int8":
      return data instanceof Int8Array ? data : Int8Array.from(data as ArrayLike<number>, Number);
    case "uint8":
    case "bool":
      return data instanceof Uint8Array ? data : Uint8Array.from(data as ArrayLike<number>, Number);
    case "int64":
      return data instanceof BigInt64Array
        ? data
        : BigInt64Array.from(data as ArrayLike<number | bigint>, BigInt);
  }
}
