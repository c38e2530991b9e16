/** The look every SIGLA chart shares: one font that exists on the machine (resvg has no fallback chain). */

/** The font charts are drawn and rasterised with; `fc-list | grep DejaVu` shows it is installed. */
export const CHART_FONT = "DejaVu Sans";

/** Vega-Lite `config` that puts {@link CHART_FONT} on every text mark, axis, legend and title. */
export const CHART_CONFIG = {
  font: CHART_FONT,
  background: "white",
  view: { stroke: "#ddd" },
  axis: { labelFont: CHART_FONT, titleFont: CHART_FONT },
  legend: { labelFont: CHART_FONT, titleFont: CHART_FONT },
  title: { font: CHART_FONT, fontSize: 14 },
} as const;

/** The `$schema` of the Vega-Lite version installed. */
export const VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";

/** What every SIGLA chart spec starts with: schema, title, the common width, its height and the theme. */
export function chartFrame(title: string, height: number) {
  return { $schema: VEGA_LITE_SCHEMA, title, width: 480, height, config: CHART_CONFIG };
}
