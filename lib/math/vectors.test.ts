import { test } from "uvu";
import * as assert from "uvu/assert";
import { cosine, dot, norm, normalize } from "./vectors.js";

test("dot and norm over Float32Array, Float64Array and plain arrays", () => {
  assert.is(dot([1, 2, 3], new Float32Array([4, 5, 6])), 32);
  assert.is(norm(new Float64Array([3, 4])), 5);
  assert.is(norm([]), 0);
});

test("cosine is scale-free, clamped to [-1, 1], and 0 for a zero vector", () => {
  assert.ok(Math.abs(cosine([1, 0], [10, 10]) - Math.SQRT1_2) < 1e-12);
  assert.is(cosine([0.1, 0.2, 0.3], [0.1, 0.2, 0.3]) <= 1, true);
  assert.is(cosine([-2, 0], [3, 0]), -1);
  assert.is(cosine([0, 0], [1, 0]), 0);
});

test("normalize scales in place, or into a target leaving the input alone; zero stays zero", () => {
  const v = new Float32Array([3, 4]);
  assert.is(normalize(v), v);
  assert.equal([...v], [Math.fround(0.6), Math.fround(0.8)]);
  const source = [0, 5];
  const into = normalize(source, new Float32Array(2));
  assert.equal([...into], [0, 1]);
  assert.equal(source, [0, 5]);
  assert.equal([...normalize(new Float32Array(3))], [0, 0, 0]);
});

test.run();
