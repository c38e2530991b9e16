/**
 * Filters resolved once: the capsules a tags/`where` filter lets through, read from LanceDB the first time
 * and then kept, keyed by the filter's text, for as long as the store's hot state mirrors the same table
 * version. Any write commits a new version (`commit.ts`) and a reload brings new hot vectors
 * (`hot-state.ts`), so either one empties the cache: a filter never answers from rows of another version.
 * Matches hold capsule ids, not hot rows, because a delete moves rows (`HotVectors.remove`).
 */
import type { HotVectors } from "./hot-vectors.js";
import { readTable } from "./reads.js";
import type { StoreState } from "./store-state.js";

/** Filters kept per store; the least recently used goes first. */
const MAX_FILTERS = 16;
/** Bytes of matches kept per store (ids, bitsets and decoded rows). */
const MAX_BYTES = 64 * 1024 * 1024;
/**
 * A match of at most this many capsules, in a store holding its vectors as halves, keeps its rows decoded
 * to float32 (24 MB at 384 dims), so a filtered query scores them in one ORT call instead of decoding them
 * again each time (`filtered-search.ts`).
 */
export const DECODED_MATCH_ROWS = 16_384;

/** The capsules one filter lets through, at one table version. */
export class FilterMatch {
  /** One bit per capsule id below the largest match. */
  private readonly bits: Uint32Array;

  /** The matching capsules' hot rows and their vectors as float32, kept for a store holding halves. */
  decoded?: { rows: Int32Array; vectors: Float32Array };

  /** @param ids the matching capsule ids, ascending. */
  constructor(readonly ids: Int32Array) {
    const top = ids.length > 0 ? ids[ids.length - 1] : -1;
    this.bits = new Uint32Array((top >>> 5) + 1);
    for (const id of ids) this.bits[id >>> 5] |= 1 << (id & 31);
  }

  /** How many capsules match. */
  get count(): number {
    return this.ids.length;
  }

  /** Memory held, for the cache's budget. */
  get bytes(): number {
    const decoded = this.decoded ? this.decoded.rows.byteLength + this.decoded.vectors.byteLength : 0;
    return this.ids.byteLength + this.bits.byteLength + decoded;
  }

  /** Whether capsule `id` matches. */
  has(id: number): boolean {
    const word = id >>> 5;
    return id >= 0 && word < this.bits.length && (this.bits[word] & (1 << (id & 31))) !== 0;
  }

  /**
   * The hot rows of the matching capsules, written into `into` (at least `count` long); capsules not in
   * `hot` are skipped. Returns how many rows were written.
   */
  rowsIn(hot: HotVectors, into: Int32Array): number {
    let count = 0;
    for (const id of this.ids) {
      const row = hot.rowIndex(id);
      if (row >= 0) into[count++] = row;
    }
    return count;
  }
}

interface FilterCache {
  version: number;
  hot: HotVectors;
  matches: Map<string, FilterMatch>;
  bytes: number;
}

const caches = new WeakMap<StoreState, FilterCache>();

/** The cache of `s` when it still mirrors the table version its matches were read at, else a new one. */
function cacheOf(s: StoreState): FilterCache {
  const found = caches.get(s);
  if (found && found.version === s.syncedVersion && found.hot === s.hot) return found;
  const fresh = { version: s.syncedVersion, hot: s.hot, matches: new Map(), bytes: 0 };
  caches.set(s, fresh);
  return fresh;
}

/** The ids `filter` (LanceDB SQL, already checked) lets through, ascending, read from the table (no cache). */
export async function matchingIds(s: StoreState, filter: string): Promise<Int32Array> {
  const table = await readTable(s, () => s.table.query().where(filter).select(["id"]).toArrow(), filter);
  const column = table.getChild("id");
  return Int32Array.from((column?.toArray() as ArrayLike<number> | undefined) ?? []).sort();
}

/**
 * The capsules `filter` (LanceDB SQL, already checked) lets through at the version the store mirrors:
 * from the cache, or read from the table (a filter LanceDB rejects is `SIGLA_INVALID_INPUT`).
 */
export async function resolveFilter(s: StoreState, filter: string): Promise<FilterMatch> {
  const cache = cacheOf(s);
  const cached = cache.matches.get(filter);
  if (cached) {
    // Most recently used last.
    cache.matches.delete(filter);
    cache.matches.set(filter, cached);
    return cached;
  }
  const version = s.syncedVersion;
  const ids = await matchingIds(s, filter);
  const match = new FilterMatch(ids);
  const { hot } = s;
  if (hot.precision === "f16" && ids.length <= DECODED_MATCH_ROWS) {
    const rows = new Int32Array(ids.length);
    const count = match.rowsIn(hot, rows);
    match.decoded = { rows: rows.subarray(0, count), vectors: hot.gather(rows.subarray(0, count)) };
  }
  // Kept only when nothing moved meanwhile: no commit, no reload, and the read saw the version mirrored
  // (a read retried after another process's clean-up moves the table to its latest version).
  const current = cacheOf(s);
  if (version >= 0 && current === cache && (await s.table.version()) === version && cacheOf(s) === cache) {
    remember(cache, filter, match);
  }
  return match;
}

function remember(cache: FilterCache, filter: string, match: FilterMatch): void {
  if (match.bytes > MAX_BYTES) return;
  cache.matches.set(filter, match);
  cache.bytes += match.bytes;
  for (const [key, old] of cache.matches) {
    if (cache.matches.size <= MAX_FILTERS && cache.bytes <= MAX_BYTES) break;
    cache.matches.delete(key);
    cache.bytes -= old.bytes;
  }
}
