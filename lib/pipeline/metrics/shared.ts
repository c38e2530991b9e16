/** Helpers the metrics share: input checks that throw `InvalidInputError`, clamping, text normalisation. */
import { InvalidInputError } from "../../errors.js";

/** `x` limited to [0, 1]. */
export function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}

/** The text, or an `InvalidInputError` naming `what` when it is not a string. */
export function requireText(text: unknown, what: string): string {
  if (typeof text !== "string") {
    throw new InvalidInputError(
      `${what}: text must be a string, got ${text === null ? "null" : typeof text}`,
    );
  }
  return text;
}

/** The value, or an `InvalidInputError` naming `what` when it is not a finite number in [0, 1]. */
export function requireUnit(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new InvalidInputError(`${what} must be a number in [0, 1], got ${String(value)}`);
  }
  return value;
}

/**
 * Lower-cases nothing but unifies the characters the lexicons are written without: typographic
 * apostrophes become `'` and ё becomes е. Each replacement is one UTF-16 unit for one, so offsets hold.
 */
export function normalise(text: string): string {
  return text.replace(/[’ʼ]/g, "'").replace(/ё/g, "е").replace(/Ё/g, "Е");
}
