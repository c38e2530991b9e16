import { test } from "uvu";
import * as assert from "uvu/assert";
import { layoutGraph, NO_COMMUNITY, radialLabelPlace } from "./capsule-graph.js";
import { buildChart } from "./chart.js";
import { niceDomain, placeLabels, textWidth, toPixel } from "./label-placement.js";
import { latencyPercentilesSpec } from "./latency-percentiles.js";
import { MEASURED_QPS_AXIS, recallQpsSpec } from "./recall-qps.js";
import { specToSvg } from "./render.js";

type Row = Record<string, unknown>;

/** A label's box in plot pixels, as placed (the same estimate the placement uses). */
function box(x: number, y: number, row: Row) {
  const w = textWidth(String(row.label), 10);
  const h = 12;
  const ax = x + Number(row.labelDx);
  const ay = y + Number(row.labelDy);
  const x0 = row.labelAlign === "left" ? ax : row.labelAlign === "right" ? ax - w : ax - w / 2;
  const y0 = row.labelBaseline === "top" ? ay : row.labelBaseline === "bottom" ? ay - h : ay - h / 2;
  return { x0, y0, x1: x0 + w, y1: y0 + h };
}
const overlaps = (a: ReturnType<typeof box>, b: ReturnType<typeof box>) =>
  Math.min(a.x1, b.x1) > Math.max(a.x0, b.x0) && Math.min(a.y1, b.y1) > Math.max(a.y0, b.y0);

test("placeLabels: neighbours' labels go where they do not meet; one with no free place is dropped", () => {
  const area = { width: 200, height: 100, points: [] };
  const [a, b] = placeLabels(
    [
      { x: 50, y: 50, text: "effort=1" },
      { x: 60, y: 50, text: "effort=2" },
    ],
    {
      ...area,
      points: [
        { x: 50, y: 50 },
        { x: 60, y: 50 },
      ],
    },
  );
  assert.is(a.text, "effort=1");
  assert.is(b.text, "effort=2");
  assert.not.equal([a.dx, a.dy, a.align], [b.dx, b.dy, b.align], "not the same place");
  const crowd = Array.from({ length: 12 }, () => ({ x: 100, y: 50, text: "same place" }));
  const placed = placeLabels(crowd, area);
  assert.equal(
    placed.filter((p) => p.text).map((p) => p.align + p.baseline),
    ["leftmiddle", "centerbottom", "centertop", "rightmiddle"],
    "right, above, below and left of one point; every other place would cover one of them",
  );
});

test("niceDomain and toPixel follow Vega's nice scales (powers of ten on log, d3 ticks on linear)", () => {
  assert.equal(niceDomain([250, 5500], "log"), [100, 10000]);
  assert.equal(niceDomain([0.5703, 1]), [0.55, 1]);
  assert.is(toPixel(1000, [100, 10000], 480, "log"), 240);
  assert.is(toPixel(1, [0.5, 1], 300, "linear", true), 0);
});

test("recall–QPS: SIGLA's effort labels never cover each other, and their shared 'ivf' moves to the legend", async () => {
  const curve = [
    [4593, 0.5703, 0.25],
    [4705, 0.9361, 0.5],
    [4069, 0.9948, 1],
    [2911, 1, 2],
    [1611, 1, 4],
  ].flatMap(([qps, recall, effort]) => [
    { system: "sigla", setting: `ivf effort=${effort}`, recall, p50: 1000 / qps, qps },
    { system: "sigla-nolink", setting: `ivf effort=${effort}`, recall, p50: 1000 / qps, qps: qps * 1.1 },
  ]);
  const spec = recallQpsSpec(curve, "Recall@10 against QPS", MEASURED_QPS_AXIS);
  const rows = spec.data.values as Row[];
  const labelled = rows.filter((r) => r.label);
  assert.equal(labelled.map((r) => r.label).sort(), [
    "effort=0.25",
    "effort=0.5",
    "effort=1",
    "effort=2",
    "effort=4",
  ]);
  const xDomain = niceDomain(
    rows.map((r) => Number(r.qps)),
    "log",
  );
  const yDomain = niceDomain(rows.map((r) => Number(r.recall)));
  const boxes = labelled.map((r) =>
    box(
      toPixel(Number(r.qps), xDomain, 480, "log"),
      toPixel(Number(r.recall), yDomain, 300, "linear", true),
      r,
    ),
  );
  for (const [i, a] of boxes.entries()) {
    for (const b of boxes.slice(i + 1))
      assert.not.ok(overlaps(a, b), `${JSON.stringify(a)} / ${JSON.stringify(b)}`);
  }
  const svg = await specToSvg(spec);
  assert.ok(svg.includes("sigla: ivf"), "the legend names SIGLA's index once");
  assert.ok(svg.includes(">effort=2<"), "the labels are drawn");
});

