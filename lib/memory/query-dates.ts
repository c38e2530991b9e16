/**
 * Time in a memory query: the date windows it names ("in March", "last summer", "in 2024", "2024-03-05",
 * "two weeks ago", "в марте", "на прошлой неделе") and whether it asks for the latest or the earliest of
 * several versions of a fact ("where do I work now?", "what was my previous car?"; not "which came first?",
 * which asks for an order). English and Russian.
 *
 * Two readers: the project's own rules first (`query-date-rules.ts`: seasons, bare years, calendar weeks and
 * months, vague recent spans), then chrono-node on what is left (`query-date-chrono.ts`: dates, months,
 * ranges, days and spans relative to now). Relative expressions count from `now`; without it only absolute
 * ones are read. Months and seasons without a year mean the latest such period up to `now`, or that month
 * of any year when there is no `now`. Seasons are the northern hemisphere's (spring = March–May). All UTC.
 */
import { chronoDates } from "./query-date-chrono.js";
import { TIME_RULES } from "./query-date-rules.js";
import type { DateWindow } from "./query-date-windows.js";

export { type DateWindow, inWindow } from "./query-date-windows.js";

/** Which version of a fact a query wants when several were said over time. */
export type VersionCue = "latest" | "earliest";

/** What {@link parseQueryTime} reads from a query. */
export interface QueryTime {
  windows: DateWindow[];
  version?: VersionCue;
  /** The query with the date phrases taken out (for searching by content); the query itself if nothing is left. */
  content: string;
}

/** Cyrillic-aware word edges (`\b` only knows ASCII letters). */
const B = "(?<![\\p{L}\\p{N}])";
const E = "(?![\\p{L}\\p{N}])";

const LATEST = [
  /\b(now|nowadays|currently|current|still|latest|most recent(ly)?|these days|at the moment|at present|any ?more|in the end|eventually|ended up|final(ly)?|today)\b/i,
  new RegExp(
    `${B}(сейчас|теперь|сегодня|нынче|в данный момент|в настоящее время|до сих пор|вс[её] ещё|вс[её] еще|последн\\p{L}*|актуальн\\p{L}*|текущ\\p{L}*|в итоге|в конце концов|больше не)${E}`,
    "iu",
  ),
];
const EARLIEST = [
  /\b(first|originally|initially|at first|used to|previous(ly)?|former(ly)?|(?<!how )old|before (i|we) (changed|moved|switched))\b/i,
  new RegExp(
    `${B}(сначала|сперва|изначально|первоначально|раньше|прежде|прежн\\p{L}*|предыдущ\\p{L}*|бывш\\p{L}*|стар(?:ый|ая|ое|ые|ого|ой|ом|ую|ых)|перв(?:ый|ая|ое|ые|ого|ой|ом|ую|ых))${E}`,
    "iu",
  ),
];
/** "which came first", "что было раньше: … или …" ask for an order, not for the first version. */
const ORDER_QUESTION = [
  /\b(came|come|happened) first\b|\bbefore or after\b|\bhow long (after|before|ago)\b/i,
  new RegExp(
    `${B}(раньше|сначала|первым|первой|позже)${E}[^?]*${B}или${E}|${B}или${E}[^?]*${B}(раньше|сначала|первым|первой|позже)${E}|${B}до или после${E}|${B}сколько (времени )?(прошло|спустя)${E}`,
    "iu",
  ),
];

/** Blanks `rest[index, index + length)` so later readers skip it and offsets stay put. */
function blank(rest: string, index: number, length: number): string {
  return rest.slice(0, index) + " ".repeat(length) + rest.slice(index + length);
}

/** Applies the project's rules to `rest`, most specific first; returns what is left. */
function readRules(rest: string, now: number | undefined, windows: DateWindow[]): string {
  for (const rule of TIME_RULES) {
    rule.pattern.lastIndex = 0;
    rest = rest.replace(rule.pattern, (...args) => {
      const match = args.slice(0, -2) as unknown as RegExpExecArray;
      const window = rule.read(match, now);
      if (!window) return match[0];
      windows.push(window);
      return " ".repeat(match[0].length);
    });
  }
  return rest;
}

/**
 * Reads the time a query talks about. `now` (epoch ms) anchors relative expressions and years left out.
 *
 * @example parseQueryTime("What did I plan in March?", Date.UTC(2024, 7, 20)).windows
 *   // [{ phrase: "in March", from: 2024-03-01, to: 2024-04-01 }]
 */
export function parseQueryTime(query: string, now?: number): QueryTime {
  const windows: DateWindow[] = [];
  let rest = readRules(query, now, windows);
  for (const { window, index, length } of chronoDates(rest, now)) {
    windows.push(window);
    rest = blank(rest, index, length);
  }
  const ordering = ORDER_QUESTION.some((cue) => cue.test(query));
  let version: VersionCue | undefined;
  if (!ordering && LATEST.some((cue) => cue.test(rest))) version = "latest";
  else if (!ordering && EARLIEST.some((cue) => cue.test(rest))) version = "earliest";
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
