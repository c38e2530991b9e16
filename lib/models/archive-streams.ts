/**
 * The compression layer of `.capsulegraph` (gzip) and `.capsulemod` (zstd) archives. Node 20's zlib has
 * no zstd, so zstd goes through two libraries: `@bokuweb/zstd-wasm` compresses (one-shot, so the tar is
 * cut into independent frames of `ZSTD_FRAME_BYTES`; concatenated frames are one valid zstd stream) and
 * `fzstd` decompresses as a stream, so an unpack counts every decompressed chunk and stops a bomb at
 * its bound instead of expanding it.
 */
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { pipeline, Transform, type TransformCallback } from "node:stream";
import { createGunzip, createGzip } from "node:zlib";
import { compress, init } from "@bokuweb/zstd-wasm";
import { Decompress } from "fzstd";
import { ArchiveError } from "../errors.js";

/** How an archive's tar stream is compressed. */
export type Compression = "gzip" | "zstd";

/** What the first bytes of a file say it is: a compressed stream or (anything else) a plain tar. */
export type ArchiveFormat = Compression | "tar";

const GZIP_MAGIC = [0x1f, 0x8b];
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];
/** Size of one zstd frame when packing: bounds the memory of the one-shot compressor. */
const ZSTD_FRAME_BYTES = 4 << 20;
/**
 * zstd's fast level -1 stores literals raw (no Huffman): model weights barely compress anyway (a 20 MiB
 * F32 LoRA is 0.92 of its size at level 9, 1.00 at -1), and raw literals decode at memory speed — fzstd
 * unpacks that adapter in 16 ms instead of 290, which is most of `module add` and of a first attach.
 */
const ZSTD_LEVEL = -1;
/** The largest zstd window (history buffer) an unpack allocates; `zstd --long=27` stays under it. */
const MAX_ZSTD_WINDOW = 512 << 20;
/** Bytes read from disk at a time. */
const READ_BYTES = 1 << 20;
/**
 * Compressed bytes handed to fzstd per push. A zstd block of 128 KiB of one repeated byte takes 4 bytes,
 * and fzstd decodes every whole block it holds in one call: a slice bounds each call's output (4 KiB: at
 * most 128 MiB, however the stream was crafted) while keeping the per-push cost small (256-byte slices made
 * a 20 MiB module unpack in 650 ms, 4 KiB in 70 ms).
 */
const ZSTD_SLICE_BYTES = 4096;

function startsWith(head: Uint8Array, magic: number[]): boolean {
  return head.length >= magic.length && magic.every((byte, i) => head[i] === byte);
}

/** Whether `head` (the first bytes of a stream) opens a gzip or zstd stream, or neither. */
export function formatOf(head: Uint8Array): ArchiveFormat {
  if (startsWith(head, GZIP_MAGIC)) return "gzip";
  if (startsWith(head, ZSTD_MAGIC)) return "zstd";
  return "tar";
}

