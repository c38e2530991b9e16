/**
 * The API key check: both sides hashed to 32 bytes and compared with `timingSafeEqual`, so neither the
 * time taken nor an early exit on length tells a caller how much of a guess was right.
 */
import { createHash, timingSafeEqual } from "node:crypto";

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}

/** A checker for one expected key; `undefined` when no key is set (every request passes). */
export function keyChecker(expected: string | undefined): ((given: unknown) => boolean) | undefined {
  if (expected === undefined) return undefined;
  const want = digest(expected);
  return (given) => typeof given === "string" && timingSafeEqual(digest(given), want);
}
