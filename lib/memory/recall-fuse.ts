/**
 * The searches of memory recall: a vector and a BM25 list (and both again restricted to the dates the
 * query names) fused by weighted reciprocal rank into the candidate pool, and the names that seed the
 * second, bridging round.
 */
import { and } from "../store/filter.js";
import type { DateWindow } from "./query-dates.js";
import { type Candidate, candidateOf, type RecallStore, type RecallVia } from "./recall-candidates.js";
import type { RecallWeights } from "./recall-weights.js";

const DAY = 86_400_000;
/** More LIKE patterns than this and the date-restricted searches are skipped (the boost still applies). */
const MAX_DATE_PATTERNS = 64;

/**
 * A SQL filter on `meta.at` for the windows: LIKE patterns on the stored JSON (`"at":"2024-03-…`), whole
 * years, months and days, so LanceDB can restrict the searches without parsing JSON.
 */
export function dateFilter(windows: DateWindow[]): string | undefined {
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

/**
 * Runs a vector and a BM25 search for `text` (and both again restricted to `dated`, when given) and adds
 * their weighted reciprocal ranks, times `scale`, to the candidates.
 */
export async function fuse(
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
      const c = candidateOf(candidates, hit);
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
export function bridgeNames(query: string, texts: string[]): string[] {
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
