/**
 * PEM private key blocks, whole, including blocks cut by a chunk boundary and keys pasted into JSON strings
 * (escaped line breaks).
 */
import type { Span } from "./kinds.js";

const PEM_BEGIN = /-----BEGIN ((?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?)-----/g;
const PEM_END = /-----END ((?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?)-----/g;
/** Line breaks, real or JSON-escaped (a key pasted into a JSON string is one line of text). */
const LINE_BREAK = /\r?\n|\\r?\\n/;
const LINE_BREAKS = new RegExp(LINE_BREAK.source, "g");
/** A whole line of a PEM body: base64 (a short line only when it is not a word), an armour header, or blank. */
const PEM_LINE =
  /^[ \t]*(?:[A-Za-z0-9+/]{16,}={0,2}|(?![A-Z]?[a-z]*[ \t]*$)[A-Za-z0-9+/]+={0,2}|(?:Proc-Type|DEK-Info|Version|Comment|Hash):.*)?[ \t]*$/;
/** A line cut by a chunk boundary: any base64. */
const PEM_CUT_LINE = /^[ \t]*[A-Za-z0-9+/]+={0,2}[ \t]*$/;

/** PEM lines are 64–76 characters; a longer "line" is not part of a key body (and bounds the search). */
const MAX_LINE = 4096;

/**
 * PEM private key blocks, whole. A block cut by a chunk boundary is still caught: a BEGIN without its END
 * runs to the end of the key body, an END without its BEGIN from the start of the body above it.
 */
export function privateKeys(text: string): Span[] {
  const spans: Span[] = [];
  const paired = new Set<number>();
  const begins = [...text.matchAll(PEM_BEGIN)];
  for (const [i, begin] of begins.entries()) {
    const start = begin.index;
    const after = start + begin[0].length;
    const endMarker = `-----END ${begin[1]}-----`;
    // Only up to the next BEGIN: each stretch of text is searched once.
    const close = text.slice(after, begins[i + 1]?.index ?? text.length).indexOf(endMarker);
    if (close >= 0) paired.add(after + close);
    const end = close >= 0 ? after + close + endMarker.length : bodyEnd(text, after);
    spans.push({ kind: "private-key", start, end });
  }
  for (const end of text.matchAll(PEM_END)) {
    if (paired.has(end.index)) continue;
    spans.push({ kind: "private-key", start: bodyStart(text, end.index), end: end.index + end[0].length });
  }
  return spans;
}

/** The line that starts at `at`: where it ends and where the next one starts (none at the end of the text). */
function lineFrom(text: string, at: number): { end: number; next?: number } | undefined {
  const window = text.slice(at, at + MAX_LINE);
  const br = window.match(LINE_BREAK);
  if (br?.index !== undefined) return { end: at + br.index, next: at + br.index + br[0].length };
  return at + window.length >= text.length ? { end: text.length } : undefined;
}

/** The line that ends at `stop`: where it starts and where the line break before it starts (none at 0). */
function lineTo(text: string, stop: number): { start: number; previous?: number } | undefined {
  const from = Math.max(0, stop - MAX_LINE);
  let last: RegExpExecArray | undefined;
  for (const br of text.slice(from, stop).matchAll(LINE_BREAKS)) last = br;
  if (last) return { start: from + last.index + last[0].length, previous: from + last.index };
  return from === 0 ? { start: 0 } : undefined;
}

/** Where the key body after a BEGIN marker (ending at `from`) ends: after its last base64 line. */
function bodyEnd(text: string, from: number): number {
  let end = from;
  let at = from;
  for (let first = true; ; first = false) {
    const line = lineFrom(text, at);
    if (!line) break;
    const content = text.slice(at, line.end);
    // The first piece is the rest of the BEGIN line; the last may be cut short by the chunk's end.
    const edge = line.next === undefined && PEM_CUT_LINE.test(content);
    if (first ? content.trim() : !(PEM_LINE.test(content) || edge)) break;
    if (content.trim()) end = line.end;
    if (line.next === undefined) break;
    at = line.next;
  }
  return end;
}

/** Where the key body before an END marker (starting at `to`) starts: at its first base64 line. */
function bodyStart(text: string, to: number): number {
  let start = to;
  let stop = to;
  for (let first = true; ; first = false) {
    const line = lineTo(text, stop);
    if (!line) break;
    const content = text.slice(line.start, stop);
    // The last piece is what precedes END on its line; the first may be cut short by the chunk's start.
    const edge = line.previous === undefined && PEM_CUT_LINE.test(content);
    if (first ? content.trim() : !(PEM_LINE.test(content) || edge)) break;
    if (content.trim()) start = line.start + (content.length - content.trimStart().length);
    if (line.previous === undefined) break;
    stop = line.previous;
  }
  return start;
}
