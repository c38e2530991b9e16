/**
 * CapsuleStore: capsules (text + embedding + tags + links + meta) in a LanceDB table, the store of record,
 * with a hot in-memory copy of the vectors and links for search, auto-linking and graph walks.
 *
 * Every write is one LanceDB commit (an `add`, or a `mergeInsert` that inserts new rows, rewrites the links
 * of touched rows and deletes removed ones together), taken under a cross-process write lock; the in-memory
 * state changes only after the commit succeeds, so a failed batch leaves the store exactly as before.
 *
 * This class is the facade; the work is done by modules over one `StoreState` (`store-state.ts`):
 * - `open.ts`: opening or creating the folder, copying it;
 * - `hot-state.ts`: loading the hot state (vectors, records, index) from `hot.snapshot` or a table scan,
 *   checking it against sigla.json, and saving the snapshot;
 * - `writes.ts` and `commit.ts`: adds, replacements, patches and deletes, each one commit;
 * - `links.ts`: auto-links and link bookkeeping (links are kept on both ends), and link repair;
 * - `search.ts`: vector, full-text and hybrid search;
 * - `reads.ts`: capsules by id or by filter;
 * - `upkeep.ts`: index builds, the full-text index, compaction.
 */
import type * as lancedb from "@lancedb/lancedb";
import { folderBytes } from "../disk.js";
import type { Embedder } from "../embed/embedder.js";
import { InvalidInputError, StoreError } from "../errors.js";
import { type BfsNode, bfs, randomWalk } from "../graph/walk.js";
import { recordTable } from "./commit.js";
import { refresh, reload, saveSnapshot, sync, verifyTable } from "./hot-state.js";
import type { HotPrecision } from "./hot-vectors.js";
import { plannedKind } from "./index-choice.js";
import { checkIndexKind, type IndexKind, type IndexPolicy } from "./index-policy.js";
import { brokenLinks, checkedLinks, repairRows } from "./links.js";
import { copyStore, openStore, storeExists } from "./open.js";
import { changedTexts, fetchCapsules, listCapsules } from "./reads.js";
import { queryBatch, queryCapsules, searchCapsules } from "./search.js";
import { removeSnapshot } from "./snapshot.js";
import type { StoreState } from "./store-state.js";
import type {
  AddOptions,
  Capsule,
  CapsuleHit,
  CapsuleInput,
  CapsulePatch,
  ListOptions,
  OpenOptions,
  QueryOptions,
  SearchOptions,
  StoreStats,
} from "./types.js";
import { compact, ensureFtsIndex, RETAIN_VERSIONS_MS, rebuildIndex } from "./upkeep.js";
import { checkId, checkPositiveInt, LIMITS } from "./validate.js";
import { withWriteLock } from "./write-lock.js";
import { addCapsules, deleteCapsule, updateCapsules } from "./writes.js";

export { sha256 } from "./hash.js";

/**
 * A SIGLA store: capsules in a LanceDB table with a hot in-memory copy for search, auto-linking and graph
 * walks. Open one with `CapsuleStore.open`; every write is one atomic commit.
 */
export class CapsuleStore {
  /** Absolute path of the store folder, or the object-storage URI of a remote store (`s3://bucket/prefix`). */
  readonly path: string;
  /** This machine's folder of the store: the store folder itself, or a remote store's local state. */
  readonly localDir: string;
  /** The embedder every text and query of this store goes through. */
  readonly embedder: Embedder;
  /** How the index kind is chosen: by size (`auto`) or one fixed kind. */
  readonly indexPolicy: IndexPolicy;
  /** Neighbours each new capsule is linked to (0: auto-linking is off). */
  readonly autoLinkK: number;

  private constructor(private readonly s: StoreState) {
    this.path = s.uri;
    this.localDir = s.path;
    this.embedder = s.embedder;
    this.indexPolicy = s.settings.indexPolicy;
    this.autoLinkK = s.settings.autoLinkK;
  }

  /**
   * Opens the store at `path`, creating it when the folder is missing or empty. An existing store keeps its
   * embedder: `auto` means that embedder, and naming another is an `EmbedderMismatchError`.
   */
  static async open(path: string, options: OpenOptions = {}): Promise<CapsuleStore> {
    return new CapsuleStore(await openStore(path, options));
  }

  /** Whether a store is at `path` (on object storage: whether its table is there). Creates nothing. */
  static exists(path: string): Promise<boolean> {
    return storeExists(path);
  }

  /** The LanceDB table (for upkeep checks in tests). */
  private get table(): lancedb.Table {
    return this.s.table;
  }

  /**
   * Picks up writes made by other processes since this one last read the table. Waits for this process's
   * own writes to the store to finish first, so a reload never lands in the middle of one.
   */
  async refresh(): Promise<void> {
    await refresh(this.s);
  }

  /** The dimension of every vector in this store. */
  get dim(): number {
    return this.s.dim;
  }

  /** The index kind queries run on now. */
  get indexKind(): IndexKind {
    return this.s.index.kind;
  }

