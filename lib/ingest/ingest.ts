/**
 * Ingest: files → documents → chunks → capsules, one atomic store write per file. Re-running over the
 * same files is cheap and idempotent: a file whose stored capsules carry its current sha256 is skipped, and a
 * changed file's old capsules are replaced in the same write that adds the new ones.
 */
import { CancelledError, InvalidInputError, isSiglaError, StoreError } from "../errors.js";
import type { AddStage } from "../store/types.js";
import { sqlString } from "../store/validate.js";
import { chunkText, resolveChunkOptions } from "./chunk.js";
import type { IngestDocument } from "./document.js";
import { lineRange, lineStarts } from "./lines.js";
import { decodeText, parseDocuments, readSource } from "./readers.js";
import { mergeTags, pathTags } from "./tags.js";
import { expandPaths } from "./walk.js";

/** The part of the capsule store ingest needs. */
export interface IngestTarget {
  /** Capsules whose `source` column equals the given value (no vectors). */
  list(options: {
    where?: string;
    limit?: number;
  }): Promise<Array<{ id: number; source: string | null; meta: Record<string, unknown> }>>;
  /** Adds capsules in one atomic batch; ids listed in `replace` are deleted in the same write. */
  addCapsules(
    inputs: Array<{ text: string; tags?: string[]; meta?: Record<string, unknown>; source?: string }>,
    options?: {
      replace?: number[];
      /** Write only if the capsules matching `where` are still `ids` (else `SIGLA_CONFLICT`, nothing written). */
      expect?: { where: string; ids: readonly number[] };
      signal?: AbortSignal;
      onProgress?: (done: number, total: number, stage: AddStage) => void;
    },
  ): Promise<number[]>;
}

/**
 * Progress events: `read` counts files (done = files finished); the others relay the stages of the store's
 * write of one file (`embed`, then `index` when the store's growth calls for an index build, `link`, `write`).
 */
export interface IngestProgress {
  phase: "read" | AddStage;
  /** Absolute path of the file being processed. */
  file: string;
  done: number;
  total: number;
}

/** Options of `ingest`: tags, chunking, cancellation, progress and what to do with unreadable files. */
export interface IngestOptions {
  /** Extra tags for every capsule (normalised like all tags). */
  tags?: string[];
  /** Chunk window in characters (default 1024). */
  chunkSize?: number;
  /** Characters shared by consecutive chunks (default 200). */
  overlap?: number;
  /** Cancels between files (and inside the store's write, if it honours the signal). */
  signal?: AbortSignal;
  onProgress?: (progress: IngestProgress) => void;
  /**
   * Stop at the first unreadable file or bad record with its `SIGLA_INGEST` error (nothing of that file is
   * written). Default false: such files and records are skipped, listed in `IngestReport.skipped` and
   * passed to `onWarning`, and the rest is ingested.
   */
  strict?: boolean;
  /** Called as each file or record is skipped (not in strict mode). */
  onWarning?: (skipped: IngestSkip) => void;
  /** Largest file read, in bytes (default `SIGLA_MAX_FILE_BYTES`); bigger files are skipped. */
  maxFileBytes?: number;
}

/** A file (or one record of it) left out: its absolute path and the one-line message of its `IngestError`. */
export interface IngestSkip {
  path: string;
  reason: string;
}

/**
 * What an ingest did. Every file is counted in exactly one of `unchanged`, `replaced`, `added`, `empty`,
 * or (once) in `skipped`.
 */
export interface IngestReport {
  /** Files visited. */
  files: number;
  /** Files skipped because their stored capsules already match their content. */
  unchanged: number;
  /** Files whose previous capsules were replaced (or removed, if the file no longer has any text). */
  replaced: number;
  /** Files stored for the first time. */
  added: number;
  /** New files with no text (nothing stored). */
  empty: number;
  /** Ids of the capsules written, in file and chunk order. */
  ids: number[];
  /**
   * Files that could not be read (binary, too big, not a regular file, no text field…) and bad records of
   * files that were read (a JSONL line, a CSV row), in the order met. Empty in strict mode.
   */
  skipped: IngestSkip[];
}

/**
 * Thrown when `signal` aborts an ingest (`SIGLA_CANCELLED`). Files finished before the abort are stored
 * whole (each file is one atomic write) and listed in `report`; the file in flight is not stored at all.
 * `cause` is the signal's reason.
 */
export class IngestCancelledError extends CancelledError {
  constructor(
    readonly report: IngestReport,
    total: number,
    reason: unknown,
  ) {
    super("ingest", { cause: reason });
    // The message every door has printed: how far the ingest got.
    this.message = `ingest cancelled after ${report.files} of ${total} files (${report.ids.length} capsules stored)`;
  }
}

/** The LanceDB SQL filter selecting capsules of one source: `source = '...'` with quotes doubled. */
export function sourceFilter(source: string): string {
  return `source = ${sqlString(source)}`;
}