/** The first `length` bytes of a file (fewer if it is shorter). */
export async function readHead(file: string, length = 32): Promise<Uint8Array> {
  const handle = await open(file, "r");
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function littleEndian(bytes: Uint8Array, at: number, length: number): number {
  let value = 0;
  for (let i = length - 1; i >= 0; i--) value = value * 256 + (bytes[at + i] ?? 0);
  return value;
}

/**
 * The window a zstd frame header declares (RFC 8878 §3.1.1.1), and whether it is a single segment, in
 * which case the window is the frame's whole decompressed size. fzstd allocates the window up front.
 */
export function zstdWindow(head: Uint8Array): { window: number; singleSegment: boolean } | undefined {
  if (!startsWith(head, ZSTD_MAGIC) || head.length < 6) return undefined;
  const descriptor = head[4] ?? 0;
  const singleSegment = ((descriptor >> 5) & 1) === 1;
  const sizeFlag = descriptor >> 6;
  let at = 5;
  let window = 0;
  if (!singleSegment) {
    const byte = head[5] ?? 0;
    const base = 2 ** (10 + (byte >> 3));
    window = base + (base / 8) * (byte & 7);
    at = 6;
  }
  at += [0, 1, 2, 4][descriptor & 3] ?? 0;
  const sizeBytes = sizeFlag ? 1 << sizeFlag : singleSegment ? 1 : 0;
  if (singleSegment) window = littleEndian(head, at, sizeBytes) + (sizeBytes === 2 ? 256 : 0);
  return { window, singleSegment };
}

/**
 * Refuses a zstd stream whose first frame would make the decoder allocate more than `MAX_ZSTD_WINDOW`, or
 * (single segment) declares more decompressed bytes than `bound`: either is refused before a byte is decoded.
 */
export function checkZstdWindow(file: string, head: Uint8Array, bound: number): void {
  const frame = zstdWindow(head);
  if (!frame) return;
  if (frame.window > MAX_ZSTD_WINDOW || (frame.singleSegment && frame.window > bound)) {
    throw new ArchiveError(
      "SIGLA_ARCHIVE_TOO_LARGE",
      `${file}: its zstd frame declares ${frame.window} bytes (${frame.singleSegment ? "content" : "window"}), beyond the bound of ${Math.min(bound, MAX_ZSTD_WINDOW)}`,
    );
  }
}

/**
 * The decompressed bytes of `file`, chunk by chunk, as the disk delivers them: the caller counts each
 * chunk before using it. Closing the iteration early closes the file.
 */
export async function* decompressedChunks(
  file: string,
  format: ArchiveFormat,
): AsyncGenerator<Uint8Array, void, undefined> {
  const source = createReadStream(file, { highWaterMark: READ_BYTES });
  try {
    if (format === "zstd") yield* zstdChunks(source);
    else
      yield* (
        format === "gzip" ? pipeline(source, createGunzip(), () => {}) : source
      ) as AsyncIterable<Buffer>;
  } finally {
    source.destroy();
  }
}

/**
 * zstd through fzstd, pushed `ZSTD_SLICE_BYTES` at a time so one push yields a bounded amount (1024
 * run-length blocks of 128 KiB at most) however the stream was crafted. fzstd does not check the optional
 * content checksum: a flipped byte in a stored block goes through (the sha256 of meta.json catches it).
 */
async function* zstdChunks(source: AsyncIterable<Buffer>): AsyncGenerator<Uint8Array, void, undefined> {
  let pending: Uint8Array[] = [];
  const decoder = new Decompress((data) => {
    if (data.length > 0) pending.push(data);
  });
  const take = (): Uint8Array[] => {
    const out = pending;
    pending = [];
    return out;
  };
  for await (const raw of source) {
    for (let at = 0; at < raw.length; at += ZSTD_SLICE_BYTES) {
      decoder.push(raw.subarray(at, at + ZSTD_SLICE_BYTES));
      yield* take();
    }
  }
  decoder.push(new Uint8Array(0), true);
  yield* take();
}

let zstdReady: Promise<void> | undefined;

/**
 * Loads the zstd-wasm module once; call before `compressor("zstd")`, and never zstd-wasm's own `init()`:
 * a second `init()` swaps in a new wasm memory under functions already bound to the first, and every
 * later frame comes out corrupt.
 */
export function loadZstd(): Promise<void> {
  zstdReady ??= init();
  return zstdReady;
}

/** A transform that cuts its input into `ZSTD_FRAME_BYTES` pieces and writes each as one zstd frame. */
class ZstdFrames extends Transform {
  private parts: Buffer[] = [];
  private size = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.parts.push(chunk);
    this.size += chunk.length;
    if (this.size >= ZSTD_FRAME_BYTES) this.frame();
    done();
  }

  override _flush(done: TransformCallback): void {
    if (this.size > 0) this.frame();
    done();
  }

  private frame(): void {
    const input = Buffer.concat(this.parts, this.size);
    this.parts = [];
    this.size = 0;
    this.push(compress(input, ZSTD_LEVEL));
  }
}

/** A compressing transform for `compression` (for zstd, `await loadZstd()` first). */
export function compressor(compression: Compression): Transform {
  return compression === "gzip" ? createGzip({ level: 6 }) : new ZstdFrames();
}
