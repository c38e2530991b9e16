/**
 * Memory recall: the memory step's retrieval. Candidates come from a vector search and a BM25 search (and,
 * when the query names a time, the same two searches restricted to it), fused by weighted reciprocal rank.
 * The strongest candidates then pass part of their score to their graph neighbourhood: the store's auto-links
 * and, for conversation turns, the turns just before and after in the same session (an answer often sits in
 * the reply to the turn that matched the question, or the other way round). A second round of searches adds
 * the names found in the best first-round candidates to the query, for questions that need two hops. Capsules dated inside a window
 * the query names ("in March", "last week") are boosted, and when the query asks for the current (or the
 * first) version of a fact, the other versions of it — near-duplicates said earlier (or later) — are pushed
 * down. Copies of one text keep only their best-scored place. Everything is deterministic: ties break by id.
 *
 * Memory nodes among the hits have their hash re-checked (`SIGLA_HASH_MISMATCH` names the node).
 *
 * Works on any capsules. A capsule's date is its `meta.at` (ISO, as turns store it); capsules without one get
 * no date boost, and only turns (see `turns.ts`) have neighbouring turns.
 */
import { dot } from "../embed/embedder.js";
import { InvalidInputError } from "../errors.js";
import type { CapsuleStore } from "../store/capsule-store.js";
import type { Capsule, CapsuleMeta } from "../store/types.js";
import { checkPositiveInt, sqlString } from "../store/validate.js";
import { verifyNode } from "./layers.js";
import { type DateWindow, inWindow, parseQueryTime } from "./query-dates.js";
import { turnMetaOf, turnSource } from "./turns.js";

/** How a hit was reached; a hit can be reached several ways. */
export type RecallVia = "vector" | "fts" | "link" | "neighbour-turn" | "date";

/** One recalled capsule, best first. */
export interface RecallHit {
  id: number;
  text: string;
  /** Fused score (higher is better); comparable within one call only. */
  score: number;
  tags: string[];
  meta: CapsuleMeta;
  via: RecallVia[];
}

/**
 * The knobs of {@link recall}. Defaults ({@link DEFAULT_RECALL_WEIGHTS}) were tuned on the conversation
 * fixture of seed 1 with the offline use-lite embedder and checked on seed 2 (`npm run bench:memory`).
 */
export interface RecallWeights {
  /** Weight of the vector list in the reciprocal-rank fusion. */
  vector: number;
  /** Weight of the BM25 list in the fusion. */
  fts: number;
  /** The reciprocal-rank constant: a hit at rank r (0-based) adds weight / (rrfK + r + 1). */
  rrfK: number;
  /** Weight of the lists restricted to the query's date windows, relative to the unrestricted ones. */
  dateSearch: number;
  /**
   * Weight of the bridge searches — the query plus the names (capitalised words) found in the best
   * candidates — relative to the first ones: a second hop for questions that name a thing by its role ("the
   * dog that chewed my shoes" → "Nacho" → where Nacho's breed is said).
   */
  bridge: number;
  /** How many of the best first-round candidates names are taken from. */
  bridgeSeeds: number;
  /** How many of the best fused candidates spread score to their neighbourhood. */
  seeds: number;
  /** Share of a seed's score given to the turn right before or after it in the same session. */
  neighbour1: number;
  /** Share given to turns two away in the same session. */
  neighbour2: number;
  /** Share given to a capsule auto-linked to the seed. */
  link: number;
  /** Score × (1 + date) for capsules dated inside a window the query names. */
  date: number;
  /** Cosine at or above which two dated capsules count as two versions of one fact. */
  duplicateCosine: number;
  /** Factor on the version the query does not ask for (the older one for "now", the newer for "first"). */
  superseded: number;
  /**
   * For version questions, score × (1 + recency × t) with t from 0 to 1 across the leading candidates' dates:
   * 1 for the newest when the latest version is asked, for the oldest when the first is.
   */
  recency: number;
}

/**
 * Defaults, tuned by coordinate search on the conversation fixture of seed 1 (use-lite, 24 sessions) for
 * recall@10 + recall@5 / 2, and checked on seed 2. With paraphrased questions the vectors are the stronger
 * list (plain vector search finds about 0.69 of the evidence in its top 10, BM25 0.42), so BM25 weighs 0.75 of
 * a vector rank: it still adds the rare words (names, titles) that vectors blur. A neighbouring turn gets 0.6
 * of its seed's score because a fact and the words a question uses are often split over a turn and its reply.
 * The auto-links add little beyond the vector list (they are vector neighbours themselves): 0.05.
 */
