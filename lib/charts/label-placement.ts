/**
 * Where a point's text label goes so that labels neither cover each other nor the points: a greedy choice,
 * label by label, among eight places around the point (right, above, below, left and the diagonals), in
 * the plot's pixels. Vega-Lite has no label-collision layout of its own, so the chosen place travels in the
 * data (`labelDx`, `labelDy`, `labelAlign`, `labelBaseline`) and the text mark reads it with expressions.
 */

/** A label to place: its anchor point in plot pixels (y down) and its text. */
export interface LabelRequest {
  x: number;
  y: number;
  text: string;
}

/** A chosen place: pixel offsets from the point and the text's alignment there; `text` is "" when dropped. */
export interface LabelPlace {
  dx: number;
  dy: number;
  align: "left" | "center" | "right";
  baseline: "top" | "middle" | "bottom";
  text: string;
}

/** The plot area, the points labels must not cover, and the text's size. */
export interface PlacementArea {
  width: number;
  height: number;
  /** Every point drawn (labelled or not), in plot pixels. */
  points: readonly { x: number; y: number }[];
  /** Point radius in pixels. */
  radius?: number;
  fontSize?: number;
}

interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** The places tried, in order of preference: right of the point first, as labels usually are. */
const PLACES: readonly Omit<LabelPlace, "text">[] = [
  { dx: 7, dy: 0, align: "left", baseline: "middle" },
  { dx: 5, dy: -5, align: "left", baseline: "bottom" },
  { dx: 5, dy: 5, align: "left", baseline: "top" },
  { dx: 0, dy: -7, align: "center", baseline: "bottom" },
  { dx: 0, dy: 7, align: "center", baseline: "top" },
  { dx: -7, dy: 0, align: "right", baseline: "middle" },
  { dx: -5, dy: -5, align: "right", baseline: "bottom" },
  { dx: -5, dy: 5, align: "right", baseline: "top" },
];

/** Text width in pixels, estimated (DejaVu Sans averages ~0.6 em per character). */
export function textWidth(text: string, fontSize: number): number {
  return [...text].length * fontSize * 0.6;
}

function boxOf(request: LabelRequest, place: Omit<LabelPlace, "text">, fontSize: number): Box {
  const w = textWidth(request.text, fontSize);
  const h = fontSize * 1.2;
  const ax = request.x + place.dx;
  const ay = request.y + place.dy;
  const x0 = place.align === "left" ? ax : place.align === "right" ? ax - w : ax - w / 2;
  const y0 = place.baseline === "top" ? ay : place.baseline === "bottom" ? ay - h : ay - h / 2;
  return { x0, y0, x1: x0 + w, y1: y0 + h };
}

/** Distance in pixels from a point to the nearest edge of a box (0 inside). */
function distance(box: Box, p: { x: number; y: number }): number {
  const dx = Math.max(box.x0 - p.x, 0, p.x - box.x1);
  const dy = Math.max(box.y0 - p.y, 0, p.y - box.y1);
  return Math.hypot(dx, dy);
}

function overlap(a: Box, b: Box): number {
  const w = Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0);
  const h = Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0);
  return w > 0 && h > 0 ? w * h : 0;
}

/** How much of `box` falls outside the plot. */
function outside(box: Box, width: number, height: number): number {
  const inner = overlap(box, { x0: 0, y0: 0, x1: width, y1: height });
  return (box.x1 - box.x0) * (box.y1 - box.y0) - inner;
}

/**
 * One place per label, in the order given (put the most important labels first): the first place whose box
 * stays inside the plot and covers no placed label and no point; else the least bad place that covers no
 * other label (a little outside the plot, or over a point); else none, and the label is dropped (`text`
 * ""), since two labels written over each other help nobody (the point's tooltip still names it).
 */
export function placeLabels(requests: readonly LabelRequest[], area: PlacementArea): LabelPlace[] {
  const fontSize = area.fontSize ?? 10;
  const r = area.radius ?? 5;
  const dots = area.points.map((p) => ({ x0: p.x - r, y0: p.y - r, x1: p.x + r, y1: p.y + r }));
  const placed: Box[] = [];
  return requests.map((request) => {
    let best: { place: Omit<LabelPlace, "text">; box: Box; cost: number } | undefined;
    for (const place of PLACES) {
      const box = boxOf(request, place, fontSize);
      if (placed.some((other) => overlap(box, other) > 0)) continue;
      const onDots = dots.reduce((sum, dot) => sum + overlap(box, dot), 0);
      // A label nearer to another point than to its own reads as that point's.
      const own = distance(box, request);
      const misleading = area.points.some((p) => distance(box, p) < own - 1) ? 400 : 0;
      const cost = onDots + outside(box, area.width, area.height) * 2 + misleading;
      if (!best || cost < best.cost) best = { place, box, cost };
      if (cost === 0) break;
    }
    if (!best) return { ...PLACES[0], text: "" };
    placed.push(best.box);
    return { ...best.place, text: request.text };
  });
}

/** d3's tick step for `count` ticks over [start, stop] (1, 2 or 5 times a power of ten). */
function tickStep(start: number, stop: number, count: number): number {
  const raw = (stop - start) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const error = raw / power;
  return power * (error >= Math.sqrt(50) ? 10 : error >= Math.sqrt(10) ? 5 : error >= Math.sqrt(2) ? 2 : 1);
}

/**
 * The domain Vega draws for `values` on a quantitative scale with `nice` on (what labels are placed
 * against): whole powers of ten on a log scale, d3's nice ticks (10 by default) on a linear one.
 */
export function niceDomain(values: readonly number[], type: "linear" | "log" = "linear"): [number, number] {
  const finite = values.filter((v) => Number.isFinite(v) && (type === "linear" || v > 0));
  if (finite.length === 0) return [0, 1];
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  if (type === "log") return [10 ** Math.floor(Math.log10(lo)), 10 ** Math.ceil(Math.log10(hi))];
  if (lo === hi) return [lo - 1, hi + 1];
  const step = tickStep(lo, hi, 10);
  return [Math.floor(lo / step) * step, Math.ceil(hi / step) * step];
}

/** A value's pixel on a scale over `domain` drawn `size` pixels long (`flip` for y, which grows down). */
export function toPixel(
  value: number,
  domain: [number, number],
  size: number,
  type: "linear" | "log" = "linear",
  flip = false,
): number {
  const f = type === "log" ? Math.log10 : (v: number) => v;
  const t = (f(value) - f(domain[0])) / (f(domain[1]) - f(domain[0]) || 1);
  return (flip ? 1 - t : t) * size;
}

/** Vega-Lite mark properties that read a placed label's offsets and alignment from its datum. */
export const PLACED_TEXT_MARK = {
  dx: { expr: "datum.labelDx" },
  dy: { expr: "datum.labelDy" },
  align: { expr: "datum.labelAlign" },
  baseline: { expr: "datum.labelBaseline" },
} as const;

/** A placed label as data fields (what {@link PLACED_TEXT_MARK} reads). */
export function labelFields(place: LabelPlace) {
  return {
    label: place.text,
    labelDx: place.dx,
    labelDy: place.dy,
    labelAlign: place.align,
    labelBaseline: place.baseline,
  };
}
