/**
 * `hot.snapshot`: the store's in-memory state (vectors, ids, packed records, index lists) written to one
 * file, so `open` reads it straight into the arrays it keeps instead of scanning the LanceDB table and
 * rebuilding the index. The table stays the store of record; the snapshot is a cache of one table version:
 *
 * - its header names the table version and row count it was taken at; a snapshot of any other version is
 *   stale and never served (the store scans the table instead and writes a new one);
 * - a SHA-256 over the header and every section catches a damaged file, which is not served either;
 * - it is written to a temporary file and renamed, so readers see a whole snapshot or none.
 *
 * Layout: `SIGLASNP`, a u32 (LE) header length, the JSON header, then each section (raw little-endian typed
 * array bytes), every part starting at a multiple of 8.
 */
import { createHash } from "node:crypto";
import { type FileHandle, open, readdir, rename, unlink } from "node:fs/promises";
import { join } from "node:path";
import { alive } from "./write-lock.js";

export const SNAPSHOT_FILE = "hot.snapshot";
/** Bumped whenever the layout or the meaning of a section changes; other formats are not read. */
export const SNAPSHOT_FORMAT = 1;
const MAGIC = Buffer.from("SIGLASNP", "latin1");
const MAX_HEADER = 1 << 20;

export type SectionArray = Int32Array | Uint32Array | Float32Array | Uint16Array | Uint8Array;
type SectionType = "i32" | "u32" | "f32" | "u16" | "u8";
const CTORS = {
  i32: Int32Array,
  u32: Uint32Array,
  f32: Float32Array,
  u16: Uint16Array,
  u8: Uint8Array,
} as const;

/** The table version a snapshot belongs to, checked before anything else is read. */
export interface SnapshotKey {
  tableVersion: number;
  rows: number;
  dim: number;
}

export interface Snapshot extends SnapshotKey {
  /** Small JSON facts (index kind and parameters). */
  info: Record<string, unknown>;
  sections: Record<string, SectionArray>;
}

interface Header extends SnapshotKey {
  format: number;
  info: Record<string, unknown>;
  sections: Array<{ name: string; type: SectionType; length: number }>;
  sha256: string;
}

export type SnapshotRead =
  | { status: "ok"; snapshot: Snapshot }
  | { status: "missing" | "stale" | "damaged"; reason: string };

const pad8 = (n: number) => Math.ceil(n / 8) * 8;

function typeOf(array: SectionArray): SectionType {
  if (array instanceof Int32Array) return "i32";
  if (array instanceof Uint32Array) return "u32";
  if (array instanceof Float32Array) return "f32";
  if (array instanceof Uint16Array) return "u16";
  return "u8";
}

function bytesOf(array: SectionArray): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

function headerBytes(header: Header): { prefix: Buffer; end: number } {
  const json = Buffer.from(JSON.stringify(header), "utf8");
  const end = pad8(MAGIC.length + 4 + json.length);
  const prefix = Buffer.alloc(end);
  MAGIC.copy(prefix, 0);
  prefix.writeUInt32LE(json.length, MAGIC.length);
  json.copy(prefix, MAGIC.length + 4);
  return { prefix, end };
}

async function readFully(fh: FileHandle, into: Uint8Array, position: number): Promise<boolean> {
  let done = 0;
  while (done < into.length) {
    const { bytesRead } = await fh.read(into, done, into.length - done, position + done);
    if (bytesRead === 0) return false;
    done += bytesRead;
  }
  return true;
}

async function writeFully(fh: FileHandle, from: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < from.length) {
    const { bytesWritten } = await fh.write(from, done, from.length - done, position + done);
    done += bytesWritten;
  }
}

let tempCounter = 0;
/** `hot.snapshot.<pid>.<n>.tmp`, a snapshot being written, or `hot.<version>.usearch.<pid>.tmp`, a graph. */
const TEMP_NAME = /^hot\.(?:snapshot|\d+\.usearch)\.(\d+)(?:\.\d+)?\.tmp$/;

/**
 * `hot.<table version>.usearch`: the hnsw graph saved with the snapshot of that version. It sits beside
 * the snapshot rather than in it because usearch reads and writes whole files itself.
 */
const GRAPH_NAME = /^hot\.(\d+)\.usearch$/;

/** The file of the hnsw graph saved at table version `version` in the store folder `dir`. */
export function graphFile(dir: string, version: number): string {
  return join(dir, `hot.${version}.usearch`);
}

/** Removes saved graphs of table versions before `version` (all of them when undefined). */
export async function removeGraphs(dir: string, version?: number): Promise<void> {
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const saved = Number(GRAPH_NAME.exec(name)?.[1] ?? Number.NaN);
    if (Number.isInteger(saved) && (version === undefined || saved < version)) {
      await unlink(join(dir, name)).catch(() => undefined);
    }
  }
}

/** Removes temporary snapshot and graph files left by processes that died while writing one. */
async function removeOrphans(dir: string): Promise<void> {
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const pid = Number(TEMP_NAME.exec(name)?.[1] ?? Number.NaN);
    if (Number.isInteger(pid) && pid !== process.pid && !alive(pid)) {
      await unlink(join(dir, name)).catch(() => undefined);
    }
  }
}

