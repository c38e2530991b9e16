/**
 * A small, dependency-free ONNX model writer: a typed graph builder over a hand-written protobuf
 * encoder. Field numbers follow onnx/onnx.proto (IR version 8). It writes what our generated test and
 * benchmark models need — dense tensors in `raw_data`, value infos with numeric or symbolic dims, node
 * attributes of the common kinds and opset imports — and checks the graph is well formed before encoding.
 *
 * ```ts
 * const g = new OnnxGraphBuilder("scores");
 * g.input("q", "float32", ["batch", 4]);
 * g.initializer("x", "float32", [3, 4], weights);
 * g.node("Gemm", ["q", "x"], ["s"], { transB: 1 });
 * g.output("s", "float32", ["batch", 3]);
 * const bytes = g.toBytes({ opset: 17 });
 * ```
 */
import { InvalidInputError } from "../errors.js";

// ---------------------------------------------------------------------------------------------------
// Protobuf wire format
// ---------------------------------------------------------------------------------------------------

const WIRE_VARINT = 0;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;

const utf8 = new TextEncoder();

/**
 * Append-only protobuf encoder. Nested messages are kept as chunk lists and joined once in `finish()`,
 * so a large weight buffer is copied a single time however deeply it is nested.
 */
class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];
  private pending: number[] = [];
  /** Bytes written so far. */
  length = 0;

  /** A varint; negative values take the 10-byte two's-complement form protobuf uses for int64. */
  varint(value: number | bigint): this {
    if (typeof value === "number" && value >= 0 && Number.isSafeInteger(value)) {
      let v = value;
      while (v > 0x7f) {
        this.push((v % 0x80) | 0x80);
        v = Math.floor(v / 0x80);
      }
      this.push(v);
      return this;
    }
    let v = BigInt.asUintN(64, BigInt(value));
    while (v > 0x7fn) {
      this.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.push(Number(v));
    return this;
  }

  tag(field: number, wireType: number): this {
    return this.varint(field * 8 + wireType);
  }

  int(field: number, value: number | bigint): this {
    return this.tag(field, WIRE_VARINT).varint(value);
  }

  float(field: number, value: number): this {
    this.tag(field, WIRE_FIXED32);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    for (const b of bytes) this.push(b);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, utf8.encode(value));
  }

  /** A length-delimited field; `value` is referenced, not copied, until `finish()`. */
  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WIRE_LEN).varint(value.length);
    this.flush();
    if (value.length > 0) this.chunks.push(value);
    this.length += value.length;
    return this;
  }

  message(field: number, inner: ProtoWriter): this {
    this.tag(field, WIRE_LEN).varint(inner.length);
    this.flush();
    inner.flush();
    for (const chunk of inner.chunks) this.chunks.push(chunk);
    this.length += inner.length;
    return this;
  }

  finish(): Uint8Array {
    this.flush();
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }

  private push(byte: number): void {
    this.pending.push(byte);
    this.length++;
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    this.chunks.push(Uint8Array.from(this.pending));
    this.pending = [];
  }
}

// ---------------------------------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------------------------------

/** ONNX `TensorProto.DataType` codes for the element types we write. */
const DATA_TYPE = {
  float32: 1,
  uint8: 2,
  int8: 3,
  int32: 6,
  int64: 7,
  bool: 9,
  float16: 10,
  float64: 11,
} as const;

/** Element type of a graph value (input, output or intermediate). */
export type ElementType = keyof typeof DATA_TYPE;

/** Element types an initializer or tensor attribute can hold. */
export type TensorElementType = "float32" | "int64" | "int32" | "int8" | "uint8" | "bool";

/** A dimension: a fixed size, or a symbolic name such as "batch" that the runtime binds. */
export type Dim = number | string;

/** Tensor contents, row-major. Plain arrays are converted to the element type when encoding. */
export type TensorData =
  | Float32Array
  | Int32Array
  | BigInt64Array
  | Int8Array
  | Uint8Array
  | readonly number[]
  | readonly bigint[];

/** A dense tensor, used for initializers and `tensor` attributes. */
export interface TensorSpec {
  readonly type: TensorElementType;
  readonly dims: readonly number[];
  readonly data: TensorData;
}

