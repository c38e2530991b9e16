/**
 * One unpack, entry by entry, into a folder the caller created (and removes on failure). node-tar's
 * `Parser` only reads headers and bodies; every decision is made here before anything is written: the
 * entry's kind and path (`archive-entry.ts`), the running file count and declared size against the
 * limits, duplicates. Files are created with `wx`, so nothing is ever written through something that
 * already exists. The first failure (a refusal, a damaged stream, an abort) wins; feeding the parser stops.
 */
import { createHash, type Hash } from "node:crypto";
import { mkdir, open } from "node:fs/promises";
import { dirname, relative, sep } from "node:path";
import { Parser, type ReadEntry } from "tar";
import { ArchiveError, CancelledError, isSiglaError } from "../errors.js";
import { entryKind, entryPath, landing } from "./archive-entry.js";
import { type ArchiveFormat, decompressedChunks, formatOf } from "./archive-streams.js";

/** The bounds one unpack enforces. */
export interface Limits {
  maxBytes: number;
  maxFiles: number;
}

/** Decompressed bytes allowed beyond `maxBytes` whatever the entries: headers, padding, a pax record. */
const STREAM_SLACK_BYTES = 1 << 20;
/** And per entry seen: its header, a pax header and body, padding to 512. */
const ENTRY_SLACK_BYTES = 4 << 10;
/** The largest pax or GNU long-name record the parser buffers. */
const MAX_META_BYTES = 64 << 10;
/** Bytes gathered before one write to the file being unpacked. */
const WRITE_BYTES = 1 << 20;
/** Error codes fs raises when two entries claim the same place (a file where a folder must go, …). */
const COLLISION_CODES = new Set(["EEXIST", "ENOTDIR", "EISDIR"]);

/** `target`'s path below `root`, with `/`. */
function posix(target: string, root: string): string {
  return relative(root, target).split(sep).join("/");
}

/** The decompressed-stream bound for `limits` once `entries` entries have been read. */
export function streamBound(limits: Limits, entries: number): number {
  return limits.maxBytes + STREAM_SLACK_BYTES + ENTRY_SLACK_BYTES * entries;
}

/** Unpacks `file` (of `format`) into the existing empty folder `root`: the files written and their bytes. */
export async function extractInto(
  file: string,
  format: ArchiveFormat,
  root: string,
  limits: Limits,
  signal?: AbortSignal,
): Promise<{ files: string[]; bytes: number; sha256: Record<string, string> }> {
  const extraction = new Extraction(file, root, limits);
  const onAbort = () => extraction.fail(new CancelledError(`unpacking ${file}`));
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    if (signal?.aborted) onAbort();
    await extraction.run(format);
    const sha256: Record<string, string> = {};
    for (const [path, hash] of extraction.hashes) sha256[path] = hash.digest("hex");
    return { files: extraction.files.sort(), bytes: extraction.bytes, sha256 };
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}

/** A failure as the caller sees it: our own errors pass, a damaged stream becomes `SIGLA_ARCHIVE_INVALID`. */
function asArchiveError(error: unknown, file: string): unknown {
  if (isSiglaError(error)) return error;
  // Errors with a syscall are the machine's (disk full, permissions), not the archive's.
  if (error instanceof Error && "syscall" in error) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ArchiveError("SIGLA_ARCHIVE_INVALID", `${file}: not a readable archive (${message})`, {
    cause: error,
  });
}

class Extraction {
  readonly files: string[] = [];
  /** sha256 of each file written, by path below the root. */
  readonly hashes = new Map<string, Hash>();
  bytes = 0;
  private entries = 0;
  private readonly seen = new Set<string>();
  private readonly parser: Parser;
  /** Entry writes, one after another in archive order; never rejects (a failure goes to `fail`). */
  private writes: Promise<void> = Promise.resolve();
  private failure: unknown;
  private readonly failed: Promise<never>;
  private rejectFailed: (error: unknown) => void = () => {};
  private sawEnd = false;
  /** The entry whose body is being written now. */
  private writing: ReadEntry | undefined;

  constructor(
    private readonly file: string,
    private readonly root: string,
    private readonly limits: Limits,
  ) {
    this.failed = new Promise<never>((_, reject) => {
      this.rejectFailed = reject;
    });
    this.failed.catch(() => {});
    // strict: every header warning (bad checksum, truncated body) is an error. zstd: false, and the
    // nested-magic check in `run`, keep node-tar from decompressing a second layer behind our counters.
    this.parser = new Parser({ strict: true, zstd: false, maxMetaEntrySize: MAX_META_BYTES });
    this.parser.on("entry", (entry: ReadEntry) => this.onEntry(entry));
    this.parser.on("ignoredEntry", (entry: ReadEntry) => this.onIgnored(entry));
    this.parser.on("error", (error: unknown) => this.fail(asArchiveError(error, this.file)));
    this.parser.on("eof", () => {
      this.sawEnd = true;
    });
  }

