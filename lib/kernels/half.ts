/**
 * IEEE 754 half precision (binary16) in plain JS: Node 20 has no Float16Array. Encoding rounds to the
 * nearest even half; decoding reads one table of all 65,536 halves (256 KB, stays in cache), so a dot
 * product over halves costs one extra load per element.
 *
 * Rows may be held relative to a `centre` (one row, subtracted before encoding and added back after
 * decoding): embeddings of real text share a large common direction, and halves of what is left keep
 * the small differences between neighbours that halves of the raw values round away.
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The half nearest `value` (ties to even), as its 16 bits. */
export function toHalf(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const biased = (x >>> 23) & 0xff;
  const exp = biased - 112; // the half's biased exponent: 127 − 15
  let mant = x & 0x7fffff;
  if (biased === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  if (exp >= 31) return sign | 0x7c00;
  if (exp <= 0) {
    if (exp < -10) return sign;
    // A subnormal half: the implicit bit joins the mantissa, shifted to units of 2^-24.
    mant |= 0x800000;
    const shift = 14 - exp;
    let half = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    const tie = 1 << (shift - 1);
    if (rest > tie || (rest === tie && half & 1)) half++;
    return sign | half;
  }
  let half = (exp << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  // A carry out of the mantissa moves the exponent up, which is the right rounding (up to infinity).
  if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half++;
  return sign | half;
}

/** Every half's value, indexed by its bits. */
export const HALF_VALUES: Float32Array = (() => {
  const table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >>> 10) & 0x1f;
    const mant = h & 0x3ff;
    if (exp === 0) table[h] = sign * mant * 2 ** -24;
    else if (exp === 31) table[h] = mant ? Number.NaN : sign * Number.POSITIVE_INFINITY;
    else table[h] = sign * (1 + mant / 1024) * 2 ** (exp - 15);
  }
  return table;
})();

/** Rows of `values` minus `centre`, as halves, into `out` from `at` (a row boundary; a new array by default). */
export function encodeHalves(
  values: Float32Array,
  centre: Float32Array,
  out: Uint16Array = new Uint16Array(values.length),
  at = 0,
): Uint16Array {
  const dim = centre.length;
  for (let i = 0; i < values.length; i++) out[at + i] = toHalf(values[i] - centre[i % dim]);
  return out;
}

/** Halves `from`…`to` of `halves` (row boundaries) as floats plus `centre`, into `out` (a new array by default). */
export function decodeHalves(
  halves: Uint16Array,
  centre: Float32Array,
  from = 0,
  to = halves.length,
  out: Float32Array = new Float32Array(to - from),
): Float32Array {
  const dim = centre.length;
  for (let i = from; i < to; i++) out[i - from] = centre[(i - from) % dim] + HALF_VALUES[halves[i]];
  return out;
}

/**
 * Dot product of row `a` of `x` (floats) with row `b` of `halves` (`dim` long), the halves as they are:
 * add row `a`'s dot product with the centre for the value of the row.
 */
export function dotHalf(x: Float32Array, a: number, halves: Uint16Array, b: number, dim: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const i0 = a * dim;
  const j0 = b * dim;
  let i = 0;
  for (; i + 3 < dim; i += 4) {
    s0 += x[i0 + i] * HALF_VALUES[halves[j0 + i]];
    s1 += x[i0 + i + 1] * HALF_VALUES[halves[j0 + i + 1]];
    s2 += x[i0 + i + 2] * HALF_VALUES[halves[j0 + i + 2]];
    s3 += x[i0 + i + 3] * HALF_VALUES[halves[j0 + i + 3]];
  }
  for (; i < dim; i++) s0 += x[i0 + i] * HALF_VALUES[halves[j0 + i]];
  return s0 + s1 + s2 + s3;
}