export const DEFAULT_RECALL_WEIGHTS: Readonly<RecallWeights> = Object.freeze({
  vector: 1,
  fts: 0.75,
  rrfK: 10,
  dateSearch: 1,
  bridge: 1,
  bridgeSeeds: 3,
  seeds: 5,
  neighbour1: 0.6,
  neighbour2: 0.25,
  link: 0.05,
  date: 1,
  duplicateCosine: 0.6,
  superseded: 0.5,
  recency: 0.2,
});

/**
 * Weights for questions about ingested documents (the pipeline's knowledge recall). Documentation is asked
 * about in its own terms (option names, commands, versions), where BM25 is the stronger list: on the 778 Fiori
 * documents with use-lite, BM25 alone ranks the answering document in its top 5 for 64 of 67 questions and
 * vectors for 36; fused with the conversation defaults (BM25 at 0.75) the top 5 chunks hold it for 50, with
 * BM25 at 1 for 59, at 1.5 or 2 for 65 (`datasets/fiori-qa.json`, reports/answers.md).
 */
export const KNOWLEDGE_RECALL_WEIGHTS: Readonly<Partial<RecallWeights>> = Object.freeze({ fts: 1.5 });

/** Default number of hits returned. */
export const DEFAULT_RECALL_K = 10;
/** Default depth of each candidate list: at least this many, and at least 4 × k. */
const MIN_CANDIDATES = 50;

/** Options of {@link recall}. */
export interface RecallOptions {
  /** Hits returned (default 10). */
  k?: number;
  /** ISO date the question is asked; anchors "last week", "in March" (which March) and so on. */
  now?: string;
  /** Capsules must carry all of these tags (neighbours and linked capsules too). */
  tags?: string[];
  /** A LanceDB SQL filter every hit must pass (neighbours and linked capsules too). */
  where?: string;
  /** Overrides of {@link DEFAULT_RECALL_WEIGHTS}. */
  weights?: Partial<RecallWeights>;
  /** The query's embedding when the caller has it (searches then embed nothing). */
  vector?: Float32Array;
  /** `maxCandidates`: depth of each candidate list (default max(50, 4 × k)). */
  budget?: { maxCandidates?: number };
}

/** The store methods recall uses. */
export type RecallStore = Pick<CapsuleStore, "search" | "list" | "vectorOf">;

interface Candidate {
  capsule: Capsule;
  /** Score from the lists (fusion), with the date boost. */
  base: number;
  /** Best share received from a seed, per way. */
  neighbour: number;
  link: number;
  via: Set<RecallVia>;
  /** Epoch ms of `meta.at`, when present. */
  at?: number;
}

function checkWeights(weights: unknown): RecallWeights {
  if (weights === undefined) return { ...DEFAULT_RECALL_WEIGHTS };
  if (typeof weights !== "object" || weights === null || Array.isArray(weights)) {
    throw new InvalidInputError("weights must be an object of numbers");
  }
  const merged: RecallWeights = { ...DEFAULT_RECALL_WEIGHTS };
  for (const [key, value] of Object.entries(weights)) {
    if (!(key in DEFAULT_RECALL_WEIGHTS)) {
      throw new InvalidInputError(
        `unknown recall weight "${key}" (known: ${Object.keys(DEFAULT_RECALL_WEIGHTS).join(", ")})`,
      );
    }
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      throw new InvalidInputError(
        `recall weight ${key} must be a finite number ≥ 0, got ${JSON.stringify(value)}`,
      );
    }
    (merged as unknown as Record<string, number>)[key] = value;
  }
  merged.seeds = Math.floor(merged.seeds);
  merged.bridgeSeeds = Math.floor(merged.bridgeSeeds);
  return merged;
}

/** The caller's tags and where as one SQL filter (for `list`, which takes no tags). */
function filterSql(tags: string[] | undefined, where: string | undefined): string | undefined {
  const parts: string[] = [];
  if (tags && tags.length > 0) parts.push(`array_has_all(tags, [${tags.map(sqlString).join(", ")}])`);
  if (where !== undefined) parts.push(`(${where})`);
  return parts.length > 0 ? parts.join(" AND ") : undefined;
}

function and(...parts: Array<string | undefined>): string | undefined {
  const present = parts.filter((p): p is string => p !== undefined);
  return present.length > 0 ? present.map((p) => `(${p})`).join(" AND ") : undefined;
}

