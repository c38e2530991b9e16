/**
 * The GGUF file format, as far as SIGLA writes and checks it (ggml's docs/gguf.md, version 3): the
 * metadata value types, the tensor types with their block layout, and the quantisers for the block
 * types the writer produces. The writer ({@link ./gguf-writer.ts}) and the header check
 * ({@link ./gguf-header.ts}) share these tables, so both agree on every size.
 */
import { HALF_VALUES, toHalf } from "../kernels/half.js";

/** "GGUF" read as a little-endian u32. */
export const GGUF_MAGIC = 0x46554747;
export const GGUF_VERSION = 3;
/** Tensor data alignment when `general.alignment` is absent. */
export const GGUF_DEFAULT_ALIGNMENT = 32;

/** Metadata value types (`gguf_metadata_value_type`). */
export const GGUF_VALUE = {
  uint8: 0,
  int8: 1,
  uint16: 2,
  int16: 3,
  uint32: 4,
  int32: 5,
  float32: 6,
  bool: 7,
  string: 8,
  array: 9,
  uint64: 10,
  int64: 11,
  float64: 12,
} as const;

/** Byte size of each fixed-size metadata value type (strings and arrays are variable). */
export const GGUF_VALUE_SIZE: Readonly<Record<number, number>> = {
  0: 1,
  1: 1,
  2: 2,
  3: 2,
  4: 4,
  5: 4,
  6: 4,
  7: 1,
  10: 8,
  11: 8,
  12: 8,
};

/** The tensor types the writer produces and their ggml ids. */
export const GGML_TYPE = { F32: 0, F16: 1, Q4_0: 2, Q8_0: 8 } as const;
export type GgmlTypeName = keyof typeof GGML_TYPE;

/**
 * Block layout (elements per block, bytes per block) of every ggml type a model file may hold, so the
 * header check can size any tensor — including K-quants written by other tools.
 */
export const GGML_BLOCK: Readonly<Record<number, readonly [elements: number, bytes: number]>> = {
  0: [1, 4], // F32
  1: [1, 2], // F16
  2: [32, 18], // Q4_0
  3: [32, 20], // Q4_1
  6: [32, 22], // Q5_0
  7: [32, 24], // Q5_1
  8: [32, 34], // Q8_0
  9: [32, 36], // Q8_1
  10: [256, 84], // Q2_K
  11: [256, 110], // Q3_K
  12: [256, 144], // Q4_K
  13: [256, 176], // Q5_K
  14: [256, 210], // Q6_K
  15: [256, 292], // Q8_K
  16: [256, 66], // IQ2_XXS
  17: [256, 74], // IQ2_XS
  18: [256, 98], // IQ3_XXS
  19: [256, 50], // IQ1_S
  20: [32, 18], // IQ4_NL
  21: [256, 110], // IQ3_S
  22: [256, 82], // IQ2_S
  23: [256, 136], // IQ4_XS
  24: [1, 1], // I8
  25: [1, 2], // I16
  26: [1, 4], // I32
  27: [1, 8], // I64
  28: [1, 8], // F64
  29: [256, 56], // IQ1_M
  30: [1, 2], // BF16
  34: [256, 54], // TQ1_0
  35: [256, 66], // TQ2_0
  39: [32, 17], // MXFP4
};

/** Names of the common ggml types, for `ModelInfo.quantization`. */
export const GGML_TYPE_NAME: Readonly<Record<number, string>> = {
  0: "F32",
  1: "F16",
  2: "Q4_0",
  3: "Q4_1",
  6: "Q5_0",
  7: "Q5_1",
  8: "Q8_0",
  10: "Q2_K",
  11: "Q3_K",
  12: "Q4_K",
  13: "Q5_K",
  14: "Q6_K",
  30: "BF16",
};

/** `general.file_type` values (llama_ftype) for the files the writer makes. */
export const LLAMA_FILE_TYPE: Readonly<Record<GgmlTypeName, number>> = { F32: 0, F16: 1, Q4_0: 2, Q8_0: 7 };

/** Bytes a tensor of `elements` values of ggml type `type` takes, or undefined for an unknown type. */
export function ggmlTensorBytes(type: number, elements: number): number | undefined {
  const block = GGML_BLOCK[type];
  if (!block || elements % block[0] !== 0) return undefined;
  return (elements / block[0]) * block[1];
}

/** IEEE half-precision bits of `value`, rounded to nearest even (as ggml's GGML_FP32_TO_FP16). */
export const toFloat16Bits = toHalf;

/** The value of half-precision bits (for round-trip checks). */
export function fromFloat16Bits(bits: number): number {
  return HALF_VALUES[bits & 0xffff];
}

/** Encodes `values` as ggml type `type`: F32, F16, or blocks of 32 for Q8_0 and Q4_0. */
export function encodeTensor(type: GgmlTypeName, values: Float32Array): Uint8Array {
  switch (type) {
    case "F32":
      return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    case "F16": {
      const out = new Uint16Array(values.length);
      for (let i = 0; i < values.length; i++) out[i] = toFloat16Bits(values[i]);
      return new Uint8Array(out.buffer);
    }
    case "Q8_0":
      return quantizeQ8_0(values);
    case "Q4_0":
      return quantizeQ4_0(values);
  }
}

function blockCount(values: Float32Array): number {
  if (values.length % 32 !== 0) throw new RangeError(`a quantised row needs a multiple of 32 values`);
  return values.length / 32;
}

/** Q8_0 (ggml's quantize_row_q8_0_ref): per 32 values an f16 scale d = max|x|/127 and 32 int8 x/d. */
export function quantizeQ8_0(values: Float32Array): Uint8Array {
  const blocks = blockCount(values);
  const out = new Uint8Array(blocks * 34);
  const view = new DataView(out.buffer);
  for (let b = 0; b < blocks; b++) {
    const base = b * 32;
    let amax = 0;
    for (let j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(values[base + j]));
    const d = amax / 127;
    const inverse = d ? 1 / d : 0;
    view.setUint16(b * 34, toFloat16Bits(d), true);
    for (let j = 0; j < 32; j++) view.setInt8(b * 34 + 2 + j, Math.round(values[base + j] * inverse));
  }
  return out;
}

/**
 * Q4_0 (ggml's quantize_row_q4_0_ref): per 32 values an f16 scale d = max/-8 (the signed value of the
 * largest magnitude) and 16 bytes of 4-bit codes q = x/d + 8, value j in the low nibble of byte j and
 * value j+16 in its high nibble.
 */
export function quantizeQ4_0(values: Float32Array): Uint8Array {
  const blocks = blockCount(values);
  const out = new Uint8Array(blocks * 18);
  const view = new DataView(out.buffer);
  for (let b = 0; b < blocks; b++) {
    const base = b * 32;
    let amax = 0;
    let max = 0;
    for (let j = 0; j < 32; j++) {
      const v = values[base + j];
      if (Math.abs(v) > amax) {
        amax = Math.abs(v);
        max = v;
      }
    }
    const d = max / -8;
    const inverse = d ? 1 / d : 0;
    view.setUint16(b * 18, toFloat16Bits(d), true);
    for (let j = 0; j < 16; j++) {
      const lo = Math.min(15, Math.trunc(values[base + j] * inverse + 8.5));
      const hi = Math.min(15, Math.trunc(values[base + j + 16] * inverse + 8.5));
      out[b * 18 + 2 + j] = lo | (hi << 4);
    }
  }
  return out;
}
