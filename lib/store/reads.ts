/**
 * Reading capsules: from the in-memory records by id, or from the table by filter. Either way a capsule whose
 * text no longer matches its hash is not handed out silently.
 */
import { InvalidInputError, SiglaError, StoreError } from "../errors.js";
import { sha256 } from "./hash.js";
import { damaged, MISSING_FILE } from "./store-errors.js";
import type { StoreState } from "./store-state.js";
import { CAPSULE_COLUMNS, rowToCapsule } from "./table-schema.js";
import type { Capsule, ListOptions } from "./types.js";
import { checkPositiveInt, checkWhere, LIMITS, shortError } from "./validate.js";

/**
 * Runs a LanceDB read. A caller's filter that LanceDB rejects is `SIGLA_INVALID_INPUT` (one line, not
 * LanceDB's page of Rust paths); files of this handle's version removed by another process's clean-up
 * mean moving to the latest version and reading once more; anything else is `SIGLA_STORE_DAMAGED`.
 */
export async function readTable<T>(s: StoreState, call: () => Promise<T>, filter?: string): Promise<T> {
  try {
    return await call();
  } catch (first) {
    if (filter && !MISSING_FILE.test(String(first))) {
      throw new InvalidInputError(`bad filter "${filter.slice(0, 200)}": ${shortError(first)}`, {
        cause: first,
      });
    }
    try {
      await s.table.checkoutLatest();
      return await call();
    } catch (error) {
      if (error instanceof SiglaError) throw error;
      throw damaged(s.path, "cannot read the capsule table", error);
    }
  }
}

/** Capsules by id, in the order asked (unknown ids are skipped); fresh copies of the in-memory records. */
export function fetchCapsules(s: StoreState, ids: Iterable<number>): Capsule[] {
  const out: Capsule[] = [];
  const bad: number[] = [];
  for (const id of ids) {
    const read = s.records.checkedCapsule(id);
    if (!read) continue;
    if (!read.hashOk) bad.push(id);
    out.push(read.capsule);
  }
  assertHashes(s, bad);
  return out;
}

/** Capsules whose text does not match its hash, in id order. */
export function changedTexts(s: StoreState): number[] {
  return [...s.badHash].sort((a, b) => a - b);
}

/** Reading a capsule whose text no longer matches its hash fails loudly, naming it and the way out. */
function assertHashes(s: StoreState, bad: number[]): void {
  if (bad.length === 0) return;
  throw new StoreError(
    "SIGLA_HASH_MISMATCH",
    `capsule${bad.length > 1 ? "s" : ""} ${bad.slice(0, 10).join(", ")}${bad.length > 10 ? ` and ${bad.length - 10} more` : ""} of ${s.path}: the text no longer matches its sha256 (changed outside SIGLA); run \`sigla doctor -s ${s.path}\``,
  );
}

/** Capsules matching a LanceDB SQL filter, in id order (no vectors), read from the table. */
export async function listCapsules(s: StoreState, options: ListOptions): Promise<Capsule[]> {
  const where = options.where === undefined ? undefined : checkWhere(options.where);
  const limit =
    options.limit === undefined ? undefined : checkPositiveInt(options.limit, "limit", 1, LIMITS.list);
  const rows = await readTable(
    s,
    () => {
      let query = s.table.query().select(CAPSULE_COLUMNS);
      if (where) query = query.where(where);
      if (limit !== undefined) query = query.limit(limit);
      return query.toArray();
    },
    where,
  );
  const capsules = rows.map(rowToCapsule).sort((a, b) => a.id - b.id);
  assertHashes(
    s,
    capsules.filter((c) => c.sha256 !== sha256(c.text)).map((c) => c.id),
  );
  return capsules;
}

/** Ids per table read of `storedVectors` (the filter lists them). */
const VECTOR_READ_IDS = 4096;

/**
 * The exact float32 vectors of these capsules, for rows written back to the table and for its row digest:
 * views into the hot copy while it holds them exactly, read from the table while it holds halves or
 * float32 decoded from halves (a rewrite from either would replace the stored vectors with rounded ones).
 * Every id must be in the store.
 */
export async function storedVectors(
  s: StoreState,
  ids: Iterable<number>,
): Promise<Map<number, Float32Array>> {
  const out = new Map<number, Float32Array>();
  const wanted = [...ids];
  if (s.hot.exact) {
    for (const id of wanted) out.set(id, s.hot.vector(id) as Float32Array);
    return out;
  }
  const dim = s.dim;
  for (let start = 0; start < wanted.length; start += VECTOR_READ_IDS) {
    const filter = `id IN (${wanted.slice(start, start + VECTOR_READ_IDS).join(", ")})`;
    const batches = await readTable(s, async () => {
      const read = [];
      for await (const batch of s.table.query().where(filter).select(["id", "vector"])) read.push(batch);
      return read;
    });
    for (const batch of batches) {
      const idColumn = batch.getChild("id")?.toArray() as Int32Array;
      const vectors = batch.getChild("vector")?.data[0];
      if (!idColumn || !vectors) throw missingRow(s, "its vector column");
      const values = vectors.children[0];
      const base = values.offset + vectors.offset * dim;
      const flat = values.values as Float32Array;
      idColumn.forEach((id, i) => {
        out.set(id, flat.slice(base + i * dim, base + (i + 1) * dim));
      });
    }
  }
  for (const id of wanted) if (!out.has(id)) throw missingRow(s, `a row for capsule ${id}`);
  return out;
}

function missingRow(s: StoreState, what: string): StoreError {
  return new StoreError(
    "SIGLA_STORE_DAMAGED",
    `the capsule table of ${s.path} lacks ${what}; run \`sigla doctor -s ${s.path}\` to check every row`,
  );
}
