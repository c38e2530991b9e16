/**
 * Dates in a memory query read by chrono-node (English, and Russian when the query has Cyrillic): absolute
 * dates ("2024-03-05", "March 5th", "5 марта 2024", "05/03/2024"), months ("in March", "в мае"), ranges
 * ("from May to July", "с 3 по 10 марта"), days relative to now ("yesterday", "позавчера", "last Monday")
 * and spans back ("two weeks ago", "3 дня назад"). The project keeps its own reading of what chrono leaves
 * open: a month without a year is the latest one up to `now` (chrono picks the closest, which may be
 * ahead), a weekday is the latest one, "N units ago" is a window around that point as wide as the unit, and
 * without `now` nothing relative is read. Times of day alone ("at 5", "noon") and "now" are not windows.
 */
import * as chrono from "chrono-node";
import { DAY, type DateWindow, dayOf, dayWindow, monthWindow, utc } from "./query-date-windows.js";

type ParsedResult = chrono.ParsedResult;
type ParsedComponents = chrono.ParsedComponents;

/** Prepositions that belong to a date phrase ("in March"), taken out of the query with it. */
const LEAD_EN =
  /(?:\b(?:back in|in|during|of|since|until|by|on|around|from)\s+(?:the\s+)?)?(?:\b(?:early|late|mid)[\s-]+)?$/i;
const LEAD_RU = /(?<![\p{L}\p{N}])(?:в|во|с|со|до|к|на|за|около)\s+$/iu;
/** Month names that are also everyday words, read as months only capitalised or after a preposition. */
const WORD_MONTHS = /^(?:may|march)$/;
const AGO = /\bago\b|назад/i;
/** The unit of a span back, by its word (English or Russian stem). */
const UNITS: Array<[RegExp, number]> = [
  [/\b(?:minute|hour)s?\b|минут|час/i, DAY],
  [/\bdays?\b|дн|день|сутк/i, DAY],
  [/\bweeks?\b|недел/i, 7 * DAY],
  [/\bmonths?\b|месяц/i, 30 * DAY],
  [/\byears?\b|год|лет/i, 365 * DAY],
];
const VAGUE = /\b(?:few|several|couple)\b|несколько|пар[уы]/i;
const EXPLICIT_NEXT = /\bnext\b|следующ|\bthis\b|эт[иоуа]/i;

/** Two references far apart: a reading that changes with the reference is relative. */
const REFERENCE_A = new Date(Date.UTC(2001, 0, 10));
const REFERENCE_B = new Date(Date.UTC(2013, 6, 20));

/** A date read from the query: the window and the span of the query it covers. */
export interface ChronoDate {
  window: DateWindow;
  index: number;
  length: number;
}

/** Whether the result names a day, month or year (not just a time of day, and not "now"). */
function isDate(result: ParsedResult): boolean {
  if (result.tags().has("casualReference/now")) return false;
  const { start } = result;
  return ["year", "month", "day", "weekday"].some((c) => start.isCertain(c as chrono.Component));
}

/** The certain date components, as a key that changes when the reading depends on the reference. */
function certainKey(components: ParsedComponents): string {
  return (["year", "month", "day", "weekday"] as const)
    .map((c) => (components.isCertain(c) ? `${c}=${components.get(c)}` : ""))
    .join(",");
}

/** Start offsets of the results that read the same from two references: the absolute dates. */
function absoluteStarts(parser: chrono.Chrono, text: string): Set<number> {
  const fromB = new Map(
    parser.parse(text, { instant: REFERENCE_B, timezone: 0 }).map((r) => [r.index, certainKey(r.start)]),
  );
  return new Set(
    parser
      .parse(text, { instant: REFERENCE_A, timezone: 0 })
      .filter((r) => fromB.get(r.index) === certainKey(r.start))
      .map((r) => r.index),
  );
}

/** A point in time read by chrono as a window of its precision (day, month or year). */
function componentWindow(
  phrase: string,
  c: ParsedComponents,
  now: number | undefined,
  yearHint?: number,
): DateWindow | undefined {
  const year = c.isCertain("year") ? (c.get("year") as number) : yearHint;
  const month = (c.get("month") as number) - 1;
  if (c.isCertain("day") || c.isCertain("weekday")) {
    // A yearless day or a weekday: the project's year choice (weekdays are only read with `now`).
    if (year === undefined) return dayWindow(phrase, month, c.get("day") as number, undefined, now);
    const from = utc(year, month, c.get("day") as number);
    return { phrase, from, to: from + DAY };
  }
  if (c.isCertain("month")) return monthWindow(phrase, month, year, now);
  if (year !== undefined) return { phrase, from: utc(year, 0), to: utc(year + 1, 0) };
  return undefined;
}

