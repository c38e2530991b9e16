/**
 * Reads and checks a GGUF file's header before llama.cpp sees it: the magic, the version, every
 * metadata entry and tensor info, bounded as it is read, and that every tensor's data lies inside the
 * file. llama.cpp trusts the header and may abort the whole process on a truncated file; this check
 * turns any such file into a `SIGLA_MODEL_INVALID` error naming what is wrong.
 */
import { open, stat } from "node:fs/promises";
import { ModelError } from "../errors.js";
import {
  GGML_BLOCK,
  GGML_TYPE_NAME,
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_MAGIC,
  GGUF_VALUE,
  GGUF_VALUE_SIZE,
  ggmlTensorBytes,
} from "./gguf-format.js";

/** What the header of a GGUF file says. */
export interface GgufHeader {
  version: number;
  /** Scalar and string metadata; arrays are kept as their length only. */
  metadata: Map<string, string | number | bigint | boolean | { arrayLength: number }>;
  tensors: { name: string; dims: number[]; type: number; offset: number; bytes: number }[];
  /** Where tensor data starts, and the bytes the file must have. */
  dataOffset: number;
  requiredBytes: number;
  fileBytes: number;
}

/** Bounds that no real model comes near; past them the header is garbage. */
const MAX_COUNT = 1 << 24;
const MAX_STRING = 64 << 20;
const CHUNK = 1 << 20;
const UTF8 = new TextDecoder();

class Invalid extends Error {}

/** Sequential little-endian reads from a file, fetched a megabyte at a time. */
class HeaderReader {
  private buffer = new Uint8Array(0);
  private view = new DataView(this.buffer.buffer);
  private start = 0; // file offset of buffer[0]
  position = 0;

  constructor(
    private readonly file: Awaited<ReturnType<typeof open>>,
    private readonly size: number,
  ) {}

  private async ensure(n: number): Promise<void> {
    if (this.position + n > this.size) throw new Invalid(`it ends inside its header (at byte ${this.size})`);
    if (this.position + n <= this.start + this.buffer.length) return;
    const length = Math.min(Math.max(n, CHUNK), this.size - this.position);
    const next = new Uint8Array(length);
    await this.file.read(next, 0, length, this.position);
    this.buffer = next;
    this.view = new DataView(next.buffer);
    this.start = this.position;
  }

  async u32(): Promise<number> {
    await this.ensure(4);
    const v = this.view.getUint32(this.position - this.start, true);
    this.position += 4;
    return v;
  }

  async u64(): Promise<number> {
    await this.ensure(8);
    const v = this.view.getBigUint64(this.position - this.start, true);
    this.position += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Invalid(`a size field holds ${v}`);
    return Number(v);
  }

  async count(what: string): Promise<number> {
    const n = await this.u64();
    if (n > MAX_COUNT) throw new Invalid(`it claims ${n} ${what}`);
    return n;
  }

  async string(): Promise<string> {
    const length = await this.stringLength();
    await this.ensure(length);
    const at = this.position - this.start;
    this.position += length;
    return UTF8.decode(this.buffer.subarray(at, at + length));
  }

  /** Passes over a string without decoding it (a vocabulary holds some 150k of them). */
  async skipString(): Promise<void> {
    this.skip(await this.stringLength());
  }

  private async stringLength(): Promise<number> {
    const length = await this.u64();
    if (length > MAX_STRING) throw new Invalid(`a string claims ${length} bytes`);
    return length;
  }

  async scalar(type: number): Promise<number | bigint | boolean> {
    const size = GGUF_VALUE_SIZE[type];
    await this.ensure(size);
    const at = this.position - this.start;
    this.position += size;
    const v = this.view;
    switch (type) {
      case GGUF_VALUE.uint8:
        return v.getUint8(at);
      case GGUF_VALUE.int8:
        return v.getInt8(at);
      case GGUF_VALUE.uint16:
        return v.getUint16(at, true);
      case GGUF_VALUE.int16:
        return v.getInt16(at, true);
      case GGUF_VALUE.uint32:
        return v.getUint32(at, true);
      case GGUF_VALUE.int32:
        return v.getInt32(at, true);
      case GGUF_VALUE.float32:
        return v.getFloat32(at, true);
      case GGUF_VALUE.bool:
        return v.getUint8(at) !== 0;
      case GGUF_VALUE.uint64:
        return v.getBigUint64(at, true);
      case GGUF_VALUE.int64:
        return v.getBigInt64(at, true);
      default:
        return v.getFloat64(at, true);
    }
  }

  skip(n: number): void {
    this.position += n;
    if (this.position > this.size) throw new Invalid(`it ends inside its header (at byte ${this.size})`);
  }
}

