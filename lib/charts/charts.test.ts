import { test } from "uvu";
import * as assert from "uvu/assert";
import type { MetricsPoint } from "../pipeline/session.js";
import { layoutGraph } from "./capsule-graph.js";
import { buildChart } from "./chart.js";
import { latencyRowsOf } from "./latency-percentiles.js";
import { recallLatencyPoints } from "./recall-latency.js";
import { recallQpsPoints } from "./recall-qps.js";
import { specToSvg, svgToPng } from "./render.js";
import {
  bar,
  capsuleGraphLines,
  gauge,
  latencyLines,
  metricsTimelineLines,
  recallLatencyLines,
  recallQpsLines,
  sparkline,
} from "./terminal.js";
import { CHART_FONT } from "./theme.js";

const timeline: MetricsPoint[] = [0, 1, 2, 3].map((i) => ({
  turn: i + 1,
  pain: i / 3,
  trust: 0.8,
  clarity: 1 - i / 3,
  drift: 0,
  phase: "opening",
  voice: "ISKRA",
  mode: "fast",
  at: "2026-01-01T00:00:00Z",
}));

const report = {
  points: [
    { system: "sigla", setting: "flat", recall: 1, latency: { p50: 2, p95: 3, p99: 4 } },
    { system: "sigla", setting: "ivf", recall: 0.99, latency: { p50: 0.2, p95: 0.4, p99: 1 } },
    { system: "lancedb", setting: "IVF_PQ", recall: 0.9, latency: { p50: 1, p95: 2, p99: 3 } },
    { system: "sigla", setting: "broken" },
  ],
};

test("sparkline, bar and gauge draw values with block characters", () => {
  assert.is(sparkline([0, 0.5, 1]), "▁▅█");
  assert.is(sparkline([5, 10], 0, 10), "▅█");
  assert.is(bar(0.5, 1, 4), "██");
  assert.is(bar(1 / 16, 1, 4), "▎");
  assert.is(bar(2, 1, 3), "███", "clamped to the full width");
  assert.is(gauge(0.25, 8), "██░░░░░░");
  assert.is(gauge(Number.NaN, 3), "░░░");
});

test("terminal charts: metrics over turns, recall rows fastest first, latency bars on one scale", () => {
  assert.equal(metricsTimelineLines(timeline), [
    "turns 1–4",
    "pain    ▁▃▆█  1.00",
    "trust   ▇▇▇▇  0.80",
    "clarity █▆▃▁  0.00",
    "drift   ▁▁▁▁  0.00",
  ]);
  assert.equal(metricsTimelineLines([]), ["no turns yet: ask a question first"]);
  const recall = recallLatencyLines(recallLatencyPoints(report));
  assert.is(recall.length, 4);
  assert.match(recall[1], /^sigla ivf .* 0\.9900 {2}0\.200$/);
  assert.match(recall[3], /^sigla flat .*1\.0000 {2}2\.000$/);
  const latency = latencyLines(latencyRowsOf(report));
  assert.is(latency[0], "latency, ms (full bar 4.000)");
  assert.match(latency[3], /^ {5} p99 █{30} 4\.000$/);
});

test("report readers skip points without numbers and keep one system for latency", () => {
  assert.equal(
    recallLatencyPoints(report).map((p) => p.setting),
    ["flat", "ivf", "IVF_PQ"],
  );
  assert.equal(
    latencyRowsOf(report).map((r) => r.setting),
    ["flat", "ivf"],
  );
  assert.equal(recallLatencyPoints({}), []);
});

