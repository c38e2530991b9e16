/**
 * The store's in-memory copy of every capsule except its vector, packed into a few typed arrays instead of
 * one JS object per capsule (50k small capsules: ~4 MB here, ~23 MB as objects in a Map).
 *
 * - Text, tags, meta (as its JSON string), source, hash and creation time are encoded into one byte arena;
 *   `capsule(id)` decodes a fresh copy, so callers can never change the store's state through a result.
 * - Links live in an Int32 arena, read by graph walks without decoding anything else.
 * - Both arenas are indexed by id (ids are dense and increasing). A record that changes is written again
 *   at the end (or in place when it fits); the space left behind is reclaimed by compacting once it
 *   outgrows the live data.
 * - How one record is laid out in the byte arena is `record-codec.ts`.
 */
import { planRecord, type RecordInput, readRecord, writeRecord } from "./record-codec.js";
import type { Capsule } from "./types.js";

export type { RecordInput } from "./record-codec.js";

/** Everything a snapshot needs to restore the records, compacted (no garbage). */
export interface RecordParts {
  /** Per id: start of its record in `bytes`, and its length (0: no capsule with this id). */
  start: Uint32Array;
  length: Uint32Array;
  /** Per id: first link in `links`, and how many. */
  linkStart: Uint32Array;
  linkCount: Uint32Array;
  bytes: Uint8Array;
  links: Int32Array;
}

/** Garbage below this many bytes (or link slots) is never worth a compaction. */
const MIN_GARBAGE = 1 << 16;

function grow<T extends Uint32Array | Int32Array | Uint8Array>(array: T, needed: number, fill?: number): T {
  if (needed <= array.length) return array;
  const Ctor = array.constructor as new (length: number) => T;
  const out = new Ctor(Math.max(needed, Math.ceil(array.length * 1.5), 16));
  out.set(array);
  if (fill !== undefined) out.fill(fill, array.length);
  return out;
}

export class CapsuleRecords {
  private start: Uint32Array;
  private length: Uint32Array;
  private linkStart: Uint32Array;
  private linkCount: Uint32Array;
  private bytes: Uint8Array;
  /** A Buffer over `bytes` (same memory) for string encoding and decoding. */
  private buf: Buffer;
  private links: Int32Array;
  private bytesUsed: number;
  private linksUsed: number;
  private bytesGarbage = 0;
  private linksGarbage = 0;
  private count = 0;
  private linkTotal = 0;
  /** The arenas are another instance's too (`fork`): nothing is written over in place. */
  private shared = false;

  private constructor(parts: RecordParts) {
    this.start = parts.start;
    this.length = parts.length;
    this.linkStart = parts.linkStart;
    this.linkCount = parts.linkCount;
    this.bytes = parts.bytes;
    this.buf = Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    this.links = parts.links;
    this.bytesUsed = parts.bytes.length;
    this.linksUsed = parts.links.length;
    for (let id = 0; id < this.length.length; id++) {
      if (this.length[id] > 0) {
        this.count++;
        this.linkTotal += this.linkCount[id];
      }
    }
  }

  static empty(): CapsuleRecords {
    return new CapsuleRecords({
      start: new Uint32Array(0),
      length: new Uint32Array(0),
      linkStart: new Uint32Array(0),
      linkCount: new Uint32Array(0),
      bytes: new Uint8Array(0),
      links: new Int32Array(0),
    });
  }

  /** Records from a snapshot's arrays, which they keep (no copy). Throws when the arrays disagree. */
  static fromParts(parts: RecordParts): CapsuleRecords {
    const ids = parts.start.length;
    if ([parts.length, parts.linkStart, parts.linkCount].some((a) => a.length !== ids)) {
      throw new Error("record arrays of different lengths");
    }
    for (let id = 0; id < ids; id++) {
      if (parts.length[id] > 0 && parts.start[id] + parts.length[id] > parts.bytes.length) {
        throw new Error(`record ${id} runs past the byte arena`);
      }
      if (parts.linkStart[id] + parts.linkCount[id] > parts.links.length) {
        throw new Error(`links of record ${id} run past the link arena`);
      }
    }
    return new CapsuleRecords(parts);
  }