  /** Records the first failure; every wait in `run` rejects with it. */
  fail(error: unknown): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    this.rejectFailed(error);
    // The parser is fed no more: end the entry being written, so its write stops and closes its file.
    this.writing?.destroy();
  }

  private invalid(name: string, why: string): ArchiveError {
    return new ArchiveError("SIGLA_ARCHIVE_INVALID", `${this.file}: entry "${name}" ${why}`);
  }

  private tooLarge(why: string): ArchiveError {
    return new ArchiveError("SIGLA_ARCHIVE_TOO_LARGE", `${this.file}: ${why}`);
  }

  private streamed = 0;
  /** Counts the decompressed stream as it flows: a bomb stops at the bound, not at the end of the disk. */
  private guard(length: number): void {
    this.streamed += length;
    const bound = streamBound(this.limits, this.entries);
    if (this.streamed > bound) {
      throw this.tooLarge(
        `decompresses past ${bound} bytes (maxBytes ${this.limits.maxBytes}); stopped there`,
      );
    }
  }

  async run(format: ArchiveFormat): Promise<void> {
    let first = true;
    try {
      for await (const chunk of decompressedChunks(this.file, format)) {
        if (this.failure !== undefined) break;
        this.guard(chunk.length);
        if (first && formatOf(chunk) !== "tar")
          throw new ArchiveError(
            "SIGLA_ARCHIVE_INVALID",
            `${this.file}: a compressed stream inside the compressed stream; refused`,
          );
        first = false;
        // After the end-of-archive blocks only padding may follow; it is counted, not parsed.
        if (this.sawEnd) continue;
        if (!this.parser.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength))) {
          await Promise.race([new Promise((resolve) => this.parser.once("drain", resolve)), this.failed]);
        }
      }
      if (this.failure === undefined) {
        const ended = new Promise((resolve) => this.parser.once("end", resolve));
        this.parser.end();
        await Promise.race([ended, this.failed]);
        await Promise.race([this.writes, this.failed]);
      }
    } catch (error) {
      this.fail(asArchiveError(error, this.file));
    }
    if (this.failure !== undefined) {
      // Let the write under way settle before the caller removes the folder it writes into.
      await this.writes;
      throw this.failure;
    }
  }

  private onEntry(entry: ReadEntry): void {
    if (this.failure !== undefined) return;
    try {
      const kind = entryKind(entry.type, entry.path, this.file);
      const path = entryPath(entry.path, this.file);
      this.entries += 1;
      if (this.entries > this.limits.maxFiles) {
        throw this.tooLarge(`holds more than ${this.limits.maxFiles} entries (at "${entry.path}")`);
      }
      if (path === "" && kind === "directory") {
        entry.resume();
        return;
      }
      const target = landing(this.root, path, entry.path, this.file);
      if (this.seen.has(path)) throw this.invalid(entry.path, "appears twice");
      this.seen.add(path);
      if (kind === "directory") {
        entry.resume();
        this.queue(entry.path, () => mkdir(target, { recursive: true }));
        return;
      }
      this.bytes += entry.size;
      if (this.bytes > this.limits.maxBytes) {
        throw this.tooLarge(
          `its files sum to more than maxBytes ${this.limits.maxBytes} (at "${entry.path}", ${entry.size} bytes)`,
        );
      }
      this.files.push(path);
      this.queue(entry.path, () => this.writeFile(entry, target));
    } catch (error) {
      this.fail(error);
    }
  }

  /** node-tar skips types it does not know (sparse files, …) and oversized pax records: both refused. */
  private onIgnored(entry: ReadEntry): void {
    if (entry.meta) {
      this.fail(this.invalid(entry.path, `has a ${entry.type} record over ${MAX_META_BYTES} bytes`));
      return;
    }
    const why = `is a ${entry.type}; an archive may hold only regular files and folders`;
    this.fail(new ArchiveError("SIGLA_ARCHIVE_UNSAFE", `${this.file}: entry "${entry.path}" ${why}`));
  }

  private queue(name: string, work: () => Promise<unknown>): void {
    this.writes = this.writes
      .then(async () => {
        if (this.failure === undefined) await work();
      })
      .catch((error: unknown) => {
        const code = (error as { code?: unknown }).code;
        this.fail(
          typeof code === "string" && COLLISION_CODES.has(code)
            ? this.invalid(name, `collides with another entry (${code})`)
            : error,
        );
      });
  }

  private async writeFile(entry: ReadEntry, target: string): Promise<void> {
    await mkdir(dirname(target), { recursive: true });
    const handle = await open(target, "wx", 0o644);
    let written = 0;
    try {
      // A failure while the file was being opened: `fail` found no entry to end, so stop here.
      if (this.failure !== undefined) return;
      this.writing = entry;
      // Hashed as it is written: a manifest check after the unpack need not read the file again.
      const hash = createHash("sha256");
      this.hashes.set(posix(target, this.root), hash);
      // The parser hands over small chunks; one write per MiB instead of one per chunk.
      let pending: Buffer[] = [];
      let size = 0;
      const flush = async () => {
        if (size > 0) await handle.write(pending.length === 1 ? pending[0] : Buffer.concat(pending, size));
        pending = [];
        size = 0;
      };
      for await (const chunk of entry) {
        hash.update(chunk);
        pending.push(chunk);
        size += chunk.length;
        written += chunk.length;
        if (size >= WRITE_BYTES) await flush();
        // `fail` ended the entry during the write: asking it for more would wait forever.
        if (this.failure !== undefined) return;
      }
      await flush();
    } finally {
      this.writing = undefined;
      await handle.close();
    }
    if (written !== entry.size)
      throw this.invalid(entry.path, `is truncated (${written} of ${entry.size} bytes)`);
  }
}
