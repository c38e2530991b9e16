/**
 * A chart as notebooks show it: the Vega-Lite spec under `application/vnd.vegalite.v5+json` (what
 * JupyterLab's built-in renderer and VS Code's notebook renderers draw, with Vega-Lite 5) and its PNG beside
 * it (for front ends without a Vega renderer, GitHub's viewer and nbconvert's HTML).
 *
 * The MIME type promises a Vega-Lite 5 spec, so the spec must be one: `$schema` v5 and nothing only
 * Vega-Lite 6 reads. Vega-Lite 6.4's JSON schema differs from 5.23's in one place that a spec can use:
 * `format` may be a time-format specifier object (5 reads an object there as a custom formatter's options).
 * The charts here are written to v5 (`theme.ts`), which the installed vega-lite 6 compiles as well.
 */
import { VEGA_LITE_SCHEMA } from "./theme.js";
import type { VegaLiteSpec } from "./vega-lite-spec.js";

/** The MIME type Jupyter front ends render Vega-Lite 5 specs from. */
export const VEGA_LITE_MIME = "application/vnd.vegalite.v5+json";

/** The places (JSON paths) where `spec` uses what only Vega-Lite 6 reads; none for a Vega-Lite 5 spec. */
export function v6OnlyFeatures(spec: unknown): string[] {
  const found: string[] = [];
  const visit = (value: unknown, path: string) => {
    if (Array.isArray(value)) {
      value.forEach((item, i) => {
        visit(item, `${path}[${i}]`);
      });
      return;
    }
    if (!value || typeof value !== "object") return;
    for (const [key, child] of Object.entries(value)) {
      // `data.values` rows are data, not spec.
      if (key === "values" && path.endsWith(".data")) continue;
      const at = `${path}.${key}`;
      const custom = (value as { formatType?: unknown }).formatType;
      if (key === "format" && child && typeof child === "object" && !path.endsWith(".data")) {
        // An object is a v6 time-format specifier unless a custom formatType reads it (as v5 does).
        if (typeof custom !== "string" || ["number", "time", "utc"].includes(custom)) found.push(at);
      }
      visit(child, at);
    }
  };
  visit(spec, "$");
  return found;
}

/** Whether `$schema` names a Vega-Lite version other than 5 (`…/vega-lite/v6.json`, `…/v6.4.3.json`). */
function otherVegaLite(schema: unknown): boolean {
  const match = /\/vega-lite\/v(\d+)[.\w-]*\.json$/.exec(String(schema ?? ""));
  return match !== null && match[1] !== "5";
}

/**
 * The MIME entries of a chart in a notebook: the spec as a Vega-Lite 5 JSON object (the same object when it
 * already is one; a copy with the v5 `$schema` when it names another version but uses nothing only that
 * version has; left out when it needs Vega-Lite 6, since a v5 renderer would draw it wrong) and, when given,
 * the PNG as base64.
 */
export function notebookBundle(spec: VegaLiteSpec, png?: Uint8Array): Record<string, unknown> {
  const entries: Record<string, unknown> = {};
  if (v6OnlyFeatures(spec).length === 0) {
    entries[VEGA_LITE_MIME] = otherVegaLite(spec.$schema) ? { ...spec, $schema: VEGA_LITE_SCHEMA } : spec;
  }
  if (png) entries["image/png"] = Buffer.from(png).toString("base64");
  return entries;
}
