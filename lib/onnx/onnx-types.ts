/**
 * The ONNX writer's vocabulary: element types, dims, tensors, attributes and options, plus the graph
 * records the builder keeps until it encodes them.
 */

/** ONNX `TensorProto.DataType` codes for the element types we write. */
export const DATA_TYPE = {
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

/** A declared graph input or output (`ValueInfoProto`); `dims` undefined when the rank is unknown. */
export interface ValueInfo {
  name: string;
  type: ElementType;
  dims: readonly Dim[] | undefined;
}

/** A node as the builder keeps it: attributes already typed, name and domain filled in. */
export interface NodeSpec {
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attributes: [string, TypedAttribute][];
  name: string;
  domain: string;
}