/** Tries per file when other processes keep writing it meanwhile (`SIGLA_CONFLICT`). */
const MAX_CONFLICTS = 5;

/** Chunk metadata keys ingest owns; document keys with these names are kept under `meta.fields`. */
const RESERVED = new Set(["source", "title", "chunk", "chunks", "fields"]);

/** One capsule input, ready for `addCapsules`. */
type CapsuleInput = { text: string; tags: string[]; meta: Record<string, unknown>; source: string };

/**
 * Chunks a file's documents into capsule inputs. Meta layout per chunk:
 * `{ ...documentMeta, source: { file, sha256, start, end, lines, record?, line? }, title?, chunk, chunks, fields? }`
 * where `start`/`end` are the chunk's offsets in the file's text for txt/md, and the record's (or whole
 * file's) offsets for formats whose text is derived (json, jsonl, csv, html); `lines` is the 1-based
 * `[first, last]` line range of those offsets in `text` (the file's decoded text, which the documents'
 * offsets refer to); `chunk` counts from 0 across the whole file and `chunks` is the file's total.
 */
export function capsuleInputs(
  file: string,
  sha256: string,
  documents: IngestDocument[],
  tags: string[],
  chunkOptions: { size: number; overlap: number },
  text: string,
): CapsuleInput[] {
  const pieces = documents.flatMap((document) =>
    chunkText(document.text, chunkOptions).map((chunk) => ({ document, chunk })),
  );
  // One line index per file; each chunk's range is then two binary searches.
  const starts = lineStarts(text);
  return pieces.map(({ document, chunk }, i) => {
    const meta: Record<string, unknown> = {};
    const fields: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(document.meta)) {
      if (RESERVED.has(key)) fields[key] = value;
      else meta[key] = value;
    }
    const start = document.verbatim ? document.start + chunk.start : document.start;
    const end = document.verbatim ? document.start + chunk.end : document.end;
    meta.source = {
      file,
      sha256,
      start,
      end,
      lines: lineRange(starts, start, end),
      ...(document.record !== undefined && { record: document.record }),
      ...(document.line !== undefined && { line: document.line }),
    };
    if (document.title !== undefined) meta.title = document.title;
    meta.chunk = i;
    meta.chunks = pieces.length;
    if (Object.keys(fields).length > 0) meta.fields = fields;
    return { text: chunk.text, tags: mergeTags(tags, document.tags), meta, source: file };
  });
}

type Existing = Awaited<ReturnType<IngestTarget["list"]>>;

/** All capsules of one source; re-asks with a larger limit until the answer is not cut off. */
async function listSource(store: IngestTarget, source: string): Promise<Existing> {
  const where = sourceFilter(source);
  for (let limit = 10_000; ; limit *= 16) {
    const rows = await store.list({ where, limit });
    if (rows.length < limit) return rows.filter((row) => row.source === source);
  }
}

/**
 * Whether stored capsules already represent this exact content: all carry `meta.source.sha256 === sha256`
 * and together they are the complete chunk set (`meta.chunks` of them), so a partly deleted file is redone.
 */
function isCurrent(existing: Existing, sha256: string): boolean {
  if (existing.length === 0) return false;
  return existing.every((row) => {
    const source = row.meta.source as { sha256?: unknown } | undefined;
    return source?.sha256 === sha256 && row.meta.chunks === existing.length;
  });
}

function validateTags(tags: unknown): string[] {
  if (tags === undefined) return [];
  if (!Array.isArray(tags) || !tags.every((tag) => typeof tag === "string")) {
    throw new InvalidInputError("ingest tags must be an array of strings");
  }
  return tags;
}

/** What one ingest shares across its files. */
interface IngestRun {
  store: IngestTarget;
  options: IngestOptions;
  report: IngestReport;
  chunkOptions: { size: number; overlap: number };
  userTags: string[];
  warn: (path: string, reason: string) => void;
  checkAbort: () => void;
  cancelled: () => IngestCancelledError;
}

