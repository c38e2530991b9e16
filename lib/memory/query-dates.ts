/**
 * Time in a memory query: the date windows it names ("in March", "last summer", "in 2024", "2024-03-05",
 * "two weeks ago") and whether it asks for the latest or the earliest of several versions of a fact ("where
 * do I work now?", "what was my previous car?"; not "which came first?", which asks for an order). Relative
 * expressions count from `now`; without it only absolute ones are read. Months and seasons without a year
 * mean the latest such period up to `now`, or that month of any year when there is no `now`. Seasons are
 * the northern hemisphere's (spring = March–May). All dates are UTC.
 */

const DAY = 86_400_000;

/** A span of time a query names: [from, to) in epoch ms, or a month of any year (`monthOfYear`, 0–11). */
export interface DateWindow {
  /** The words of the query it was read from. */
  phrase: string;
  from?: number;
  to?: number;
  monthOfYear?: number;
}

/** Which version of a fact a query wants when several were said over time. */
export type VersionCue = "latest" | "earliest";

/** What {@link parseQueryTime} reads from a query. */
export interface QueryTime {
  windows: DateWindow[];
  version?: VersionCue;
  /** The query with the date phrases taken out (for searching by content); the query itself if nothing is left. */
  content: string;
}

const MONTH_NAMES = [
  "january",
  "february",
  "march",
  "april",
  "may",
  "june",
  "july",
  "august",
  "september",
  "october",
  "november",
  "december",
];
/** Abbreviations are only read capitalised ("Mar", "Jun"), so verbs like "mar" stay words. */
const MONTH_ABBREVIATIONS: Record<string, number> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Sept: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};
const SEASONS: Record<string, number> = { spring: 2, summer: 5, autumn: 8, fall: 8, winter: 11 };
const NUMBER_WORDS: Record<string, number> = {
  a: 1,
  an: 1,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  couple: 2,
  "a couple of": 2,
  "a few": 3,
  few: 3,
  several: 4,
};

const LATEST =
  /\b(now|nowadays|currently|current|still|latest|most recent(ly)?|these days|at the moment|at present|any ?more|in the end|eventually|ended up|final(ly)?|today)\b/i;
const EARLIEST =
  /\b(first|originally|initially|at first|used to|previous(ly)?|former(ly)?|(?<!how )old|before (i|we) (changed|moved|switched))\b/i;
/** "which came first" asks for an order, not for the first version. */
const ORDER_QUESTION = /\b(came|come|happened) first\b|\bbefore or after\b|\bhow long (after|before|ago)\b/i;

function utc(year: number, month: number, day = 1): number {
  return Date.UTC(year, month, day);
}

/** The window of a month of `year`, or of the latest such month up to `now`, or of any year. */
function monthWindow(
  phrase: string,
  month: number,
  year: number | undefined,
  now: number | undefined,
): DateWindow {
  if (year !== undefined) return { phrase, from: utc(year, month), to: utc(year, month + 1) };
  if (now === undefined) return { phrase, monthOfYear: month };
  const today = new Date(now);
  const y = month <= today.getUTCMonth() ? today.getUTCFullYear() : today.getUTCFullYear() - 1;
  return { phrase, from: utc(y, month), to: utc(y, month + 1) };
}

/** A season's three months in the year it starts; "last" is the latest one that is over by `now`. */
function seasonWindow(
  phrase: string,
  start: number,
  which: string | undefined,
  year: number | undefined,
  now: number | undefined,
): DateWindow | undefined {
  const span = (y: number): DateWindow => ({ phrase, from: utc(y, start), to: utc(y, start + 3) });
  if (year !== undefined) return span(year);
  if (now === undefined) return undefined;
  const y = new Date(now).getUTCFullYear();
  // The latest start of this season at or before now (winter starts in December of the year before).
  const latestStart = utc(y, start) <= now ? y : y - 1;
  if (which === "this") return span(latestStart);
  if (which === "last") {
    const current = span(latestStart);
    return (current.to as number) <= now ? current : span(latestStart - 1);
  }
  return span(latestStart);
}

function mondayOf(ms: number): number {
  const day = Math.floor(ms / DAY) * DAY;
  return day - ((new Date(day).getUTCDay() + 6) % 7) * DAY;
}

