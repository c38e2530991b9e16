/**
 * Reading a file into documents: one reader per format, chosen by extension. Files are decoded as strict
 * UTF-8 (BOM removed) so a binary file with a text extension fails loudly instead of ingesting garbage.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { IngestError } from "../errors.js";
import { csvDocuments } from "./csv.js";
import type { IngestDocument } from "./document.js";
import { parseFrontMatter } from "./frontmatter.js";
import { htmlToText } from "./html.js";
import { jsonDocuments, jsonlDocuments } from "./json.js";
import { tagsFrom } from "./records.js";

type Reader = (file: string, text: string) => IngestDocument[];

/** Front matter for notes: `title` and `tags` are lifted out, every other key goes to meta. */
function noteDocument(text: string, markdown: boolean): IngestDocument {
  const { data, body, bodyStart } = parseFrontMatter(text);
  const { title: rawTitle, tags, ...meta } = data;
  let title = typeof rawTitle === "string" || typeof rawTitle === "number" ? String(rawTitle).trim() : "";
  // A markdown note without a front-matter title is usually titled by its opening `# Heading`.
  if (title === "" && markdown) title = /^\s*#[ \t]+(.+?)[ \t#]*(?:\r?\n|$)/.exec(body)?.[1] ?? "";
  return {
    text: body,
    ...(title !== "" && { title }),
    tags: tagsFrom(tags),
    meta,
    start: bodyStart,
    end: text.length,
    verbatim: true,
  };
}

function htmlDocument(_file: string, text: string): IngestDocument[] {
  const { text: visible, title } = htmlToText(text);
  return [
    {
      text: visible,
      ...(title && { title }),
      tags: [],
      meta: {},
      start: 0,
      end: text.length,
      verbatim: false,
    },
  ];
}

const READERS: Record<string, Reader> = {
  ".txt": (_file, text) => [noteDocument(text, false)],
  ".md": (_file, text) => [noteDocument(text, true)],
  ".markdown": (_file, text) => [noteDocument(text, true)],
  ".json": jsonDocuments,
  ".jsonl": jsonlDocuments,
  ".ndjson": jsonlDocuments,
  ".csv": csvDocuments,
  ".html": htmlDocument,
  ".htm": htmlDocument,
};

/** Extensions ingest understands (lowercase, with the dot). */
export const SUPPORTED_EXTENSIONS: readonly string[] = Object.keys(READERS);

/** Whether `file`'s extension (case-insensitive) has a reader. */
export function isSupported(file: string): boolean {
  return Object.hasOwn(READERS, extname(file).toLowerCase());
}

/** The `IngestError` for a file whose extension has no reader. */
export function unsupportedError(file: string): IngestError {
  const ext = extname(file) || "(none)";
  return new IngestError(
    `${file}: unsupported file type ${ext}; supported: ${SUPPORTED_EXTENSIONS.join(" ")}`,
  );
}

/** A file's content as ingest sees it. */
export interface SourceFile {
  /** The path as given. */
  file: string;
  /** Raw bytes, for hashing. */
  bytes: Buffer;
  /** sha256 of the raw bytes, lowercase hex. */
  sha256: string;
}

/** Reads a file's bytes and hashes them; a missing or unreadable file is an `IngestError` naming it. */
export async function readSource(file: string): Promise<SourceFile> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a folder" : (error as Error).message;
    throw new IngestError(`cannot read ${file}: ${why}`, { cause: error });
  }
  return { file, bytes, sha256: createHash("sha256").update(bytes).digest("hex") };
}

/** Decodes bytes as UTF-8 (BOM dropped); invalid UTF-8 is an `IngestError` naming the file. */
export function decodeText(file: string, bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (error) {
    throw new IngestError(`${file}: not valid UTF-8 text`, { cause: error });
  }
}

/**
 * Parses a file's decoded text into documents with the reader for its extension. Offsets in the documents
 * refer to `text`.
 */
export function parseDocuments(file: string, text: string): IngestDocument[] {
  const ext = extname(file).toLowerCase();
  if (!Object.hasOwn(READERS, ext)) throw unsupportedError(file);
  return READERS[ext](file, text);
}

/** Reads and parses one file (checking the extension before touching the disk). */
export async function readDocuments(file: string): Promise<IngestDocument[]> {
  if (!isSupported(file)) throw unsupportedError(file);
  const { bytes } = await readSource(file);
  return parseDocuments(file, decodeText(file, bytes));
}
