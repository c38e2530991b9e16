/**
 * The number formats of weight quantisation: symmetric int8 with one scale per slice along an axis (or
 * one for the whole tensor), and IEEE half precision. Pure array maths, no ONNX.
 */
import { toFloat16Bits } from "../llm/gguf-format.js";

/** int8 values and their scales: value ≈ q × scale, zero point 0. */
export interface Int8Weights {
  q: Int8Array;
  /** One scale per index of `axis`, or a single scale when quantised per tensor. */
  scales: Float32Array;
}

/**
 * Symmetric int8 quantisation of a row-major tensor. With `axis`, each index along that axis (an output
 * channel, an embedding row) gets its own scale max|w|/127, so a channel of small weights keeps its
 * precision; without, one scale serves the tensor. q is clamped to ±127 so the range stays symmetric.
 * An all-zero slice gets scale 1 (any scale reproduces zeros).
 */
export function quantizeInt8(values: Float32Array, dims: readonly number[], axis?: number): Int8Weights {
  const channels = axis === undefined ? 1 : dims[axis];
  // Layout [outer, channels, inner]: the channel of flat index i is floor(i / inner) % channels.
  const inner = axis === undefined ? values.length : dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = channels * inner === 0 ? 0 : values.length / (channels * inner);
  const max = new Float32Array(channels);
  for (let o = 0, i = 0; o < outer; o++) {
    for (let c = 0; c < channels; c++) {
      let m = max[c];
      for (const end = i + inner; i < end; i++) {
        const a = Math.abs(values[i]);
        if (a > m) m = a;
      }
      max[c] = m;
    }
  }
  const scales = max.map((m) => (m > 0 ? m / 127 : 1));
  const q = new Int8Array(values.length);
  for (let o = 0, i = 0; o < outer; o++) {
    for (let c = 0; c < channels; c++) {
      const inverse = 1 / scales[c];
      for (const end = i + inner; i < end; i++) {
        const v = Math.round(values[i] * inverse);
        q[i] = Math.min(127, Math.max(-127, v));
      }
    }
  }
  return { q, scales };
}

/** The largest finite binary16 value. */
const HALF_MAX = 65504;

/**
 * The IEEE binary16 bits of `value`, rounded to nearest even (ggml's conversion). Finite values beyond the
 * half range (±65504) saturate to ±65504 rather than become infinite, so a large weight stays a number.
 */
export function float16Bits(value: number): number {
  return toFloat16Bits(Number.isFinite(value) ? Math.max(-HALF_MAX, Math.min(HALF_MAX, value)) : value);
}

/** float32 values as little-endian binary16 bytes. */
export function toFloat16Bytes(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  for (let i = 0; i < values.length; i++) {
    const h = float16Bits(values[i]);
    out[i * 2] = h & 0xff;
    out[i * 2 + 1] = h >>> 8;
  }
  return out;
}
