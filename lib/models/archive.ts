/**
 * Packing and safe unpacking of SIGLA's model archives: `.capsulegraph` (tar.gz) and `.capsulemod`
 * (zstd tar). Packing writes portable headers (no owner, no times) in sorted order, so the same folder
 * packs to the same tar. Unpacking trusts nothing in the file: it goes into a temp folder beside the
 * target, entry by entry under the checks of `archive-unpack.ts`, and is renamed into place only when
 * all of it passed; on any refusal, damage or abort nothing is left behind.
 */
import { createHash, randomUUID } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { chmod, lstat, mkdir, mkdtemp, readdir, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { Readable, Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import { create } from "tar";
import { ArchiveError, CancelledError, InvalidInputError, isSiglaError } from "../errors.js";
import {
  type Compression,
  checkZstdWindow,
  compressor,
  formatOf,
  loadZstd,
  readHead,
} from "./archive-streams.js";
import { extractInto, streamBound } from "./archive-unpack.js";

export type { Compression } from "./archive-streams.js";

/** Bounds of an unpack. */
export interface UnpackLimits {
  /** The most bytes the archive's files may sum to (default 16 GiB). */
  maxBytes?: number;
  /** The most entries (files and folders) it may hold (default 100 000). */
  maxFiles?: number;
}

/** How `packArchive` compresses and reports. */
export interface PackOptions {
  /** gzip for `.capsulegraph`, zstd for `.capsulemod`. */
  compression: Compression;
  /** Aborting removes the partial output and throws `CancelledError`. */
  signal?: AbortSignal;
  /** Called as the tar stream is produced, in bytes of (an estimate of) the uncompressed tar. */
  onProgress?: (done: number, total: number) => void;
}

/** Default `maxBytes` of an unpack. */
export const DEFAULT_MAX_UNPACK_BYTES = 16 * 1024 ** 3;
/** Default `maxFiles` of an unpack. */
export const DEFAULT_MAX_UNPACK_FILES = 100_000;
/** Progress is reported at most once per this many tar bytes (and once at the end). */
const PROGRESS_STEP_BYTES = 1 << 20;

function posixPath(path: string): string {
  return sep === "/" ? path : path.split(sep).join("/");
}

/** Every regular file under `root` as sorted relative `/` paths, with their sizes; links etc. are refused. */
async function listFiles(root: string): Promise<{ path: string; size: number }[]> {
  const found: { path: string; size: number }[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile())
        found.push({ path: posixPath(relative(root, full)), size: (await lstat(full)).size });
      else {
        throw new ArchiveError(
          "SIGLA_ARCHIVE_UNSAFE",
          `${full} is not a regular file or folder (a link, socket or device); an archive holds only files`,
        );
      }
    }
  };
  await walk(root);
  return found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** A pass-through that reports how many bytes went by. */
function progressCounter(total: number, report: (done: number, total: number) => void): Transform {
  let done = 0;
  let reported = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      done += chunk.length;
      if (done - reported >= PROGRESS_STEP_BYTES) {
        reported = done;
        report(Math.min(done, total), total);
      }
      callback(null, chunk);
    },
  });
}

/**
 * Packs every regular file under `sourceDir` (relative paths, sorted, portable headers: no uid/gid/mtime
 * noise) into `outFile`, written to a temp file beside it and renamed; removed on failure or abort
 * (`CancelledError`). Returns the bytes written. Links and devices under `sourceDir` are refused
 * (`SIGLA_ARCHIVE_UNSAFE`), as `unpackArchive` would refuse them; an empty folder is `SIGLA_ARCHIVE_INVALID`.
 */
