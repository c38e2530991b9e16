/**
 * Searching a store: by meaning (the vector index, or an exact scan of the rows a filter lets through), by
 * words (LanceDB's BM25 full-text index), or both fused by reciprocal rank.
 */
import { InvalidInputError } from "../errors.js";
import { capsuleFilter } from "./filter.js";
import { resolveFilter } from "./filter-cache.js";
import { filteredTopK } from "./filtered-search.js";
import { refresh, sync } from "./hot-state.js";
import { EXACT_BATCH_MIN, exactBatchesFaster } from "./index-choice.js";
import { fetchCapsules } from "./reads.js";
import { damaged } from "./store-errors.js";
import type { StoreState } from "./store-state.js";
import type { CapsuleHit, QueryOptions, SearchOptions } from "./types.js";
import { ensureFtsIndex } from "./upkeep.js";
import { checkText, checkTopK, checkVector, checkWhere } from "./validate.js";
import { createIndex } from "./vector-index.js";
import { withWriteLock } from "./write-lock.js";

/** The constant of reciprocal rank fusion: a hit at rank r adds 1 / (RRF_K + r). */
const RRF_K = 60;

/** Capsule ids with their scores, best first. */
type Ranked = Array<[number, number]>;

/** Semantic search: the `topK` capsules closest to a text or vector, optionally filtered. */
export async function queryCapsules(
  s: StoreState,
  textOrVector: string | Float32Array | number[],
  options: QueryOptions,
): Promise<CapsuleHit[]> {
  const topK = checkTopK(options.topK ?? 5);
  const filter = filterOf(options);
  const vector = await queryVector(s, textOrVector);
  return hits(s, await vectorRank(s, vector, topK, filter, effortOf(options)));
}

/**
 * Many vectors at once, scored together by the index (flat: one matrix product per block of rows; ivf:
 * each probed list against all the queries that probe it): the `topK` hits of each vector, in order.
 * Unfiltered.
 */
export async function queryBatch(
  s: StoreState,
  vectors: readonly (Float32Array | number[])[],
  options: Pick<QueryOptions, "topK" | "effort">,
): Promise<CapsuleHit[][]> {
  const topK = checkTopK(options.topK ?? 5);
  const matrix = new Float32Array(vectors.length * s.dim);
  vectors.forEach((v, i) => {
    matrix.set(checkVector(v, s.dim, `query vector ${i}`), i * s.dim);
  });
  // A large batch is one matrix product for the exact scan: faster than the index on some stores.
  const index =
    vectors.length >= EXACT_BATCH_MIN && exactBatchesFaster(s.manifest.index, s.index.kind)
      ? createIndex("flat", s.hot)
      : s.index;
  const found = await index.search(matrix, topK, effortOf(options));
  return Promise.all(
    vectors.map((_, q) => {
      const ranked: Ranked = [];
      for (let j = q * topK; j < (q + 1) * topK; j++) {
        if (found.rows[j] >= 0) ranked.push([found.rows[j], found.scores[j]]);
      }
      return hits(s, ranked);
    }),
  );
}

/**
 * Search by meaning (`vector`, as `query`), by words (`fts`, BM25 over the text), or both fused by
 * reciprocal rank (`hybrid`). Scores are cosine for vector, BM25 for fts, RRF for hybrid.
 */
export async function searchCapsules(
  s: StoreState,
  text: string,
  options: SearchOptions,
): Promise<CapsuleHit[]> {
  const mode = options.mode ?? "hybrid";
  if (!["vector", "fts", "hybrid"].includes(mode)) {
    throw new InvalidInputError(`mode must be vector, fts or hybrid, got ${JSON.stringify(mode)}`);
  }
  checkText(text, "search text");
  const topK = checkTopK(options.topK ?? 5);
  if (mode === "vector") return queryCapsules(s, options.vector ?? text, options);
  const filter = filterOf(options);
  const depth = mode === "hybrid" ? Math.max(topK * 4, 20) : topK;
  const words = await ftsRank(s, text, depth, filter);
  if (mode === "fts") return hits(s, words);
  const meaning = await vectorRank(s, await queryVector(s, options.vector ?? text), depth, filter);
  return hits(s, fuse([meaning, words], topK));
}

