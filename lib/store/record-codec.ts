/**
 * The byte layout of one capsule record in the records' byte arena (`records.ts`): creation time (float64),
 * text, tags, meta (its JSON string), source (or none), then the hash in one of three forms. Strings are
 * UTF-8 with a varint length. A hash equal to `sha256(text)` (what the store always writes) is not kept but
 * recomputed on reading; another well-formed hash takes 32 raw bytes; anything else is kept as it is.
 */
import { sha256 as sha256Of } from "./hash.js";
import type { Capsule } from "./types.js";

/** A capsule as the records keep it: meta stays a JSON string. */
export interface RecordInput extends Omit<Capsule, "meta" | "links"> {
  meta: string;
  links: ArrayLike<number>;
}

const SHA_PREFIX = "sha256:";
const SHA_HEX = /^sha256:[0-9a-f]{64}$/;
/** Hash forms in the encoding: recomputed from the text, 32 raw bytes, or the string as it was. */
const SHA_OF_TEXT = 0;
const SHA_RAW = 1;
const SHA_STRING = 2;

/** A record measured for writing: its size in bytes and the byte lengths the encoder needs. */
export interface RecordPlan {
  size: number;
  derived: boolean;
  raw: boolean;
  textBytes: number;
  tagBytes: number[];
  metaBytes: number;
  /** -1: no source. */
  sourceBytes: number;
  shaBytes: number;
}

function varintBytes(value: number): number {
  let n = 1;
  for (let v = value; v >= 0x80; v = Math.floor(v / 128)) n++;
  return n;
}

/** Encoder and decoder of one record in a Buffer. */
class Cursor {
  constructor(
    public buf: Buffer,
    public at: number,
  ) {}

  varint(value: number): void {
    let v = value;
    while (v >= 0x80) {
      this.buf[this.at++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.at++] = v;
  }

  string(value: string, bytes: number): void {
    this.varint(bytes);
    this.at += this.buf.write(value, this.at, bytes, "utf8");
  }

  readVarint(): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      const byte = this.buf[this.at++];
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
  }

  readString(): string {
    const bytes = this.readVarint();
    const value = this.buf.toString("utf8", this.at, this.at + bytes);
    this.at += bytes;
    return value;
  }
}

/**
 * Measures the record of `capsule`. `shaOfText` says the hash is known to be `sha256(text)` (it is checked
 * when not given).
 */
export function planRecord(capsule: RecordInput, shaOfText?: boolean): RecordPlan {
  const derived = shaOfText ?? capsule.sha256 === sha256Of(capsule.text);
  const raw = !derived && SHA_HEX.test(capsule.sha256);
  const textBytes = Buffer.byteLength(capsule.text);
  const tagBytes = capsule.tags.map((t) => Buffer.byteLength(t));
  const metaBytes = Buffer.byteLength(capsule.meta);
  const sourceBytes = capsule.source === null ? -1 : Buffer.byteLength(capsule.source);
  const shaBytes = derived ? 0 : raw ? 32 : Buffer.byteLength(capsule.sha256);
  let size = 8 + varintBytes(textBytes) + textBytes + varintBytes(capsule.tags.length);
  for (const b of tagBytes) size += varintBytes(b) + b;
  size += varintBytes(metaBytes) + metaBytes + varintBytes(sourceBytes + 1) + Math.max(0, sourceBytes);
  size += 1 + (derived || raw ? shaBytes : varintBytes(shaBytes) + shaBytes);
  return { size, derived, raw, textBytes, tagBytes, metaBytes, sourceBytes, shaBytes };
}

/** Writes the record of `capsule`, measured by `planRecord`, at `at` in `buf`. */
export function writeRecord(buf: Buffer, at: number, capsule: RecordInput, plan: RecordPlan): void {
  const c = new Cursor(buf, at);
  buf.writeDoubleLE(capsule.createdAt, c.at);
  c.at += 8;
  c.string(capsule.text, plan.textBytes);
  c.varint(capsule.tags.length);
  capsule.tags.forEach((tag, i) => {
    c.string(tag, plan.tagBytes[i]);
  });
  c.string(capsule.meta, plan.metaBytes);
  c.varint(plan.sourceBytes + 1);
  if (capsule.source !== null) c.at += buf.write(capsule.source, c.at, plan.sourceBytes, "utf8");
  if (plan.derived) {
    buf[c.at++] = SHA_OF_TEXT;
  } else if (plan.raw) {
    buf[c.at++] = SHA_RAW;
    c.at += buf.write(capsule.sha256.slice(SHA_PREFIX.length), c.at, 32, "hex");
  } else {
    buf[c.at++] = SHA_STRING;
    c.string(capsule.sha256, plan.shaBytes);
  }
}

/**
 * Decodes the record at `at` in `buf` (a fresh copy of every field but id and links), and whether its hash
 * is the hash of its text.
 */
export function readRecord(
  buf: Buffer,
  at: number,
): { fields: Omit<Capsule, "id" | "links">; hashOk: boolean } {
  const c = new Cursor(buf, at);
  const createdAt = buf.readDoubleLE(c.at);
  c.at += 8;
  const text = c.readString();
  const tags: string[] = [];
  for (let n = c.readVarint(); n > 0; n--) tags.push(c.readString());
  const meta = JSON.parse(c.readString()) as Capsule["meta"];
  const sourceBytes = c.readVarint() - 1;
  let source: string | null = null;
  if (sourceBytes >= 0) {
    source = buf.toString("utf8", c.at, c.at + sourceBytes);
    c.at += sourceBytes;
  }
  const form = buf[c.at++];
  const sha256 =
    form === SHA_OF_TEXT
      ? sha256Of(text)
      : form === SHA_RAW
        ? `${SHA_PREFIX}${buf.toString("hex", c.at, c.at + 32)}`
        : c.readString();
  return { fields: { text, tags, meta, source, sha256, createdAt }, hashOk: form === SHA_OF_TEXT };
}
