/**
 * The five operators as typed functions over a capsule store and its link graph. Each takes a context and
 * returns a new one (the input is never changed), so they compose by hand as well as through `runDsl`:
 *
 *     let ctx = intent("compare index types");
 *     ctx = await retrieve(store, ctx, { k: 8, tags: ["faiss"] });
 *     ctx = merge(await expand(store, ctx, { depth: 1 }));
 *     ctx = inject(ctx, "Answer: {{intent}}\n{{context}}");
 *
 * Options are checked exactly as the text language checks its arguments (`SIGLA_DSL_ARGUMENT`).
 */
import { checkText, resolveExpand, resolveMerge, resolveRetrieve } from "./arguments.js";
import { dslError } from "./dsl-error.js";
import { jaccard, trigrams } from "./near-duplicate.js";
import { renderTemplate } from "./template.js";
import type { DslContext, DslHit, DslStore, ExpandOptions, MergeOptions, RetrieveOptions } from "./types.js";

/** Each link hop multiplies an expanded capsule's score by this (from the hit it grew from). */
export const EXPAND_DECAY = 0.5;

/** Starts a context for an intent (trimmed; must not be empty). */
export function intent(text: string): DslContext {
  return { intent: checkText("INTENT", "text", text).trim(), hits: [] };
}

/**
 * Searches the store for `q` (default: the context's intent) and appends the hits, marked
 * `via: "retrieve"`, to the context. Several RETRIEVEs accumulate; MERGE removes the overlap.
 */
export async function retrieve(
  store: DslStore,
  ctx: DslContext,
  options: RetrieveOptions = {},
): Promise<DslContext> {
  checkContext(ctx, "RETRIEVE");
  const { k, mode, tags, where, q } = resolveRetrieve(options);
  const query = q ?? ctx.intent;
  if (typeof query !== "string" || query.trim() === "") {
    throw dslError("SIGLA_DSL_ARGUMENT", 'RETRIEVE needs a query: an INTENT "..." before it, or q="..."');
  }
  const found = await store.search(query, { mode, topK: k, tags, where });
  const hits = found.map((hit): DslHit => ({ ...hit, via: "retrieve", depth: 0 }));
  return { ...ctx, hits: [...ctx.hits, ...hits] };
}

/** A score lowered by `hops` link hops; lower than the original for negative scores too. */
function decayed(score: number, hops: number): number {
  return score - Math.abs(score) * (1 - EXPAND_DECAY ** hops);
}

/**
 * Adds the capsules reached over links from every hit in the context, up to `depth` hops (store BFS).
 * Each is marked `via: "expand"` with its hop depth (counted from the retrieved capsule it grew from), the
 * id it was reached from (`parent`), and its seed's score times `EXPAND_DECAY` per hop. Capsules already
 * in the context are not added again; a capsule reached from several hits keeps its best score. With
 * `limit`, only the best scored `limit` capsules are added.
 */
export async function expand(
  store: DslStore,
  ctx: DslContext,
  options: ExpandOptions = {},
): Promise<DslContext> {
  checkContext(ctx, "EXPAND");
  const { depth, limit } = resolveExpand(options);
  const present = new Set(ctx.hits.map((hit) => hit.id));
  const reached = new Map<number, { depth: number; parent?: number; score: number; order: number }>();
  if (depth > 0) {
    for (const seed of ctx.hits) {
      for (const node of await store.bfs(seed.id, { depth })) {
        if (node.depth === 0 || present.has(node.id)) continue;
        const score = decayed(seed.score, node.depth);
        const before = reached.get(node.id);
        if (before && before.score >= score) continue;
        reached.set(node.id, {
          depth: seed.depth + node.depth,
          parent: node.parent,
          score,
          // First reach fixes the order among equal scores, so results do not depend on later seeds.
          order: before?.order ?? reached.size,
        });
      }
    }
  }
  const ranked = [...reached].sort(([, a], [, b]) => b.score - a.score || a.order - b.order);
  const added: DslHit[] = [];
  for (const [id, found] of ranked.slice(0, limit ?? ranked.length)) {
    const capsule = await store.get(id);
    if (capsule) {
      added.push({ ...capsule, score: found.score, via: "expand", depth: found.depth, parent: found.parent });
    }
  }
  return { ...ctx, hits: [...ctx.hits, ...added] };
}

/** Best first: score, then retrieved before expanded, fewer hops, lower id (so ties are stable). */
function byScore(a: DslHit, b: DslHit): number {
  const via = (hit: DslHit) => (hit.via === "retrieve" ? 0 : 1);
  return b.score - a.score || via(a) - via(b) || a.depth - b.depth || a.id - b.id;
}

/**
 * Orders the hits best first and drops duplicates of a better hit: the same id, the same `sha256`, or a
 * text whose trigram similarity to a kept one is at least `dedupe` (default 0.9). Keeps the top `k`.
 * Scores of different RETRIEVE modes (cosine, BM25, RRF) are on different scales; they are compared as is.
 */
export function merge(ctx: DslContext, options: MergeOptions = {}): DslContext {
  checkContext(ctx, "MERGE");
  const { k, dedupe } = resolveMerge(options);
  const ids = new Set<number>();
  const hashes = new Set<string>();
  const texts: Set<string>[] = [];
  const kept: DslHit[] = [];
  for (const hit of [...ctx.hits].sort(byScore)) {
    if (k !== undefined && kept.length >= k) break;
    if (ids.has(hit.id) || hashes.has(hit.sha256)) continue;
    const grams = trigrams(hit.text);
    if (texts.some((other) => jaccard(other, grams) >= dedupe)) continue;
    ids.add(hit.id);
    hashes.add(hit.sha256);
    texts.push(grams);
    kept.push(hit);
  }
  return { ...ctx, hits: kept };
}

/**
 * Renders the template into `ctx.prompt`: `{{intent}}`, `{{context}}` (one numbered line per hit,
 * `1. [ev:<id>] text`), `{{count}}` and `{{ids}}` (ids joined by `, `). Any other field is a
 * `SIGLA_DSL_ARGUMENT` error.
 */
export function inject(ctx: DslContext, template: string): DslContext {
  checkContext(ctx, "INJECT");
  return { ...ctx, prompt: renderTemplate(template, ctx) };
}

/** A context handed in by a caller must at least have an intent string and a hits array. */
function checkContext(ctx: DslContext, op: string): void {
  if (typeof ctx !== "object" || ctx === null || typeof ctx.intent !== "string" || !Array.isArray(ctx.hits)) {
    throw dslError(
      "SIGLA_DSL_ARGUMENT",
      `${op} needs a context { intent, hits } (start one with intent("..."))`,
    );
  }
}
