/**
 * Reading a file into documents: one reader per format, chosen by extension. Only regular files are read,
 * up to `SIGLA_MAX_FILE_BYTES`. Text is UTF-8 (BOM removed), UTF-16 with a BOM, or, when it is not valid
 * UTF-8, Windows-1252 (the superset of Latin-1 that old text editors wrote); a binary file with a text
 * extension fails loudly instead of ingesting garbage.
 */
import { createHash } from "node:crypto";
import type { Stats } from "node:fs";
import { constants } from "node:fs";
import { type FileHandle, open, stat } from "node:fs/promises";
import { extname } from "node:path";
import { config } from "../config.js";
import { IngestError } from "../errors.js";
import { csvDocuments } from "./csv.js";
import type { IngestDocument, SkipRecord } from "./document.js";

export type { SkipRecord };

import { windows1252CodePoint } from "./entities.js";
import { parseFrontMatter } from "./frontmatter.js";
import { htmlToText } from "./html.js";
import { jsonDocuments, jsonlDocuments } from "./json.js";
import { tagsFrom } from "./records.js";

/**
 * Receives the one-line reason for each record a reader skips (a bad JSONL line, a ragged CSV row). Readers
 * given none throw an `IngestError` at the first bad record instead.
 */

type Reader = (file: string, text: string, skip?: SkipRecord) => IngestDocument[];

/**
 * Front matter for notes: `title` and `tags` are lifted out, every other key goes to meta. Front matter that
 * cannot be parsed stays in the text and its reason goes to `skip` (a warning: the note itself is read).
 */
function noteDocument(text: string, markdown: boolean, skip?: SkipRecord): IngestDocument {
  const { data, body, bodyStart, warning } = parseFrontMatter(text);
  if (warning !== undefined) skip?.(warning);
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
  ".txt": (_file, text, skip) => [noteDocument(text, false, skip)],
  ".md": (_file, text, skip) => [noteDocument(text, true, skip)],
  ".markdown": (_file, text, skip) => [noteDocument(text, true, skip)],
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

/** What a path that is not a regular file is, for messages. */
function kindOf(info: Stats): string {
  if (info.isDirectory()) return "is a folder";
  if (info.isFIFO()) return "is a named pipe (fifo), not a regular file";
  if (info.isCharacterDevice()) return "is a character device, not a regular file";
  if (info.isBlockDevice()) return "is a block device, not a regular file";
  if (info.isSocket()) return "is a socket, not a regular file";
  return "is not a regular file";
}

function openError(file: string, error: unknown): IngestError {
  const code = (error as NodeJS.ErrnoException).code;
  const why =
    code === "ENOENT"
      ? "no such file"
      : code === "EISDIR"
        ? "is a folder"
        : code === "ENXIO"
          ? "is a socket or device, not a regular file"
          : (error as Error).message;
  return new IngestError(`cannot read ${file}: ${why}`, { cause: error });
}

function tooLarge(file: string, size: string, maxBytes: number): IngestError {
  return new IngestError(
    `cannot read ${file}: ${size} bytes is over the ${maxBytes}-byte limit (SIGLA_MAX_FILE_BYTES)`,
  );
}

/** Reads to the end of the file, failing as soon as it holds more than `maxBytes` (it may be growing). */
async function readAtMost(
  handle: FileHandle,
  file: string,
  expected: number,
  maxBytes: number,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    // One read for a file that is as big as stat said; the extra byte notices one that grew.
    const want = Math.min(Math.max(expected - total + 1, 1 << 16), maxBytes + 1 - total);
    const chunk = Buffer.allocUnsafe(want);
    const { bytesRead } = await handle.read(chunk, 0, want, null);
    if (bytesRead === 0) break;
    chunks.push(chunk.subarray(0, bytesRead));
    total += bytesRead;
    if (total > maxBytes) throw tooLarge(file, `more than ${maxBytes}`, maxBytes);
  }
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total);
}

/**
 * Reads a file's bytes and hashes them. Only a regular file of at most `maxBytes` (default
 * `SIGLA_MAX_FILE_BYTES`) is read: a fifo, device, socket or folder (also behind a symlink), a bigger
 * file, or a missing or unreadable one is an `IngestError` naming it. Never blocks on a fifo: the path is
 * checked before opening, opened non-blocking, and checked again on the open handle (it may have changed).
 */
