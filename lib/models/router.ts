/**
 * The module router (seed §13, S2 `router.py`): which registered modules fit a query. A module scores by
 * three signals — its skills named in the query or its tags (`tag`), a skill that is the query's intent
 * (`intent`: the question type, such as `steps` or `comparison`), and the cosine between the query and the
 * module's capability vector (`capability`, with the embedder that wrote that vector). Decisions are kept
 * for `SIGLA_ROUTER_CACHE_TTL` seconds per query, intent and tags, and dropped when the registry changes.
 */
import { config } from "../config.js";
import { createEmbedder } from "../embed/create-embedder.js";
import type { Embedder, EmbedderSpec } from "../embed/embedder.js";
import type { ModuleEntry } from "./module-index.js";
import { normalizeSkills } from "./module-meta.js";
import type { ModuleRegistry } from "./registry.js";

/** Why a module was chosen. */
export type RouteReason = "tag" | "intent" | "capability";

/** One chosen module. */
export interface RoutedModule {
  id: string;
  score: number;
  reasons: RouteReason[];
  skills: string[];
}

/** What the router chose for a query. */
export interface RouterDecision {
  modules: RoutedModule[];
  /** Served from the decision cache. */
  cached: boolean;
  /** Modules considered. */
  considered: number;
}

/** Options of a {@link ModuleRouter}. */
export interface RouterOptions {
  /** Most modules chosen (default 3). */
  k?: number;
  /** Cosine from which capability alone chooses a module (default 0.35). */
  minSimilarity?: number;
  /** Decision cache lifetime in ms (default `SIGLA_ROUTER_CACHE_TTL` × 1000; 0 turns it off). */
  ttlMs?: number;
  /** Embedders by id, for the capability vectors (default: `createEmbedder(id)`, loaded once). */
  embedder?: (id: string) => Promise<Embedder>;
  /** The clock (tests). */
  now?: () => number;
}

/** What a query carries besides its text. */
export interface RouteContext {
  /** The query's intent: a skill a module may name (the pipeline passes the question type). */
  intent?: string;
  /** Tags of the turn (a module whose skill is one of them matches). */
  tags?: readonly string[];
}

const TAG_WEIGHT = 0.5;
const INTENT_WEIGHT = 0.25;
/** Capability vectors compared per query; beyond that the skill-matched modules and the nearest are enough. */
const CANDIDATES = 64;

/** Words of a text as skills are written: lower case, `_` for runs of spaces. */
function queryWords(text: string): Set<string> {
  return new Set(text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);
}

/** A skill is named when all its parts (`sql_generation` → sql, generation) are words of the query. */
function named(skill: string, words: Set<string>): boolean {
  const parts = skill.split("_").filter((p) => p !== "");
  return parts.length > 0 && parts.every((p) => words.has(p));
}

/** Chooses modules for queries, with a TTL cache of its decisions. */
export class ModuleRouter {
  private readonly cache = new Map<string, { at: number; version: number; decision: RouterDecision }>();
  private readonly embedders = new Map<string, Promise<Embedder>>();
  private readonly k: number;
  private readonly minSimilarity: number;
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly registry: ModuleRegistry,
    private readonly options: RouterOptions = {},
  ) {
    this.k = options.k ?? 3;
    this.minSimilarity = options.minSimilarity ?? 0.35;
    this.ttlMs = options.ttlMs ?? config().routerCacheTtlSeconds * 1000;
    this.now = options.now ?? Date.now;
  }

  /** The modules that fit `query`, best first (at most `k`). */
  async selectModules(query: string, context: RouteContext = {}): Promise<RouterDecision> {
    const version = await this.registry.version();
    const key = JSON.stringify([query.trim().toLowerCase(), context.intent ?? "", context.tags ?? []]);
    const hit = this.cache.get(key);
    if (hit && hit.version === version && this.now() - hit.at < this.ttlMs) {
      return { ...hit.decision, cached: true };
    }
    const decision = await this.decide(query, context);
    if (this.ttlMs > 0) {
      this.cache.set(key, { at: this.now(), version, decision });
      // Old decisions go first once the cache is large: a long session asks many different questions.
      if (this.cache.size > 1000) this.cache.delete(this.cache.keys().next().value as string);
    }
    return decision;
  }

  private async decide(query: string, context: RouteContext): Promise<RouterDecision> {
    const words = queryWords(query);
    const tags = new Set(normalizeSkills(context.tags ?? []));
    const [intent] = normalizeSkills(context.intent ? [context.intent] : []);
    const scores = new Map<string, RoutedModule>();
    const score = (entry: ModuleEntry, reason: RouteReason, value: number) => {
      const id = entry.meta.module_id;
      const routed = scores.get(id) ?? { id, score: 0, reasons: [], skills: entry.meta.skills };
      routed.score += value;
      if (!routed.reasons.includes(reason)) routed.reasons.push(reason);
      scores.set(id, routed);
    };
    const modules = await this.registry.list();
    for (const entry of modules) {
      const skills = entry.meta.skills;
      if (skills.some((s) => tags.has(s) || named(s, words))) score(entry, "tag", TAG_WEIGHT);
      if (intent !== undefined && skills.includes(intent)) score(entry, "intent", INTENT_WEIGHT);
    }
    for (const model of new Set(modules.map((m) => m.meta.embed_model))) {
      const embedder = await this.embedderFor(model);
      if (!embedder) continue;
      const [vector] = await embedder.embed([query]);
      for (const match of await this.registry.search(vector, CANDIDATES, model)) {
        const matched = scores.has(match.entry.meta.module_id);
        if (match.score >= this.minSimilarity || matched) score(match.entry, "capability", match.score);
      }
    }
    const chosen = [...scores.values()]
      .filter((m) => m.reasons.some((r) => r !== "capability") || m.score >= this.minSimilarity)
      .sort((a, b) => b.score - a.score)
      .slice(0, this.k);
    return { modules: chosen, cached: false, considered: modules.length };
  }

  /** The embedder that wrote a module's vector, or undefined when it cannot be loaded here. */
  private async embedderFor(id: string): Promise<Embedder | undefined> {
    let pending = this.embedders.get(id);
    if (!pending) {
      pending = this.options.embedder
        ? this.options.embedder(id)
        : createEmbedder(id as EmbedderSpec, { log: () => {} });
      this.embedders.set(id, pending);
    }
    return pending.catch(() => undefined);
  }

  /** Forgets every cached decision. */
  clear(): void {
    this.cache.clear();
  }
}
