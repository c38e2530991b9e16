/**
 * A small GGUF (version 3) writer: header, typed metadata, tensor infos and 32-byte aligned tensor data,
 * quantised to F32, F16, Q8_0 or Q4_0 on the way out. It exists so tests and benchmarks can make real
 * llama.cpp model files from TypeScript, with no Python and nothing downloaded.
 *
 * ```ts
 * await writeGguf("tiny.gguf", { "general.architecture": "llama", "llama.block_count": 2, … }, [
 *   { name: "token_embd.weight", dims: [64, 512], type: "Q8_0", values: () => weights },
 * ]);
 * ```
 *
 * Tensors are produced one at a time (`values` is a function) and written through a file handle, so a
 * model of hundreds of megabytes never sits in memory whole. The file appears under its name only when
 * complete (written beside it, then renamed).
 */
import { open, rename, rm } from "node:fs/promises";
import { InvalidInputError } from "../errors.js";
import {
  encodeTensor,
  GGML_BLOCK,
  GGML_TYPE,
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_MAGIC,
  GGUF_VALUE,
  GGUF_VERSION,
  type GgmlTypeName,
  ggmlTensorBytes,
} from "./gguf-format.js";

type ScalarKind = "uint8" | "int8" | "uint32" | "int32" | "float32" | "uint64" | "int64" | "float64" | "bool";

/** A metadata value with its GGUF type made explicit (see {@link gguf}). */
export type TypedGgufValue =
  | { readonly kind: ScalarKind; readonly value: number | bigint | boolean }
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "array"; readonly of: ScalarKind | "string"; readonly values: ArrayLike<unknown> };

/**
 * A metadata value. Plain values are typed by shape: a string is a `string`, a boolean a `bool`, an
 * integer a `uint32` (`int32` when negative), any other number a `float32`, a string array an array of
 * strings. Use {@link gguf} where llama.cpp expects another type (e.g. `rope.freq_base` is a float32
 * even when it is 10000).
 */
export type GgufValue = string | number | boolean | readonly string[] | TypedGgufValue;

/** Explicitly typed metadata values. */
export const gguf = {
  u32: (value: number): TypedGgufValue => ({ kind: "uint32", value }),
  i32: (value: number): TypedGgufValue => ({ kind: "int32", value }),
  f32: (value: number): TypedGgufValue => ({ kind: "float32", value }),
  u64: (value: number | bigint): TypedGgufValue => ({ kind: "uint64", value }),
  bool: (value: boolean): TypedGgufValue => ({ kind: "bool", value }),
  array: (of: ScalarKind | "string", values: ArrayLike<unknown>): TypedGgufValue => ({
    kind: "array",
    of,
    values,
  }),
};

/** One tensor: its name, its dims with the fastest-varying first (ggml's `ne`), type and contents. */
export interface GgufTensor {
  name: string;
  dims: readonly number[];
  type: GgmlTypeName;
  /** The values, row-major over `dims` reversed; called once, when the tensor is written. */
  values: () => Float32Array;
}

const utf8 = new TextEncoder();

/** Little-endian byte sink for the header part of the file. */
class Bytes {
  private buffer = new Uint8Array(1 << 16);
  private view = new DataView(this.buffer.buffer);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + n) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
    this.view = new DataView(grown.buffer);
  }

  scalar(kind: ScalarKind, value: number | bigint | boolean): void {
    this.reserve(8);
    const at = this.length;
    const v = this.view;
    switch (kind) {
      case "uint8":
      case "bool":
        v.setUint8(at, Number(value));
        this.length += 1;
        return;
      case "int8":
        v.setInt8(at, Number(value));
        this.length += 1;
        return;
      case "uint32":
        v.setUint32(at, Number(value), true);
        break;
      case "int32":
        v.setInt32(at, Number(value), true);
        break;
      case "float32":
        v.setFloat32(at, Number(value), true);
        break;
      case "float64":
        v.setFloat64(at, Number(value), true);
        this.length += 8;
        return;
      case "uint64":
        v.setBigUint64(at, BigInt(value), true);
        this.length += 8;
        return;
      case "int64":
        v.setBigInt64(at, BigInt(value), true);
        this.length += 8;
        return;
    }
    this.length += 4;
  }

  string(value: string): void {
    const bytes = utf8.encode(value);
    this.scalar("uint64", bytes.length);
    this.reserve(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
  }

  pad(alignment: number): void {
    const padding = (alignment - (this.length % alignment)) % alignment;
    this.reserve(padding);
    this.buffer.fill(0, this.length, this.length + padding);
    this.length += padding;
  }

  bytes(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }
}

