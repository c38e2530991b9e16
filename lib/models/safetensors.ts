/**
 * The safetensors format (huggingface/safetensors): an 8-byte little-endian header length, a JSON header
 * naming each tensor's dtype, shape and byte range, then the raw little-endian data. PEFT adapters and
 * state modules come in it. The reader checks every bound before trusting it, so a truncated or foreign
 * file is a `SIGLA_MODULE_INVALID` error, never a wrong read; the format is small enough that reading it
 * needs no library (the npm packages for it pull in a tensor runtime).
 *
 * A state dict is quantised for a module here too: int8 symmetric per row (a `<name>.scale` F32 tensor
 * beside each I8 one) or fp16, with 1-D tensors (norms, biases) kept in F32.
 */
import { readFile } from "node:fs/promises";
import { errorMessage, InvalidInputError, ModuleError } from "../errors.js";
import { fromFloat16Bits, toFloat16Bits } from "../llm/gguf-format.js";

/** The element types SIGLA reads and writes. */
export type SafetensorsDtype = "F32" | "F16" | "BF16" | "I8" | "U8" | "I32" | "I64";

/** One tensor: its name, dtype, shape (outermost first, as PyTorch) and raw little-endian bytes. */
export interface SafeTensor {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  data: Uint8Array;
}

/** Bytes per element of each dtype. */
const DTYPE_BYTES: Readonly<Record<SafetensorsDtype, number>> = {
  F32: 4,
  F16: 2,
  BF16: 2,
  I8: 1,
  U8: 1,
  I32: 4,
  I64: 8,
};

/** The header key that holds string metadata rather than a tensor. */
const METADATA_KEY = "__metadata__";
/** No real header comes near this (100 MB, the reference implementation's own bound). */
const MAX_HEADER = 100_000_000;
/** The suffix of the per-row scales {@link quantizeState} writes beside an int8 tensor. */
const SCALE_SUFFIX = ".scale";

function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

class Damaged extends Error {}

function isDtype(value: unknown): value is SafetensorsDtype {
  return typeof value === "string" && Object.hasOwn(DTYPE_BYTES, value);
}

/** One header entry checked against the data section's length. */
function headerTensor(name: string, entry: unknown, dataBytes: number): SafeTensor & { begin: number } {
  if (typeof entry !== "object" || entry === null) throw new Damaged(`entry ${name} is not an object`);
  const { dtype, shape, data_offsets: offsets } = entry as Record<string, unknown>;
  if (!isDtype(dtype)) {
    throw new Damaged(
      `tensor ${name} has dtype ${JSON.stringify(dtype)} (SIGLA reads ${Object.keys(DTYPE_BYTES).join(", ")})`,
    );
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new Damaged(`tensor ${name} has no valid shape`);
  }
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) ||
    offsets[0] > offsets[1]
  ) {
    throw new Damaged(`tensor ${name} has no valid data_offsets`);
  }
  const [begin, end] = offsets as [number, number];
  if (end > dataBytes) {
    throw new Damaged(
      `tensor ${name} ends at data byte ${end}, past the file's ${dataBytes} data bytes (truncated?)`,
    );
  }
  if (end - begin !== elementCount(shape) * DTYPE_BYTES[dtype]) {
    throw new Damaged(`tensor ${name}: ${end - begin} bytes do not hold ${dtype}[${shape.join(", ")}]`);
  }
  return { name, dtype, shape: [...shape], data: new Uint8Array(0), begin };
}

/**
 * Reads the safetensors file at `path`: its tensors in file order and its `__metadata__` strings.
 *
 * @throws ModuleError SIGLA_MODULE_NOT_FOUND when there is no file; SIGLA_MODULE_INVALID when the header
 *   is malformed, names an unsupported dtype, or a tensor's bytes lie outside the file or overlap another's.
 */
