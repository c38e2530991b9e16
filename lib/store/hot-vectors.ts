import { decodeHalves, dotHalf, encodeHalves, HALF_VALUES } from "../kernels/half.js";
import { dot } from "../kernels/top-k.js";
import { idMap, setInIdMap } from "./id-map.js";

/** How the hot vectors hold their values: float32, or half precision (`compact`). */
export type HotPrecision = "f32" | "f16";

/**
 * The store's in-memory copy of its vectors: one growable matrix (row-major, unit-length rows) with an id
 * per row. LanceDB stays the store of record; on open the matrix is read from the store's snapshot (one
 * read into the array kept here) or rebuilt from the table.
 *
 * The matrix is float32 (search kernels read `matrix` directly) or, under a graph index, half precision:
 * the graph finds candidates from its own int8 copy and only a few hundred rows per query are re-scored,
 * so halves cost a table load per element there and save half of the largest thing a store holds
 * (1.5 GB of 2.3 GB at 1M × 384). Halves hold each row minus the mean row at compaction (`centre`), which
 * keeps what tells neighbours apart in embeddings that share one large direction. Readers that work in
 * either precision use `rowsAsFloats`, `gather`, `copyRow` and `dot`; `matrix` is float32 only. The
 * table keeps the exact float32 vectors: what is written back to it never comes from halves.
 */
export class HotVectors {
  private data: Float32Array | Uint16Array;
  /** The row subtracted before halving (zeros while float32), and the rows it was the mean of. */
  private offset: Float32Array;
  private centredAt = 0;
  private rowIds: Int32Array;
  private rows = 0;
  /** Capsule id → row (-1 when absent); ids are dense and increasing, so an array beats a Map here. */
  private rowOf = idMap(1024);
  /** Float32 values decoded from halves (`expand`): close to the table's, not equal to them. */
  private decoded = false;
  /** The arrays are another instance's too (`fork`). */
  private shared = false;

  constructor(
    readonly dim: number,
    capacity = 1024,
  ) {
    this.data = new Float32Array(capacity * dim);
    this.offset = new Float32Array(dim);
    this.rowIds = new Int32Array(capacity);
  }