function numberOf(word: string): number | undefined {
  const lower = word.toLowerCase().trim();
  if (/^\d+$/.test(lower)) return Number(lower);
  return NUMBER_WORDS[lower];
}

interface Rule {
  pattern: RegExp;
  read(match: RegExpExecArray, now: number | undefined): DateWindow | undefined;
}

const MONTH_ALTERNATION = MONTH_NAMES.join("|");

/** The rules, most specific first; text a rule consumed is not read again by later ones. */
const RULES: Rule[] = [
  {
    // 2024-03-05
    pattern: /\b(?:(?:on|since|until|by) )?(\d{4})-(\d{2})-(\d{2})\b/gi,
    read: (m) => {
      const from = utc(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
      return Number.isNaN(from) ? undefined : { phrase: m[0], from, to: from + DAY };
    },
  },
  {
    // 5 March 2024, 5th of March, March 5th 2024
    pattern: new RegExp(
      `\\b(?:(?:on|since|until|by) (?:the )?)?(?:(\\d{1,2})(?:st|nd|rd|th)?(?: of)? (${MONTH_ALTERNATION})|(${MONTH_ALTERNATION}) (\\d{1,2})(?:st|nd|rd|th)?)\\b(?:,? (\\d{4}))?`,
      "gi",
    ),
    read: (m, now) => {
      const name = (m[2] ?? m[3]).toLowerCase();
      const day = Number(m[1] ?? m[4]);
      if (name === "may" && !/May/.test(m[0])) return undefined;
      if (day < 1 || day > 31) return undefined;
      const month = MONTH_NAMES.indexOf(name);
      const window = monthWindow(m[0], month, m[5] ? Number(m[5]) : undefined, now);
      if (window.from === undefined) return window;
      const from = (window.from as number) + (day - 1) * DAY;
      return { phrase: m[0], from, to: from + DAY };
    },
  },
  {
    // March 2024, in March, during May ("may" the verb is only read after a preposition or before a year)
    pattern: new RegExp(
      `\\b(?:(in|during|of|since|until|by|back in|early|late|mid|mid-|around) )?(${MONTH_ALTERNATION})\\b(?:,? (\\d{4}))?`,
      "gi",
    ),
    read: (m, now) => {
      const name = m[2].toLowerCase();
      if (name === "may" && !(m[2] === "May" && (m[1] || m[3]))) return undefined;
      return monthWindow(m[0], MONTH_NAMES.indexOf(name), m[3] ? Number(m[3]) : undefined, now);
    },
  },
  {
    pattern:
      /\b(?:(?:in|during|since|until|by) )?(Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\b\.?(?:,? (\d{4}))?/g,
    read: (m, now) => monthWindow(m[0], MONTH_ABBREVIATIONS[m[1]], m[2] ? Number(m[2]) : undefined, now),
  },
  {
    // last summer, this spring, in the winter, summer 2024
    pattern:
      /\b(?:(last|this|past|in the|during the|over the) )?(spring|summer|autumn|fall|winter)\b(?: (?:of )?(\d{4}))?/gi,
    read: (m, now) => {
      const which = m[1]?.toLowerCase().replace("past", "last");
      const season = m[2].toLowerCase();
      // A bare season is usually a topic ("the summer holiday"), and "fall" is also a verb: read a season only
      // with a determiner or a year.
      if (!m[1] && !m[3]) return undefined;
      return seasonWindow(m[0], SEASONS[season], which, m[3] ? Number(m[3]) : undefined, now);
    },
  },
  {
    // in 2024
    pattern: /\b(?:in|during|since|of) (\d{4})\b/gi,
    read: (m) => ({ phrase: m[0], from: utc(Number(m[1]), 0), to: utc(Number(m[1]) + 1, 0) }),
  },
  {
    pattern: /\b(yesterday|today|tonight|this morning|the day before yesterday)\b/gi,
    read: (m, now) => {
      if (now === undefined) return undefined;
      const today = Math.floor(now / DAY) * DAY;
      const back = m[1].toLowerCase() === "yesterday" ? 1 : m[1].toLowerCase().startsWith("the day") ? 2 : 0;
      return { phrase: m[0], from: today - back * DAY, to: today - back * DAY + DAY };
    },
  },
  {
    // three weeks ago, a couple of months ago, 10 days ago
    pattern:
      /\b(\d+|a couple of|a few|several|couple|few|a|an|one|two|three|four|five|six|seven|eight|nine|ten) (day|week|month|year)s? ago\b/gi,
    read: (m, now) => {
      const n = numberOf(m[1]);
      if (now === undefined || n === undefined) return undefined;
      const unit = { day: DAY, week: 7 * DAY, month: 30 * DAY, year: 365 * DAY }[
        m[2].toLowerCase()
      ] as number;
      // "a few" is vague: from a unit ago to a bit more than n units ago.
      const vague = /few|several|couple/i.test(m[1]);
      const from = now - (n + (vague ? 1 : 0.5)) * unit;
      const to = vague ? now - 0.5 * unit : now - (n - 0.5) * unit;
      return { phrase: m[0], from, to: Math.max(to, from + DAY) };
    },
  },
  {
    pattern: /\b(last|this|past|previous) (week|weekend|month|year)\b/gi,
    read: (m, now) => {
      if (now === undefined) return undefined;
      const which = m[1].toLowerCase() === "this" ? "this" : "last";
      const d = new Date(now);
      switch (m[2].toLowerCase()) {
        case "week": {
          const monday = mondayOf(now);
          return which === "this"
            ? { phrase: m[0], from: monday, to: monday + 7 * DAY }
            : { phrase: m[0], from: monday - 7 * DAY, to: monday };
        }
        case "weekend": {
          const saturday = mondayOf(now) + 5 * DAY;
          const from = which === "this" || saturday <= now - 2 * DAY ? saturday : saturday - 7 * DAY;
          return { phrase: m[0], from: from, to: from + 2 * DAY };
        }
        case "month": {
          const back = which === "this" ? 0 : 1;
          return {
            phrase: m[0],
            from: utc(d.getUTCFullYear(), d.getUTCMonth() - back),
            to: utc(d.getUTCFullYear(), d.getUTCMonth() - back + 1),
          };
        }
        default: {
          const year = d.getUTCFullYear() - (which === "this" ? 0 : 1);
          return { phrase: m[0], from: utc(year, 0), to: utc(year + 1, 0) };
        }
      }
    },
  },
  {
    pattern: /\b(recently|lately|the other day|in the last few (?:days|weeks))\b/gi,
    read: (m, now) => {
      if (now === undefined) return undefined;
      const span = /day/i.test(m[1]) && !/weeks/i.test(m[1]) ? 10 * DAY : 30 * DAY;
      return { phrase: m[0], from: now - span, to: now + DAY };
    },
  },
];

/**
 * Reads the time a query talks about. `now` (epoch ms) anchors relative expressions and years left out.
 *
 * @example parseQueryTime("What did I plan in March?", Date.UTC(2024, 7, 20)).windows
 *   // [{ phrase: "in March", from: 2024-03-01, to: 2024-04-01 }]
 */
export function parseQueryTime(query: string, now?: number): QueryTime {
  let rest = query;
  const windows: DateWindow[] = [];
  for (const rule of RULES) {
    rule.pattern.lastIndex = 0;
    rest = rest.replace(rule.pattern, (...args) => {
      const match = args.slice(0, -2) as unknown as RegExpExecArray;
      const window = rule.read(match, now);
      if (!window) return match[0];
      windows.push(window);
      return " ";
    });
  }
  const ordering = ORDER_QUESTION.test(query);
  let version: VersionCue | undefined;
  if (!ordering && LATEST.test(rest)) version = "latest";
  else if (!ordering && EARLIEST.test(rest)) version = "earliest";
  const content = rest
    .replace(/\s+/g, " ")
    .replace(/\s+([?.!,])/g, "$1")
    .trim();
  return {
    windows,
    version,
    content: /[\p{L}\p{N}]/u.test(content) ? content : query,
  };
}

/** Whether an epoch-ms instant falls in a window. */
export function inWindow(window: DateWindow, ms: number): boolean {
  if (window.monthOfYear !== undefined && new Date(ms).getUTCMonth() !== window.monthOfYear) return false;
  if (window.from !== undefined && ms < window.from) return false;
  if (window.to !== undefined && ms >= window.to) return false;
  return true;
}