test("each chart is a Vega-Lite spec with the chart font that renders to SVG and PNG", async () => {
  for (const data of [
    { kind: "metrics", timeline, session: "s1" } as const,
    { kind: "recall", points: recallLatencyPoints(report), source: "r.json" } as const,
    { kind: "latency", rows: latencyRowsOf(report), source: "r.json" } as const,
  ]) {
    const chart = buildChart(data);
    assert.is(chart.kind, data.kind);
    assert.ok((chart.spec.config as { font: string }).font === CHART_FONT);
    const svg = await specToSvg(chart.spec);
    assert.match(svg, /^<svg/);
    assert.ok(svg.includes(chart.title), `${data.kind}: the title is drawn`);
    assert.ok(svg.includes(CHART_FONT), `${data.kind}: text uses the chart font`);
    const png = svgToPng(svg);
    assert.equal([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.ok(png.readUInt32BE(16) > 400, "the PNG is drawn at twice the SVG's size");
  }
  assert.is(buildChart({ kind: "metrics", timeline }).spec.data.values.length, 16, "four metrics per turn");
});

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

// 1 — 2 — 4, 1 — 3, 2 — 3 (a triangle), 4 — 5 (beyond depth 2 from 1 … reached at depth 3)
const LINKS: Record<number, number[]> = { 1: [2, 3], 2: [1, 3, 4], 3: [1, 2], 4: [2, 5], 5: [4] };
const TEXTS = new Map(
  Object.keys(LINKS).map((id) => [Number(id), `capsule number ${id} about lorem ipsum dolor`]),
);
const walk = [
  { id: 1, depth: 0 },
  { id: 2, depth: 1, parent: 1 },
  { id: 3, depth: 1, parent: 1 },
  { id: 4, depth: 2, parent: 2 },
];

test("qps: 1000 / p50 per point, highest first in the terminal, a log-x scatter of recall", async () => {
  const points = recallQpsPoints(recallLatencyPoints(report));
  assert.equal(
    points.map((p) => [p.system, p.setting, p.qps]),
    [
      ["sigla", "flat", 500],
      ["sigla", "ivf", 5000],
      ["lancedb", "IVF_PQ", 1000],
    ],
  );
  const lines = recallQpsLines(points);
  assert.match(lines[1], /^sigla ivf .* 0\.9900 {2}5000$/);
  assert.match(lines[3], /^sigla flat .* 1\.0000 {2}500$/);
  const chart = buildChart({ kind: "qps", points, source: "r.json" });
  const layers = chart.spec.layer as {
    mark: { type: string };
    encoding: Record<string, { field: string; scale?: unknown }>;
  }[];
  assert.equal(layers[0].encoding.x, {
    field: "qps",
    type: "quantitative",
    title: "QPS (1000 / p50 ms)",
    scale: { type: "log" },
  } as never);
  assert.is(layers[0].encoding.y.field, "recall");
  assert.equal(
    (chart.spec.data.values as { qps: number }[]).map((v) => v.qps),
    [500, 5000, 1000],
  );
  const png = svgToPng(await specToSvg(chart.spec));
  assert.equal([...png.subarray(0, 8)], PNG_SIGNATURE);
});

test("graph: rings by hop depth, every link between walked nodes once, a tree in the terminal", async () => {
  const graph = layoutGraph(walk, TEXTS, (id) => LINKS[id] ?? []);
  assert.is(graph.root, 1);
  assert.is(graph.depth, 2);
  assert.equal(graph.nodes[0], { id: 1, depth: 0, label: "1: capsule number 1 about…", x: 0, y: 0 });
  for (const node of graph.nodes) {
    assert.ok(
      Math.abs(Math.hypot(node.x, node.y) - node.depth) < 1e-5,
      `node ${node.id} on ring ${node.depth}`,
    );
  }
  assert.equal(
    layoutGraph(walk, TEXTS, (id) => LINKS[id] ?? []),
    graph,
    "deterministic",
  );
  assert.equal(
    graph.edges.map((e) => [e.source, e.target]),
    [
      [1, 2],
      [1, 3],
      [2, 4],
      [2, 3],
    ],
    "parent edges first, then the 2—3 link; 4—5 leaves the walk",
  );
  const two = graph.nodes[1];
  assert.equal([graph.edges[0].x2, graph.edges[0].y2], [two.x, two.y]);
  assert.equal(capsuleGraphLines(graph), [
    "4 capsules, 4 links, 2 hop(s) from 1",
    "1: capsule number 1 about…",
    "├─ 2: capsule number 2 about…",
    "│  └─ 4: capsule number 4 about…",
    "└─ 3: capsule number 3 about…",
  ]);
  const chart = buildChart({ kind: "graph", graph, source: "store" });
  const layers = chart.spec.layer as { data?: { values: unknown[] }; mark: { type: string } }[];
  assert.equal(
    layers.map((l) => l.mark.type),
    ["rule", "point", "text"],
  );
  assert.is(layers[0].data?.values.length, 4, "edges as rules");
  assert.is(chart.spec.data.values.length, 4, "nodes as points and labels");
  const svg = await specToSvg(chart.spec);
  assert.ok(svg.includes("1: capsule number 1 about…"), "labels are drawn");
  const png = svgToPng(svg);
  assert.equal([...png.subarray(0, 8)], PNG_SIGNATURE);
});

test("a spec Vega-Lite cannot compile is a SiglaError", async () => {
  try {
    await specToSvg({ $schema: "x", data: { values: [] }, mark: "nope" });
    assert.unreachable();
  } catch (error) {
    assert.is((error as { code: string }).code, "SIGLA_INVALID_INPUT");
  }
});

test.run();
