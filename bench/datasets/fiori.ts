/**
 * Real documentation text for retrieval benchmarks: the SAP Fiori documentation shipped by the npm package
 * `@sap-ux/fiori-docs-embeddings` (Apache-2.0), read from `node_modules`, nothing downloaded.
 *
 * The package's `data/embeddings/` holds three files:
 * - `records.jsonl`: one JSON object per line (778 in version 1.2.6; the last line has no newline), with
 *   `id`, `content` (the whole document as markdown), `title`, `category`, `path`, `document_id`,
 *   `chunk_index`/`totalChunks` (always 0/1 in this version: every record is one whole document) and more;
 * - `embeddings.bin`: raw little-endian float32, no header, `totalVectors × dimensions` row-major; row `i`
 *   is the vector of line `i` of `records.jsonl` (the file is exactly 778 × 384 × 4 bytes, and nothing in a
 *   record names its row);
 * - `metadata.json`: `{ model: "Xenova/all-MiniLM-L6-v2", dimensions: 384, totalVectors, ... }`.
 *
 * Titles: most records open with a `**TITLE**: …` line. The rest (READMEs split by heading) have none, and
 * their `title` field is a file name such as `create-README.md - Chunk 3`; for them the title is the first
 * markdown heading outside code fences, with link, emphasis and code marks removed, and only when there is
 * no heading either, the record's `title` field.
 *
 * Indexed text: the content WITHOUT the line the title was taken from, so a title query cannot be answered
 * by matching the title line itself; full-text search has to match the body (which often repeats the
 * title's words, as real documents do), and vector search has to find the document by its opening text.
 */
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { getEmbeddingsPath } from "@sap-ux/fiori-docs-embeddings";
import { IngestError, InvalidInputError } from "../../lib/errors.js";

/** Where a document's title came from. */
export type FioriTitleSource = "title-line" | "heading" | "metadata";

/** One documentation record. */
export interface FioriDocument {
  /** The record's id in the package, e.g. `local-btp-fiori-tools-0-chunk-0`. */
  id: string;
  title: string;
  titleSource: FioriTitleSource;
  /** The content without its title line (see the module comment). */
  text: string;
  /** The package's embedding of the record (all-MiniLM-L6-v2, unit length). */
  vector: Float32Array;
}

/** What {@link loadFiori} returns. */
export interface FioriDataset {
  documents: FioriDocument[];
  /** Dimension of the package's vectors (384). */
  dim: number;
  /** The model that made the package's vectors (`Xenova/all-MiniLM-L6-v2`). */
  model: string;
  /** Records in the package (778), of which `documents` holds the first `size`. */
  total: number;
}

/** A known-item query: a document title and the indices (in `documents`) of every record with that title. */
export interface FioriQuery {
  query: string;
  relevant: number[];
}

interface RawRecord {
  id: string;
  content: string;
  title?: string;
}

interface Metadata {
  model: string;
  dimensions: number;
  totalVectors: number;
}

const TITLE_LINE = /^\*\*TITLE\*\*:[ \t]*(.*)$/m;
const HEADING = /^#{1,6}[ \t]+(.*)$/;
const FENCE = /^[ \t]*(```|~~~)/;

/** Markdown inline marks removed from a heading: images, links (their text kept), emphasis, code. */
function plainHeading(heading: string): string {
  return heading
    .replace(/!\[[^\]]*\]\([^)]*\)/g, "")
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/\*\*|__|`/g, "")
    .replace(/[ \t]+#+[ \t]*$/, "")
    .replace(/\s+/g, " ")
    .trim();
}

/** The title of a record, where it came from, and the content without the title's line. */
export function splitTitle(
  content: string,
  fallback: string,
): { title: string; titleSource: FioriTitleSource; text: string } {
  const lines = content.split("\n");
  const without = (index: number) => [...lines.slice(0, index), ...lines.slice(index + 1)].join("\n").trim();
  const titled = TITLE_LINE.exec(content);
  if (titled) {
    const title = titled[1].replace(/\s+/g, " ").trim();
    const index = content.slice(0, titled.index).split("\n").length - 1;
    if (title) return { title, titleSource: "title-line", text: without(index) };
  }
  let fenced = false;
  for (let i = 0; i < lines.length; i++) {
    if (FENCE.test(lines[i])) fenced = !fenced;
    if (fenced) continue;
    const heading = HEADING.exec(lines[i]);
    const title = heading ? plainHeading(heading[1]) : "";
    if (title) return { title, titleSource: "heading", text: without(i) };
  }
  return { title: fallback.replace(/\s+/g, " ").trim(), titleSource: "metadata", text: content.trim() };
}

