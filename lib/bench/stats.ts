/** Run-to-run spread: the median of the repetitions with their min and max. */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

/** The spread of some numbers (nulls, e.g. a rate of nothing, are left out); undefined when none are left. */
export function spread(values: readonly (number | null | undefined)[]): Spread | undefined {
  const sorted = values
    .filter((v): v is number => typeof v === "number" && Number.isFinite(v))
    .sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1] };
}