  /**
   * A later state of these records built beside this one: its own per-capsule arrays, the byte and link
   * arenas shared. While they are, the fork writes only past what is used, never over a record this
   * one may read, so this one stays whole (no copy of the arenas).
   */
  fork(): CapsuleRecords {
    const fork = new CapsuleRecords({
      start: this.start.slice(),
      length: this.length.slice(),
      linkStart: this.linkStart.slice(),
      linkCount: this.linkCount.slice(),
      bytes: this.bytes,
      links: this.links,
    });
    fork.bytesUsed = this.bytesUsed;
    fork.linksUsed = this.linksUsed;
    fork.bytesGarbage = this.bytesGarbage;
    fork.linksGarbage = this.linksGarbage;
    fork.shared = true;
    return fork;
  }

  /** Number of capsules. */
  get size(): number {
    return this.count;
  }

  /** Sum of every capsule's link count (each undirected link counts twice). */
  get linkEntries(): number {
    return this.linkTotal;
  }

  /** Bytes held (capacity included). */
  get heldBytes(): number {
    return (
      this.start.byteLength +
      this.length.byteLength +
      this.linkStart.byteLength +
      this.linkCount.byteLength +
      this.bytes.byteLength +
      this.links.byteLength
    );
  }

  has(id: number): boolean {
    return id >= 0 && id < this.length.length && this.length[id] > 0;
  }

  /** The links of `id` (a view: read it before the next change), empty when there is no such capsule. */
  linksView(id: number): Int32Array {
    if (!this.has(id)) return this.links.subarray(0, 0);
    const from = this.linkStart[id];
    return this.links.subarray(from, from + this.linkCount[id]);
  }

  /** The links of `id` as a fresh array. */
  linksOf(id: number): number[] {
    return Array.from(this.linksView(id));
  }

  /**
   * Adds or replaces the record of `capsule.id`. `shaOfText` says the hash is known to be `sha256(text)`
   * (it is checked when not given).
   */
  put(capsule: RecordInput, shaOfText?: boolean): void {
    const { id } = capsule;
    const plan = planRecord(capsule, shaOfText);
    const { size } = plan;
    this.reserveIds(id + 1);
    const existed = this.has(id);
    let at: number;
    if (existed && size <= this.length[id] && !this.shared) {
      at = this.start[id];
      this.bytesGarbage += this.length[id] - size;
    } else {
      if (existed) this.bytesGarbage += this.length[id];
      this.reserveBytes(this.bytesUsed + size);
      at = this.bytesUsed;
      this.bytesUsed += size;
    }
    writeRecord(this.buf, at, capsule, plan);
    this.start[id] = at;
    this.length[id] = size;
    if (!existed) {
      this.count++;
      this.linkCount[id] = 0;
    }
    this.setLinks(id, capsule.links);
  }

  /** Replaces the links of an existing capsule. */
  setLinks(id: number, links: ArrayLike<number>): void {
    if (!this.has(id)) throw new Error(`no record ${id}`);
    const old = this.linkCount[id];
    let at: number;
    if (links.length <= old && !this.shared) {
      at = this.linkStart[id];
      this.linksGarbage += old - links.length;
    } else {
      this.linksGarbage += old;
      this.reserveLinks(this.linksUsed + links.length);
      at = this.linksUsed;
      this.linksUsed += links.length;
    }
    for (let i = 0; i < links.length; i++) this.links[at + i] = links[i];
    this.linkStart[id] = at;
    this.linkCount[id] = links.length;
    this.linkTotal += links.length - old;
    this.compactIfWasteful();
  }

