/**
 * Walks over the capsule link graph. The graph is given as an adjacency function, so the walks work on
 * the store's in-memory links or on any other graph (tests, communities).
 */
import { seededRandom } from "../random.js";

/** A graph as a function: the neighbour ids of a node id. */
export type Adjacency = (id: number) => readonly number[];

/** A node `bfs` reached: its id, its distance from the start, and the node it was reached from. */
export interface BfsNode {
  id: number;
  depth: number;
  /** The node this one was reached from (undefined for the start). */
  parent?: number;
}

/** Breadth-first order from `start` up to `depth` hops (start included at depth 0). */
export function bfs(start: number, neighbours: Adjacency, depth: number): BfsNode[] {
  const seen = new Set([start]);
  const order: BfsNode[] = [{ id: start, depth: 0 }];
  for (let head = 0; head < order.length; head++) {
    const node = order[head];
    if (node.depth >= depth) continue;
    for (const next of neighbours(node.id)) {
      if (seen.has(next)) continue;
      seen.add(next);
      order.push({ id: next, depth: node.depth + 1, parent: node.id });
    }
  }
  return order;
}

/**
 * A random walk of up to `steps` hops from `start`, choosing uniformly among the current node's links; it
 * stops early at a node without links. Returns the visited ids, start first.
 */
export function randomWalk(start: number, neighbours: Adjacency, steps: number, seed: number): number[] {
  const random = seededRandom(seed);
  const path = [start];
  let current = start;
  for (let i = 0; i < steps; i++) {
    const next = neighbours(current);
    if (next.length === 0) break;
    current = next[Math.floor(random() * next.length)];
    path.push(current);
  }
  return path;
}