/** One file: skipped, unchanged, empty or written; "conflict" when another process wrote it first. */
async function ingestFile(run: IngestRun, file: string, root: string): Promise<"conflict" | undefined> {
  const { store, options, report, warn, checkAbort } = run;
  const { signal, onProgress, maxFileBytes } = options;
  const strict = options.strict === true;
  const skippedRecords: string[] = [];
  let sha256: string;
  let existing: Existing;
  let documents: IngestDocument[] | undefined;
  let text = "";
  try {
    const source = await readSource(file, { maxBytes: maxFileBytes });
    sha256 = source.sha256;
    existing = await listSource(store, file);
    if (!isCurrent(existing, sha256)) {
      const skip = strict ? undefined : (reason: string) => skippedRecords.push(reason);
      text = decodeText(file, source.bytes);
      documents = parseDocuments(file, text, skip);
    }
  } catch (error) {
    if (strict || !isSiglaError(error) || error.code !== "SIGLA_INGEST") throw error;
    report.files++;
    warn(file, error.message);
    return;
  }
  if (!documents) {
    report.files++;
    report.unchanged++;
    return;
  }
  const inputs = capsuleInputs(
    file,
    sha256,
    documents,
    mergeTags(pathTags(root, file), run.userTags),
    run.chunkOptions,
    text,
  );
  if (inputs.length === 0 && existing.length === 0) {
    for (const reason of skippedRecords) warn(file, reason);
    report.files++;
    report.empty++;
    return;
  }
  checkAbort();
  let ids: number[];
  try {
    const replace = existing.map((row) => row.id);
    ids = await store.addCapsules(inputs, {
      ...(replace.length > 0 && { replace }),
      // The file as listed above: another process ingesting it meanwhile makes this write a conflict.
      expect: { where: sourceFilter(file), ids: replace },
      signal,
      onProgress: (done, total, stage) => onProgress?.({ phase: stage, file, done, total }),
    });
  } catch (error) {
    // The write is atomic, so an abort inside it leaves this file out entirely.
    if (signal?.aborted) throw run.cancelled();
    if (isSiglaError(error) && error.code === "SIGLA_CONFLICT") return "conflict";
    throw error;
  }
  for (const reason of skippedRecords) warn(file, reason);
  report.files++;
  if (existing.length > 0) report.replaced++;
  else report.added++;
  report.ids.push(...ids);
}

/**
 * Ingests files and folders into `store`. Paths are expanded first (a missing path or an unsupported file
 * named directly fails before anything is written). Per file: hash the bytes; if the stored capsules of that
 * source (its absolute path) carry the same hash, skip it; otherwise read, chunk and write it in one
 * `addCapsules` call that also deletes the file's previous capsules (`replace`). Tags of each capsule: the
 * folders between the argument and the file, the document's own tags and `options.tags`.
 *
 * Bad input: a file that cannot be read or parsed (binary, too big, not a regular file, JSON without
 * text…) is skipped and a bad record (JSONL line, CSV row, JSON array element) left out, each with a
 * warning (`onWarning`, `report.skipped`); a file already stored keeps its capsules. With `strict`, the
 * first one throws its `IngestError` instead, before anything of that file is written.
 *
 * Cancellation: `signal` is checked before each file and before each write, and passed to the store. An
 * abort throws `IngestCancelledError` carrying the partial report; the store holds only whole files. Any other
 * error (the store's, a strict-mode `IngestError`) propagates as is; files before it are already stored, and
 * re-running resumes cheaply because finished files are unchanged.
 *
 * Several processes may ingest into one store at once, the same files too: each file's write holds only
 * if its capsules are still those listed before it (`expect`); otherwise the file is looked at again, and
 * is usually found unchanged (the other process stored the same content), so no file is stored twice.
 */
export async function ingest(
  store: IngestTarget,
  paths: string[],
  options: IngestOptions = {},
): Promise<IngestReport> {
  if (!Array.isArray(paths) || !paths.every((path) => typeof path === "string")) {
    throw new InvalidInputError("ingest paths must be an array of strings");
  }
  const chunkOptions = resolveChunkOptions({ size: options.chunkSize, overlap: options.overlap });
  const userTags = validateTags(options.tags);
  const { signal, onProgress, onWarning } = options;
  const entries = await expandPaths(paths);
  const report: IngestReport = {
    files: 0,
    unchanged: 0,
    replaced: 0,
    added: 0,
    empty: 0,
    ids: [],
    skipped: [],
  };
  const cancelled = () => new IngestCancelledError(report, entries.length, signal?.reason);
  const checkAbort = () => {
    if (signal?.aborted) throw cancelled();
  };
  const warn = (path: string, reason: string) => {
    const skipped = { path, reason };
    report.skipped.push(skipped);
    onWarning?.(skipped);
  };

  const run = { store, options, report, chunkOptions, userTags, warn, checkAbort, cancelled };
  for (const [index, { file, root }] of entries.entries()) {
    checkAbort();
    onProgress?.({ phase: "read", file, done: index, total: entries.length });
    // A conflict means another process wrote this file first: look again (most often it is unchanged now).
    for (let attempt = 1; (await ingestFile(run, file, root)) === "conflict"; attempt++) {
      if (attempt === MAX_CONFLICTS) {
        throw new StoreError(
          "SIGLA_CONFLICT",
          `${file}: other processes kept writing its capsules while this ingest wrote them (${MAX_CONFLICTS} tries); nothing of it was written by this ingest`,
        );
      }
    }
  }
  if (entries.length > 0) {
    onProgress?.({
      phase: "read",
      file: entries[entries.length - 1].file,
      done: entries.length,
      total: entries.length,
    });
  }
  return report;
}