/** An attribute with its ONNX kind made explicit (see {@link attr}). */
export type TypedAttribute =
  | { readonly kind: "int"; readonly value: number | bigint }
  | { readonly kind: "float"; readonly value: number }
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "ints"; readonly value: readonly (number | bigint)[] }
  | { readonly kind: "floats"; readonly value: readonly number[] }
  | { readonly kind: "strings"; readonly value: readonly string[] }
  | { readonly kind: "tensor"; readonly value: TensorSpec };

/**
 * A node attribute. Plain values are typed by shape: an integer number or a bigint is an `int`, any
 * other number a `float`, an array of integers `ints`, an array with a fraction `floats`, a string
 * `string`, a string array `strings`. Use {@link attr} where that guess is wrong — ONNX Runtime rejects
 * an `int` where the schema says `float` (e.g. Gemm `alpha: attr.float(1)`).
 */
export type AttributeValue =
  | number
  | bigint
  | string
  | readonly number[]
  | readonly bigint[]
  | readonly string[]
  | TypedAttribute;

/** Explicitly typed attribute values. */
export const attr = {
  int: (value: number | bigint): TypedAttribute => ({ kind: "int", value }),
  float: (value: number): TypedAttribute => ({ kind: "float", value }),
  string: (value: string): TypedAttribute => ({ kind: "string", value }),
  ints: (value: readonly (number | bigint)[]): TypedAttribute => ({ kind: "ints", value }),
  floats: (value: readonly number[]): TypedAttribute => ({ kind: "floats", value }),
  strings: (value: readonly string[]): TypedAttribute => ({ kind: "strings", value }),
  tensor: (type: TensorElementType, dims: readonly number[], data: TensorData): TypedAttribute => ({
    kind: "tensor",
    value: { type, dims, data },
  }),
};

/** Options for {@link OnnxGraphBuilder.toBytes}. */
export interface ModelOptions {
  /** Version of the default ("ai.onnx") operator set. Default 17. */
  opset?: number;
  /** Further operator sets by domain, e.g. `{ "com.microsoft": 1 }`. */
  domains?: Readonly<Record<string, number>>;
  /** `ModelProto.producer_name`. Default "sigla". */
  producerName?: string;
  /** `ModelProto.ir_version`. Default 8. */
  irVersion?: number;
}

/** Options for one node. */
export interface NodeOptions {
  /** Node name; generated from the op type when absent. */
  name?: string;
  /** Operator domain; "" (default) is the standard ONNX domain. */
  domain?: string;
}

interface ValueInfo {
  name: string;
  type: ElementType;
  dims: readonly Dim[] | undefined;
}

interface NodeSpec {
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attributes: [string, TypedAttribute][];
  name: string;
  domain: string;
}

// ---------------------------------------------------------------------------------------------------
// Builder
// ---------------------------------------------------------------------------------------------------

/** Builds one ONNX graph and serialises it as a complete `ModelProto`. */
export class OnnxGraphBuilder {
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private readonly initializers: { name: string; tensor: TensorSpec }[] = [];
  private readonly nodes: NodeSpec[] = [];
  /** Every value name defined so far (inputs, initializers, node outputs), to catch duplicates early. */
  private readonly defined = new Set<string>();
  private counter = 0;

  /** @param name the graph's name (`GraphProto.name`). */
  constructor(readonly name: string) {}

  /** Declares a graph input. */
  input(name: string, type: ElementType, dims?: readonly Dim[]): this {
    const checked = checkDims(name, dims);
    this.define(name);
    this.inputs.push({ name, type, dims: checked });
    return this;
  }

  /** Declares a graph output; `dims` may be omitted when the rank is unknown. */
  output(name: string, type: ElementType, dims?: readonly Dim[]): this {
    requireName(name, "output");
    if (this.outputs.some((o) => o.name === name))
      throw new InvalidInputError(`output "${name}" declared twice`);
    this.outputs.push({ name, type, dims: checkDims(name, dims) });
    return this;
  }