async function readValue(
  reader: HeaderReader,
  type: number,
): Promise<string | number | bigint | boolean | { arrayLength: number }> {
  if (type === GGUF_VALUE.string) return reader.string();
  if (type === GGUF_VALUE.array) {
    const itemType = await reader.u32();
    const length = await reader.count("array items");
    if (itemType === GGUF_VALUE.string) for (let i = 0; i < length; i++) await reader.skipString();
    else if (GGUF_VALUE_SIZE[itemType] !== undefined) reader.skip(length * GGUF_VALUE_SIZE[itemType]);
    else throw new Invalid(`an array has unknown item type ${itemType}`);
    return { arrayLength: length };
  }
  if (GGUF_VALUE_SIZE[type] === undefined) throw new Invalid(`a value has unknown type ${type}`);
  return reader.scalar(type);
}

/**
 * Reads and checks the header of the GGUF file at `path`.
 *
 * @throws ModelError SIGLA_MODEL_NOT_FOUND when there is no file; SIGLA_MODEL_INVALID when it is not a
 *   GGUF file, is of an unsupported version, has a malformed header or is shorter than its tensors need.
 */
export async function readGgufHeader(path: string): Promise<GgufHeader> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new ModelError("SIGLA_MODEL_NOT_FOUND", `model file ${path} does not exist`);
  if (!info.isFile()) throw new ModelError("SIGLA_MODEL_INVALID", `${path} is not a file`);
  const file = await open(path, "r");
  try {
    const reader = new HeaderReader(file, info.size);
    if (info.size < 24 || (await reader.u32()) !== GGUF_MAGIC) {
      throw new ModelError("SIGLA_MODEL_INVALID", `${path} is not a GGUF model file (no GGUF magic)`);
    }
    const version = await reader.u32();
    if (version !== 2 && version !== 3) {
      throw new ModelError("SIGLA_MODEL_INVALID", `${path} is GGUF version ${version}; only 2 and 3 load`);
    }
    const tensorCount = await reader.count("tensors");
    const kvCount = await reader.count("metadata entries");
    const metadata: GgufHeader["metadata"] = new Map();
    for (let i = 0; i < kvCount; i++) {
      const key = await reader.string();
      metadata.set(key, await readValue(reader, await reader.u32()));
    }
    const tensors: GgufHeader["tensors"] = [];
    for (let i = 0; i < tensorCount; i++) {
      const name = await reader.string();
      const nDims = await reader.u32();
      if (nDims < 1 || nDims > 4) throw new Invalid(`tensor ${name} has ${nDims} dimensions`);
      const dims: number[] = [];
      for (let d = 0; d < nDims; d++) dims.push(await reader.u64());
      const type = await reader.u32();
      const offset = await reader.u64();
      const elements = dims.reduce((a, b) => a * b, 1);
      const bytes = ggmlTensorBytes(type, elements);
      if (!GGML_BLOCK[type] || bytes === undefined) {
        throw new Invalid(`tensor ${name} has unknown type ${type} or a size that does not fit it`);
      }
      tensors.push({ name, dims, type, offset, bytes });
    }
    const alignmentValue = metadata.get("general.alignment");
    const alignment =
      typeof alignmentValue === "number" && alignmentValue > 0 ? alignmentValue : GGUF_DEFAULT_ALIGNMENT;
    const dataOffset = Math.ceil(reader.position / alignment) * alignment;
    const requiredBytes = tensors.reduce(
      (end, t) => Math.max(end, dataOffset + t.offset + t.bytes),
      dataOffset,
    );
    if (requiredBytes > info.size) {
      throw new ModelError(
        "SIGLA_MODEL_INVALID",
        `${path} is truncated: it has ${info.size} bytes, its tensors need ${requiredBytes}`,
      );
    }
    return { version, metadata, tensors, dataOffset, requiredBytes, fileBytes: info.size };
  } catch (error) {
    if (error instanceof Invalid) {
      throw new ModelError("SIGLA_MODEL_INVALID", `${path} is not a valid GGUF file: ${error.message}`);
    }
    throw error;
  } finally {
    await file.close();
  }
}

/** The architecture, trained context, chat template, parameters and quantisation a header names. */
export function describeGguf(header: GgufHeader): {
  architecture: string;
  name?: string;
  contextLength?: number;
  chatTemplate: boolean;
  parameters: number;
  quantization?: string;
} {
  const text = (key: string) => {
    const value = header.metadata.get(key);
    return typeof value === "string" ? value : undefined;
  };
  const architecture = text("general.architecture") ?? "unknown";
  const context = header.metadata.get(`${architecture}.context_length`);
  // The type holding most of the weights' bytes is the model's quantisation (norms stay F32).
  const bytesByType = new Map<number, number>();
  for (const t of header.tensors) bytesByType.set(t.type, (bytesByType.get(t.type) ?? 0) + t.bytes);
  const main = [...bytesByType].sort((a, b) => b[1] - a[1])[0]?.[0];
  return {
    architecture,
    name: text("general.name"),
    contextLength: typeof context === "number" ? context : undefined,
    chatTemplate: text("tokenizer.chat_template") !== undefined,
    parameters: header.tensors.reduce((sum, t) => sum + t.dims.reduce((a, b) => a * b, 1), 0),
    quantization: main === undefined ? undefined : (GGML_TYPE_NAME[main] ?? `type ${main}`),
  };
}
