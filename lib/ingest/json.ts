/**
 * JSON and JSONL files. A JSON file holds one record or an array of them; a JSONL file one record per
 * line. Record shapes are handled by `recordContent`.
 */
import { IngestError } from "../errors.js";
import type { IngestDocument } from "./document.js";
import { recordContent } from "./records.js";

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
 */
export function jsonDocuments(file: string, text: string): IngestDocument[] {
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
  return value.map((element, record) => ({
    ...recordContent(element, `${file}: record ${record}`),
    start: spans[record]?.start ?? 0,
    end: spans[record]?.end ?? text.length,
    verbatim: false,
    record,
  }));
}

/**
 * Reads a JSON Lines file: one record per non-blank line, with its index as `record`, its 1-based `line`
 * and the line's offsets. A line that is not valid JSON is an `IngestError` naming the file and line.
 */
export function jsonlDocuments(file: string, text: string): IngestDocument[] {
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
      throw new IngestError(`${where}: invalid JSON (${(error as Error).message})`, { cause: error });
    }
    documents.push({
      ...recordContent(value, where),
      start,
      end,
      verbatim: false,
      record: documents.length,
      line: lineNumber,
    });
  }
  return documents;
}
