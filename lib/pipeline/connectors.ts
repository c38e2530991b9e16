/**
 * Local folders registered as RAG connectors: searched by words when memory is not enough, within a time
 * and file budget. Past the budget the search stops with the most useful slice found so far and names the
 * files it did not reach, so the answer can propose them as the next narrowing step (§3.1).
 */
import { readFile, stat } from "node:fs/promises";
import { extname, relative, resolve } from "node:path";
import { InvalidInputError } from "../errors.js";
import { chunkText } from "../ingest/chunk.js";
import { expandPaths } from "../ingest/walk.js";
import { contentWords } from "../memory/extractive.js";
import { sha256 } from "../store/capsule-store.js";

const TEXT_FILES = new Set([".txt", ".md", ".markdown"]);

/** A chunk of a connector file that matches the query: where it is, its text, its score and its hash. */
export interface ConnectorChunk {
  file: string;
  start: number;
  end: number;
  text: string;
  /** Share of the query's content words the chunk holds (0..1). */
  score: number;
  /** `sha256:` of the chunk text when it was read. */
  hash: string;
}

export interface ConnectorSearch {
  chunks: ConnectorChunk[];
  scanned: number;
  /** Files not reached within the budget, in the order they would have been read. */
  skipped: string[];
}

/**
 * Checks connector paths when a pipeline opens: each must be a folder (or a text file) that exists, so a
 * mistyped `--connector` is an error naming the path instead of a connector that silently finds nothing.
 * Returns the absolute paths.
 */
export async function checkConnectors(paths: unknown): Promise<string[]> {
  if (!Array.isArray(paths) || paths.some((p) => typeof p !== "string" || p.trim() === "")) {
    throw new InvalidInputError("connectors must be an array of folder paths");
  }
  const checked: string[] = [];
  for (const path of paths as string[]) {
    const absolute = resolve(path);
    const info = await stat(absolute).catch(() => undefined);
    if (!info) throw new InvalidInputError(`connector ${absolute} does not exist`);
    if (!info.isDirectory() && !info.isFile()) {
      throw new InvalidInputError(`connector ${absolute} is not a folder or a file`);
    }
    checked.push(absolute);
  }
  return checked;
}

/** The best chunks (score ≥ `minScore`) of the text files under `folders` for `query`. */
export async function searchFolders(
  folders: readonly string[],
  query: string,
  options: { maxFiles: number; budgetMs: number; k?: number; minScore?: number },
): Promise<ConnectorSearch> {
  const words = new Set(contentWords(query));
  const files = (await expandPaths(folders).catch(() => [])).filter((e) => TEXT_FILES.has(extname(e.file)));
  const started = performance.now();
  const found: ConnectorChunk[] = [];
  let scanned = 0;
  for (const { file } of files) {
    if (scanned >= options.maxFiles || performance.now() - started > options.budgetMs) break;
    scanned++;
    const text = await readFile(file, "utf8").catch(() => "");
    for (const chunk of chunkText(text)) {
      const chunkWords = new Set(contentWords(chunk.text));
      let hits = 0;
      for (const w of words) if (chunkWords.has(w)) hits++;
      const score = words.size ? hits / words.size : 0;
      if (score >= (options.minScore ?? 0.5)) found.push({ file, ...chunk, score, hash: sha256(chunk.text) });
    }
  }
  return {
    chunks: found.sort((a, b) => b.score - a.score).slice(0, options.k ?? 2),
    scanned,
    skipped: files.slice(scanned).map((e) => relative(e.root, e.file) || e.file),
  };
}

/** SIFT for a connector chunk: the file still holds exactly this text at this range. */
export async function chunkStillThere(
  chunk: Pick<ConnectorChunk, "file" | "start" | "end" | "hash">,
): Promise<boolean> {
  const text = await readFile(chunk.file, "utf8").catch(() => undefined);
  return text !== undefined && sha256(text.slice(chunk.start, chunk.end)) === chunk.hash;
}