/** "Two weeks ago": a window around that point, half a unit each side; "a few weeks ago" up to half a unit ago. */
function agoWindow(phrase: string, at: number, now: number): DateWindow {
  const unit = UNITS.find(([word]) => word.test(phrase))?.[1] ?? DAY;
  if (VAGUE.test(phrase)) {
    const from = at - unit;
    return { phrase, from, to: Math.max(now - 0.5 * unit, from + DAY) };
  }
  const from = at - 0.5 * unit;
  return { phrase, from, to: Math.max(at + 0.5 * unit, from + DAY) };
}

/** The window of one chrono result; undefined when it is not a date the project reads. */
function resultWindow(result: ParsedResult, phrase: string, now: number | undefined): DateWindow | undefined {
  const { start, end } = result;
  if (now !== undefined && result.tags().has("result/relativeDate") && AGO.test(result.text)) {
    return agoWindow(phrase, start.date().getTime(), now);
  }
  let window = componentWindow(phrase, start, now);
  // A weekday on its own is the latest such day ("on Friday" asked on a Tuesday is last Friday).
  const weekdayOnly = start.isCertain("weekday") && !start.isCertain("day");
  if (window?.from !== undefined && now !== undefined && weekdayOnly && !EXPLICIT_NEXT.test(result.text)) {
    while (window.from !== undefined && window.from > dayOf(now)) {
      window = { phrase, from: window.from - 7 * DAY, to: (window.to as number) - 7 * DAY };
    }
  }
  if (!window || !end || window.from === undefined) return window;
  // A range's end without a year is in the start's year, or the next ("from November to February").
  const startYear = new Date(window.from).getUTCFullYear();
  let last = componentWindow(phrase, end, now, startYear);
  if (last?.to !== undefined && last.to <= window.from && !end.isCertain("year")) {
    last = componentWindow(phrase, end, now, startYear + 1);
  }
  if (last?.to === undefined || last.to <= window.from) return window;
  return { phrase, from: window.from, to: last.to };
}

/**
 * Reads the dates chrono finds in `text` (English, then Russian on what is left when there is Cyrillic),
 * relative to `now`; without `now` only dates that do not depend on it. Returns them in text order, each
 * with the span it covers, prepositions before it included.
 */
export function chronoDates(text: string, now: number | undefined): ChronoDate[] {
  const found: ChronoDate[] = [];
  const parsers: Array<[chrono.Chrono, RegExp]> = [[chrono.en.casual, LEAD_EN]];
  if (/[\u0400-\u04ff]/.test(text)) parsers.push([chrono.ru.casual, LEAD_RU]);
  let rest = text;
  for (const [parser, lead] of parsers) {
    const reference = { instant: new Date(now ?? REFERENCE_A.getTime()), timezone: 0 };
    const absolute = now === undefined ? absoluteStarts(parser, rest) : undefined;
    for (const result of parser.parse(rest, reference)) {
      if (!isDate(result) || (absolute && !absolute.has(result.index))) continue;
      // A weekday alone ("on Friday") is always relative to now.
      if (now === undefined && result.start.isCertain("weekday") && !result.start.isCertain("day")) continue;
      const before = rest.slice(0, result.index);
      const prefix = lead.exec(before)?.[0] ?? "";
      const body = result.text.trimEnd();
      if (WORD_MONTHS.test(body) && prefix === "") continue;
      const index = result.index - prefix.length;
      const phrase = `${prefix}${body}`;
      const window = resultWindow(result, phrase, now);
      if (!window) continue;
      found.push({ window, index, length: phrase.length });
    }
    // Blank what this language read (same length, so offsets hold) before the next one reads the rest.
    for (const { index, length } of found)
      rest = rest.slice(0, index) + " ".repeat(length) + rest.slice(index + length);
  }
  return found.sort((a, b) => a.index - b.index);
}
