/**
 * Expanding the paths given to ingest into the files to read. Folders are walked recursively in sorted
 * order so repeated runs see files in the same order (stable capsule ids, stable progress output).
 */
import type { Dirent } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { IngestError } from "../errors.js";
import { isSupported, unsupportedError } from "./readers.js";

/** A file to ingest and the folder it was found under. */
export interface WalkEntry {
  /** Absolute path of the file. */
  file: string;
  /** Absolute path of the folder argument it was found in (for path tags); its own folder if named directly. */
  root: string;
}

function skipped(name: string): boolean {
  return name.startsWith(".") || name === "node_modules";
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function statOrThrow(path: string) {
  try {
    return await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file or folder" : (error as Error).message;
    throw new IngestError(`cannot read ${path}: ${why}`, { cause: error });
  }
}

/** Supported files under `dir`, recursively, sorted by name at each level. */
async function walkFolder(dir: string, out: string[]): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    throw new IngestError(`cannot read folder ${dir}: ${(error as Error).message}`, { cause: error });
  }
  entries.sort((a, b) => byCodeUnit(a.name, b.name));
  for (const entry of entries) {
    if (skipped(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      await walkFolder(path, out);
    } else if (entry.isFile() && isSupported(path)) {
      out.push(path);
    } else if (entry.isSymbolicLink() && isSupported(path)) {
      // Linked files are followed; linked folders are not (they can form cycles).
      const target = await stat(path).catch(() => undefined);
      if (target?.isFile()) out.push(path);
    }
  }
}

/**
 * Expands files and folders into absolute file paths, in argument order, each file once. Inside folders,
 * hidden entries (`.name`), `node_modules` and unsupported extensions are skipped silently; a file named
 * directly must have a supported extension. A missing path or unsupported named file is an `IngestError`,
 * raised before anything is read so a typo never leaves a half-done ingest.
 */
export async function expandPaths(paths: readonly string[]): Promise<WalkEntry[]> {
  const seen = new Set<string>();
  const entries: WalkEntry[] = [];
  for (const given of paths) {
    const path = resolve(given);
    const info = await statOrThrow(path);
    let files: string[];
    let root: string;
    if (info.isDirectory()) {
      files = [];
      await walkFolder(path, files);
      root = path;
    } else {
      if (!isSupported(path)) throw unsupportedError(path);
      files = [path];
      root = resolve(path, "..");
    }
    for (const file of files) {
      if (seen.has(file)) continue;
      seen.add(file);
      entries.push({ file, root });
    }
  }
  return entries;
}
