/** Half precision: exact bits for known values, ties to even, subnormals, and every half round-trips. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { decodeHalves, dotHalf, encodeHalves, HALF_VALUES, toHalf } from "./half.js";

test("known values encode to their IEEE 754 binary16 bits", () => {
  const cases: Array<[number, number]> = [
    [0, 0x0000],
    [-0, 0x8000],
    [1, 0x3c00],
    [-2, 0xc000],
    [0.5, 0x3800],
    [65504, 0x7bff],
    [1e6, 0x7c00],
    [Number.NEGATIVE_INFINITY, 0xfc00],
    [2 ** -24, 0x0001],
    [2 ** -14, 0x0400],
    [0.1, 0x2e66],
    [1 / 3, 0x3555],
    [2 ** -26, 0x0000],
  ];
  for (const [value, bits] of cases) assert.is(toHalf(value), bits, `${value}`);
  assert.is(toHalf(Number.NaN) & 0x7c00, 0x7c00);
  assert.ok(Number.isNaN(HALF_VALUES[toHalf(Number.NaN)]));
});

test("halfway values round to the even half", () => {
  assert.is(toHalf(1 + 2 ** -11), 0x3c00, "between 1 and 1 + 2^-10: to 1 (even)");
  assert.is(toHalf(1 + 3 * 2 ** -11), 0x3c02, "between 1 + 2^-10 and 1 + 2^-9: to the even one");
  assert.is(toHalf(1 + 2 ** -11 + 2 ** -20), 0x3c01, "just above halfway: up");
  assert.is(toHalf(3 * 2 ** -25), 0x0002, "a subnormal tie: to the even one");
});

test("every finite half decodes and encodes back to itself", () => {
  for (let h = 0; h < 65536; h++) {
    const value = HALF_VALUES[h];
    if (Number.isNaN(value)) continue;
    const back = toHalf(value);
    assert.ok(back === h, `half ${h.toString(16)} (${value}) came back as ${back.toString(16)}`);
  }
});

test("rows keep 11 significant bits of what is left after the centre; dotHalf reads them back", () => {
  const dim = 64;
  const centre = Float32Array.from({ length: dim }, (_, j) => (j % 2 ? 0.12 : -0.12));
  const values = Float32Array.from(
    { length: 4096 },
    (_, i) => centre[i % dim] + Math.sin(i * 12.9898) * 0.01,
  );
  const halves = encodeHalves(values, centre);
  const back = decodeHalves(halves, centre);
  for (let i = 0; i < values.length; i++) {
    const rest = values[i] - centre[i % dim];
    const tolerance = Math.max(Math.abs(rest) * 2 ** -11, 2 ** -25) + 1e-8;
    assert.ok(Math.abs(back[i] - values[i]) <= tolerance, `${values[i]} → ${back[i]}`);
  }
  // Without the centre the same values lose about twelve times as much (|value| / |rest|).
  const raw = decodeHalves(encodeHalves(values, new Float32Array(dim)), new Float32Array(dim));
  const error = (a: Float32Array) => a.reduce((sum, x, i) => sum + Math.abs(x - values[i]), 0);
  assert.ok(error(raw) > 5 * error(back), `${error(raw)} against ${error(back)}`);
  // A row from the middle decodes on its own, and dotHalf agrees with the decoded row.
  assert.equal(decodeHalves(halves, centre, 2 * dim, 3 * dim), back.subarray(2 * dim, 3 * dim));
  const query = Float32Array.from({ length: dim }, (_, i) => Math.cos(i));
  let expected = 0;
  for (let j = 0; j < dim; j++) expected += query[j] * back[dim + j];
  const toCentre = query.reduce((sum, x, j) => sum + x * centre[j], 0);
  assert.ok(Math.abs(toCentre + dotHalf(query, 0, halves, 1, dim) - expected) < 1e-5);
});

test.run();
