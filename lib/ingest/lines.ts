/**
 * Line numbers from character offsets: a text's line-start index, built once in one pass, answers "which
 * line holds offset i" by binary search. Ingest uses it for each chunk's line range in its file, and the
 * answer's citations for a quoted sentence's lines inside a capsule.
 */

/** Offsets at which the lines of `text` begin: 0, then one after each `\n` (so `\r\n` counts once). */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}

/** The 1-based line holding `offset`, given `lineStarts` of the text (offsets past the end: the last line). */
export function lineAt(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

/**
 * The 1-based `[first, last]` lines of the characters `[start, end)`. A range ending just after a line
 * break ends on that break's line, not the next (empty) one; an empty range is the line of `start`.
 */
export function lineRange(starts: readonly number[], start: number, end: number): [number, number] {
  return [lineAt(starts, start), lineAt(starts, Math.max(start, end - 1))];
}
