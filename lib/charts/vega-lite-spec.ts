/** A Vega-Lite specification as plain JSON (what `vega-lite`'s `compile` takes). */
export type VegaLiteSpec = Record<string, unknown> & { $schema: string; data: { values: unknown[] } };
