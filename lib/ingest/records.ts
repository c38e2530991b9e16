/**
 * Turning one JSON value (a JSON array element, a JSONL line, a whole JSON file) into a document. Shared by
 * the JSON and JSONL readers so both accept the same record shapes.
 */
import { IngestError } from "../errors.js";
import type { IngestDocument } from "./document.js";
import { normalizeTags, splitTagString } from "./tags.js";

/** Fields tried, in order, for a record's text. `page_content` is LangChain's document export. */
export const TEXT_FIELDS = ["text", "content", "body", "page_content"] as const;

/** Fields that hold nested metadata (LangChain `metadata`, our own `meta`); their scalars are lifted. */
const NESTED_META = ["metadata", "meta"];

type Scalar = string | number | boolean | null;

function isScalar(value: unknown): value is Scalar {
  return value === null || ["string", "number", "boolean"].includes(typeof value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}

/** Tags written as an array of strings or one `a, b` string; anything else is ignored. */
export function tagsFrom(value: unknown): string[] {
  if (typeof value === "string") return splitTagString(value);
  if (Array.isArray(value)) {
    return normalizeTags(value.filter(isScalar).map((v) => (v === null ? "" : String(v))));
  }
  return [];
}

/** A record's content without its position in the file. */
export type RecordContent = Pick<IngestDocument, "text" | "title" | "tags" | "meta">;

/**
 * Converts a JSON value to document content. A string is the text itself. An object takes its text from the
 * first of `text`, `content`, `body`, `page_content`; `title` and `tags` are honoured; other scalar fields,
 * and scalar fields of a nested `metadata`/`meta` object, go into meta (top-level fields win); other nested
 * values are dropped. Anything else, or an object without a string text field, is an `IngestError`
 * mentioning `where` (e.g. `notes.jsonl: line 4`).
 */
export function recordContent(value: unknown, where: string): RecordContent {
  if (typeof value === "string") return { text: value, tags: [], meta: {} };
  if (!isPlainObject(value)) {
    throw new IngestError(`${where} is ${describe(value)}; expected a string or an object with a text field`);
  }
  const textField = TEXT_FIELDS.find((field) => field in value);
  if (textField === undefined) {
    throw new IngestError(`${where} has no text field (one of ${TEXT_FIELDS.join(", ")})`);
  }
  const text = value[textField];
  if (typeof text !== "string") {
    throw new IngestError(`${where}: field "${textField}" is ${describe(text)}, expected a string`);
  }
  const meta: Record<string, unknown> = {};
  for (const nested of NESTED_META) {
    const inner = value[nested];
    if (!isPlainObject(inner)) continue;
    for (const [key, field] of Object.entries(inner)) if (isScalar(field)) meta[key] = field;
  }
  for (const [key, field] of Object.entries(value)) {
    if (key === textField || key === "title" || key === "tags" || !isScalar(field)) continue;
    meta[key] = field;
  }
  const title = typeof value.title === "string" ? value.title.trim() : "";
  return { text, ...(title !== "" && { title }), tags: tagsFrom(value.tags), meta };
}
