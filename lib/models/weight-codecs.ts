/**
 * The number formats of weight quantisation: symmetric int8 with one scale per slice along an axis (or
 * one for the whole tensor), and IEEE half precision. Pure array maths, no ONNX.
 */

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

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * The IEEE binary16 bits of `value`, rounded to nearest even. Finite values beyond the half range
 * (±65504) saturate to ±65504 rather than become infinite, so a large weight stays a number.
 */
export function float16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  const mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa !== 0 ? 0x200 : 0); // inf, NaN
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7bff; // saturate
  if (e <= 0) {
    // Subnormal half (or zero): shift the implicit 1 in and round.
    if (e < -10) return sign;
    const full = mantissa | 0x800000;
    const shift = 14 - e;
    let half = full >>> shift;
    const rest = full & ((1 << shift) - 1);
    const midway = 1 << (shift - 1);
    if (rest > midway || (rest === midway && (half & 1) === 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (half & 1) === 1)) half++; // may carry into the exponent
  if ((half & 0x7c00) === 0x7c00) return sign | 0x7bff;
  return sign | half;
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

/** The number a binary16 bit pattern stands for (for tests and checks). */
export function float16Value(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}
