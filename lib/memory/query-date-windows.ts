/**
 * Date windows a memory query names, and the calendar arithmetic behind them (all UTC). Shared by the
 * project's own time rules (`query-date-rules.ts`) and the chrono-node reading (`query-date-chrono.ts`).
 */

/** One day in ms. */
export const DAY = 86_400_000;

/** A span of time a query names: [from, to) in epoch ms, or a month of any year (`monthOfYear`, 0–11). */
export interface DateWindow {
  /** The words of the query it was read from. */
  phrase: string;
  from?: number;
  to?: number;
  monthOfYear?: number;
}

/** Epoch ms of a UTC calendar day (months past 11 or below 0 roll over the year). */
export function utc(year: number, month: number, day = 1): number {
  return Date.UTC(year, month, day);
}

/** Midnight UTC of the day holding `ms`. */
export function dayOf(ms: number): number {
  return Math.floor(ms / DAY) * DAY;
}

/** Midnight UTC of the Monday of the week holding `ms`. */
export function mondayOf(ms: number): number {
  const day = dayOf(ms);
  return day - ((new Date(day).getUTCDay() + 6) % 7) * DAY;
}

/**
 * The window of a month of `year`; without a year, of the latest such month up to `now` ("in December"
 * asked in August is last December), or that month of any year when there is no `now`.
 */
export function monthWindow(
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

/** One day of a month (as {@link monthWindow} picks the year); a month of any year stays that month. */
export function dayWindow(
  phrase: string,
  month: number,
  day: number,
  year: number | undefined,
  now: number | undefined,
): DateWindow {
  const window = monthWindow(phrase, month, year, now);
  if (window.from === undefined) return window;
  const from = window.from + (day - 1) * DAY;
  return { phrase, from, to: from + DAY };
}

/**
 * A season's three months in the year it starts (northern hemisphere: spring = March–May, winter starts in
 * December). With no year: the latest start at or before `now` ("this"), or the latest one that is over by
 * `now` ("last"); undefined without `now`.
 */
export function seasonWindow(
  phrase: string,
  start: number,
  which: "last" | "this" | undefined,
  year: number | undefined,
  now: number | undefined,
): DateWindow | undefined {
  const span = (y: number): DateWindow => ({ phrase, from: utc(y, start), to: utc(y, start + 3) });
  if (year !== undefined) return span(year);
  if (now === undefined) return undefined;
  const y = new Date(now).getUTCFullYear();
  const latestStart = utc(y, start) <= now ? y : y - 1;
  if (which === "last") {
    const current = span(latestStart);
    return (current.to as number) <= now ? current : span(latestStart - 1);
  }
  return span(latestStart);
}

/** A calendar unit around `now`: this one, the one before, or the one after. */
export type CalendarUnit = "week" | "weekend" | "month" | "year";

/** The calendar week (from Monday), weekend, month or year that is `shift` units from the current one. */
export function calendarWindow(
  phrase: string,
  unit: CalendarUnit,
  shift: -1 | 0 | 1,
  now: number,
): DateWindow {
  const d = new Date(now);
  switch (unit) {
    case "week": {
      const from = mondayOf(now) + shift * 7 * DAY;
      return { phrase, from, to: from + 7 * DAY };
    }
    case "weekend": {
      const saturday = mondayOf(now) + 5 * DAY;
      // "Last weekend" on a Monday or Tuesday is the one just gone; later in the week, too.
      let from = shift === 0 || saturday <= now - 2 * DAY ? saturday : saturday - 7 * DAY;
      if (shift === 1) from = saturday <= now - 2 * DAY ? saturday + 7 * DAY : saturday;
      return { phrase, from, to: from + 2 * DAY };
    }
    case "month":
      return {
        phrase,
        from: utc(d.getUTCFullYear(), d.getUTCMonth() + shift),
        to: utc(d.getUTCFullYear(), d.getUTCMonth() + shift + 1),
      };
    default: {
      const year = d.getUTCFullYear() + shift;
      return { phrase, from: utc(year, 0), to: utc(year + 1, 0) };
    }
  }
}

/** Whether an epoch-ms instant falls in a window. */
export function inWindow(window: DateWindow, ms: number): boolean {
  if (window.monthOfYear !== undefined && new Date(ms).getUTCMonth() !== window.monthOfYear) return false;
  if (window.from !== undefined && ms < window.from) return false;
  if (window.to !== undefined && ms >= window.to) return false;
  return true;
}
