/**
 * Phone numbers. International ones (`+44 20 7946 0958`, `tel:+15551234567`, `(+1) 555-123-4567 ext. 89`,
 * full-width digits too) are found by `libphonenumber-js`, which knows each country's calling code and
 * number lengths; national ones by shape (`phone-national.ts`, which says why the library cannot read them).
 *
 * Bundle: `libphonenumber-js/min`. A redactor masks anything written as a phone number, assigned or not, so
 * the test is "possible" (a length the country allows), which the minimal metadata carries. `max` adds
 * per-range validity (`isValidPhoneNumber`), which rejects the fictional numbers people write and the tests
 * and corpus use (`+1 555 123 4567`: 555 is no assigned area code), so it would lose recall for nothing.
 */
import { findPhoneNumbersInText, isPossiblePhoneNumber } from "libphonenumber-js/min";
import type { Span } from "./kinds.js";
import { isNationalPhone, NATIONAL_PHONE, NOT_A_PHONE_BEFORE } from "./phone-national.js";

/**
 * What may not touch an international number, kept from the hand-written rule the library replaced (at
 * "possible" leniency the library does not look at the surroundings): a word, a `+` or a dotted or dashed
 * run before it, a word or a further number after it. `ann@example.org+44 …` is a phone only once the
 * address is masked.
 */
const GLUED_BEFORE = /(?:[\p{L}\p{N}_+./#-]|\d:|\d[ .-])$/u;
const GLUED_AFTER = /^(?:[\p{L}\p{N}_]|[./:-]\d| \d)/u;

/** A `+` and the digits, spaces, dots, dashes and parentheses after it: the stretch one number may take. */
const PLUS_RUN = /[+＋][\p{Nd} ().-]*\p{Nd}/gu;
const PLUS = /[+＋]/;

/** Whether `[start, end)` may be a phone: not glued to its neighbours, not labelled as something else. */
function standsAlone(text: string, start: number, end: number): boolean {
  if (GLUED_BEFORE.test(text.slice(Math.max(0, start - 2), start))) return false;
  if (GLUED_AFTER.test(text.slice(end, end + 2))) return false;
  // Words before the number that say what it is (`ISBN`, `build`, `заказ №`).
  return !NOT_A_PHONE_BEFORE.test(text.slice(Math.max(0, start - 24), start));
}

/**
 * The library's reading: no default country, so only numbers that carry their calling code; `extended` is
 * its "possible" leniency, and `isPossible()` checks the length against the country. The library may take
 * an opening parenthesis before the `+` into the match (`(+7 (495) …)`): the span starts at the `+`.
 */
function libraryPhones(text: string): Span[] {
  const spans: Span[] = [];
  for (const found of findPhoneNumbersInText(text, { extended: true })) {
    if (!found.number.isPossible()) continue;
    const plus = text.slice(found.startsAt, found.endsAt).search(PLUS);
    const start = plus > 0 ? found.startsAt + plus : found.startsAt;
    if (standsAlone(text, start, found.endsAt)) spans.push({ kind: "phone", start, end: found.endsAt });
  }
  return spans;
}

/**
 * Adapter: the library reads `+1 555 123 4567 2 times` as one number, too long for +1, and reports nothing.
 * The hand-written rule it replaced masked such a run whole; so does this, when the run, or a leading part
 * of it cut at a space, is a possible number.
 */
function overlongPhones(text: string, runs: RegExpExecArray[], found: Span[]): Span[] {
  const spans: Span[] = [];
  for (const run of runs) {
    const [start, end] = [run.index, run.index + run[0].length];
    if (found.some((s) => s.start <= start && start < s.end) || !standsAlone(text, start, end)) continue;
    const cuts = [run[0].length, ...[...run[0].matchAll(/ /g)].map((m) => m.index).reverse()];
    if (cuts.some((cut) => isPossiblePhoneNumber(run[0].slice(0, cut))))
      spans.push({ kind: "phone", start, end });
  }
  return spans;
}

/** National numbers, by shape, outside the stretches international numbers take. */
function nationalPhones(text: string, runs: RegExpExecArray[]): Span[] {
  const spans: Span[] = [];
  for (const match of text.matchAll(NATIONAL_PHONE)) {
    // `123-45-67` in `+7 (495) 123-45-67` is part of the international number, accepted or not.
    if (runs.some((run) => run.index < match.index && match.index < run.index + run[0].length)) continue;
    if (
      !isNationalPhone(match[0]) ||
      NOT_A_PHONE_BEFORE.test(text.slice(Math.max(0, match.index - 24), match.index))
    )
      continue;
    spans.push({ kind: "phone", start: match.index, end: match.index + match[0].length });
  }
  return spans;
}

/** Phone numbers, international and national. */
export function phones(text: string): Span[] {
  const runs = PLUS.test(text) ? [...text.matchAll(PLUS_RUN)] : [];
  const international = runs.length > 0 ? libraryPhones(text) : [];
  return [...international, ...overlongPhones(text, runs, international), ...nationalPhones(text, runs)];
}
