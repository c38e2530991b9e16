/**
 * A vector benchmark dataset as every system sees it: rows `0..count-1`, queries from the same
 * distribution, and the exact top-k of each query (the ground truth recall is measured against). Loaders
 * in `bench/datasets/` build these deterministically from seeds and cache the costly parts on disk.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { InvalidInputError } from "../lib/errors.js";
import { gemmTopK } from "../lib/kernels/ort-kernels.js";
import type { FilterTruth } from "./filters.js";

export interface VectorDataset {
  /** `clustered-10k`, `lorem-50k`… */
  name: string;
  dim: number;
  count: number;
  /** Row-major `count × dim` unit vectors. */
  vectors: Float32Array;
  /** Row-major `queryCount × dim`. */
  queries: Float32Array;
  queryCount: number;
  k: number;
  /** Row-major `queryCount × k`: the exact top-k row ids of each query. */
  truth: Int32Array;
  /** Capsule texts, where the dataset has them. */
  texts?: string[];
  /** How the data was made: generator, seeds, model. */
  source: Record<string, unknown>;
  /** The filters' ground truth (`filters.ts`), where the loader computed it. */
  filters?: FilterTruth[];
}

const SUFFIX: Record<string, number> = { "": 1, k: 1e3, m: 1e6 };

/** `10k` → 10000, `1M` → 1000000, `2500` → 2500; a clear error otherwise. */
export function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(text.trim());
  const value = match ? Number(match[1]) * SUFFIX[match[2].toLowerCase()] : Number.NaN;
  if (!Number.isInteger(value) || value < 1) {
    throw new InvalidInputError(`size "${text}" is not a row count — use e.g. 2000, 10k, 50k, 1M`);
  }
  return value;
}

/** 10000 → `10k`, 1000000 → `1M`, 2500 → `2500`. */
export function sizeLabel(count: number): string {
  if (count % 1e6 === 0) return `${count / 1e6}M`;
  if (count % 1e3 === 0) return `${count / 1e3}k`;
  return String(count);
}

/** Scores one ORT call may hold (64 MB of float32): bounds the query block at large sizes. */
const MAX_SCORES = 1 << 24;

/**
 * The exact top-k rows of every query: an ORT matrix product over all rows, in blocks of up to 256 queries
 * (fewer at large sizes, so a block's score matrix stays within `MAX_SCORES`: 16 queries at 1M rows).
 */
export async function exactTopK(
  vectors: Float32Array,
  queries: Float32Array,
  dim: number,
  k: number,
): Promise<Int32Array> {
  const m = queries.length / dim;
  const step = Math.max(1, Math.min(256, Math.floor(MAX_SCORES / (vectors.length / dim))));
  const out = new Int32Array(m * k);
  for (let start = 0; start < m; start += step) {
    const block = queries.subarray(start * dim, Math.min(m, start + step) * dim);
    const found = await gemmTopK(block, vectors, dim, k);
    out.set(found.rows, start * k);
  }
  return out;
}

/** Reads a cached typed array, or computes it and writes it atomically (so a killed run leaves no half file). */
export async function cached<T extends Float32Array | Int32Array>(
  file: string | undefined,
  make: () => Promise<T> | T,
  wrap: (bytes: ArrayBuffer) => T,
): Promise<T> {
  if (file && existsSync(file)) {
    const bytes = await readFile(file);
    // The file's own buffer when it has one (a large file does): no second copy of a 1.5 GB matrix.
    const owned = bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.byteLength;
    const end = bytes.byteOffset + bytes.byteLength;
    return wrap(owned ? (bytes.buffer as ArrayBuffer) : bytes.buffer.slice(bytes.byteOffset, end));
  }
  const value = await make();
  if (file) {
    await mkdir(dirname(file), { recursive: true });
    const partial = `${file}.${process.pid}.partial`;
    await writeFile(partial, new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    await rename(partial, file);
  }
  return value;
}
