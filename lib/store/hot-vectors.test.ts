/** The hot matrix's forks: a later state built beside the one in use, sharing its arrays. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { HotVectors } from "./hot-vectors.js";

const DIM = 4;
const row = (value: number) => new Float32Array(DIM).fill(value);

test("a fork's appends and removes never show in the state it was forked from", () => {
  const hot = new HotVectors(DIM, 8);
  hot.append([0, 1, 2], Float32Array.from([...row(0), ...row(1), ...row(2)]));
  const fork = hot.fork();
  fork.append([3, 4], Float32Array.from([...row(3), ...row(4)]));
  assert.is(fork.size, 5);
  assert.equal(Array.from(fork.vector(4) as Float32Array), Array.from(row(4)));
  assert.is(hot.size, 3);
  assert.not.ok(hot.has(3), "the fork's rows lie past the original's");
  assert.equal(Array.from(hot.ids), [0, 1, 2]);
  // A remove moves the last row into the gap: in a copy, not in the shared arrays.
  fork.remove(0);
  assert.equal(Array.from(fork.ids), [4, 1, 2, 3]);
  assert.equal(Array.from(hot.ids), [0, 1, 2]);
  assert.equal(Array.from(hot.vector(0) as Float32Array), Array.from(row(0)));
  // A fork given up: its rows are forgotten, and the original appends its own there.
  const dropped = hot.fork();
  dropped.append([5], row(5));
  dropped.truncate(hot.size);
  hot.append([6], row(6));
  assert.not.ok(hot.has(5));
  assert.equal(Array.from(hot.vector(6) as Float32Array), Array.from(row(6)));
});

test.run();
