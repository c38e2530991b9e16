/**
 * The Arrow schema of the `capsules` table and the conversions between rows and Arrow. Vectors are built as
 * one contiguous Float32 buffer per batch, so a 50k-row write does not touch 19M JS numbers one by one.
 */
import { createRequire } from "node:module";
import type { Schema as SchemaType, Table as TableType, Vector as VectorType } from "apache-arrow";
import type { Capsule } from "./types.js";

// LanceDB loads apache-arrow through require(); an ESM import would give a second copy of the classes and
// LanceDB's instanceof checks would reject our tables. So take Arrow from the same CommonJS entry.
export const arrow = createRequire(import.meta.url)("apache-arrow") as typeof import("apache-arrow");
const {
  Field,
  FixedSizeList,
  Float32,
  Float64,
  Int32,
  List,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  Utf8,
  Vector,
  vectorFromArray,
} = arrow;

export const TABLE_NAME = "capsules";

/** A row as written: the capsule plus its (unit-length) vector. */
export interface CapsuleRow extends Capsule {
  vector: Float32Array;
}

/** The vector column's type: `dim` float32 values per row. */
const vectorType = (dim: number) => new FixedSizeList(dim, new Field("item", new Float32(), true));

/** A zero-copy vector column over row-major `flat` (`flat.length / dim` rows). */
export function vectorColumn(flat: Float32Array, dim: number): VectorType {
  const n = flat.length / dim;
  const child = makeData({ type: new Float32(), length: n * dim, data: flat });
  return new Vector([makeData({ type: vectorType(dim), length: n, nullCount: 0, child })]);
}

/**
 * The table's schema; `metadata` travels with the table (a store on object storage keeps its embedder and
 * id there, for machines that have no manifest of it yet).
 */
export function capsuleSchema(dim: number, metadata?: Map<string, string>): SchemaType {
  return new Schema(
    [
      new Field("id", new Int32(), false),
      new Field("text", new Utf8(), false),
      new Field("vector", vectorType(dim), false),
      new Field("tags", new List(new Field("item", new Utf8(), true)), false),
      new Field("links", new List(new Field("item", new Int32(), true)), false),
      new Field("meta", new Utf8(), false),
      new Field("source", new Utf8(), true),
      new Field("sha256", new Utf8(), false),
      new Field("created_at", new Float64(), false),
    ],
    metadata,
  );
}

/** Builds an Arrow table of `rows` in the store's schema. */
export function rowsToArrow(rows: readonly CapsuleRow[], dim: number): TableType {
  const schema = capsuleSchema(dim);
  const n = rows.length;
  const flat = new Float32Array(n * dim);
  rows.forEach((row, i) => {
    flat.set(row.vector, i * dim);
  });
  const columns = {
    id: vectorFromArray(Int32Array.from(rows, (r) => r.id)),
    text: vectorFromArray(
      rows.map((r) => r.text),
      new Utf8(),
    ),
    vector: vectorColumn(flat, dim),
    tags: vectorFromArray(
      rows.map((r) => r.tags),
      schema.fields[3].type,
    ),
    links: vectorFromArray(
      rows.map((r) => r.links),
      schema.fields[4].type,
    ),
    meta: vectorFromArray(
      rows.map((r) => JSON.stringify(r.meta)),
      new Utf8(),
    ),
    source: vectorFromArray(
      rows.map((r) => r.source),
      new Utf8(),
    ),
    sha256: vectorFromArray(
      rows.map((r) => r.sha256),
      new Utf8(),
    ),
    created_at: vectorFromArray(Float64Array.from(rows, (r) => r.createdAt)),
  };
  const data = makeData({
    type: new Struct(schema.fields),
    length: n,
    nullCount: 0,
    children: schema.fields.map((f) => columns[f.name as keyof typeof columns].data[0]),
  });
  return new Table(schema, [new RecordBatch(schema, data)]);
}

/** Columns read back for a capsule (everything but the vector). */
export const CAPSULE_COLUMNS = ["id", "text", "tags", "links", "meta", "source", "sha256", "created_at"];

/** Converts a row object returned by LanceDB's `toArray()` into a `Capsule`. */
export function rowToCapsule(row: Record<string, unknown>): Capsule {
  return {
    id: Number(row.id),
    text: String(row.text),
    tags: listToArray(row.tags).map(String),
    links: listToArray(row.links).map(Number),
    meta: JSON.parse(String(row.meta)) as Capsule["meta"],
    source: row.source == null ? null : String(row.source),
    sha256: String(row.sha256),
    createdAt: Number(row.created_at),
  };
}

function listToArray(value: unknown): unknown[] {
  if (value == null) return [];
  if (Array.isArray(value)) return value;
  if (typeof (value as VectorType).toArray === "function") return Array.from((value as VectorType).toArray());
  return Array.from(value as Iterable<unknown>);
}