test("latency: the settings' axis labels are two lines (system, setting), slanted", async () => {
  const spec = latencyPercentilesSpec([
    { setting: "lancedb: ef=64 refine=5", latency: { p50: 2, p95: 3, p99: 4 } },
    { setting: "sigla-nolink: ivf effort=1", latency: { p50: 0.2, p95: 0.3, p99: 4 } },
  ]);
  const axis = (spec.encoding as { x: { axis: Row } }).x.axis;
  assert.is(axis.labelAngle, -25);
  const svg = await specToSvg(spec);
  for (const line of ["lancedb", "ef=64 refine=5", "sigla-nolink", "ivf effort=1"]) {
    assert.ok(svg.includes(`>${line}<`), `${line} on a line of its own`);
  }
});

test("graph: nodes coloured by community named by top terms; labels point away from the centre", async () => {
  const texts = new Map([
    [1, "LanceDB is a columnar vector database"],
    [2, "Apache Arrow is a columnar memory format for vector data"],
    [3, "Bananas are a yellow fruit"],
    [4, "Apples and bananas are fruit"],
    [5, "A lonely note"],
  ]);
  const links: Record<number, number[]> = { 1: [2, 3, 5], 2: [1], 3: [1, 4], 4: [3], 5: [1] };
  const walk = [
    { id: 1, depth: 0 },
    { id: 2, depth: 1, parent: 1 },
    { id: 3, depth: 1, parent: 1 },
    { id: 5, depth: 1, parent: 1 },
    { id: 4, depth: 2, parent: 3 },
  ];
  const graph = layoutGraph(walk, texts, (id) => links[id] ?? []);
  const labels = (graph.communities ?? []).map((c) => c.label);
  assert.ok(labels.includes("bananas · fruit · apples"), labels.join(" | "));
  assert.ok(
    labels.some((l) => l.startsWith("columnar · vector")),
    labels.join(" | "),
  );
  const chart = buildChart({ kind: "graph", graph, source: "store" });
  const rows = chart.spec.data.values as Row[];
  const fruit = rows.find((r) => r.id === 4);
  assert.is(fruit?.community, "bananas · fruit · apples");
  assert.ok(rows.every((r) => r.community !== undefined && r.community !== ""));
  assert.ok(labels.length === 0 || rows.some((r) => r.community !== NO_COMMUNITY));
  const svg = await specToSvg(chart.spec);
  assert.ok(svg.includes("bananas · fruit · apples"), "the legend names the community by its terms");
  assert.ok(svg.includes("1: LanceDB is a columnar…"), "the start's label is drawn whole");

  assert.equal(radialLabelPlace({ x: 0, y: 0, depth: 0 }), {
    dx: 0,
    dy: 12,
    align: "center",
    baseline: "top",
  });
  assert.equal(radialLabelPlace({ x: 1, y: 0, depth: 1 }), {
    dx: 10,
    dy: -0,
    align: "left",
    baseline: "middle",
  });
  assert.equal(radialLabelPlace({ x: -1, y: 0, depth: 1 }), {
    dx: -10,
    dy: -0,
    align: "right",
    baseline: "middle",
  });
  assert.equal(radialLabelPlace({ x: 0, y: 2, depth: 2 }), {
    dx: 0,
    dy: -10,
    align: "center",
    baseline: "bottom",
  });
});

test.run();