/** Writes `snapshot` to `dir` atomically (a temporary file renamed into place). */
export async function writeSnapshot(dir: string, snapshot: Snapshot): Promise<void> {
  const names = Object.keys(snapshot.sections);
  const fields: Omit<Header, "sha256"> = {
    format: SNAPSHOT_FORMAT,
    tableVersion: snapshot.tableVersion,
    rows: snapshot.rows,
    dim: snapshot.dim,
    info: snapshot.info,
    sections: names.map((name) => ({
      name,
      type: typeOf(snapshot.sections[name]),
      length: snapshot.sections[name].length,
    })),
  };
  const hash = createHash("sha256").update(JSON.stringify(fields));
  for (const name of names) hash.update(bytesOf(snapshot.sections[name]));
  const header: Header = { ...fields, sha256: hash.digest("hex") };
  await removeOrphans(dir);
  const file = join(dir, SNAPSHOT_FILE);
  const temp = `${file}.${process.pid}.${tempCounter++}.tmp`;
  const fh = await open(temp, "w");
  try {
    const { prefix, end } = headerBytes(header);
    await writeFully(fh, prefix, 0);
    let at = end;
    for (const name of names) {
      const bytes = bytesOf(snapshot.sections[name]);
      await writeFully(fh, bytes, at);
      at = pad8(at + bytes.length);
    }
    await fh.truncate(at);
    await fh.close();
    await rename(temp, file);
  } catch (error) {
    await fh.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

async function readHeader(fh: FileHandle): Promise<{ header: Header; end: number } | string> {
  const start = Buffer.alloc(MAGIC.length + 4);
  if (!(await readFully(fh, start, 0)) || !start.subarray(0, MAGIC.length).equals(MAGIC)) {
    return "not a snapshot file";
  }
  const length = start.readUInt32LE(MAGIC.length);
  if (length > MAX_HEADER) return "header too long";
  const json = Buffer.alloc(length);
  if (!(await readFully(fh, json, start.length))) return "truncated header";
  let header: Header;
  try {
    header = JSON.parse(json.toString("utf8"));
  } catch {
    return "header is not JSON";
  }
  const ok =
    header &&
    Number.isInteger(header.format) &&
    Number.isInteger(header.tableVersion) &&
    Number.isInteger(header.rows) &&
    Number.isInteger(header.dim) &&
    typeof header.sha256 === "string" &&
    Array.isArray(header.sections) &&
    header.sections.every(
      (s) => typeof s.name === "string" && s.type in CTORS && Number.isInteger(s.length) && s.length >= 0,
    );
  if (!ok) return "malformed header";
  return { header, end: pad8(start.length + length) };
}

/** The key of the snapshot in `dir`, or undefined when there is none (or it cannot be read). */
export async function snapshotKey(dir: string): Promise<SnapshotKey | undefined> {
  let fh: FileHandle;
  try {
    fh = await open(join(dir, SNAPSHOT_FILE), "r");
  } catch {
    return undefined;
  }
  try {
    const read = await readHeader(fh);
    if (typeof read === "string" || read.header.format !== SNAPSHOT_FORMAT) return undefined;
    const { tableVersion, rows, dim } = read.header;
    return { tableVersion, rows, dim };
  } finally {
    await fh.close();
  }
}

/**
 * Reads the snapshot of `dir` if it belongs to exactly the table version `expect` names; each section is
 * read straight into the typed array returned for it.
 */
export async function readSnapshot(dir: string, expect: SnapshotKey): Promise<SnapshotRead> {
  let fh: FileHandle;
  try {
    fh = await open(join(dir, SNAPSHOT_FILE), "r");
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
    return { status: missing ? "missing" : "damaged", reason: String(error) };
  }
  try {
    const read = await readHeader(fh);
    if (typeof read === "string") return { status: "damaged", reason: read };
    const { header, end } = read;
    if (header.format !== SNAPSHOT_FORMAT) {
      return { status: "stale", reason: `format ${header.format}, expected ${SNAPSHOT_FORMAT}` };
    }
    if (
      header.tableVersion !== expect.tableVersion ||
      header.rows !== expect.rows ||
      header.dim !== expect.dim
    ) {
      return {
        status: "stale",
        reason: `taken at table version ${header.tableVersion} (${header.rows} rows, dim ${header.dim}), the table is at ${expect.tableVersion} (${expect.rows} rows, dim ${expect.dim})`,
      };
    }
    let size = end;
    for (const s of header.sections) size = pad8(size + s.length * CTORS[s.type].BYTES_PER_ELEMENT);
    const actual = (await fh.stat()).size;
    if (actual !== size) return { status: "damaged", reason: `${actual} bytes, the header says ${size}` };
    const { sha256, ...fields } = header;
    const hash = createHash("sha256").update(JSON.stringify(fields));
    const sections: Record<string, SectionArray> = {};
    let at = end;
    for (const s of header.sections) {
      const array = new CTORS[s.type](s.length);
      const bytes = bytesOf(array);
      if (!(await readFully(fh, bytes, at)))
        return { status: "damaged", reason: `section ${s.name} truncated` };
      hash.update(bytes);
      sections[s.name] = array;
      at = pad8(at + bytes.length);
    }
    if (hash.digest("hex") !== sha256) return { status: "damaged", reason: "checksum mismatch" };
    const { tableVersion, rows, dim, info } = header;
    return { status: "ok", snapshot: { tableVersion, rows, dim, info: info ?? {}, sections } };
  } finally {
    await fh.close();
  }
}

/** Removes the snapshot of `dir` and the graphs saved with it, if any. */
export async function removeSnapshot(dir: string): Promise<void> {
  await unlink(join(dir, SNAPSHOT_FILE)).catch(() => undefined);
  await removeGraphs(dir);
}
