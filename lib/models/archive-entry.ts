/**
 * What a tar entry may be before anything of it touches the disk: a regular file or a folder, at a
 * relative path with no `..`, no root, no drive and no backslash, inside the folder it unpacks into.
 * Links, devices and FIFOs are refused outright: an archive SIGLA reads carries data, never file-system
 * structure that could point elsewhere.
 */
import { isAbsolute, relative, resolve, sep } from "node:path";
import { ArchiveError } from "../errors.js";

/** What an accepted entry becomes on disk. */
export type EntryKind = "file" | "directory";

const FILE_TYPES = new Set(["File", "OldFile", "ContiguousFile"]);

/** The kind of a tar entry of node-tar `type`, or `SIGLA_ARCHIVE_UNSAFE` for anything else. */
export function entryKind(type: string, name: string, archive: string): EntryKind {
  if (FILE_TYPES.has(type)) return "file";
  if (type === "Directory") return "directory";
  throw new ArchiveError(
    "SIGLA_ARCHIVE_UNSAFE",
    `${archive}: entry "${name}" is a ${type}; an archive may hold only regular files and folders`,
  );
}

function unsafe(archive: string, name: string, why: string): ArchiveError {
  return new ArchiveError("SIGLA_ARCHIVE_UNSAFE", `${archive}: entry "${name}" ${why}; refused`);
}

/**
 * The entry's path as clean `a/b/c` segments (`""` for the archive's root, `./`), or
 * `SIGLA_ARCHIVE_UNSAFE` when it is absolute, climbs with `..`, or carries a backslash or NUL (a Windows
 * separator or a truncation trick, which another tool could read as a different path).
 */
export function entryPath(name: string, archive: string): string {
  if (name.includes("\0")) throw unsafe(archive, name, "has a NUL byte in its path");
  if (name.includes("\\")) throw unsafe(archive, name, "has a backslash in its path");
  if (name.startsWith("/") || /^[A-Za-z]:/.test(name)) throw unsafe(archive, name, "has an absolute path");
  const segments = name.split("/");
  if (segments.includes("..")) throw unsafe(archive, name, "climbs out with '..'");
  return segments.filter((segment) => segment !== "" && segment !== ".").join("/");
}

/** Where `path` (from `entryPath`) lands under `root`, refused when that is not strictly inside it. */
export function landing(root: string, path: string, name: string, archive: string): string {
  const target = resolve(root, path);
  const rel = relative(root, target);
  if (rel === "" || rel.split(sep)[0] === ".." || isAbsolute(rel)) {
    throw unsafe(archive, name, "would land outside the target folder");
  }
  return target;
}