export async function packArchive(
  sourceDir: string,
  outFile: string,
  options: PackOptions,
): Promise<{ bytes: number }> {
  const source = resolve(sourceDir);
  const out = resolve(outFile);
  const info = await stat(source).catch(() => undefined);
  if (!info?.isDirectory())
    throw new InvalidInputError(`${source} is not a folder; only a folder can be packed`);
  const files = await listFiles(source);
  if (files.length === 0) throw new ArchiveError("SIGLA_ARCHIVE_INVALID", `${source} holds no files to pack`);
  // A tar entry is a 512-byte header and its body padded to 512; the archive ends with two zero blocks.
  const total = files.reduce((sum, file) => sum + 512 + Math.ceil(file.size / 512) * 512, 1024);
  const { signal, onProgress } = options;
  const cancelled = (cause?: unknown) => new CancelledError(`packing ${out}`, { cause });
  if (signal?.aborted) throw cancelled();
  if (options.compression === "zstd") await loadZstd();
  const temp = `${out}.${randomUUID().slice(0, 8)}.tmp`;
  try {
    const tar = create(
      { cwd: source, portable: true, noMtime: true, noDirRecurse: true, follow: false, strict: true },
      files.map((file) => file.path),
    );
    await pipeline(
      Readable.from(tar),
      progressCounter(total, (done, all) => onProgress?.(done, all)),
      compressor(options.compression),
      createWriteStream(temp, { flags: "wx" }),
      { signal },
    );
    await rename(temp, out);
    onProgress?.(total, total);
    return { bytes: (await stat(out)).size };
  } catch (error) {
    await rm(temp, { force: true });
    if (signal?.aborted) throw cancelled(error);
    throw error;
  }
}

async function exists(path: string): Promise<boolean> {
  return (await lstat(path).catch(() => undefined)) !== undefined;
}

function checkLimit(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0)
    throw new InvalidInputError(`${name} must be a number ≥ 0, got ${value}`);
  return value;
}

/**
 * Unpacks `file` into `targetDir`, which must not exist: into a temp sibling first, renamed into place
 * only when every entry passed; on any refusal or error the temp folder is removed and nothing is left.
 * Compression is detected from the magic bytes (gzip 1f8b, zstd 28b52ffd, else a plain tar). Refusals are
 * `ArchiveError`s: `SIGLA_ARCHIVE_UNSAFE` (absolute or `..` paths, links, devices, FIFOs),
 * `SIGLA_ARCHIVE_TOO_LARGE` (past `maxBytes`/`maxFiles`, from the headers and from the decompressed
 * stream as it flows), `SIGLA_ARCHIVE_INVALID` (not an archive, damaged, truncated, a duplicate entry,
 * `targetDir` already there); an abort is `CancelledError`. `files` are the relative paths written, sorted;
 * `sha256` their hashes (hex), computed as they were written.
 */
export async function unpackArchive(
  file: string,
  targetDir: string,
  options: UnpackLimits & { signal?: AbortSignal } = {},
): Promise<{ files: string[]; bytes: number; sha256: Record<string, string> }> {
  const limits = {
    maxBytes: checkLimit("maxBytes", options.maxBytes ?? DEFAULT_MAX_UNPACK_BYTES),
    maxFiles: checkLimit("maxFiles", options.maxFiles ?? DEFAULT_MAX_UNPACK_FILES),
  };
  const target = resolve(targetDir);
  const alreadyThere = () =>
    new ArchiveError(
      "SIGLA_ARCHIVE_INVALID",
      `${target} already exists; an archive unpacks only into a new folder`,
    );
  if (await exists(target)) throw alreadyThere();
  if (options.signal?.aborted) throw new CancelledError(`unpacking ${file}`);
  const head = await readHead(file).catch((error: unknown) => {
    throw new ArchiveError("SIGLA_ARCHIVE_INVALID", `${file} cannot be read: ${(error as Error).message}`, {
      cause: error,
    });
  });
  const format = formatOf(head);
  if (format === "zstd") checkZstdWindow(file, head, streamBound(limits, 0));
  await mkdir(dirname(target), { recursive: true });
  const temp = await mkdtemp(join(dirname(target), `.${basename(target)}.unpack-`));
  try {
    const result = await extractInto(file, format, temp, limits, options.signal);
    if (await exists(target)) throw alreadyThere();
    await chmod(temp, 0o755); // mkdtemp made it private; the folders inside it are 0755 too
    await rename(temp, target);
    return result;
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    if (options.signal?.aborted && !isSiglaError(error))
      throw new CancelledError(`unpacking ${file}`, { cause: error });
    throw error;
  }
}

/** sha256 hex of a file, streamed. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/**
 * sha256 (hex) of every regular file under `dir`, by relative path with `/`, sorted: the manifest an
 * archive's meta.json carries so an unpacked copy can be checked file by file.
 */
export async function sha256Manifest(dir: string): Promise<Record<string, string>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile())
    .map((e) => posixPath(relative(dir, join(e.parentPath, e.name))))
    .sort();
  const manifest: Record<string, string> = {};
  for (const file of files) manifest[file] = await sha256File(join(dir, file));
  return manifest;
}
