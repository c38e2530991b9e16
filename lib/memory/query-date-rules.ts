/**
 * The project's own time rules, for what chrono-node does not read or reads another way: seasons ("last
 * summer", "прошлым летом"), bare years ("in 2024", "в 2023 году"), calendar units ("last week" is Monday to
 * Sunday, not seven days back; "в прошлом месяце" is the whole month), vague recent spans ("recently", "на
 * днях") and parts of today ("this morning"). English and Russian. They run before chrono, and the text
 * they take is not read again.
 */
import {
  type CalendarUnit,
  calendarWindow,
  DAY,
  type DateWindow,
  dayOf,
  seasonWindow,
  utc,
} from "./query-date-windows.js";

/** A pattern (global) and how a match becomes a window; undefined leaves the words in the query. */
export interface TimeRule {
  pattern: RegExp;
  read(match: RegExpExecArray, now: number | undefined): DateWindow | undefined;
}

/** Word edges that work for Cyrillic too (`\b` only knows ASCII letters). */
const B = "(?<![\\p{L}\\p{N}])";
const E = "(?![\\p{L}\\p{N}])";

const SEASONS_EN: Record<string, number> = { spring: 2, summer: 5, autumn: 8, fall: 8, winter: 11 };
/** Russian season stems (весна, лето, осень, зима in any case) and the month each starts. */
const SEASONS_RU: Array<[RegExp, number]> = [
  [/^весн/i, 2],
  [/^лет/i, 5],
  [/^осен/i, 8],
  [/^зим/i, 11],
];

/** "last"/"past"/"previous"/"прошлый"… → last, "this"/"этот"… → this, "next"/"следующий"… → next. */
function whichOf(word: string | undefined): "last" | "this" | "next" | undefined {
  if (word === undefined) return undefined;
  const w = word.toLowerCase();
  if (/^(last|past|previous|прошл|предыдущ)/.test(w)) return "last";
  if (/^(next|следующ)/.test(w)) return "next";
  if (/^(this|эт|нынешн|текущ)/.test(w)) return "this";
  return undefined;
}

const SHIFT = { last: -1, this: 0, next: 1 } as const;

function calendarUnitOf(word: string): CalendarUnit {
  const w = word.toLowerCase();
  if (/^(week|недел)/.test(w)) return "week";
  if (/^(weekend|выходн)/.test(w)) return "weekend";
  if (/^(month|месяц)/.test(w)) return "month";
  return "year";
}

function yearWindow(phrase: string, year: string): DateWindow {
  return { phrase, from: utc(Number(year), 0), to: utc(Number(year) + 1, 0) };
}

/** A recent span ending tomorrow: `days` back from `now`. */
function recentWindow(phrase: string, days: number, now: number | undefined): DateWindow | undefined {
  return now === undefined ? undefined : { phrase, from: now - days * DAY, to: now + DAY };
}

/** A season match (determiner, season, year) as its window; "next" season reads as the coming one. */
function seasonOf(m: RegExpExecArray, start: number, now: number | undefined): DateWindow | undefined {
  const which = whichOf(m[1]);
  return seasonWindow(
    m[0],
    start,
    which === "next" ? undefined : which,
    m[3] ? Number(m[3]) : undefined,
    now,
  );
}

/** The rules, in order; text a rule consumed is not read again by later ones (nor by chrono). */
export const TIME_RULES: TimeRule[] = [
  {
    // last summer, this spring, in the winter, summer 2024, the summer of 2023
    pattern:
      /\b(?:(last|this|past|in the|during the|over the) )?(spring|summer|autumn|fall|winter)\b(?: (?:of )?(\d{4}))?/gi,
    read: (m, now) => {
      // A bare season is usually a topic ("the summer holiday"), and "fall" is also a verb: read a season only
      // with a determiner or a year.
      if (!m[1] && !m[3]) return undefined;
      return seasonOf(m, SEASONS_EN[m[2].toLowerCase()], now);
    },
  },
  {
    // прошлым летом, этой зимой, летом 2023 года; bare "весной/летом/осенью/зимой" (an adverb of time)
    pattern: new RegExp(
      `${B}(?:(прошл\\p{L}*|эт\\p{L}*|нынешн\\p{L}*)\\s+)?(весн\\p{L}*|лет(?:о|ом|а)|осен\\p{L}*|зим\\p{L}*)(?:\\s+(\\d{4})(?:\\s*(?:года|г\\.))?)?${E}`,
      "giu",
    ),
    read: (m, now) => {
      if (!m[1] && !m[3] && !/^(весной|летом|осенью|зимой)$/i.test(m[2])) return undefined;
      return seasonOf(m, SEASONS_RU.find(([stem]) => stem.test(m[2]))?.[1] as number, now);
    },
  },
  {
    // in 2024 (not the year of an ISO date: "since 2024-03-05")
    pattern: /\b(?:in|during|since|of) (\d{4})\b(?![-/.]\d)/gi,
    read: (m) => yearWindow(m[0], m[1]),
  },
  {
    // в 2023 году, за 2023 год, в 2023 г.
    pattern: new RegExp(`${B}(?:в|во|за)\\s+(\\d{4})(?:\\s*(?:году|года|год|г\\.))?${E}(?![-/.]\\d)`, "giu"),
    read: (m) => yearWindow(m[0], m[1]),
  },
  {
    // last week, this weekend, next month, previous year
    pattern: /\b(last|this|past|previous|next) (week|weekend|month|year)\b/gi,
    read: (m, now) =>
      now === undefined
        ? undefined
        : calendarWindow(m[0], calendarUnitOf(m[2]), SHIFT[whichOf(m[1]) ?? "this"], now),
  },
  {
    // на прошлой неделе, в этом месяце, в следующем году, на прошлых выходных
    pattern: new RegExp(
      `${B}(?:(?:на|в|во)\\s+)?(прошл\\p{L}*|предыдущ\\p{L}*|эт(?:от|ой|ом|у|и|их)|текущ\\p{L}*|следующ\\p{L}*)\\s+(недел\\p{L}*|выходн\\p{L}*|месяц\\p{L}*|год\\p{L}*)${E}`,
      "giu",
    ),
    read: (m, now) =>
      now === undefined
        ? undefined
        : calendarWindow(m[0], calendarUnitOf(m[2]), SHIFT[whichOf(m[1]) ?? "this"], now),
  },
  {
    // recently, lately, the other day, in the last few days / weeks
    pattern: /\b(recently|lately|the other day|in the last few (?:days|weeks))\b/gi,
    read: (m, now) => recentWindow(m[0], /day/i.test(m[1]) ? 10 : 30, now),
  },
  {
    // недавно, на днях, в последнее время, за последние (несколько) дней / недель
    pattern: new RegExp(
      `${B}(недавно|на днях|в последнее время|за последние (?:несколько |пару )?(?:дни|дней|недел\\p{L}*))${E}`,
      "giu",
    ),
    read: (m, now) => recentWindow(m[0], /дн/i.test(m[1]) ? 10 : 30, now),
  },
  {
    // this morning / afternoon / evening: chrono reads these as a time of day, without the day
    pattern: /\bthis (morning|afternoon|evening)\b/gi,
    read: (m, now) =>
      now === undefined ? undefined : { phrase: m[0], from: dayOf(now), to: dayOf(now) + DAY },
  },
];
