import { test } from "uvu";
import * as assert from "uvu/assert";
import { communities } from "./communities.js";

/** Two triangles joined by one bridge, plus an isolated node. */
const edges: Array<[number, number]> = [
  [1, 2],
  [2, 3],
  [1, 3],
  [4, 5],
  [5, 6],
  [4, 6],
  [3, 4],
];
const adjacency = new Map<number, number[]>();
for (const [a, b] of edges) {
  adjacency.set(a, [...(adjacency.get(a) ?? []), b]);
  adjacency.set(b, [...(adjacency.get(b) ?? []), a]);
}
const neighbours = (id: number) => adjacency.get(id) ?? [];

test("communities splits two triangles joined by a bridge and skips isolated nodes", () => {
  const found = communities([1, 2, 3, 4, 5, 6, 7], neighbours);
  assert.equal(
    found.map((c) => c.members),
    [
      [1, 2, 3],
      [4, 5, 6],
    ],
  );
  assert.equal(
    found.map((c) => c.index),
    [0, 1],
  );
});

test("communities ignores edges leaving the node set and is deterministic", () => {
  const first = communities([1, 2, 3, 4], neighbours);
  assert.equal(first, communities([1, 2, 3, 4], neighbours));
  assert.ok(first.every((c) => c.members.every((m) => m <= 4)));
  assert.equal(communities([7], neighbours), []);
  assert.equal(communities([1, 2, 3], neighbours, { minSize: 4 }), []);
});

test.run();