const DAY = 86_400_000;
/** More LIKE patterns than this and the date-restricted searches are skipped (the boost still applies). */
const MAX_DATE_PATTERNS = 64;

/**
 * A SQL filter on `meta.at` for the windows: LIKE patterns on the stored JSON (`"at":"2024-03-…`), whole
 * years, months and days, so LanceDB can restrict the searches without parsing JSON.
 */
function dateFilter(windows: DateWindow[]): string | undefined {
  const prefixes: string[] = [];
  for (const w of windows) {
    if (w.from === undefined || w.to === undefined) {
      if (w.monthOfYear !== undefined) prefixes.push(`____-${String(w.monthOfYear + 1).padStart(2, "0")}-`);
      continue;
    }
    let t = Math.floor(w.from / DAY) * DAY;
    while (t < w.to && prefixes.length <= MAX_DATE_PATTERNS) {
      const d = new Date(t);
      const y = d.getUTCFullYear();
      const m = d.getUTCMonth();
      const iso = d.toISOString();
      if (m === 0 && d.getUTCDate() === 1 && Date.UTC(y + 1, 0) <= w.to) {
        prefixes.push(`${y}-`);
        t = Date.UTC(y + 1, 0);
      } else if (d.getUTCDate() === 1 && Date.UTC(y, m + 1) <= w.to) {
        prefixes.push(iso.slice(0, 8));
        t = Date.UTC(y, m + 1);
      } else {
        prefixes.push(iso.slice(0, 10));
        t += DAY;
      }
    }
  }
  if (prefixes.length === 0 || prefixes.length > MAX_DATE_PATTERNS) return undefined;
  return prefixes.map((p) => `meta LIKE '%"at":"${p}%'`).join(" OR ");
}

function dateOf(capsule: Capsule): number | undefined {
  const at = (capsule.meta as { at?: unknown } | undefined)?.at;
  if (typeof at !== "string") return undefined;
  const ms = Date.parse(at);
  return Number.isNaN(ms) ? undefined : ms;
}

function total(c: Candidate): number {
  return c.base + c.neighbour + c.link;
}

function byScore(a: Candidate, b: Candidate): number {
  return total(b) - total(a) || a.capsule.id - b.capsule.id;
}

/**
 * Finds the capsules that answer `query`, best first (see the module comment for how).
 *
 * @throws InvalidInputError for an empty query, a bad `k`, `now`, `tags`, `where`, weight or budget.
 */
export async function recall(
  store: RecallStore,
  query: string,
  options: RecallOptions = {},
): Promise<RecallHit[]> {
  if (typeof query !== "string" || query.trim() === "") {
    throw new InvalidInputError("recall needs a non-empty query string");
  }
  if (typeof options !== "object" || options === null)
    throw new InvalidInputError("recall options must be an object");
  const k = checkPositiveInt(options.k ?? DEFAULT_RECALL_K, "k");
  const depth = checkPositiveInt(
    options.budget?.maxCandidates ?? Math.max(MIN_CANDIDATES, 4 * k),
    "maxCandidates",
  );
  let now: number | undefined;
  if (options.now !== undefined) {
    now = typeof options.now === "string" ? Date.parse(options.now) : Number.NaN;
    if (Number.isNaN(now))
      throw new InvalidInputError(`now must be an ISO date, got ${JSON.stringify(options.now)}`);
  }
  const { tags, where } = options;
  if (tags !== undefined && (!Array.isArray(tags) || tags.some((t) => typeof t !== "string"))) {
    throw new InvalidInputError("tags must be an array of strings");
  }
  if (where !== undefined && (typeof where !== "string" || where.trim() === "")) {
    throw new InvalidInputError("where must be a non-empty SQL filter");
  }
  const weights = checkWeights(options.weights);
  const time = parseQueryTime(query, now);

  const candidates = new Map<number, Candidate>();
  const search = { depth, tags, where, weights, vector: options.vector };
  await fuse(store, candidates, time.content, dateFilter(time.windows), search, 1);
  if (weights.bridge > 0 && weights.bridgeSeeds > 0) {
    const best = [...candidates.values()].sort(byScore).slice(0, weights.bridgeSeeds);
    const names = bridgeNames(
      query,
      best.map((c) => c.capsule.text),
    );
    if (names.length > 0) {
      await fuse(store, candidates, `${time.content} ${names.join(" ")}`, undefined, search, weights.bridge);
    }
  }
  if (time.windows.length > 0) {
    for (const c of candidates.values()) {
      if (c.at !== undefined && time.windows.some((w) => inWindow(w, c.at as number))) {
        c.base *= 1 + weights.date;
        c.via.add("date");
      }
    }
  }
  await expand(store, candidates, filterSql(tags, where), weights);
  if (time.version) preferVersion(store, candidates, time.version, weights, Math.max(k * 3, 30));

  // The same text said twice ("Thanks, that helps!") takes one place: the best-scored copy.
  const seen = new Set<string>();
  return [...candidates.values()]
    .sort(byScore)
    .filter((c) => {
      const first = !seen.has(c.capsule.sha256);
      seen.add(c.capsule.sha256);
      return first;
    })
    .slice(0, k)
    .map((c) => verifyNode(c.capsule) && c)
    .map((c) => ({
      id: c.capsule.id,
      text: c.capsule.text,
      score: total(c),
      tags: c.capsule.tags,
      meta: c.capsule.meta,
      via: (["vector", "fts", "date", "link", "neighbour-turn"] as const).filter((v) => c.via.has(v)),
    }));
}

