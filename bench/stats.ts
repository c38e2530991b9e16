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

/** The spread of numbers that are always there (zeros for none, which a run never gives). */
export function spreadOf(values: readonly (number | null | undefined)[]): Spread {
  return spread(values) ?? { median: 0, min: 0, max: 0 };
}

/** `median (min–max)` in `digits` after dividing by `scale`; just the median when the runs agree; `—` for none. */
export function spreadText(s: Spread | undefined, digits = 1, scale = 1): string {
  if (!s) return "—";
  const f = (x: number) => (x / scale).toFixed(digits);
  return s.min === s.max ? f(s.median) : `${f(s.median)} (${f(s.min)}–${f(s.max)})`;
}
