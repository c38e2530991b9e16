/**
 * Checks and conversions the ONNX graph builder applies as values are declared: names, dims, tensor
 * contents against their element type, and plain attribute values to typed ones.
 */
import { InvalidInputError } from "../errors.js";
import {
  type AttributeValue,
  attr,
  type Dim,
  type TensorElementType,
  type TensorSpec,
  type TypedAttribute,
} from "./onnx-types.js";

/** Throws unless `name` is a non-empty string; `what` names the kind of name in the message. */
export function requireName(name: string, what: string): void {
  if (typeof name !== "string" || name === "")
    throw new InvalidInputError(`${what} name must be a non-empty string`);
}

/** A copy of `dims` once each is a non-negative safe integer or a non-empty symbolic name. */
export function checkDims(name: string, dims: readonly Dim[] | undefined): readonly Dim[] | undefined {
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

/** Checks a tensor's type, dims, value count and data kind; returns it unchanged. */
export function checkTensor(name: string, tensor: TensorSpec): TensorSpec {
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

/** A plain attribute value typed by its shape (see {@link AttributeValue}); typed ones pass through, checked. */
export function toTypedAttribute(opType: string, name: string, value: AttributeValue): TypedAttribute {
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
