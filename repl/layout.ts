/**
 * How the live part of the screen (everything under the transcript) fits the terminal. Ink clears the
 * whole terminal and reprints the entire transcript on every frame once its live output is as high as
 * the screen (ink.js: `lastOutputHeight >= stdout.rows`), so the live region is budgeted to stay at least
 * one row below the terminal's height. Below {@link COMPACT_BELOW} the panels fold to one line each.
 */

/** The terminal's size in cells. */
export interface ScreenSize {
  columns: number;
  rows: number;
}

/** Under either bound the compact layout is used: one-line trace and gauges. */
export const COMPACT_BELOW: ScreenSize = { columns: 100, rows: 30 };

/** Rows of the full trace panel and of the gauges box (borders included). */
export const PANEL_ROWS = 13;
/** Rows of the live answer box besides its text: two borders and the title. */
const LIVE_BOX_CHROME = 3;
/** The most lines of a model's text shown while it writes. */
const MAX_LIVE_ROWS = 8;

/** What the live region holds besides the fixed lines (status, panels, input line). */
export interface LiveParts {
  /** A model is writing: the live answer box is shown. */
  writing?: boolean;
  /** A job runs: its line (spinner, the command, the Ctrl-C hint). */
  job?: boolean;
  /** A progress bar under the job line (or under the status line while seeding). */
  progress?: boolean;
  /** Lines wait in the queue: one line lists them. */
  queued?: boolean;
  /** Tab listed completions under the input line. */
  choices?: boolean;
}

export interface Layout {
  /** One-line trace and gauges instead of the two boxes. */
  compact: boolean;
  /** Width of the trace panel; the gauges box takes the rest of the row (full layout only). */
  traceWidth: number;
  gaugesWidth: number;
  /** Whether the gauges (box or line) are shown: on a tiny terminal they give way first. */
  gauges: boolean;
  /** Whether the key hint under the input line is shown: it gives way second. */
  hint: boolean;
  /** Lines of the model's text in the live answer box. */
  liveRows: number;
  /** Rows the live region takes at most with these parts (always below the terminal's height). */
  height: number;
}

/** The layout for a terminal of `size` showing `parts`. */
export function screenLayout(size: ScreenSize, parts: LiveParts = {}): Layout {
  const compact = size.columns < COMPACT_BELOW.columns || size.rows < COMPACT_BELOW.rows;
  const traceWidth = compact ? size.columns : Math.floor(size.columns * 0.58);
  const extra =
    Number(Boolean(parts.job)) +
    Number(Boolean(parts.progress)) +
    Number(Boolean(parts.queued)) +
    Number(Boolean(parts.choices));
  const chrome = parts.writing ? LIVE_BOX_CHROME : 0;
  // status line + input line + the extras; then the panels, the gauges line and the hint while they fit.
  const base = 2 + extra + chrome + (compact ? 1 : PANEL_ROWS);
  // Everything must end at least one row above the bottom, with one row of live text when writing.
  const room = size.rows - 1 - base - (parts.writing ? 1 : 0);
  const gauges = !compact || room >= 1;
  const hint = room - (compact && gauges ? 1 : 0) >= 1;
  const used = base + (compact && gauges ? 1 : 0) + (hint ? 1 : 0);
  const liveRows = parts.writing ? Math.max(1, Math.min(MAX_LIVE_ROWS, size.rows - 1 - used)) : 0;
  return {
    compact,
    traceWidth,
    gaugesWidth: compact ? size.columns : size.columns - traceWidth,
    gauges,
    hint,
    liveRows,
    height: used + liveRows,
  };
}