/** Reciprocal rank fusion of ranked lists: the `topK` ids by the sum of 1 / (RRF_K + rank) over the lists. */
function fuse(lists: Ranked[], topK: number): Ranked {
  const fused = new Map<number, number>();
  for (const list of lists) {
    list.forEach(([id], rank) => {
      fused.set(id, (fused.get(id) ?? 0) + 1 / (RRF_K + rank + 1));
    });
  }
  return [...fused].sort((a, b) => b[1] - a[1]).slice(0, topK);
}

/** The query vector of a text (embedded) or a vector (checked and normalised). */
async function queryVector(
  s: StoreState,
  textOrVector: string | Float32Array | number[],
): Promise<Float32Array> {
  if (typeof textOrVector === "string") {
    const [vector] = await s.embedder.embed([checkText(textOrVector, "query")]);
    return checkVector(vector, s.dim, "query embedding");
  }
  return checkVector(textOrVector, s.dim, "query vector");
}

/** The LanceDB filter of a query's tags and `where`, both checked first. */
function filterOf(options: QueryOptions): string | undefined {
  const { tags, where } = options;
  if (tags !== undefined && (!Array.isArray(tags) || tags.some((t) => typeof t !== "string"))) {
    throw new InvalidInputError("tags must be an array of strings");
  }
  return capsuleFilter(tags, where === undefined ? undefined : checkWhere(where));
}

function effortOf(options: QueryOptions): number {
  const { effort = 1 } = options;
  if (!(typeof effort === "number" && effort > 0 && Number.isFinite(effort))) {
    throw new InvalidInputError(`effort must be a positive number, got ${String(effort)}`);
  }
  return effort;
}

/**
 * The `topK` capsules nearest `vector`: by the index, or among the capsules `filter` lets through
 * (`filtered-search.ts`: exact for selective filters, the index with a wider net for broad ones).
 */
async function vectorRank(
  s: StoreState,
  vector: Float32Array,
  topK: number,
  filter?: string,
  effort = 1,
): Promise<Ranked> {
  const result = filter
    ? await filteredTopK(s, vector, topK, filter, effort)
    : await s.index.search(vector, topK, effort);
  const ranked: Ranked = [];
  result.rows.forEach((id, i) => {
    if (id >= 0) ranked.push([id, result.scores[i]]);
  });
  return ranked;
}

async function hits(s: StoreState, ranked: Ranked): Promise<CapsuleHit[]> {
  const capsules = fetchCapsules(
    s,
    ranked.map(([id]) => id),
  );
  const score = new Map(ranked);
  return capsules.map((c) => ({ ...c, score: score.get(c.id) ?? 0 }));
}

/**
 * BM25 ranks of the capsules matching `text`, over every committed capsule: the table is moved to its
 * latest version first (another process may have written), and an index whose files are damaged or
 * gone is built again once before the store is reported damaged.
 */
async function ftsRank(s: StoreState, text: string, limit: number, filter?: string): Promise<Ranked> {
  await refresh(s);
  if (s.hot.size === 0) return [];
  // Building the index commits a table version: a write, so under the write lock like every other.
  const buildIndex = (rebuild: boolean) =>
    withWriteLock(s.path, async () => {
      await sync(s);
      await ensureFtsIndex(s, rebuild);
    });
  // A bad filter fails here, as a bad filter, before an index is built or rebuilt (a commit).
  if (filter) await resolveFilter(s, filter);
  const search = async () => {
    let query = s.table
      .query()
      .fullTextSearch(text, { columns: ["text"] })
      .select(["id", "_score"])
      .limit(limit);
    if (filter) query = query.where(filter);
    return query.toArray();
  };
  let rows: Array<Record<string, unknown>>;
  try {
    if (s.ftsStale) await buildIndex(false);
    rows = await search();
  } catch {
    try {
      await buildIndex(true);
      rows = await search();
    } catch (error) {
      throw damaged(s.path, "the full-text index cannot be searched or rebuilt", error);
    }
  }
  return rows.map((r) => [Number(r.id), Number(r._score ?? 0)]);
}
