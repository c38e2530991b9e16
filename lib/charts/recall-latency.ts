/** Recall against latency per system and setting: the store benchmark's trade-off chart. */
import { labelFields, niceDomain, PLACED_TEXT_MARK, placeLabels, toPixel } from "./label-placement.js";
import { chartFrame } from "./theme.js";
import type { VegaLiteSpec } from "./vega-lite-spec.js";

/** One measured setting: its recall@k and its p50 latency in ms. */
export interface RecallLatencyPoint {
  system: string;
  setting: string;
  recall: number;
  p50: number;
}

/** Reads the points of any report with `points[{system, setting, recall, latency.p50}]` (the older store report's shape). */
export function recallLatencyPoints(report: unknown): RecallLatencyPoint[] {
  const points = (report as { points?: unknown })?.points;
  if (!Array.isArray(points)) return [];
  return points.flatMap((p) => {
    const point = p as { system?: unknown; setting?: unknown; recall?: unknown; latency?: { p50?: unknown } };
    if (typeof point.recall !== "number" || typeof point.latency?.p50 !== "number") return [];
    return [
      {
        system: String(point.system ?? "sigla"),
        setting: String(point.setting ?? ""),
        recall: point.recall,
        p50: point.latency.p50,
      },
    ];
  });
}

/** Which measure the x axis of a recall scatter shows. */
export interface RecallAxis {
  field: string;
  title: string;
  format: string;
}

/** The scatter's plot size in pixels (the frame's width, this height). */
const PLOT = { width: 480, height: 300 };
const LABEL_FONT_SIZE = 10;

/** The leading words every label shares ("ivf " of "ivf effort=1", "ivf effort=2"), or "" (also for one label). */
export function sharedLead(labels: readonly string[]): string {
  if (labels.length < 2) return "";
  const words = labels.map((l) => l.split(" "));
  let n = 0;
  while (words.every((w) => w.length > n + 1 && w[n] === words[0][n])) n++;
  return n ? `${words[0].slice(0, n).join(" ")} ` : "";
}

/**
 * The scatter's rows with SIGLA's labels placed (`label` and where it goes, see `label-placement.ts`):
 * only SIGLA's settings are labelled, since a baseline's many sweeps would write over each other; the
 * best recall is placed first, and a label with no free place left is dropped.
 */
function labelledRows(
  points: readonly object[],
  x: RecallAxis,
): { rows: Record<string, unknown>[]; lead: string } {
  const rows = points.map((p) => ({ ...p }) as Record<string, unknown>);
  const xs = rows.map((r) => Number(r[x.field]));
  const ys = rows.map((r) => Number(r.recall));
  const xDomain = niceDomain(xs, "log");
  const yDomain = niceDomain(ys);
  const pixel = (i: number) => ({
    x: toPixel(xs[i], xDomain, PLOT.width, "log"),
    y: toPixel(ys[i], yDomain, PLOT.height, "linear", true),
  });
  const labelled = rows
    .map((row, i) => ({ row, i }))
    .filter(({ row }) => row.system === "sigla")
    .sort((a, b) => ys[b.i] - ys[a.i] || xs[b.i] - xs[a.i]);
  // Words every label shares are said once, in the legend, which keeps the labels short.
  const lead = sharedLead(labelled.map(({ row }) => String(row.setting ?? "")));
  const places = placeLabels(
    labelled.map(({ row, i }) => ({ ...pixel(i), text: String(row.setting ?? "").slice(lead.length) })),
    { ...PLOT, points: rows.map((_, i) => pixel(i)), fontSize: LABEL_FONT_SIZE },
  );
  for (const [k, { row }] of labelled.entries()) Object.assign(row, labelFields(places[k]));
  return { rows, lead: lead.trim() };
}

/**
 * A Vega-Lite scatter of recall@10 (y) against one measure (x, log scale), coloured by system, with SIGLA's
 * settings labelled where they cover no other label or point. Shared by the latency and the QPS views of the
 * store benchmark.
 */
export function recallScatterSpec(points: readonly object[], x: RecallAxis, title: string): VegaLiteSpec {
  const { rows, lead } = labelledRows(points, x);
  const named = JSON.stringify(`sigla: ${lead}`);
  const legend = lead ? { legend: { labelExpr: `datum.label === 'sigla' ? ${named} : datum.label` } } : {};
  return {
    ...chartFrame(title, PLOT.height),
    data: { values: rows },
    layer: [
      {
        mark: { type: "point", filled: true, size: 70 },
        encoding: {
          x: { field: x.field, type: "quantitative", title: x.title, scale: { type: "log" } },
          y: { field: "recall", type: "quantitative", title: "recall@10", scale: { zero: false } },
          color: { field: "system", type: "nominal", title: "system", ...legend },
          tooltip: [
            { field: "system" },
            { field: "setting" },
            { field: "recall", format: ".4f" },
            { field: x.field, format: x.format },
          ],
        },
      },
      {
        transform: [{ filter: "datum.system === 'sigla' && datum.label !== ''" }],
        mark: { type: "text", fontSize: LABEL_FONT_SIZE, ...PLACED_TEXT_MARK },
        encoding: {
          x: { field: x.field, type: "quantitative" },
          y: { field: "recall", type: "quantitative" },
          text: { field: "label" },
        },
      },
    ],
  };
}

/** A Vega-Lite scatter of recall (y) against p50 latency (x, log scale), coloured by system. */
export function recallLatencySpec(
  points: readonly RecallLatencyPoint[],
  title = "Recall@10 against p50 latency",
): VegaLiteSpec {
  return recallScatterSpec(points, { field: "p50", title: "p50 latency (ms)", format: ".3f" }, title);
}