  /**
   * Hot vectors over existing arrays (a snapshot's), kept without a copy: `ids[row]` is the capsule of row
   * `row` of `data`, halves relative to `centre`. Throws on a duplicate or negative id.
   */
  static adopt(
    dim: number,
    ids: Int32Array,
    data: Float32Array | Uint16Array,
    centre?: Float32Array,
    decoded = false,
  ): HotVectors {
    if (data.length !== ids.length * dim) throw new Error("ids and vectors disagree in length");
    if (data instanceof Uint16Array && centre?.length !== dim) throw new Error("halves without their centre");
    const hot = new HotVectors(dim, 0);
    hot.data = data;
    hot.decoded = decoded && data instanceof Float32Array;
    if (data instanceof Uint16Array) {
      hot.offset = centre as Float32Array;
      hot.centredAt = ids.length;
    }
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

  /**
   * A later state of these rows that shares their arrays: its appends land past this one's rows, where
   * this one never looks, so this one stays whole while the fork is built beside it (no copy of the
   * matrix). The first remove from the fork copies the arrays, as a remove moves rows in place.
   */
  fork(): HotVectors {
    const fork = new HotVectors(this.dim, 0);
    fork.data = this.data;
    fork.offset = this.offset;
    fork.centredAt = this.centredAt;
    fork.rowIds = this.rowIds;
    fork.rows = this.rows;
    fork.rowOf = this.rowOf;
    fork.decoded = this.decoded;
    fork.shared = true;
    return fork;
  }

  get size(): number {
    return this.rows;
  }

  get precision(): HotPrecision {
    return this.data instanceof Uint16Array ? "f16" : "f32";
  }

  /**
   * The values are the table's exactly (float32, never halved since they were read), so a row written
   * back may take its vector from here rather than from the table.
   */
  get exact(): boolean {
    return this.data instanceof Float32Array && !this.decoded;
  }

  /** The first `size` rows as one contiguous float32 view (no copy); only in float32 (see `precision`). */
  get matrix(): Float32Array {
    if (!(this.data instanceof Float32Array))
      throw new Error("hot vectors held as halves have no float32 matrix");
    return this.data.subarray(0, this.rows * this.dim);
  }

  /** The first `size` rows as stored (float32, or halves relative to `centre`), for the snapshot. */
  get stored(): Float32Array | Uint16Array {
    return this.data.subarray(0, this.rows * this.dim);
  }

  /** The row subtracted from every row before halving. */
  get centre(): Float32Array {
    return this.offset;
  }

  /** Rows `start`…`end` as float32: a view in float32, a decoded copy in halves. */
  rowsAsFloats(start: number, end: number): Float32Array {
    const { data, dim } = this;
    return data instanceof Float32Array
      ? data.subarray(start * dim, end * dim)
      : decodeHalves(data, this.offset, start * dim, end * dim);
  }

  /** The listed rows, copied as float32 in that order. */
  gather(rows: ArrayLike<number>): Float32Array {
    const out = new Float32Array(rows.length * this.dim);
    for (let i = 0; i < rows.length; i++) this.copyRow(rows[i], out, i);
    return out;
  }

  /** Row `row` as float32 into row `at` of `out`. */
  copyRow(row: number, out: Float32Array, at: number): void {
    const { data, dim } = this;
    if (data instanceof Float32Array) out.set(data.subarray(row * dim, (row + 1) * dim), at * dim);
    else {
      const { offset } = this;
      for (let j = 0; j < dim; j++) out[at * dim + j] = offset[j] + HALF_VALUES[data[row * dim + j]];
    }
  }

  /**
   * Dot product of row `q` of `queries` with hot row `row`. With halves, pass `toCentre`, the query's dot
   * product with the centre (`toCentre(queries, q)`), when scoring many rows for one query: it is added
   * to the dot product with what the halves hold instead of adding the centre to every value.
   */
  dot(queries: Float32Array, q: number, row: number, toCentre = this.toCentre(queries, q)): number {
    const { data, dim } = this;
    return data instanceof Float32Array
      ? dot(queries, q, data, row, dim)
      : toCentre + dotHalf(queries, q, data, row, dim);
  }

  /** Row `q` of `queries` dotted with the centre (0 in float32, where nothing is subtracted). */
  toCentre(queries: Float32Array, q: number): number {
    if (this.data instanceof Float32Array) return 0;
    return dot(queries, q, this.offset, 0, this.dim);
  }

  /**
   * Holds the values as halves, relative to the mean row, from now on. Once halves, the centre is taken
   * again (every row decoded and encoded) only when the rows have doubled since it was: a centre taken
   * over few rows need not be the mean of many.
   */
  compact(): void {
    if (this.data instanceof Uint16Array && this.rows < 2 * this.centredAt) return;
    const { dim } = this;
    const values = this.rowsAsFloats(0, this.rows);
    const sum = new Float64Array(dim);
    for (let at = 0; at < values.length; at += dim) for (let j = 0; j < dim; j++) sum[j] += values[at + j];
    this.offset = Float32Array.from(sum, (value) => (this.rows > 0 ? value / this.rows : 0));
    this.centredAt = this.rows;
    this.data = encodeHalves(values, this.offset, new Uint16Array(this.capacity * dim));
  }

  /** Holds the values as float32 from now on (a no-op when they are). */
  expand(): void {
    if (this.data instanceof Float32Array) return;
    const data = new Float32Array(this.capacity * this.dim);
    decodeHalves(this.data, this.offset, 0, this.rows * this.dim, data);
    this.data = data;
    this.decoded = true;
    this.offset = new Float32Array(this.dim);
    this.centredAt = 0;
  }

  private get capacity(): number {
    return this.rowIds.length;
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
    const row = id >= 0 && id < this.rowOf.length ? this.rowOf[id] : -1;
    // Past this instance's rows: a fork's append.
    return row < this.rows ? row : -1;
  }

  /** The vector of capsule `id`: a view into the matrix in float32, a decoded copy in halves. */
  vector(id: number): Float32Array | undefined {
    const row = this.rowIndex(id);
    return row < 0 ? undefined : this.rowsAsFloats(row, row + 1);
  }

  /** Appends rows; `vectors` is row-major, `ids.length` rows long. */
  append(ids: ArrayLike<number>, vectors: Float32Array): void {
    const count = ids.length;
    this.reserve(this.rows + count);
    const values = vectors.subarray(0, count * this.dim);
    if (this.data instanceof Float32Array) this.data.set(values, this.rows * this.dim);
    else encodeHalves(values, this.offset, this.data, this.rows * this.dim);
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
    if (this.shared) this.unshare();
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

  private unshare(): void {
    this.data = this.data.slice();
    this.rowIds = this.rowIds.slice();
    this.rowOf = this.rowOf.slice();
    this.shared = false;
  }

  /** Bytes held by the matrix (capacity included). */
  get bytes(): number {
    return this.data.byteLength + this.rowIds.byteLength + this.rowOf.byteLength;
  }

  private reserve(rows: number): void {
    if (rows <= this.rowIds.length) return;
    const capacity = Math.max(rows, Math.ceil(this.rowIds.length * 1.5));
    const data =
      this.data instanceof Float32Array
        ? new Float32Array(capacity * this.dim)
        : new Uint16Array(capacity * this.dim);
    data.set(this.data.subarray(0, this.rows * this.dim));
    const rowIds = new Int32Array(capacity);
    rowIds.set(this.rowIds.subarray(0, this.rows));
    this.data = data;
    this.rowIds = rowIds;
  }
}