/**
 * Runs a vector and a BM25 search for `text` (and both again restricted to `dated`, when given) and adds
 * their weighted reciprocal ranks, times `scale`, to the candidates.
 */
async function fuse(
  store: RecallStore,
  candidates: Map<number, Candidate>,
  text: string,
  dated: string | undefined,
  o: { depth: number; tags?: string[]; where?: string; weights: RecallWeights; vector?: Float32Array },
  scale: number,
): Promise<void> {
  const { depth, tags, where, weights, vector } = o;
  const lists: Array<{ mode: "vector" | "fts"; where?: string; weight: number; via: RecallVia[] }> = [
    { mode: "vector", where, weight: weights.vector, via: ["vector"] },
    { mode: "fts", where, weight: weights.fts, via: ["fts"] },
  ];
  if (dated && weights.dateSearch > 0) {
    const restricted = and(where, dated);
    lists.push(
      {
        mode: "vector",
        where: restricted,
        weight: weights.vector * weights.dateSearch,
        via: ["vector", "date"],
      },
      { mode: "fts", where: restricted, weight: weights.fts * weights.dateSearch, via: ["fts", "date"] },
    );
  }
  // One search at a time: the first BM25 search after a write (re)builds the store's text index.
  for (const list of lists) {
    const hits = await store.search(text, { mode: list.mode, topK: depth, tags, where: list.where, vector });
    hits.forEach((hit, rank) => {
      let c = candidates.get(hit.id);
      if (!c) {
        c = { capsule: hit, base: 0, neighbour: 0, link: 0, via: new Set(), at: dateOf(hit) };
        candidates.set(hit.id, c);
      }
      c.base += (scale * list.weight) / (weights.rrfK + rank + 1);
      for (const v of list.via) c.via.add(v);
    });
  }
}

/** Capitalised words that do not start a sentence: names of people, pets, places, titles. */
const NAME = /(?<![.!?:;]\s*|^\s*)\b\p{Lu}[\p{L}\p{N}-]{2,}/gu;
/** Capitalised words that are seldom names. */
const NOT_NAMES = new Set(["The", "And", "But", "Also", "Then", "Just", "What", "When", "This", "That"]);
const MAX_BRIDGE_NAMES = 4;