export async function readSafetensors(
  path: string,
): Promise<{ tensors: SafeTensor[]; metadata: Record<string, string> }> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
    throw new ModuleError(
      missing ? "SIGLA_MODULE_NOT_FOUND" : "SIGLA_MODULE_INVALID",
      missing ? `safetensors file ${path} does not exist` : `cannot read ${path}: ${errorMessage(error)}`,
      { cause: error },
    );
  }
  try {
    if (bytes.length < 8)
      throw new Damaged(`it has ${bytes.length} bytes, fewer than the 8 of its header length`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const headerBytes = view.getBigUint64(0, true);
    if (headerBytes > BigInt(Math.min(MAX_HEADER, bytes.length - 8))) {
      throw new Damaged(`its header claims ${headerBytes} bytes; the file has ${bytes.length} (truncated?)`);
    }
    const dataStart = 8 + Number(headerBytes);
    let header: unknown;
    try {
      header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, dataStart)));
    } catch (error) {
      throw new Damaged(`its header is not JSON (${errorMessage(error)})`);
    }
    if (typeof header !== "object" || header === null || Array.isArray(header)) {
      throw new Damaged("its header is not a JSON object");
    }
    const data = bytes.subarray(dataStart);
    const metadata: Record<string, string> = {};
    const tensors: (SafeTensor & { begin: number })[] = [];
    for (const [name, entry] of Object.entries(header)) {
      if (name === METADATA_KEY) {
        for (const [key, value] of Object.entries((entry ?? {}) as Record<string, unknown>)) {
          if (typeof value !== "string") throw new Damaged(`metadata ${key} is not a string`);
          metadata[key] = value;
        }
        continue;
      }
      const tensor = headerTensor(name, entry, data.length);
      tensor.data = data.subarray(
        tensor.begin,
        tensor.begin + elementCount(tensor.shape) * DTYPE_BYTES[tensor.dtype],
      );
      tensors.push(tensor);
    }
    const byStart = [...tensors].sort((a, b) => a.begin - b.begin);
    for (let i = 1; i < byStart.length; i++) {
      const previous = byStart[i - 1];
      if (byStart[i].begin < previous.begin + previous.data.length) {
        throw new Damaged(`tensors ${previous.name} and ${byStart[i].name} overlap`);
      }
    }
    return { tensors: tensors.map(({ begin: _, ...tensor }) => tensor), metadata };
  } catch (error) {
    if (error instanceof Damaged) {
      throw new ModuleError(
        "SIGLA_MODULE_INVALID",
        `${path} is not a valid safetensors file: ${error.message}`,
      );
    }
    throw error;
  }
}

/**
 * Encodes `tensors` (in order) and `metadata` as a safetensors file's bytes; the header is padded with
 * spaces to a multiple of 8 bytes, so every tensor's data starts aligned.
 *
 * @throws InvalidInputError for a tensor whose bytes do not fit its dtype and shape, or a repeated name.
 */
export function encodeSafetensors(
  tensors: readonly SafeTensor[],
  metadata?: Record<string, string>,
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) header[METADATA_KEY] = metadata;
  let offset = 0;
  for (const tensor of tensors) {
    if (tensor.name === METADATA_KEY || Object.hasOwn(header, tensor.name)) {
      throw new InvalidInputError(`safetensors: tensor name ${tensor.name} is repeated or reserved`);
    }
    const size = elementCount(tensor.shape) * DTYPE_BYTES[tensor.dtype];
    if (tensor.data.length !== size) {
      throw new InvalidInputError(
        `safetensors: tensor ${tensor.name} has ${tensor.data.length} bytes; ${tensor.dtype}[${tensor.shape.join(", ")}] needs ${size}`,
      );
    }
    header[tensor.name] = { dtype: tensor.dtype, shape: tensor.shape, data_offsets: [offset, offset + size] };
    offset += size;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerBytes = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerBytes + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerBytes);
  let at = 8 + headerBytes;
  for (const tensor of tensors) {
    out.set(tensor.data, at);
    at += tensor.data.length;
  }
  return out;
}

const bf16Bits = new Uint32Array(1);
const bf16Value = new Float32Array(bf16Bits.buffer);

/** Reads element `i` of a tensor of `dtype` from `view` as a number. */
function elementReader(dtype: SafetensorsDtype, view: DataView): (i: number) => number {
  switch (dtype) {
    case "F32":
      return (i) => view.getFloat32(i * 4, true);
    case "F16":
      return (i) => fromFloat16Bits(view.getUint16(i * 2, true));
    case "BF16":
      // bfloat16 is the upper half of a float32.
      return (i) => {
        bf16Bits[0] = view.getUint16(i * 2, true) << 16;
        return bf16Value[0];
      };
    case "I8":
      return (i) => view.getInt8(i);
    case "U8":
      return (i) => view.getUint8(i);
    case "I32":
      return (i) => view.getInt32(i * 4, true);
    case "I64":
      return (i) => Number(view.getBigInt64(i * 8, true));
  }
}

/**
 * The values of `tensor` as float32: F32, F16 and BF16 converted, integer types as their raw values (an
 * I8 tensor is not scaled here: {@link dequantizeState} applies the scales).
 */
