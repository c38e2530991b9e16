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

/**
 * The `$schema` every chart is written to: Vega-Lite 5, the version the notebook renderers (JupyterLab's and
 * VS Code's) draw `application/vnd.vegalite.v5+json` with. The installed vega-lite 6 compiles these specs too:
 * they use nothing that only 6 has (see `notebook.ts`).
 */
export const VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";

/** What every SIGLA chart spec starts with: schema, title, the common width, its height and the theme. */
export function chartFrame(title: string, height: number) {
  return { $schema: VEGA_LITE_SCHEMA, title, width: 480, height, config: CHART_CONFIG };
}
