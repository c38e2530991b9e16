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
import { findPhoneNumbersInText, validatePhoneNumberLength } from "libphonenumber-js/min";
import type { Span } from "./kinds.js";
import { isNationalPhone, NATIONAL_PHONE, NOT_A_PHONE_BEFORE } from "./phone-national.js";

/**
 * What may not touch an international number, from the hand-written rule the library replaced (at
 * "possible" leniency the library does not look at the surroundings). Before the `+`: a word, a `+`, a dot,
 * slash, hash or dash, or a time's colon (`ann@example.org+44 …` is a phone only once the address is
 * masked); a number and a space are fine, a `+` starts a new number (`8 800 555 35 35 +7 495 123 45 67`).
 * After it: a further number. A letter may follow: `+1 555 123 4567a@b.co` must not leave `+1 555 123`
 * behind when the address takes the last group.
 */
const GLUED_BEFORE = /(?:[\p{L}\p{N}_+./#-]|\d:)$/u;
const GLUED_AFTER = /^(?:[\p{N}_]|[./:-]\d| \d)/u;

/**
 * The stretch one `+` number may take: a `+`, then groups of digits (an area code may be in parentheses)
 * joined by single spaces, dots or dashes.
 */
const PLUS_RUN = /[+＋](?:\(\p{Nd}{1,5}\)|\p{Nd}+)(?:[ .-]?\(\p{Nd}{1,5}\)[ .-]?\p{Nd}+|[ .-]\p{Nd}+)*/gu;
const PLUS = /[+＋]/;

/** Whether the words before `start` say the number there is something else (`ISBN`, `build`, `заказ №`). */
function labelled(text: string, start: number): boolean {
  return NOT_A_PHONE_BEFORE.test(text.slice(Math.max(0, start - 24), start));
}

/** Whether `[start, end)` may be a phone: not glued to its neighbours, not labelled as something else. */
function standsAlone(text: string, start: number, end: number): boolean {
  if (GLUED_BEFORE.test(text.slice(Math.max(0, start - 2), start))) return false;
  return !GLUED_AFTER.test(text.slice(end, end + 2)) && !labelled(text, start);
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
 * Adapter: the library reads `+1 555 123 4567 2 times` or `+7 (495) 123-45-67123` as one number, too long
 * for its country, and reports nothing. The hand-written rule it replaced masked such a run whole; so does
 * this, when the run or a leading part of it is a possible number.
 */
function overlongPhones(text: string, runs: RegExpExecArray[], found: Span[]): Span[] {
  const spans: Span[] = [];
  for (const run of runs) {
    const [start, end] = [run.index, run.index + run[0].length];
    if (found.some((s) => s.start <= start && start < s.end) || !standsAlone(text, start, end)) continue;
    if (possibleLeadingPart(run[0])) spans.push({ kind: "phone", start, end });
  }
  return spans;
}

/**
 * Whether `run` (a `+` and digits), or a part of it from the start to one of its digits, is possible. Cut
 * back from the end while the library says "too long" (or a length between two allowed ones); "too short"
 * or no such country ends the search, shorter parts cannot do better.
 */
function possibleLeadingPart(run: string): boolean {
  for (let cut = run.length; cut > 2; cut--) {
    if (!/\p{Nd}/u.test(run[cut - 1])) continue;
    const verdict = validatePhoneNumberLength(run.slice(0, cut));
    if (verdict === undefined) return true;
    if (verdict !== "TOO_LONG" && verdict !== "INVALID_LENGTH") return false;
  }
  return false;
}

/**
 * National numbers, by shape. Not the tail of a labelled international number: `123-45-67` in
 * `ISBN +7 (495) 123-45-67` is no more a phone than the whole.
 */
function nationalPhones(text: string, runs: RegExpExecArray[]): Span[] {
  const spans: Span[] = [];
  const labelledRuns = runs.filter((run) => labelled(text, run.index));
  for (const match of text.matchAll(NATIONAL_PHONE)) {
    const start = match.index;
    if (labelledRuns.some((run) => run.index < start && start < run.index + run[0].length)) continue;
    if (!isNationalPhone(match[0]) || labelled(text, start)) continue;
    spans.push({ kind: "phone", start, end: start + match[0].length });
  }
  return spans;
}

/** Phone numbers, international and national. */
export function phones(text: string): Span[] {
  const runs = PLUS.test(text) ? [...text.matchAll(PLUS_RUN)] : [];
  const international = runs.length > 0 ? libraryPhones(text) : [];
  return [...international, ...overlongPhones(text, runs, international), ...nationalPhones(text, runs)];
}