export async function readSource(file: string, options: { maxBytes?: number } = {}): Promise<SourceFile> {
  const maxBytes = options.maxBytes ?? config().maxFileBytes;
  let info: Stats;
  try {
    info = await stat(file);
  } catch (error) {
    throw openError(file, error);
  }
  // Checked before opening: opening some devices has effects of its own.
  if (!info.isFile()) throw new IngestError(`cannot read ${file}: ${kindOf(info)}`);
  if (info.size > maxBytes) throw tooLarge(file, String(info.size), maxBytes);
  let handle: FileHandle;
  try {
    // O_NONBLOCK: a path swapped for a fifo since the check opens at once instead of waiting for a writer.
    handle = await open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    throw openError(file, error);
  }
  let bytes: Buffer;
  try {
    const opened = await handle.stat();
    if (!opened.isFile()) throw new IngestError(`cannot read ${file}: ${kindOf(opened)}`);
    if (opened.size > maxBytes) throw tooLarge(file, String(opened.size), maxBytes);
    bytes = await readAtMost(handle, file, opened.size, maxBytes);
  } catch (error) {
    if (error instanceof IngestError) throw error;
    throw openError(file, error);
  } finally {
    await handle.close();
  }
  return { file, bytes, sha256: createHash("sha256").update(bytes).digest("hex") };
}

/** Share of C0 control bytes (other than tab, line breaks, form feed, escape) above which bytes are binary. */
const CONTROL_SHARE = 0.01;

function controlShare(bytes: Uint8Array): number {
  let count = 0;
  for (const byte of bytes) {
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0c && byte !== 0x0d && byte !== 0x1b)
      count++;
  }
  return bytes.length === 0 ? 0 : count / bytes.length;
}

/**
 * Decodes Windows-1252. Node's `TextDecoder("windows-1252")` is plain Latin-1 (0x93 stays a C1 control,
 * not a curly quote), so the 0x80–0x9F bytes are mapped here.
 */
function windows1252(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .toString("latin1")
    .replace(/[\x80-\x9f]/g, (c) => String.fromCodePoint(windows1252CodePoint(c.charCodeAt(0))));
}

/**
 * Decodes a file's bytes. UTF-8 (BOM dropped) when valid; UTF-16 when it starts with a UTF-16 BOM;
 * otherwise Windows-1252, which reads Latin-1 text as written. Bytes with a NUL (outside UTF-16) or with
 * many control characters are binary: an `IngestError` naming the file.
 */
export function decodeText(file: string, bytes: Uint8Array): string {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return new TextDecoder(bytes[0] === 0xff ? "utf-16le" : "utf-16be").decode(bytes);
  }
  if (bytes.indexOf(0) !== -1) throw new IngestError(`${file}: binary data (NUL bytes), not text`);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    if (controlShare(bytes) > CONTROL_SHARE) {
      throw new IngestError(`${file}: binary data (not UTF-8, many control bytes), not text`);
    }
    return windows1252(bytes);
  }
}

/**
 * Parses a file's decoded text into documents with the reader for its extension. Offsets in the documents
 * refer to `text`. Without `skip`, a bad record (JSONL line, CSV row, JSON array element) is an
 * `IngestError`; with it, each bad record is left out and its reason passed to `skip`, unless no record is
 * readable at all: then the file is an `IngestError` (and `skip` is not called).
 */
export function parseDocuments(file: string, text: string, skip?: SkipRecord): IngestDocument[] {
  const ext = extname(file).toLowerCase();
  if (!Object.hasOwn(READERS, ext)) throw unsupportedError(file);
  if (!skip) return READERS[ext](file, text);
  const reasons: string[] = [];
  const documents = READERS[ext](file, text, (reason) => reasons.push(reason));
  if (documents.length === 0 && reasons.length > 0) {
    if (reasons.length === 1) throw new IngestError(reasons[0]);
    throw new IngestError(`${file}: no readable record (${reasons.length} bad, the first: ${reasons[0]})`);
  }
  for (const reason of reasons) skip(reason);
  return documents;
}

/** Reads and parses one file (checking the extension before touching the disk); any bad record throws. */
export async function readDocuments(file: string): Promise<IngestDocument[]> {
  if (!isSupported(file)) throw unsupportedError(file);
  const { bytes } = await readSource(file);
  return parseDocuments(file, decodeText(file, bytes));
}
