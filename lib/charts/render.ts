/**
 * Draws a Vega-Lite spec without a browser: vega-lite compiles it to Vega, a headless Vega view renders
 * SVG, and resvg rasterises the SVG to PNG with the chart font named explicitly (resvg does no font
 * fallback of its own, so an unnamed font would draw no text).
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { Resvg } from "@resvg/resvg-js";
import { InvalidInputError } from "../errors.js";
import { CHART_FONT } from "./theme.js";
import type { VegaLiteSpec } from "./vega-lite-spec.js";

/** The SVG of a Vega-Lite spec. */
export async function specToSvg(spec: VegaLiteSpec): Promise<string> {
  try {
    // Loaded on the first chart, not at start-up: vega and vega-lite (with d3) take ~0.4 s to import.
    const [{ parse, View }, { compile }] = await Promise.all([import("vega"), import("vega-lite")]);
    // biome-ignore lint/suspicious/noExplicitAny: vega-lite's TopLevelSpec is a deep union; specs here are plain JSON.
    const vega = compile(spec as any).spec;
    const view = new View(parse(vega), { renderer: "none" });
    try {
      return await view.toSVG();
    } finally {
      view.finalize();
    }
  } catch (error) {
    throw new InvalidInputError(`chart cannot be drawn: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** A PNG of an SVG, at `scale` times its size (2 by default, for sharp text). */
export function svgToPng(svg: string, options: { scale?: number } = {}): Buffer {
  const resvg = new Resvg(svg, {
    fitTo: { mode: "zoom", value: options.scale ?? 2 },
    background: "white",
    font: {
      loadSystemFonts: true,
      defaultFontFamily: CHART_FONT,
      sansSerifFamily: CHART_FONT,
    },
  });
  return resvg.render().asPng();
}

/** Renders `spec` and writes the PNG to `file` (folders created); returns the SVG too. */
export async function writeChartPng(
  spec: VegaLiteSpec,
  file: string,
): Promise<{ file: string; svg: string; bytes: number }> {
  const svg = await specToSvg(spec);
  const png = svgToPng(svg);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, png);
  return { file, svg, bytes: png.length };
}
