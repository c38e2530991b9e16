import { idMap, setInIdMap } from "./id-map.js";

/**
 * The store's in-memory copy of its vectors: one growable Float32 matrix (row-major, unit-length rows) with
 * an id per row. Search kernels read it directly. LanceDB stays the store of record; on open the matrix is
 * read from the store's snapshot (one read into the array kept here) or rebuilt from the table.
 */
export class HotVectors {
  private data: Float32Array;
  private rowIds: Int32Array;
  private rows = 0;
  /** Capsule id → row (-1 when absent); ids are dense and increasing, so an array beats a Map here. */
  private rowOf = idMap(1024);

  constructor(
    readonly dim: number,
    capacity = 1024,
  ) {
    this.data = new Float32Array(capacity * dim);
    this.rowIds = new Int32Array(capacity);
  }

  /**
   * Hot vectors over existing arrays (a snapshot's), kept without a copy: `ids[row]` is the capsule of row
   * `row` of `data`. Throws on a duplicate or negative id.
   */
  static adopt(dim: number, ids: Int32Array, data: Float32Array): HotVectors {
    if (data.length !== ids.length * dim) throw new Error("ids and vectors disagree in length");
    const hot = new HotVectors(dim, 0);
    hot.data = data;
    hot.rowIds = ids;
    let max = -1;
    for (const id of ids) max = Math.max(max, id);
    hot.rowOf = idMap(max + 1);
    for (let row = 0; row < ids.length; row++) {
      const id = ids[row];
      if (id < 0 || hot.rowOf[id] >= 0) throw new Error(`bad or repeated id ${id}`);
      hot.rowOf[id] = row;
    }
    hot.rows = ids.length;
    return hot;
  }

  get size(): number {
    return this.rows;
  }

  /** The first `size` rows as one contiguous view (no copy). */
  get matrix(): Float32Array {
    return this.data.subarray(0, this.rows * this.dim);
  }

  /** Row index → capsule id, for the first `size` rows. */
  get ids(): Int32Array {
    return this.rowIds.subarray(0, this.rows);
  }

  has(id: number): boolean {
    return this.rowIndex(id) >= 0;
  }

  /** The row of capsule `id`, or -1. */
  rowIndex(id: number): number {
    return id >= 0 && id < this.rowOf.length ? this.rowOf[id] : -1;
  }

  /** The vector of capsule `id` (a view into the matrix). */
  vector(id: number): Float32Array | undefined {
    const row = this.rowIndex(id);
    return row < 0 ? undefined : this.data.subarray(row * this.dim, (row + 1) * this.dim);
  }

  /** Appends rows; `vectors` is row-major, `ids.length` rows long. */
  append(ids: ArrayLike<number>, vectors: Float32Array): void {
    const count = ids.length;
    this.reserve(this.rows + count);
    this.data.set(vectors.subarray(0, count * this.dim), this.rows * this.dim);
    for (let i = 0; i < count; i++) {
      this.rowIds[this.rows + i] = ids[i];
      this.mapRow(ids[i], this.rows + i);
    }
    this.rows += count;
  }

  /** Drops the rows from `size` on (undoes an `append` whose write failed). */
  truncate(size: number): void {
    for (let row = size; row < this.rows; row++) this.rowOf[this.rowIds[row]] = -1;
    this.rows = Math.min(this.rows, size);
  }

  private mapRow(id: number, row: number): void {
    this.rowOf = setInIdMap(this.rowOf, id, row);
  }

  /** Removes capsule `id` by moving the last row into its place. */
  remove(id: number): void {
    const row = this.rowIndex(id);
    if (row < 0) return;
    const last = this.rows - 1;
    if (row !== last) {
      this.data.copyWithin(row * this.dim, last * this.dim, (last + 1) * this.dim);
      const moved = this.rowIds[last];
      this.rowIds[row] = moved;
      this.rowOf[moved] = row;
    }
    this.rowOf[id] = -1;
    this.rows = last;
  }

  /** Bytes held by the matrix (capacity included). */
  get bytes(): number {
    return this.data.byteLength + this.rowIds.byteLength + this.rowOf.byteLength;
  }

  private reserve(rows: number): void {
    if (rows <= this.rowIds.length) return;
    const capacity = Math.max(rows, Math.ceil(this.rowIds.length * 1.5));
    const data = new Float32Array(capacity * this.dim);
    data.set(this.data.subarray(0, this.rows * this.dim));
    const rowIds = new Int32Array(capacity);
    rowIds.set(this.rowIds.subarray(0, this.rows));
    this.data = data;
    this.rowIds = rowIds;
  }
}