  delete(id: number): void {
    if (!this.has(id)) return;
    this.bytesGarbage += this.length[id];
    this.linksGarbage += this.linkCount[id];
    this.linkTotal -= this.linkCount[id];
    this.length[id] = 0;
    this.start[id] = 0;
    this.linkStart[id] = 0;
    this.linkCount[id] = 0;
    this.count--;
    this.compactIfWasteful();
  }

  /** A fresh copy of the capsule `id`, or undefined. */
  capsule(id: number): Capsule | undefined {
    return this.checkedCapsule(id)?.capsule;
  }

  /**
   * A fresh copy of the capsule `id` and whether its stored hash is the hash of its text (false: the text
   * or the hash was changed in the table by something other than the store).
   */
  checkedCapsule(id: number): { capsule: Capsule; hashOk: boolean } | undefined {
    if (!this.has(id)) return undefined;
    const { fields, hashOk } = readRecord(this.buf, this.start[id]);
    const { text, tags, meta, source, sha256, createdAt } = fields;
    return { capsule: { id, text, tags, links: this.linksOf(id), meta, source, sha256, createdAt }, hashOk };
  }

  /** Ids of every capsule, increasing. */
  *ids(): IterableIterator<number> {
    for (let id = 0; id < this.length.length; id++) if (this.length[id] > 0) yield id;
  }

  /** The arrays to persist, compacted and trimmed to the largest id (views: write them before changing). */
  parts(): RecordParts {
    if (this.bytesGarbage > 0 || this.linksGarbage > 0) this.compact();
    let ids = this.length.length;
    while (ids > 0 && this.length[ids - 1] === 0) ids--;
    return {
      start: this.start.subarray(0, ids),
      length: this.length.subarray(0, ids),
      linkStart: this.linkStart.subarray(0, ids),
      linkCount: this.linkCount.subarray(0, ids),
      bytes: this.bytes.subarray(0, this.bytesUsed),
      links: this.links.subarray(0, this.linksUsed),
    };
  }

  private reserveIds(ids: number): void {
    if (ids <= this.length.length) return;
    const size = Math.max(ids, this.length.length * 2);
    this.start = grow(this.start, size);
    this.length = grow(this.length, size);
    this.linkStart = grow(this.linkStart, size);
    this.linkCount = grow(this.linkCount, size);
  }

  private reserveBytes(bytes: number): void {
    if (bytes <= this.bytes.length) return;
    if (bytes > 0xffffffff)
      throw new Error("the capsule records outgrow 4 GiB, the most one store holds in memory");
    this.bytes = grow(this.bytes, bytes);
    this.buf = Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
  }

  private reserveLinks(slots: number): void {
    this.links = grow(this.links, slots);
  }

  private compactIfWasteful(): void {
    const bytes = this.bytesGarbage > MIN_GARBAGE && this.bytesGarbage > this.bytesUsed / 2;
    const links = this.linksGarbage > MIN_GARBAGE && this.linksGarbage > this.linksUsed / 2;
    if (bytes || links) this.compact();
  }

  /** Rewrites both arenas with the live records only, in id order, sized to fit. */
  private compact(): void {
    const bytes = new Uint8Array(this.bytesUsed - this.bytesGarbage);
    const links = new Int32Array(this.linksUsed - this.linksGarbage);
    let b = 0;
    let l = 0;
    for (let id = 0; id < this.length.length; id++) {
      const size = this.length[id];
      if (size === 0) continue;
      bytes.set(this.bytes.subarray(this.start[id], this.start[id] + size), b);
      this.start[id] = b;
      b += size;
      const n = this.linkCount[id];
      links.set(this.links.subarray(this.linkStart[id], this.linkStart[id] + n), l);
      this.linkStart[id] = l;
      l += n;
    }
    this.bytes = bytes;
    this.buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.links = links;
    this.bytesUsed = b;
    this.linksUsed = l;
    this.bytesGarbage = 0;
    this.linksGarbage = 0;
    this.shared = false;
  }
}