  /** Adds a constant tensor (weights, shapes, indices). Typed arrays are read when `toBytes` runs. */
  initializer(name: string, type: TensorElementType, dims: readonly number[], data: TensorData): this {
    const tensor = checkTensor(name, { type, dims, data });
    this.define(name);
    this.initializers.push({ name, tensor });
    return this;
  }

  /** Adds an initializer under a fresh name and returns that name. */
  constant(type: TensorElementType, dims: readonly number[], data: TensorData, prefix = "const"): string {
    const name = this.fresh(prefix);
    this.initializer(name, type, dims, data);
    return name;
  }

  /** Adds a node. Use "" for an omitted optional input. Nodes must be added in topological order. */
  node(
    opType: string,
    inputs: readonly string[],
    outputs: readonly string[],
    attributes: Readonly<Record<string, AttributeValue>> = {},
    options: NodeOptions = {},
  ): this {
    requireName(opType, "op type");
    if (outputs.length === 0) throw new InvalidInputError(`${opType} node needs at least one output`);
    const typed = Object.entries(attributes).map(
      ([key, value]) => [key, toTypedAttribute(opType, key, value)] as [string, TypedAttribute],
    );
    for (const output of outputs) if (output !== "") this.define(output);
    this.nodes.push({
      opType,
      inputs: [...inputs],
      outputs: [...outputs],
      attributes: typed,
      name: options.name ?? `${opType}_${this.nodes.length}`,
      domain: options.domain ?? "",
    });
    return this;
  }

  /** Adds a single-output node and returns its (fresh) output name — handy for chaining ops. */
  op(
    opType: string,
    inputs: readonly string[],
    attributes: Readonly<Record<string, AttributeValue>> = {},
    options: NodeOptions = {},
  ): string {
    const output = this.fresh(opType.toLowerCase());
    this.node(opType, inputs, [output], attributes, options);
    return output;
  }

  /** A value name not used yet, e.g. "matmul_12". */
  fresh(prefix: string): string {
    let name: string;
    do name = `${prefix}_${this.counter++}`;
    while (this.defined.has(name));
    return name;
  }

  /** Checks the graph and encodes the whole model. */
  toBytes(options: ModelOptions = {}): Uint8Array {
    const opset = options.opset ?? 17;
    const domains: Record<string, number> = { "": opset, ...options.domains };
    this.validate(domains);

    const model = new ProtoWriter();
    model.int(1, options.irVersion ?? 8); // ir_version
    model.string(2, options.producerName ?? "sigla"); // producer_name
    model.message(7, this.encodeGraph()); // graph
    for (const [domain, version] of Object.entries(domains)) {
      const set = new ProtoWriter();
      if (domain !== "") set.string(1, domain); // domain
      set.int(2, version); // version
      model.message(8, set); // opset_import
    }
    return model.finish();
  }

  private define(name: string): void {
    requireName(name, "value");
    if (this.defined.has(name)) throw new InvalidInputError(`value "${name}" is defined twice`);
    this.defined.add(name);
  }

  /** Every node input must exist before the node (ONNX requires topological order); outputs must exist. */
  private validate(domains: Record<string, number>): void {
    const available = new Set<string>([...this.inputs, ...this.initializers].map((v) => v.name));
    for (const node of this.nodes) {
      if (!(node.domain in domains)) {
        throw new InvalidInputError(`node ${node.name} uses domain "${node.domain}" without an opset for it`);
      }
      for (const input of node.inputs) {
        if (input !== "" && !available.has(input)) {
          throw new InvalidInputError(
            `node ${node.name} (${node.opType}) reads "${input}" before it is defined`,
          );
        }
      }
      for (const output of node.outputs) if (output !== "") available.add(output);
    }
    for (const output of this.outputs) {
      if (!available.has(output.name))
        throw new InvalidInputError(`graph output "${output.name}" is never produced`);
    }
  }

  private encodeGraph(): ProtoWriter {
    const graph = new ProtoWriter();
    for (const node of this.nodes) graph.message(1, encodeNode(node)); // node
    graph.string(2, this.name); // name
    for (const { name, tensor } of this.initializers) graph.message(5, encodeTensor(tensor, name)); // initializer
    for (const input of this.inputs) graph.message(11, encodeValueInfo(input)); // input
    for (const output of this.outputs) graph.message(12, encodeValueInfo(output)); // output
    return graph;
  }
}

