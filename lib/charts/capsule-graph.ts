/**
 * One capsule's neighbourhood as a node-link picture: the nodes of a breadth-first walk placed on rings by
 * hop depth (a deterministic layout, no physics), links as `rule` marks, nodes as `point`s coloured by their
 * community in the neighbourhood (named by its top terms), with labels pointing away from the centre.
 */
import { communities } from "../graph/communities.js";
import { topTerms } from "../graph/top-terms.js";
import type { BfsNode } from "../graph/walk.js";
import type { LabelPlace } from "./label-placement.js";
import { PLACED_TEXT_MARK } from "./label-placement.js";
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

/** A community of the drawn links (Louvain), named by the top terms of its members' texts. */
export interface GraphCommunity {
  /** Two or three terms joined by " · " (or "community N" when the texts have none). */
  label: string;
  members: number[];
}

/** The drawn neighbourhood. */
export interface CapsuleGraph {
  root: number;
  depth: number;
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** Communities of two or more drawn nodes; a node in none is drawn as "no community". */
  communities?: GraphCommunity[];
}

/** The legend entry of nodes that belong to no community. */
export const NO_COMMUNITY = "no community";

/**
 * The communities of the drawn graph, each named by the top 3 terms of its members' texts (made unique
 * with a number when two communities share their terms).
 */
export function graphCommunities(
  nodes: readonly GraphNode[],
  edges: readonly GraphEdge[],
  texts: ReadonlyMap<number, string>,
): GraphCommunity[] {
  const adjacent = new Map<number, number[]>();
  for (const e of edges) {
    adjacent.set(e.source, [...(adjacent.get(e.source) ?? []), e.target]);
    adjacent.set(e.target, [...(adjacent.get(e.target) ?? []), e.source]);
  }
  const used = new Set<string>();
  return communities(
    nodes.map((n) => n.id),
    (id) => adjacent.get(id) ?? [],
  ).map((c) => {
    const words = topTerms(c.members.map((id) => texts.get(id) ?? "")).join(" · ");
    let label = words || `community ${c.index + 1}`;
    for (let k = 2; used.has(label); k++) label = `${words} (${k})`;
    used.add(label);
    return { label, members: c.members };
  });
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
  const depth = Math.max(0, ...walk.map((n) => n.depth));
  return { root, depth, nodes, edges, communities: graphCommunities(nodes, edges, texts) };
}

/**
 * Where a node's label goes: away from the centre along the node's spoke (left-aligned on the right, above
 * on top…), so it crosses neither the links that meet at the centre nor the next ring's labels; the start's
 * label sits under it, between the links.
 */
export function radialLabelPlace(
  node: Pick<GraphNode, "x" | "y" | "depth">,
  gap = 10,
): Omit<LabelPlace, "text"> {
  if (node.depth === 0) return { dx: 0, dy: gap + 2, align: "center", baseline: "top" };
  const r = Math.hypot(node.x, node.y) || 1;
  const cos = node.x / r;
  const sin = node.y / r;
  const round = (v: number) => Math.round(v * 100) / 100;
  return {
    dx: round(gap * cos),
    // Data y grows upwards, pixels downwards.
    dy: round(-gap * sin),
    align: cos > 0.35 ? "left" : cos < -0.35 ? "right" : "center",
    baseline: sin > 0.35 ? "bottom" : sin < -0.35 ? "top" : "middle",
  };
}

/** The plot's width and height in pixels. */
const SIZE = 420;
/** Width of an outer ring's label, in pixels; longer ones end in "…" (the tooltip has them whole). */
const LABEL_LIMIT = 220;

/**
 * How wide a node's label may be: the start's is whole, the outer ring's up to {@link LABEL_LIMIT}, and an
 * inner ring's only as wide as the gap to the next ring, which its label points across.
 */
function labelLimit(node: GraphNode, depth: number, ringPixels: number): number {
  if (node.depth === 0) return 0;
  return node.depth < depth ? Math.max(48, Math.round(ringPixels - 24)) : LABEL_LIMIT;
}

/**
 * A layered Vega-Lite spec: edges as rules, nodes as points coloured by community (the start larger),
 * labels as text placed by {@link radialLabelPlace}.
 */
export function capsuleGraphSpec(
  graph: CapsuleGraph,
  title = `Capsule ${graph.root} neighbourhood`,
): VegaLiteSpec {
  const extent = Math.max(1, graph.depth) + 0.6;
  const axis = null;
  const x = { field: "x", type: "quantitative", axis, scale: { domain: [-extent, extent] } };
  const y = { field: "y", type: "quantitative", axis, scale: { domain: [-extent, extent] } };
  const ringPixels = SIZE / (2 * extent);
  const communityOf = new Map<number, string>();
  for (const c of graph.communities ?? []) for (const id of c.members) communityOf.set(id, c.label);
  const values = graph.nodes.map((n) => {
    const place = radialLabelPlace(n);
    return {
      ...n,
      community: communityOf.get(n.id) ?? NO_COMMUNITY,
      labelDx: place.dx,
      labelDy: place.dy,
      labelAlign: place.align,
      labelBaseline: place.baseline,
      labelLimit: labelLimit(n, graph.depth, ringPixels),
    };
  });
  const legendOrder = [...new Set([...(graph.communities ?? []).map((c) => c.label), NO_COMMUNITY])];
  return {
    $schema: VEGA_LITE_SCHEMA,
    title,
    width: SIZE,
    height: SIZE,
    config: { ...CHART_CONFIG, view: { stroke: null } },
    data: { values },
    layer: [
      {
        data: { values: graph.edges.map((e) => ({ ...e })) },
        mark: { type: "rule", color: "#ccc", strokeWidth: 1 },
        encoding: { x, y, x2: { field: "x2" }, y2: { field: "y2" } },
      },
      {
        mark: { type: "point", filled: true, opacity: 1, stroke: "white", strokeWidth: 1.5 },
        encoding: {
          x,
          y,
          color: {
            field: "community",
            type: "nominal",
            title: "community (top terms)",
            sort: legendOrder,
            legend: { orient: "bottom", direction: "vertical", labelLimit: 360, titleLimit: 360 },
          },
          size: { condition: { test: "datum.depth === 0", value: 320 }, value: 150 },
          tooltip: [
            { field: "id" },
            { field: "depth", title: "hops" },
            { field: "community" },
            { field: "label" },
          ],
        },
      },
      {
        mark: {
          type: "text",
          fontSize: 10,
          ...PLACED_TEXT_MARK,
          limit: { expr: "datum.labelLimit" },
        },
        encoding: { x, y, text: { field: "label" } },
      },
    ],
  };
}