/** Names in `texts` that the query does not contain, most frequent first (then first seen). */
function bridgeNames(query: string, texts: string[]): string[] {
  const asked = new Set(query.toLowerCase().match(/[\p{L}\p{N}-]+/gu) ?? []);
  const counts = new Map<string, number>();
  for (const text of texts) {
    for (const match of text.matchAll(NAME)) {
      const name = match[0];
      if (NOT_NAMES.has(name) || asked.has(name.toLowerCase())) continue;
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, MAX_BRIDGE_NAMES)
    .map(([name]) => name);
}

/**
 * Spreads the seeds' scores to their auto-linked capsules and their neighbouring turns (± 1, ± 2 in the same
 * session). A capsule keeps the best share it gets per way; capsules new to the pool join it. Seeds pass on
 * their date-boosted score, so the turns around a turn in the asked window share its boost.
 */
async function expand(
  store: RecallStore,
  candidates: Map<number, Candidate>,
  filter: string | undefined,
  weights: RecallWeights,
): Promise<void> {
  const seeds = [...candidates.values()].sort(byScore).slice(0, weights.seeds);
  if (seeds.length === 0 || (weights.link === 0 && weights.neighbour1 === 0 && weights.neighbour2 === 0))
    return;
  const shares = {
    [-2]: weights.neighbour2,
    [-1]: weights.neighbour1,
    1: weights.neighbour1,
    2: weights.neighbour2,
  };
  const wantSources = new Map<string, Array<{ seed: Candidate; share: number }>>();
  const wantIds = new Map<number, Array<{ seed: Candidate; share: number }>>();
  for (const seed of seeds) {
    const turn = turnMetaOf(seed.capsule);
    if (turn) {
      for (const [offset, share] of Object.entries(shares)) {
        const index = turn.turn + Number(offset);
        if (index < 0 || share === 0) continue;
        const source = turnSource(turn.session, index);
        wantSources.set(source, [...(wantSources.get(source) ?? []), { seed, share }]);
      }
    }
    if (weights.link > 0) {
      for (const id of seed.capsule.links) {
        wantIds.set(id, [...(wantIds.get(id) ?? []), { seed, share: weights.link }]);
      }
    }
  }
  const wanted: string[] = [];
  if (wantIds.size > 0) wanted.push(`id IN (${[...wantIds.keys()].join(", ")})`);
  if (wantSources.size > 0) wanted.push(`source IN (${[...wantSources.keys()].map(sqlString).join(", ")})`);
  if (wanted.length === 0) return;
  const found = await store.list({ where: and(wanted.join(" OR "), filter) });
  for (const capsule of found) {
    let c = candidates.get(capsule.id);
    if (!c) {
      c = { capsule, base: 0, neighbour: 0, link: 0, via: new Set(), at: dateOf(capsule) };
      candidates.set(capsule.id, c);
    }
    const turn = turnMetaOf(capsule);
    const bySource =
      turn && capsule.source === turnSource(turn.session, turn.turn)
        ? wantSources.get(capsule.source)
        : undefined;
    for (const { seed, share } of bySource ?? []) {
      if (seed === c) continue;
      const value = seed.base * share;
      if (value > c.neighbour) c.neighbour = value;
      c.via.add("neighbour-turn");
    }
    for (const { seed, share } of wantIds.get(capsule.id) ?? []) {
      if (seed === c) continue;
      const value = seed.base * share;
      if (value > c.link) c.link = value;
      c.via.add("link");
    }
  }
}

/** Two capsules said less than this apart are never two versions of a fact (a session is one sitting). */
const VERSION_GAP_MS = 12 * 3_600_000;

/**
 * For a query that wants one version of a fact: among the leading candidates, of two dated near-duplicates
 * (cosine ≥ `duplicateCosine`, said at least 12 hours apart) the one not wanted is scaled by `superseded`,
 * and every dated candidate gets a mild boost towards the wanted end of their time span (`recency`).
 */
function preferVersion(
  store: RecallStore,
  candidates: Map<number, Candidate>,
  version: "latest" | "earliest",
  weights: RecallWeights,
  window: number,
): void {
  const leading = [...candidates.values()]
    .sort(byScore)
    .slice(0, window)
    .filter((c) => c.at !== undefined);
  if (leading.length < 2) return;
  const vectors = new Map(leading.map((c) => [c.capsule.id, store.vectorOf(c.capsule.id)]));
  const demoted = new Set<Candidate>();
  for (let i = 0; i < leading.length; i++) {
    for (let j = i + 1; j < leading.length; j++) {
      const a = leading[i];
      const b = leading[j];
      // A fact and the reply to it are said together, not as two versions.
      if (Math.abs((a.at as number) - (b.at as number)) < VERSION_GAP_MS) continue;
      const va = vectors.get(a.capsule.id);
      const vb = vectors.get(b.capsule.id);
      if (!va || !vb || dot(va, vb) < weights.duplicateCosine) continue;
      const [older, newer] = (a.at as number) < (b.at as number) ? [a, b] : [b, a];
      demoted.add(version === "latest" ? older : newer);
    }
  }
  for (const c of demoted) {
    c.base *= weights.superseded;
    c.neighbour *= weights.superseded;
    c.link *= weights.superseded;
  }
  if (weights.recency > 0) {
    const times = leading.map((c) => c.at as number);
    const first = Math.min(...times);
    const span = Math.max(...times) - first;
    if (span > 0) {
      for (const c of leading) {
        const t = ((c.at as number) - first) / span;
        const factor = 1 + weights.recency * (version === "latest" ? t : 1 - t);
        c.base *= factor;
        c.neighbour *= factor;
        c.link *= factor;
      }
    }
  }
}