// ---------------------------------------------------------------------------------------------------
// Encoding of the individual messages
// ---------------------------------------------------------------------------------------------------

function encodeNode(node: NodeSpec): ProtoWriter {
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

function encodeTensor(tensor: TensorSpec, name?: string): ProtoWriter {
  const w = new ProtoWriter();
  for (const d of tensor.dims) w.int(1, d); // dims
  w.int(2, DATA_TYPE[tensor.type]); // data_type
  if (name !== undefined) w.string(8, name); // name
  w.bytes(9, rawData(tensor)); // raw_data
  return w;
}

function encodeValueInfo(info: ValueInfo): ProtoWriter {
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

// ---------------------------------------------------------------------------------------------------
// Checks and conversions
// ---------------------------------------------------------------------------------------------------

function requireName(name: string, what: string): void {
  if (typeof name !== "string" || name === "")
    throw new InvalidInputError(`${what} name must be a non-empty string`);
}

function checkDims(name: string, dims: readonly Dim[] | undefined): readonly Dim[] | undefined {
  if (dims === undefined) return undefined;
  for (const d of dims) {
    const ok = typeof d === "number" ? Number.isSafeInteger(d) && d >= 0 : typeof d === "string" && d !== "";
    if (!ok) throw new InvalidInputError(`"${name}" has an invalid dimension ${JSON.stringify(d)}`);
  }
  return [...dims];
}

const TYPED_ARRAY_OF: Record<TensorElementType, abstract new (...args: never[]) => unknown> = {
  float32: Float32Array,
  int32: Int32Array,
  int64: BigInt64Array,
  int8: Int8Array,
  uint8: Uint8Array,
  bool: Uint8Array,
};

function checkTensor(name: string, tensor: TensorSpec): TensorSpec {
  if (!(tensor.type in TYPED_ARRAY_OF))
    throw new InvalidInputError(`"${name}" has unsupported type ${tensor.type}`);
  checkDims(name, tensor.dims);
  const size = tensor.dims.reduce((a, b) => a * b, 1);
  if (tensor.data.length !== size) {
    throw new InvalidInputError(
      `"${name}" has ${tensor.data.length} values but dims [${tensor.dims.join(", ")}] need ${size}`,
    );
  }
  const data = tensor.data;
  if (ArrayBuffer.isView(data) && !(data instanceof TYPED_ARRAY_OF[tensor.type])) {
    throw new InvalidInputError(`"${name}" is ${tensor.type} but its data is a ${data.constructor.name}`);
  }
  if (Array.isArray(data) && tensor.type !== "float32") {
    for (const v of data) {
      if (typeof v === "number" && !Number.isSafeInteger(v)) {
        throw new InvalidInputError(`"${name}" is ${tensor.type} but holds the non-integer ${v}`);
      }
    }
  }
  return tensor;
}

function isTyped(value: AttributeValue): value is TypedAttribute {
  return typeof value === "object" && value !== null && !Array.isArray(value) && "kind" in value;
}

function toTypedAttribute(opType: string, name: string, value: AttributeValue): TypedAttribute {
  if (isTyped(value)) {
    if (value.kind === "tensor") checkTensor(`${opType}.${name}`, value.value);
    return value;
  }
  if (typeof value === "bigint") return attr.int(value);
  if (typeof value === "number") return Number.isInteger(value) ? attr.int(value) : attr.float(value);
  if (typeof value === "string") return attr.string(value);
  if (Array.isArray(value)) {
    // An empty list is most often `axes`/`pads`-like, so it is read as ints.
    if (value.length > 0 && value.every((v) => typeof v === "string")) return attr.strings(value as string[]);
    if (value.every((v) => typeof v === "bigint" || (typeof v === "number" && Number.isInteger(v)))) {
      return attr.ints(value as (number | bigint)[]);
    }
    if (value.every((v) => typeof v === "number")) return attr.floats(value as number[]);
  }
  throw new InvalidInputError(`attribute ${opType}.${name} has an unsupported value ${String(value)}`);
}
