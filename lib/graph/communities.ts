/**
 * Communities of the link graph (GraphRAG §3.3): Louvain modularity clustering through graphology, seeded
 * so the same graph always gives the same communities.
 */
import { createRequire } from "node:module";
import { UndirectedGraph } from "graphology";
import { seededRandom } from "../random.js";
import type { Adjacency } from "./walk.js";

type Louvain = (
  graph: UndirectedGraph,
  options: { rng: () => number; resolution: number },
) => Record<string, number>;
// A CommonJS package whose typings declare an ES default export: load it the CommonJS way.
const louvain = createRequire(import.meta.url)("graphology-communities-louvain") as Louvain;

/** One community `communities` found: its number and its member ids. */
export interface Community {
  /** Stable within one run: communities are numbered by size, largest first, ties by smallest member. */
  index: number;
  /** Member ids in increasing order. */
  members: number[];
}

/**
 * Louvain communities of the undirected graph over `nodes` (edges to ids outside `nodes` are ignored).
 * Isolated nodes form no community; communities smaller than `minSize` (default 2) are dropped.
 */
export function communities(
  nodes: Iterable<number>,
  neighbours: Adjacency,
  options: { minSize?: number; seed?: number; resolution?: number } = {},
): Community[] {
  const ids = new Set(nodes);
  const graph = new UndirectedGraph();
  for (const id of ids) {
    for (const other of neighbours(id)) {
      if (other !== id && ids.has(other)) graph.mergeEdge(String(id), String(other));
    }
  }
  if (graph.size === 0) return [];
  const assignment = louvain(graph, {
    rng: seededRandom(options.seed ?? 0),
    resolution: options.resolution ?? 1,
  });
  const groups = new Map<number, number[]>();
  for (const [node, group] of Object.entries(assignment)) {
    const list = groups.get(group) ?? [];
    list.push(Number(node));
    groups.set(group, list);
  }
  const minSize = options.minSize ?? 2;
  return [...groups.values()]
    .filter((members) => members.length >= minSize)
    .map((members) => members.sort((a, b) => a - b))
    .sort((a, b) => b.length - a.length || a[0] - b[0])
    .map((members, index) => ({ index, members }));
}