export function toFloat32(tensor: SafeTensor): Float32Array {
  const count = elementCount(tensor.shape);
  const view = new DataView(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
  const out = new Float32Array(count);
  const read = elementReader(tensor.dtype, view);
  for (let i = 0; i < count; i++) out[i] = read(i);
  return out;
}

/** Float32 values as a tensor's bytes. */
function f32Tensor(name: string, shape: number[], values: Float32Array): SafeTensor {
  return {
    name,
    dtype: "F32",
    shape,
    data: new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
  };
}

const FLOAT_DTYPES = new Set<SafetensorsDtype>(["F32", "F16", "BF16"]);

/** int8, symmetric per row (the first dimension): scale = max|x| / 127 for each row. */
function int8PerRow(tensor: SafeTensor): [SafeTensor, SafeTensor] {
  const values = toFloat32(tensor);
  const rows = tensor.shape[0];
  const columns = rows === 0 ? 0 : values.length / rows;
  const codes = new Int8Array(values.length);
  const scales = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let max = 0;
    for (let c = 0; c < columns; c++) max = Math.max(max, Math.abs(values[r * columns + c]));
    const scale = max / 127;
    scales[r] = scale;
    const inverse = scale ? 1 / scale : 0;
    for (let c = 0; c < columns; c++) codes[r * columns + c] = Math.round(values[r * columns + c] * inverse);
  }
  return [
    { name: tensor.name, dtype: "I8", shape: [...tensor.shape], data: new Uint8Array(codes.buffer) },
    f32Tensor(`${tensor.name}${SCALE_SUFFIX}`, [rows], scales),
  ];
}

/**
 * A state dict quantised for a module: every float tensor of two or more dimensions becomes `int8`
 * (an I8 `<name>` and an F32 `<name>.scale` with one scale per row) or `fp16` (F16); 1-D float tensors
 * become F32, integer tensors stay as they are.
 *
 * @throws InvalidInputError when a scale's name would collide with a tensor of the input.
 */
export function quantizeState(tensors: readonly SafeTensor[], dtype: "int8" | "fp16"): SafeTensor[] {
  const names = new Set(tensors.map((t) => t.name));
  const out: SafeTensor[] = [];
  for (const tensor of tensors) {
    if (!FLOAT_DTYPES.has(tensor.dtype)) out.push(tensor);
    else if (tensor.shape.length < 2) out.push(f32Tensor(tensor.name, [...tensor.shape], toFloat32(tensor)));
    else if (dtype === "fp16") {
      const values = toFloat32(tensor);
      const half = new Uint16Array(values.length);
      for (let i = 0; i < values.length; i++) half[i] = toFloat16Bits(values[i]);
      out.push({
        name: tensor.name,
        dtype: "F16",
        shape: [...tensor.shape],
        data: new Uint8Array(half.buffer),
      });
    } else {
      if (names.has(`${tensor.name}${SCALE_SUFFIX}`)) {
        throw new InvalidInputError(
          `cannot quantise ${tensor.name}: the state already has ${tensor.name}${SCALE_SUFFIX}`,
        );
      }
      out.push(...int8PerRow(tensor));
    }
  }
  return out;
}

/**
 * Float32 values of every tensor of a (possibly quantised) state dict, by name: an I8 tensor with a
 * `<name>.scale` of one F32 per row is multiplied back by its row scales, and the scales themselves are
 * not listed; every other tensor is {@link toFloat32}'s values.
 */
export function dequantizeState(tensors: readonly SafeTensor[]): Map<string, Float32Array> {
  const byName = new Map(tensors.map((t) => [t.name, t]));
  const scalesUsed = new Set<string>();
  const out = new Map<string, Float32Array>();
  for (const tensor of tensors) {
    const scaleTensor = byName.get(`${tensor.name}${SCALE_SUFFIX}`);
    const values = toFloat32(tensor);
    if (
      tensor.dtype === "I8" &&
      tensor.shape.length >= 1 &&
      scaleTensor?.dtype === "F32" &&
      elementCount(scaleTensor.shape) === tensor.shape[0]
    ) {
      const scales = toFloat32(scaleTensor);
      const columns = tensor.shape[0] === 0 ? 0 : values.length / tensor.shape[0];
      for (let i = 0; i < values.length; i++) values[i] *= scales[Math.floor(i / columns)];
      scalesUsed.add(scaleTensor.name);
    }
    out.set(tensor.name, values);
  }
  for (const name of scalesUsed) out.delete(name);
  return out;
}
