import { test } from "uvu";
import * as assert from "uvu/assert";
import { sampleIndices, seededRandom } from "./random.js";

test("sampleIndices: distinct indices below n, the same for the same seed", () => {
  const picked = [...sampleIndices(1000, 200, seededRandom(7))];
  assert.is(picked.length, 200);
  assert.is(new Set(picked).size, 200, "no index twice");
  assert.ok(picked.every((i) => Number.isInteger(i) && i >= 0 && i < 1000));
  assert.equal([...sampleIndices(1000, 200, seededRandom(7))], picked, "seeded: reproducible");
  assert.not.equal([...sampleIndices(1000, 200, seededRandom(8))], picked);
});

test("sampleIndices: all of n is a permutation; more than n gives n", () => {
  assert.equal(
    [...sampleIndices(50, 50, seededRandom(1))].sort((a, b) => a - b),
    [...Array(50).keys()],
  );
  assert.is(sampleIndices(5, 9, seededRandom(1)).length, 5);
  assert.is(sampleIndices(0, 3, seededRandom(1)).length, 0);
});

test.run();
