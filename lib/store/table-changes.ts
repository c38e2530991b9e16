/**
 * Reading the table's rows into the hot state, and reading only what changed since a state was read.
 *
 * Lance never rewrites a row where it lies: an add, an update or a merge writes new fragments, whose ids
 * only grow, and marks the rows they replace deleted. A row's address is its fragment id in the high 32
 * bits, so every row inserted or rewritten since a state was read has an address at or above that state's
 * `rowFloor` (one past the highest fragment it read). SIGLA never changes a capsule's vector under its id
 * (a new text is a new capsule), so a rewritten row changes its links, tags, meta or hash, and the row
 * digest only by its hash. A delete is seen in the row count and read by a full scan instead.
 */
import { sha256 } from "./hash.js";
import type { HotVectors } from "./hot-vectors.js";
import type { RowDigest } from "./integrity.js";
import { readTable } from "./reads.js";
import type { CapsuleRecords, RecordInput } from "./records.js";
import type { StoreState } from "./store-state.js";
import { CAPSULE_COLUMNS } from "./table-schema.js";

/** Lance's virtual column: fragment id × 2³² + offset in the fragment. */
const ROW_ADDRESS = "_rowaddr";
const FRAGMENT = 2 ** 32;

/** The columns a state is read from. */
export const STATE_COLUMNS = [...CAPSULE_COLUMNS, "vector", ROW_ADDRESS];

/** The hot state as read from the table, before the store adopts it. */
export interface TableState {
  hot: HotVectors;
  records: CapsuleRecords;
  digest: RowDigest;
  badHash: number[];
  /** One past the highest fragment read (see above); undefined when unknown (an old snapshot). */
  rowFloor?: number;
  /** Rows read from the table to build it. */
  rowsRead: number;
}

/** One row of a batch: the capsule as the records hold it, its vector (a view) and its row address. */
export interface TableRow {
  capsule: RecordInput;
  hashOk: boolean;
  vector: Float32Array;
  address: number;
}

type Batch = import("apache-arrow").RecordBatch;

/** The rows of one batch read with `STATE_COLUMNS`. */
export function* batchRows(batch: Batch, dim: number): Generator<TableRow> {
  const column = (name: string) => {
    const child = batch.getChild(name);
    if (!child) throw new Error(`no column ${name}`);
    return child;
  };
  const ids = column("id").toArray() as Int32Array;
  const vectors = column("vector").data[0];
  const values = vectors.children[0];
  const start = values.offset + vectors.offset * dim;
  const flat = (values.values as Float32Array).subarray(start, start + batch.numRows * dim);
  const addresses = column(ROW_ADDRESS).toArray() as BigUint64Array;
  const [text, tags, links, meta, source, sha, createdAt] = CAPSULE_COLUMNS.slice(1).map(column);
  for (let i = 0; i < batch.numRows; i++) {
    const capsule = {
      id: ids[i],
      text: String(text.get(i)),
      tags: Array.from(tags.get(i)?.toArray() ?? [], String),
      links: links.get(i)?.toArray() ?? [],
      meta: String(meta.get(i)),
      source: source.get(i) ?? null,
      sha256: String(sha.get(i)),
      createdAt: Number(createdAt.get(i)),
    };
    const hashOk = capsule.sha256 === sha256(capsule.text);
    yield { capsule, hashOk, vector: flat.subarray(i * dim, (i + 1) * dim), address: Number(addresses[i]) };
  }
}

/** The floor past a row read at `address`. */
export function floorPast(floor: number, address: number): number {
  return Math.max(floor, (Math.floor(address / FRAGMENT) + 1) * FRAGMENT);
}

/**
 * The state in use moved to the table's current version (`rows` rows) by the rows written since it was
 * read, built beside it; undefined when that cannot be done from those rows alone: capsules were
 * deleted, a row came twice, or a vector changed under its id. The caller then scans the whole table.
 */
export async function readChanges(s: StoreState, rows: number): Promise<TableState | undefined> {
  const floor = s.rowFloor;
  if (floor === undefined) return undefined;
  const batches = await readTable(s, async () => {
    const read: Batch[] = [];
    for await (const batch of s.table.query().where(`${ROW_ADDRESS} >= ${floor}`).select(STATE_COLUMNS))
      read.push(batch);
    return read;
  });
  const hot = s.hot.fork();
  try {
    const state = applyChanges(s, hot, batches, rows, floor);
    if (!state) discardFork(s, hot);
    return state;
  } catch (error) {
    discardFork(s, hot);
    throw error;
  }
}

/**
 * Forgets the rows a fork of the state in use appended (`HotVectors.fork`), for a state that is not
 * adopted: the state in use may append its own rows there later.
 */
export function discardFork(s: StoreState, fork: HotVectors): void {
  fork.truncate(s.hot.size);
}

function applyChanges(
  s: StoreState,
  hot: HotVectors,
  batches: Batch[],
  rows: number,
  floor: number,
): TableState | undefined {
  const records = s.records.fork();
  const digest = s.digest.clone();
  const badHash = new Set(s.badHash);
  const seen = new Set<number>();
  let rowFloor = floor;
  for (const batch of batches) {
    for (const { capsule, hashOk, vector, address } of batchRows(batch, s.dim)) {
      const { id } = capsule;
      if (seen.has(id)) return undefined;
      seen.add(id);
      rowFloor = floorPast(rowFloor, address);
      const before = records.checkedCapsule(id)?.capsule;
      if (!before) {
        hot.append([id], vector);
        digest.toggle(id, capsule.sha256, vector);
      } else {
        if (hot.exact && !sameValues(hot.vector(id) as Float32Array, vector)) return undefined;
        if (before.sha256 !== capsule.sha256) {
          digest.toggle(id, before.sha256, vector).toggle(id, capsule.sha256, vector);
        }
      }
      records.put(capsule, hashOk);
      if (hashOk) badHash.delete(id);
      else badHash.add(id);
    }
  }
  if (hot.size !== rows) return undefined;
  return { hot, records, digest, badHash: [...badHash], rowFloor, rowsRead: seen.size };
}

function sameValues(a: Float32Array, b: Float32Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
