import { test } from "uvu";
import * as assert from "uvu/assert";
import type { MetricsPoint } from "../pipeline/session.js";
import { buildChart } from "./chart.js";
import { latencyRowsOf } from "./latency-percentiles.js";
import { recallLatencyPoints } from "./recall-latency.js";
import { specToSvg, svgToPng } from "./render.js";
import { bar, gauge, latencyLines, metricsTimelineLines, recallLatencyLines, sparkline } from "./terminal.js";
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

test("a spec Vega-Lite cannot compile is a SiglaError", async () => {
  try {
    await specToSvg({ $schema: "x", data: { values: [] }, mark: "nope" });
    assert.unreachable();
  } catch (error) {
    assert.is((error as { code: string }).code, "SIGLA_INVALID_INPUT");
  }
});

test.run();
