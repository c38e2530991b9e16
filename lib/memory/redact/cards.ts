/**
 * Payment card numbers: 13–19 digits, grouped or not, that pass the Luhn check and start like a card.
 */
import type { Span } from "./kinds.js";

/** 13–19 digits, optionally grouped by single spaces, dashes or dots, not part of a longer number. */
const CARD = /(?<![\p{L}\p{N}_+]|\d[ .-])\d(?:[ .-]?\d){12,18}(?![\p{L}\p{N}_]|[ .-]\d)/gu;

/** The Luhn (mod 10) checksum over a string of digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let digit = digits.charCodeAt(i) - 48;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return sum % 10 === 0;
}

/**
 * Payment card numbers that pass Luhn. An ungrouped run of digits must also start like a card (issuer
 * prefixes 22–27 and 3–6), so a millisecond timestamp or an order number that happens to pass Luhn stays.
 */
export function cards(text: string): Span[] {
  const spans: Span[] = [];
  for (const match of text.matchAll(CARD)) {
    const digits = match[0].replace(/\D/g, "");
    if (!luhnValid(digits) || /^(\d)\1*$/.test(digits)) continue;
    const dotted = match[0].includes(".");
    // A dotted run is a card only in groups of three or more that start like one (not 3.14159265358979).
    if (dotted && match[0].split(".").some((g) => g.replace(/\D/g, "").length < 3)) continue;
    if ((digits === match[0] || dotted) && !/^(?:2[2-7]|[3-6])/.test(digits)) continue;
    spans.push({ kind: "card", start: match.index, end: match.index + match[0].length });
  }
  return spans;
}
