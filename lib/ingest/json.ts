/**
 * JSON and JSONL files. A JSON file holds one record or an array of them; a JSONL file one record per
 * line. Record shapes are handled by `recordContent`.
 */
import { IngestError, isSiglaError } from "../errors.js";
import type { IngestDocument, SkipRecord } from "./document.js";
import { type RecordContent, recordContent } from "./records.js";

/** Receives the reason for each bad record left out; without one, a bad record throws. */

/** `recordContent`, or undefined after passing the reason to `skip` when there is one. */
function contentOrSkip(
  value: unknown,
  where: string,
  skip: SkipRecord | undefined,
): RecordContent | undefined {
  try {
    return recordContent(value, where);
  } catch (error) {
    if (!skip || !isSiglaError(error)) throw error;
    skip(error.message);
    return undefined;
  }
}

/** A `[start, end)` range of the text. */
interface Span {
  start: number;
  end: number;
}

/**
 * Offsets of the elements of the top-level array in already-validated JSON text. A small scanner (depth and
 * string state only) is enough because `JSON.parse` has accepted the text.
 */
export function arrayElementSpans(text: string): Span[] {
  const spans: Span[] = [];
  let i = text.indexOf("[") + 1;
  let depth = 1;
  let start = -1;
  let lastNonSpace = -1;
  for (; i < text.length && depth > 0; i++) {
    const ch = text[i];
    if (ch === '"') {
      if (depth === 1 && start === -1) start = i;
      for (i++; text[i] !== '"'; i++) if (text[i] === "\\") i++;
      lastNonSpace = i;
      continue;
    }
    if (ch === "[" || ch === "{") depth++;
    else if (ch === "]" || ch === "}") depth--;
    if (depth === 0 || (depth === 1 && ch === ",")) {
      if (start !== -1) spans.push({ start, end: lastNonSpace + 1 });
      start = -1;
      continue;
    }
    if (ch === " " || ch === "\t" || ch === "\n" || ch === "\r") continue;
    if (depth >= 1 && start === -1) start = i;
    lastNonSpace = i;
  }
  return spans;
}

/**
 * Reads a JSON file: an array (of strings or record objects) gives one document per element, with its index
 * as `record` and its offsets in the file; a single object or string gives one document spanning the file.
 * An element without text is an `IngestError`, or, given `skip`, left out with its reason passed to `skip`.
 */
export function jsonDocuments(file: string, text: string, skip?: SkipRecord): IngestDocument[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new IngestError(`${file}: invalid JSON (${(error as Error).message})`, { cause: error });
  }
  if (!Array.isArray(value)) {
    return [{ ...recordContent(value, file), start: 0, end: text.length, verbatim: false }];
  }
  const spans = arrayElementSpans(text);
  const documents: IngestDocument[] = [];
  value.forEach((element, record) => {
    const content = contentOrSkip(element, `${file}: record ${record}`, skip);
    if (!content) return;
    documents.push({
      ...content,
      start: spans[record]?.start ?? 0,
      end: spans[record]?.end ?? text.length,
      verbatim: false,
      record,
    });
  });
  return documents;
}

/**
 * Reads a JSON Lines file: one record per non-blank line, with its index as `record`, its 1-based `line`
 * and the line's offsets. A line that is not valid JSON, or not a record with text, is an `IngestError`
 * naming the file and line, or, given `skip`, left out with that reason passed to `skip`.
 */
export function jsonlDocuments(file: string, text: string, skip?: SkipRecord): IngestDocument[] {
  const documents: IngestDocument[] = [];
  let lineNumber = 0;
  let pos = 0;
  while (pos < text.length) {
    lineNumber++;
    const newline = text.indexOf("\n", pos);
    const lineEnd = newline === -1 ? text.length : newline;
    const raw = text.slice(pos, lineEnd);
    const start = pos + (raw.length - raw.trimStart().length);
    const end = pos + raw.trimEnd().length;
    pos = lineEnd + 1;
    if (end <= start) continue;
    const where = `${file}: line ${lineNumber}`;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      const bad = new IngestError(`${where}: invalid JSON (${(error as Error).message})`, { cause: error });
      if (!skip) throw bad;
      skip(bad.message);
      continue;
    }
    const content = contentOrSkip(value, where, skip);
    if (!content) continue;
    documents.push({
      ...content,
      start,
      end,
      verbatim: false,
      record: documents.length,
      line: lineNumber,
    });
  }
  return documents;
}
