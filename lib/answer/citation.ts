/**
 * Where a quoted sentence can be checked: its file and the sentence's own line range there, from the
 * provenance ingest records on each capsule (`meta.source`: the file, the chunk's character offsets and
 * its 1-based `lines`). A capsule whose text is the file's text verbatim maps a sentence's offsets onto
 * the file exactly; derived text (JSON, CSV, HTML) only locates the whole record.
 */
import { lineRange, lineStarts } from "../ingest/lines.js";

/** A place in a source: the file (or a reference such as a URL), lines when known, else characters. */
export interface Locator {
  file?: string;
  ref?: string;
  /** 1-based, inclusive. */
  lines?: [number, number];
  /** Character offsets in the file, end exclusive. */
  chars?: [number, number];
}

const isRange = (value: unknown): value is [number, number] =>
  Array.isArray(value) && value.length === 2 && value.every((n) => Number.isSafeInteger(n) && n >= 0);

const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);

/**
 * The locator of the sentence `capsuleText.slice(start, end)` of a capsule with metadata `meta`. When the
 * capsule's text is its file's text verbatim (`source.end − source.start` is its length): the sentence's
 * own lines, counted from `source.lines[0]` over the line breaks before it in the capsule, or without
 * `lines` (capsules ingested before they were recorded) its character range in the file. Derived text:
 * the record's lines or characters. `ref` is `meta.ref`, `meta.url` or a front-matter `source` URL.
 */
export function locatorOf(
  meta: Record<string, unknown> | undefined,
  capsuleText: string,
  start: number,
  end: number,
): Locator {
  const fields = (meta?.fields ?? {}) as Record<string, unknown>;
  const ref = text(meta?.ref) ?? text(meta?.url) ?? text(fields.source);
  const source = meta?.source as Record<string, unknown> | undefined;
  const locator: Locator = {
    ...(text(source?.file) && { file: text(source?.file) }),
    ...(ref && { ref }),
  };
  if (!source || !Number.isSafeInteger(source.start) || !Number.isSafeInteger(source.end)) return locator;
  const from = source.start as number;
  const to = source.end as number;
  const lines = isRange(source.lines) ? source.lines : undefined;
  const verbatim =
    to - from === capsuleText.length && start >= 0 && start <= end && end <= capsuleText.length;
  if (!verbatim) return { ...locator, ...(lines ? { lines } : { chars: [from, to] }) };
  if (!lines) return { ...locator, chars: [from + start, from + end] };
  const [first, last] = lineRange(lineStarts(capsuleText), start, end);
  return { ...locator, lines: [lines[0] + first - 1, lines[0] + last - 1] };
}
