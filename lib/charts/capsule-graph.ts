/**
 * One capsule's neighbourhood as a node-link picture: the nodes of a breadth-first walk placed on rings by
 * hop depth (a deterministic layout, no physics), links as `rule` marks, nodes as `point`s with labels.
 */
import type { BfsNode } from "../graph/walk.js";
import { CHART_CONFIG, VEGA_LITE_SCHEMA } from "./theme.js";
import type { VegaLiteSpec } from "./vega-lite-spec.js";

/** A walked node with its text and its place in the layout. */
export interface GraphNode {
  id: number;
  depth: number;
  parent?: number;
  /** `id` and the first words of the capsule's text. */
  label: string;
  x: number;
  y: number;
}

/** A link between two drawn nodes, with both ends' positions. */
export interface GraphEdge {
  source: number;
  target: number;
  x: number;
  y: number;
  x2: number;
  y2: number;
}

/** The drawn neighbourhood. */
export interface CapsuleGraph {
  root: number;
  depth: number;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** `id: first words…` (at most `words` words). */
export function nodeLabel(id: number, text: string, words = 4): string {
  const all = text.trim().split(/\s+/).filter(Boolean);
  const head = all.slice(0, words).join(" ");
  return `${id}: ${head}${all.length > words ? "…" : ""}`;
}

/**
 * Rings by depth: the start at the centre, depth d on a circle of radius d, spread evenly in walk order
 * (rotated half a step per ring so labels of consecutive rings do not line up). `links` gives each node's
 * links; every link between two walked nodes is drawn once (without it, only the walk's parent edges).
 */
export function layoutGraph(
  walk: readonly BfsNode[],
  texts: ReadonlyMap<number, string>,
  links?: (id: number) => readonly number[],
): CapsuleGraph {
  const rings = new Map<number, BfsNode[]>();
  for (const node of walk) rings.set(node.depth, [...(rings.get(node.depth) ?? []), node]);
  const nodes: GraphNode[] = walk.map((node) => {
    const ring = rings.get(node.depth) ?? [node];
    const i = ring.indexOf(node);
    const angle = node.depth === 0 ? 0 : (2 * Math.PI * (i + (node.depth % 2 === 0 ? 0.5 : 0))) / ring.length;
    const round = (v: number) => Math.round(v * 1e6) / 1e6;
    return {
      id: node.id,
      depth: node.depth,
      ...(node.parent === undefined ? {} : { parent: node.parent }),
      label: nodeLabel(node.id, texts.get(node.id) ?? ""),
      x: round(node.depth * Math.cos(angle)),
      y: round(node.depth * Math.sin(angle)),
    };
  });
  const at = new Map(nodes.map((n) => [n.id, n]));
  const seen = new Set<string>();
  const edges: GraphEdge[] = [];
  const add = (a: number, b: number) => {
    const from = at.get(a);
    const to = at.get(b);
    const key = a < b ? `${a}-${b}` : `${b}-${a}`;
    if (!from || !to || a === b || seen.has(key)) return;
    seen.add(key);
    edges.push({ source: a, target: b, x: from.x, y: from.y, x2: to.x, y2: to.y });
  };
  for (const node of nodes) {
    if (node.parent !== undefined) add(node.parent, node.id);
  }
  if (links) for (const node of nodes) for (const other of links(node.id)) add(node.id, other);
  const root = walk[0]?.id ?? -1;
  return { root, depth: Math.max(0, ...walk.map((n) => n.depth)), nodes, edges };
}

/** A layered Vega-Lite spec: edges as rules, nodes as points coloured by depth, labels as text. */
export function capsuleGraphSpec(
  graph: CapsuleGraph,
  title = `Capsule ${graph.root} neighbourhood`,
): VegaLiteSpec {
  const extent = Math.max(1, graph.depth) + 0.6;
  const axis = null;
  const x = { field: "x", type: "quantitative", axis, scale: { domain: [-extent, extent] } };
  const y = { field: "y", type: "quantitative", axis, scale: { domain: [-extent, extent] } };
  return {
    $schema: VEGA_LITE_SCHEMA,
    title,
    width: 420,
    height: 420,
    config: { ...CHART_CONFIG, view: { stroke: null } },
    data: { values: graph.nodes.map((n) => ({ ...n })) },
    layer: [
      {
        data: { values: graph.edges.map((e) => ({ ...e })) },
        mark: { type: "rule", color: "#999", strokeWidth: 1 },
        encoding: { x, y, x2: { field: "x2" }, y2: { field: "y2" } },
      },
      {
        mark: { type: "point", filled: true, size: 160, opacity: 1 },
        encoding: {
          x,
          y,
          color: { field: "depth", type: "ordinal", title: "hops" },
          tooltip: [{ field: "id" }, { field: "depth" }, { field: "label" }],
        },
      },
      {
        mark: { type: "text", align: "left", dx: 8, dy: -8, fontSize: 10 },
        encoding: { x, y, text: { field: "label" } },
      },
    ],
  };
}