  /** How the in-memory copy holds the vectors: float32, or halves under a large graph index. */
  get vectorPrecision(): HotPrecision {
    return this.s.hot.precision;
  }

  /** The index's tuned parameters (ivf: nlist, nprobe; hnsw: ef, refine), for reports. */
  get indexParams(): Readonly<Record<string, number>> {
    return this.s.index.params;
  }

  /** Adds one capsule and returns its id. */
  async addCapsule(text: string, options: Omit<CapsuleInput, "text"> = {}): Promise<number> {
    const [id] = await this.addCapsules([{ ...options, text }]);
    return id;
  }

  /**
   * Adds capsules in one atomic write and returns their ids (increasing). Texts without a vector are
   * embedded first; each new capsule is linked to its `autoLinkK` nearest capsules, both ways.
   */
  async addCapsules(inputs: CapsuleInput[], options: AddOptions = {}): Promise<number[]> {
    this.s.assertOpen();
    return addCapsules(this.s, inputs, options);
  }

  /** Changes the tags, meta or links of one capsule; its text and vector stay. See `updateCapsules`. */
  async updateCapsule(id: number, patch: Omit<CapsulePatch, "id">): Promise<Capsule> {
    const [capsule] = await this.updateCapsules([{ ...patch, id }]);
    return capsule;
  }

  /**
   * Changes the tags, meta (replaced whole) or links of existing capsules in one atomic write and returns
   * them as stored. `link` and `unlink` act both ways, as all links do.
   */
  async updateCapsules(patches: CapsulePatch[]): Promise<Capsule[]> {
    this.s.assertOpen();
    return updateCapsules(this.s, patches);
  }

  /** Deletes a capsule and the links that point to it; returns false when there was no such capsule. */
  async delete(id: number): Promise<boolean> {
    this.s.assertOpen();
    return deleteCapsule(this.s, id);
  }

  /** The capsule with this id, or undefined. */
  async get(id: number): Promise<Capsule | undefined> {
    this.s.assertOpen();
    checkId(id);
    if (!this.s.hot.has(id)) return undefined;
    return fetchCapsules(this.s, [id])[0];
  }

  /** The stored (unit-length) vector of a capsule (under a graph index from the halves held in memory, within 2⁻¹¹ of it). */
  vectorOf(id: number): Float32Array | undefined {
    this.s.assertOpen();
    return this.s.hot.vector(id)?.slice();
  }

  /** How many capsules the store holds. */
  async count(): Promise<number> {
    this.s.assertOpen();
    return this.s.hot.size;
  }

  /** Capsules matching a LanceDB SQL filter, in id order (no vectors). */
  async list(options: ListOptions = {}): Promise<Capsule[]> {
    this.s.assertOpen();
    return listCapsules(this.s, options);
  }

  /** Semantic search: the `topK` capsules closest to a text or vector, optionally filtered. */
  async query(
    textOrVector: string | Float32Array | number[],
    options: QueryOptions = {},
  ): Promise<CapsuleHit[]> {
    this.s.assertOpen();
    return queryCapsules(this.s, textOrVector, options);
  }

  /**
   * Many vectors at once, scored together by the index (one ORT call per block instead of one per query):
   * the `topK` hits of each vector, in order. Unfiltered: use `query` with tags or `where`.
   */
  async queryBatch(
    vectors: readonly (Float32Array | number[])[],
    options: Pick<QueryOptions, "topK" | "effort"> = {},
  ): Promise<CapsuleHit[][]> {
    this.s.assertOpen();
    return queryBatch(this.s, vectors, options);
  }

  /**
   * Search by meaning (`vector`, as `query`), by words (`fts`, BM25 over the text), or both fused by
   * reciprocal rank (`hybrid`). Scores are cosine for vector, BM25 for fts, RRF for hybrid.
   */
  async search(text: string, options: SearchOptions = {}): Promise<CapsuleHit[]> {
    this.s.assertOpen();
    return searchCapsules(this.s, text, options);
  }

  /**
   * Rebuilds the vector index as the given kind, or as the policy chooses for the current size (under
   * `auto`, from `AUTO_MIN` capsules on, by timing every candidate again).
   */
  async rebuildIndex(options: { kind?: IndexKind } = {}): Promise<IndexKind> {
    this.s.assertOpen();
    const planned =
      options.kind === undefined
        ? plannedKind(this.s.hot.size, this.indexPolicy, undefined)
        : checkIndexKind(options.kind);
    await rebuildIndex(this.s, planned);
    return this.s.index.kind;
  }

  /** The capsules linked to `id`. */
  async neighbours(id: number): Promise<Capsule[]> {
    return fetchCapsules(this.s, checkedLinks(this.s, id));
  }

  /** Breadth-first walk over links from `id`, up to `depth` hops (default 2). */
  async bfs(id: number, options: { depth?: number } = {}): Promise<BfsNode[]> {
    checkedLinks(this.s, id);
    const depth = checkPositiveInt(options.depth ?? 2, "depth", 0, LIMITS.depth);
    return bfs(id, (node) => this.s.records.linksOf(node), depth);
  }

