/**
 * Cheap checks that a store's table still holds what SIGLA committed to it.
 *
 * - The **row digest**: an order-free 64-bit sum (XOR of per-row hashes) over every row's id, text hash
 *   and vector bytes. The store keeps it in memory, updates it with each commit, and records it in
 *   `sigla.json` before and after every commit, so a scan of the table can tell rows that changed, went
 *   missing or appeared behind SIGLA's back. It is a damage check, not a signature: a fast FNV-style mix,
 *   not a cryptographic hash.
 * - The **data fingerprint**: the names, sizes and modification times of the table's data files, kept in
 *   the snapshot; a data file touched since the snapshot was taken makes the snapshot unusable, so the
 *   store scans (and checks) the table instead of trusting a copy of it.
 */
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";

/** Two 32-bit FNV-1a lanes with different seeds: 64 bits of mixing for the XOR sum. */
function mix(h: number, value: number): number {
  return Math.imul(h ^ value, 0x01000193) >>> 0;
}

function hashRow(id: number, sha256: string, vector: Float32Array, seed: number): number {
  let h = mix(seed, id);
  for (let i = 0; i < sha256.length; i++) h = mix(h, sha256.charCodeAt(i));
  const words = new Int32Array(vector.buffer, vector.byteOffset, vector.length);
  for (let i = 0; i < words.length; i++) h = mix(h, words[i]);
  // A final avalanche so rows that differ in one word differ in many bits.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  return h >>> 0;
}

/** The XOR-sum digest of a set of rows; adding and removing a row are the same operation. */
export class RowDigest {
  constructor(
    private hi = 0,
    private lo = 0,
  ) {}

  static parse(text: string): RowDigest {
    return new RowDigest(Number.parseInt(text.slice(0, 8), 16), Number.parseInt(text.slice(8, 16), 16));
  }

  /** Adds (or, applied again, removes) one row. */
  toggle(id: number, sha256: string, vector: Float32Array): this {
    this.hi = (this.hi ^ hashRow(id, sha256, vector, 0x811c9dc5)) >>> 0;
    this.lo = (this.lo ^ hashRow(id, sha256, vector, 0x050c5d1f)) >>> 0;
    return this;
  }

  clone(): RowDigest {
    return new RowDigest(this.hi, this.lo);
  }

  toString(): string {
    return this.hi.toString(16).padStart(8, "0") + this.lo.toString(16).padStart(8, "0");
  }
}

/** What `sigla.json` records of the table, written before (`pending`) and after (`committed`) a commit. */
export interface TableCheck {
  /** Table version of the last commit SIGLA finished. */
  version: number;
  rows: number;
  digest: string;
}

/** `name:size:mtime` of every data file of the table, sorted: changes when any data file is touched. */
export async function dataFingerprint(tableDir: string): Promise<string> {
  const dataDir = join(tableDir, "data");
  const names = (await readdir(dataDir).catch(() => [] as string[])).sort();
  const parts = await Promise.all(
    names.map(async (name) => {
      const s = await stat(join(dataDir, name)).catch(() => undefined);
      return s ? `${name}:${s.size}:${Math.trunc(s.mtimeMs)}` : `${name}:gone`;
    }),
  );
  let h = 0x811c9dc5;
  const text = parts.join("|");
  for (let i = 0; i < text.length; i++) h = mix(h, text.charCodeAt(i));
  return `${names.length}:${h.toString(16)}`;
}