/** Parses a JSON file; an unreadable or malformed one is an `IngestError` naming it. */
export function readJson(path: string | URL): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    const name = path instanceof URL ? path.pathname : path;
    throw new IngestError(`cannot read ${name}: ${String(error)}`, { cause: error });
  }
}

function readRecords(path: string): RawRecord[] {
  let lines: string[];
  try {
    lines = readFileSync(path, "utf8").split("\n");
  } catch (error) {
    throw new IngestError(`cannot read ${path}: ${String(error)}`, { cause: error });
  }
  const records: RawRecord[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    let record: Partial<RawRecord>;
    try {
      record = JSON.parse(line);
    } catch (error) {
      throw new IngestError(`${path} line ${i + 1} is not JSON: ${String(error)}`, { cause: error });
    }
    if (typeof record.id !== "string" || typeof record.content !== "string") {
      throw new IngestError(`${path} line ${i + 1} has no string id and content`);
    }
    records.push(record as RawRecord);
  });
  return records;
}

/** Checks `metadata.json` and that `embeddings.bin` holds exactly one float32 row per record. */
function readMetadata(dir: string, records: number): Metadata {
  const path = join(dir, "metadata.json");
  const meta = readJson(path) as Partial<Metadata>;
  const { model, dimensions, totalVectors } = meta;
  if (typeof model !== "string" || !Number.isInteger(dimensions) || !Number.isInteger(totalVectors)) {
    throw new IngestError(`${path} lacks model, dimensions or totalVectors`);
  }
  const dim = dimensions as number;
  const total = totalVectors as number;
  if (total !== records) {
    throw new IngestError(`${path} counts ${total} vectors, records.jsonl holds ${records} records`);
  }
  const bytes = statSync(join(dir, "embeddings.bin")).size;
  if (bytes !== total * dim * 4) {
    throw new IngestError(
      `embeddings.bin has ${bytes} bytes, expected ${total} × ${dim} float32 = ${total * dim * 4}`,
    );
  }
  return { model, dimensions: dim, totalVectors: total };
}

/**
 * Loads the first `size` Fiori documentation records (default: all 778) with their titles, indexable texts
 * and the package's MiniLM vectors.
 *
 * @throws InvalidInputError when `size` is not an integer from 1 to the number of records.
 * @throws IngestError when the package's files are missing or do not agree with each other.
 */
export async function loadFiori(options: { size?: number } = {}): Promise<FioriDataset> {
  const dir = getEmbeddingsPath();
  const records = readRecords(join(dir, "records.jsonl"));
  const { model, dimensions: dim, totalVectors: total } = readMetadata(dir, records.length);
  const size = options.size ?? total;
  if (typeof size !== "number" || !Number.isInteger(size) || size < 1 || size > total) {
    throw new InvalidInputError(`size must be an integer from 1 to ${total}, got ${String(size)}`);
  }
  const buffer = readFileSync(join(dir, "embeddings.bin"));
  // Copied out of the Buffer: its offset in Node's pool need not be 4-byte aligned.
  const matrix = new Float32Array(buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + size * dim * 4));
  const documents = records.slice(0, size).map((record, i) => {
    const { title, titleSource, text } = splitTitle(record.content, record.title || record.id);
    return { id: record.id, title, titleSource, text, vector: matrix.slice(i * dim, (i + 1) * dim) };
  });
  return { documents, dim, model, total };
}

/**
 * Known-item queries: one per distinct title (in order of first appearance), relevant to every record
 * that carries it (six titles are shared by two records in version 1.2.6).
 */
export function fioriQueries(dataset: Pick<FioriDataset, "documents">): FioriQuery[] {
  const byTitle = new Map<string, number[]>();
  dataset.documents.forEach((doc, i) => {
    const list = byTitle.get(doc.title);
    if (list) list.push(i);
    else byTitle.set(doc.title, [i]);
  });
  return [...byTitle].map(([query, relevant]) => ({ query, relevant }));
}