  /** A seeded random walk over links from `id` (default 10 steps, seed 0). */
  async randomWalk(id: number, options: { steps?: number; seed?: number } = {}): Promise<number[]> {
    checkedLinks(this.s, id);
    const steps = checkPositiveInt(options.steps ?? 10, "steps", 0, LIMITS.walkSteps);
    const seed = options.seed ?? 0;
    if (!Number.isInteger(seed)) throw new InvalidInputError(`seed must be an integer, got ${seed}`);
    return randomWalk(id, (node) => this.s.records.linksOf(node), steps, seed);
  }

  /**
   * Compacts the table now and removes table versions older than `keepVersionsMs` (default 10 s, as
   * writes do on their own every `compactEvery` versions; 0 keeps only the current version, which ends
   * every way back to an earlier state of the table).
   */
  async optimize(
    options: { keepVersionsMs?: number } = {},
  ): Promise<{ removedVersions: number; filesRemoved: number }> {
    this.s.assertOpen();
    const keep = checkPositiveInt(options.keepVersionsMs ?? RETAIN_VERSIONS_MS, "keepVersionsMs", 0);
    return withWriteLock(this.localDir, async () => {
      await sync(this.s);
      const result = await compact(this.s, new Date(Date.now() - keep));
      await saveSnapshot(this.s);
      return result;
    });
  }

  // What `doctor.ts` reads and repairs; not for other callers.

  /** The table checked against sigla.json: undefined when it fits, else what is wrong. @internal */
  async integrityProblem(): Promise<string | undefined> {
    this.s.assertOpen();
    try {
      for (let attempt = 0; attempt < 5; attempt++) {
        const { s } = this;
        if (await verifyTable(s, s.syncedVersion, s.hot.size, s.digest)) return undefined;
        // Another process committed meanwhile: read the table again (which checks it too).
        await refresh(s);
      }
      return undefined;
    } catch (error) {
      if (error instanceof StoreError && error.code === "SIGLA_STORE_DAMAGED") return error.message;
      throw error;
    }
  }

  /** Capsules whose text does not match its hash. @internal */
  get changedTexts(): number[] {
    return changedTexts(this.s);
  }

  /** Links that point to a missing capsule or that the other capsule does not list back. @internal */
  brokenLinks(): Array<[number, number]> {
    return brokenLinks(this.s);
  }

  /**
   * Repairs rows in one commit: drops links to missing capsules, adds the missing half of one-way links,
   * and gives capsules whose text changed the hash of the text they hold now. @internal
   */
  async repairRows(options: { rehash: boolean }): Promise<{ links: number; hashes: number }> {
    return repairRows(this.s, options);
  }

  /** Builds the full-text index again, whatever state it is in. @internal */
  async rebuildFullText(): Promise<void> {
    await withWriteLock(this.localDir, async () => {
      await sync(this.s);
      await ensureFtsIndex(this.s, true);
    });
  }

  /** Records the table as it is now as what SIGLA committed (after the user chose to accept it). @internal */
  async acceptTable(): Promise<void> {
    const { s } = this;
    await withWriteLock(this.localDir, async () => {
      // What is accepted is the table as it is now, not as this handle last read it.
      await s.table.checkoutLatest();
      if ((await s.table.version()) !== s.syncedVersion) await reload(s, { verify: false });
      await recordTable(s, s.hot.size);
    });
  }

  /** Writes the snapshot again from the state in memory. @internal */
  async rewriteSnapshot(): Promise<void> {
    await removeSnapshot(this.localDir);
    await saveSnapshot(this.s);
  }

  /** Size, embedder, index and link counts of the store. */
  async stats(): Promise<StoreStats> {
    const { s } = this;
    s.assertOpen();
    return {
      path: this.path,
      count: s.hot.size,
      dim: s.dim,
      embedder: s.manifest.embedder.id,
      indexKind: s.index.kind,
      indexPolicy: this.indexPolicy,
      indexDecision: this.indexPolicy === "auto" ? s.manifest.index : undefined,
      autoLinkK: this.autoLinkK,
      vectorPrecision: s.hot.precision,
      links: s.records.linkEntries / 2,
      tableVersion: s.syncedVersion,
      lastLoad: { ...s.lastLoad },
      // A remote table's bytes as its manifest counts them (data and index files).
      diskBytes: s.remote ? (await this.table.stats()).totalBytes : await folderBytes(this.path),
    };
  }

  /** Copies the whole store to `target` (a missing or empty folder); `open(target)` restores it. */
  async save(target: string): Promise<void> {
    this.s.assertOpen();
    await copyStore(this.s, target);
  }

  /**
   * Writes the snapshot when the in-memory state changed since it was read or written, then releases the
   * table; the store cannot be used afterwards.
   */
  async close(): Promise<void> {
    const { s } = this;
    if (s.closed) return;
    s.closed = true;
    const { snapshotOf } = s;
    if (snapshotOf?.version !== s.syncedVersion || snapshotOf.index !== s.index) {
      await saveSnapshot(s);
    }
    this.table.close();
    s.db.close();
  }
}
