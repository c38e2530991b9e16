/**
 * IBANs, through `ibantools`: the country's length comes from its specification table, and a candidate is
 * an IBAN when `isValidIBAN` accepts it (country, BBAN format and the ISO 7064 mod 97-10 check digits).
 * This file only finds where a candidate starts and ends in free text, which the library does not do.
 */
import { electronicFormatIBAN, getCountrySpecifications, isValidIBAN } from "ibantools";
import type { Span } from "./kinds.js";

/** A country code and two check digits, not glued to a word, followed by the account. */
const IBAN_START = /(?<![\p{L}\p{N}_])([A-Za-z]{2})\d{2}(?= ?[A-Za-z0-9])/gu;
const ALPHANUMERIC = /[A-Za-z0-9]/;
const WORD_CHARACTER = /[\p{L}\p{N}_]/u;

/** IBAN length by country code, for countries that have IBANs (ibantools' registry and experimental ones). */
const IBAN_LENGTH: ReadonlyMap<string, number> = new Map(
  Object.entries(getCountrySpecifications()).flatMap(([country, spec]) =>
    spec.chars ? [[country, spec.chars] as const] : [],
  ),
);

/**
 * Whether `iban` (spaces and lower case allowed) is a valid IBAN: a known country, its length and BBAN
 * format, and check digits that pass mod-97.
 */
export function ibanValid(iban: string): boolean {
  const compact = electronicFormatIBAN(iban);
  return compact !== null && isValidIBAN(compact);
}

/**
 * The candidate starting at `start`: letters and digits, single spaces allowed between them, until it is
 * `length` long. Returns the compact form and where the candidate ends in `text`.
 */
function readCandidate(text: string, start: number, head: string, length: number) {
  let compact = head;
  let at = start + head.length;
  while (compact.length < length && at < text.length) {
    const char = text[at];
    if (ALPHANUMERIC.test(char)) compact += char;
    else if (!(char === " " && ALPHANUMERIC.test(text[at + 1] ?? ""))) break;
    at++;
  }
  return { compact, end: at };
}

/**
 * IBANs, with or without single spaces, in upper or lower case (`de89 3704 …`). The account must be mostly
 * digits as well: a guard, kept from before the library, against a run of words that happens to pass
 * mod-97 in a country whose BBAN allows letters.
 */
export function ibans(text: string): Span[] {
  const spans: Span[] = [];
  for (const match of text.matchAll(IBAN_START)) {
    const length = IBAN_LENGTH.get(match[1].toUpperCase());
    if (!length) continue;
    const { compact, end } = readCandidate(text, match.index, match[0], length);
    if (compact.length < length || WORD_CHARACTER.test(text[end] ?? "") || !ibanValid(compact)) continue;
    const account = compact.slice(4);
    if (account.replace(/\D/g, "").length < account.length * 0.6) continue;
    spans.push({ kind: "iban", start: match.index, end });
  }
  return spans;
}