function typed(key: string, value: GgufValue): TypedGgufValue {
  if (typeof value === "string") return { kind: "string", value };
  if (typeof value === "boolean") return { kind: "bool", value };
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new InvalidInputError(`GGUF metadata ${key} is not a finite number`);
    if (!Number.isInteger(value)) return { kind: "float32", value };
    return { kind: value < 0 ? "int32" : "uint32", value };
  }
  if (Array.isArray(value)) return { kind: "array", of: "string", values: value };
  return value as TypedGgufValue;
}

function writeValue(out: Bytes, value: TypedGgufValue): void {
  if (value.kind === "string") out.string(value.value);
  else if (value.kind === "array") {
    out.scalar("uint32", GGUF_VALUE[value.of]);
    out.scalar("uint64", value.values.length);
    for (let i = 0; i < value.values.length; i++) {
      const item = value.values[i];
      if (value.of === "string") out.string(String(item));
      else out.scalar(value.of, item as number);
    }
  } else out.scalar(value.kind, value.value);
}

/**
 * Writes a GGUF v3 file at `path`: `metadata` in insertion order, then `tensors` in order, each aligned
 * to `general.alignment` (32 unless the metadata says otherwise).
 *
 * @throws InvalidInputError for a tensor whose element count does not fit its dims or block size.
 */
export async function writeGguf(
  path: string,
  metadata: Readonly<Record<string, GgufValue>>,
  tensors: readonly GgufTensor[],
): Promise<void> {
  const alignmentValue = metadata["general.alignment"];
  const alignment =
    typeof alignmentValue === "number"
      ? alignmentValue
      : typeof alignmentValue === "object" && alignmentValue !== null && "value" in alignmentValue
        ? Number(alignmentValue.value)
        : GGUF_DEFAULT_ALIGNMENT;

  const header = new Bytes();
  header.scalar("uint32", GGUF_MAGIC);
  header.scalar("uint32", GGUF_VERSION);
  header.scalar("uint64", tensors.length);
  header.scalar("uint64", Object.keys(metadata).length);
  for (const [key, value] of Object.entries(metadata)) {
    const t = typed(key, value);
    header.string(key);
    header.scalar("uint32", GGUF_VALUE[t.kind]);
    writeValue(header, t);
  }

  const sizes: number[] = [];
  let offset = 0;
  for (const tensor of tensors) {
    const elements = tensor.dims.reduce((a, b) => a * b, 1);
    const size = ggmlTensorBytes(GGML_TYPE[tensor.type], elements);
    // ggml quantises row by row, so a row (dims[0]) must hold whole blocks.
    if (size === undefined || tensor.dims[0] % GGML_BLOCK[GGML_TYPE[tensor.type]][0] !== 0) {
      throw new InvalidInputError(
        `tensor ${tensor.name}: ${tensor.dims.join("×")} does not fit ${tensor.type}`,
      );
    }
    header.string(tensor.name);
    header.scalar("uint32", tensor.dims.length);
    for (const dim of tensor.dims) header.scalar("uint64", dim);
    header.scalar("uint32", GGML_TYPE[tensor.type]);
    header.scalar("uint64", offset);
    sizes.push(size);
    offset += size + ((alignment - (size % alignment)) % alignment);
  }
  header.pad(alignment);

  const partial = `${path}.partial`;
  const file = await open(partial, "w");
  try {
    await file.write(header.bytes());
    const zeros = new Uint8Array(alignment);
    for (const [i, tensor] of tensors.entries()) {
      const values = tensor.values();
      const bytes = encodeTensor(tensor.type, values);
      if (bytes.length !== sizes[i]) {
        throw new InvalidInputError(
          `tensor ${tensor.name}: got ${values.length} values, its dims ${tensor.dims.join("×")} need another count`,
        );
      }
      await file.write(bytes);
      await file.write(zeros.subarray(0, (alignment - (bytes.length % alignment)) % alignment));
    }
    await file.close();
    await rename(partial, path);
  } catch (error) {
    await file.close().catch(() => undefined);
    await rm(partial, { force: true });
    throw error;
  }
}
