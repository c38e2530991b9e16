import { readFileSync } from "node:fs";
import { Ajv } from "ajv";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { MetricsPoint } from "../pipeline/session.js";
import { layoutGraph } from "./capsule-graph.js";
import { buildChart, CHART_KINDS, type ChartData, type ChartKind } from "./chart.js";
import { maintenanceSpec } from "./maintenance.js";
import { notebookBundle, VEGA_LITE_MIME, v6OnlyFeatures } from "./notebook.js";
import { recallQpsPoints } from "./recall-qps.js";
import { VEGA_LITE_SCHEMA } from "./theme.js";

/** The installed vega-lite (its package exports hide package.json and the schema from `require`). */
const VEGA_LITE_DIR = new URL("../../node_modules/vega-lite/", import.meta.url);

/**
 * Vega-Lite 5's JSON schema. A 5.x copy in node_modules is used as it is; the installed 6.x one is turned
 * into 5's: 6.4.3's schema differs from 5.23.0's only in `format`, which 6 also takes as a
 * TimeFormatSpecifier object (checked by comparing both files, descriptions aside; 6 is also looser about
 * `sphere`, which no chart uses).
 */
function vegaLite5Schema(): Record<string, unknown> {
  const read = (file: string) => JSON.parse(readFileSync(new URL(file, VEGA_LITE_DIR), "utf8"));
  const version = read("package.json").version as string;
  const schema = read("build/vega-lite-schema.json");
  if (version.startsWith("5.")) return schema;
  assert.ok(schema.definitions.TimeFormatSpecifier, `vega-lite ${version}: the schema this test knows`);
  // Format is `string | TimeFormatSpecifier | Dict` in 6, `string | Dict` in 5.
  const v5 = structuredClone(schema);
  v5.definitions.Format = { anyOf: [{ type: "string" }, { $ref: "#/definitions/Dict" }] };
  delete v5.definitions.TimeFormatSpecifier;
  return v5;
}

const timeline: MetricsPoint[] = [1, 2, 3].map((turn) => ({
  turn,
  pain: turn / 3,
  trust: 0.8,
  clarity: 0.5,
  drift: 0.1,
  phase: "opening",
  voice: "ISKRA",
  mode: "fast",
  at: "2026-01-01T00:00:00Z",
}));
const points = [
  { system: "sigla", setting: "ivf effort=1", recall: 0.99, p50: 0.3 },
  { system: "sigla", setting: "ivf effort=2", recall: 1, p50: 0.5 },
  { system: "lancedb", setting: "ef=64", recall: 0.95, p50: 2 },
];
const bars = [
  { dataset: "lorem-10k", system: "sigla", value: 900, min: 850, max: 950 },
  { dataset: "lorem-10k", system: "lancedb", value: 700, min: 650, max: 720 },
];
const links: Record<number, number[]> = { 1: [2, 3], 2: [1, 3], 3: [1, 2, 4], 4: [3] };
const texts = new Map([
  [1, "LanceDB is a columnar vector database"],
  [2, "Apache Arrow is a columnar memory format"],
  [3, "HNSW is a graph index for vector search"],
  [4, "Graph index search visits neighbour lists"],
]);
const walk = [
  { id: 1, depth: 0 },
  { id: 2, depth: 1, parent: 1 },
  { id: 3, depth: 1, parent: 1 },
  { id: 4, depth: 2, parent: 3 },
];

/** Data for every chart kind. */
const DATA: Record<ChartKind, ChartData> = {
  metrics: { kind: "metrics", timeline, session: "s" },
  recall: { kind: "recall", points, source: "r" },
  latency: {
    kind: "latency",
    rows: [{ setting: "sigla: ivf effort=1", latency: { p50: 0.3, p95: 0.5, p99: 1 } }],
    source: "r",
  },
  qps: { kind: "qps", points: recallQpsPoints(points), source: "r" },
  ingest: { kind: "ingest", values: bars, source: "r" },
  memory: { kind: "memory", values: bars, source: "r" },
  graph: { kind: "graph", graph: layoutGraph(walk, texts, (id) => links[id] ?? []), source: "store" },
};

test("every chart kind's notebook spec is valid Vega-Lite 5: $schema v5, the v5 schema, nothing only v6 reads", () => {
  // Without inlined refs and code optimisation the 1.9 MB schema compiles in half the time.
  const ajv = new Ajv({
    strict: false,
    allowUnionTypes: true,
    validateFormats: false,
    inlineRefs: false,
    code: { optimize: false },
  });
  const validate = ajv.compile(vegaLite5Schema());
  const specs = [
    ...CHART_KINDS.map((kind) => [kind, buildChart(DATA[kind]).spec] as const),
    ["maintenance", maintenanceSpec([{ policy: "every 10", writes: 10, files: 4, openMs: 12 }])] as const,
  ];
  for (const [kind, spec] of specs) {
    const bundle = notebookBundle(spec, new Uint8Array([1, 2]));
    const sent = bundle[VEGA_LITE_MIME] as typeof spec;
    assert.ok(sent, `${kind}: a Vega-Lite 5 entry`);
    assert.is(sent, spec, `${kind}: the chart's own spec, already v5`);
    assert.is(sent.$schema, "https://vega.github.io/schema/vega-lite/v5.json");
    assert.equal(v6OnlyFeatures(sent), [], `${kind}: nothing only Vega-Lite 6 reads`);
    assert.ok(validate(sent), `${kind}: ${ajv.errorsText(validate.errors)}`);
    assert.is(bundle["image/png"], "AQI=", `${kind}: the PNG beside it`);
  }
});

test("notebookBundle relabels a v6 spec that is also v5, and leaves out one that needs v6", () => {
  const spec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    data: { values: [] },
    mark: "bar",
  };
  const relabelled = notebookBundle(spec)[VEGA_LITE_MIME] as typeof spec;
  assert.is(relabelled.$schema, VEGA_LITE_SCHEMA);
  assert.is(relabelled.mark, "bar");
  assert.is(
    spec.$schema,
    "https://vega.github.io/schema/vega-lite/v6.json",
    "the chart's spec is not changed",
  );
  const timeSpecifier = {
    ...spec,
    encoding: { x: { field: "t", type: "temporal", axis: { format: { year: "%Y", month: "%b" } } } },
  };
  assert.equal(v6OnlyFeatures(timeSpecifier), ["$.encoding.x.axis.format"]);
  assert.equal(Object.keys(notebookBundle(timeSpecifier, new Uint8Array([1]))), ["image/png"]);
  const custom = { ...spec, encoding: { x: { field: "t", format: { unit: "ms" }, formatType: "duration" } } };
  assert.equal(v6OnlyFeatures(custom), [], "a custom formatter's options are Vega-Lite 5 too");
  const csv = { $schema: VEGA_LITE_SCHEMA, data: { url: "a.csv", format: { type: "csv" }, values: [] } };
  assert.equal(v6OnlyFeatures(csv), [], "a data format is no time format");
});

test.run();
