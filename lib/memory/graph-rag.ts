/**
 * The GraphRAG API of the memory (Iskra §3.2–3.3): `search` (vector + full text, then the graph
 * neighbourhood), `expand` (a node's neighbours with their typed edges) and community summaries, stored as
 * ARCHIVE SUMMARY nodes and refreshed when their members change. Every memory node these hand out (or
 * summarise) has its hash re-checked first: a node edited outside SIGLA is `SIGLA_HASH_MISMATCH`, never a
 * quiet hit.
 */
import { createHash } from "node:crypto";
import { InvalidInputError } from "../errors.js";
import { type Community, communities } from "../graph/communities.js";
import type { Capsule, CapsuleHit } from "../store/types.js";
import { extractiveSummary } from "./extractive.js";
import { type Memory, nodeMetaOf, toMemoryNode, verifyNode } from "./layers.js";
import type { LayerName, MemoryNode } from "./types.js";

/** Writes a summary from member texts; an LLM runner can stand in for the extractive default. */
export type Summarizer = (texts: string[]) => Promise<string>;

/** The default `Summarizer`: the three most central sentences of the texts, no model needed. */
export const extractiveSummarizer: Summarizer = async (texts) => extractiveSummary(texts, 3);

/** A hit of a memory search, with how it was reached. */
export interface GraphHit extends CapsuleHit {
  layer: LayerName | "capsule";
  /** Hop distance from a direct hit (0 = found by the search itself). */
  hops: number;
}

function layerOf(capsule: Capsule): LayerName | "capsule" {
  return nodeMetaOf(capsule)?.layer ?? "capsule";
}

/**
 * Hybrid search (vector + BM25 fused) over the chosen layers, then their neighbourhood `depth` hops out
 * over links, each neighbour scored by its parent's score halved per hop. GROWTH is left out by default.
 */
export async function searchMemory(
  memory: Memory,
  query: string,
  options: { k?: number; layers?: LayerName[]; depth?: number } = {},
): Promise<GraphHit[]> {
  const k = options.k ?? 5;
  const layers = options.layers;
  // GROWTH lives in its own store, so without a layer list nothing needs filtering (and the index is used).
  const where = layers ? layers.map((l) => `array_has(tags, 'layer:${l}')`).join(" OR ") : undefined;
  const direct = (await memory.store.search(query, { mode: "hybrid", topK: k, where })).map(verifyNode);
  const found = new Map<number, GraphHit>(direct.map((h) => [h.id, { ...h, layer: layerOf(h), hops: 0 }]));
  for (const hit of direct) {
    for (const step of await memory.store.bfs(hit.id, { depth: options.depth ?? 1 })) {
      if (found.has(step.id)) continue;
      const capsule = await memory.store.get(step.id);
      if (!capsule) continue;
      if (layers && !layers.includes(layerOf(capsule) as LayerName)) continue;
      verifyNode(capsule);
      found.set(step.id, {
        ...capsule,
        score: hit.score / 2 ** step.depth,
        layer: layerOf(capsule),
        hops: step.depth,
      });
    }
  }
  return [...found.values()].sort((a, b) => a.hops - b.hops || b.score - a.score);
}

/** A node's neighbourhood: linked capsules with the typed edges between them, `depth` hops out. */
export async function expand(
  memory: Memory,
  id: number,
  options: { depth?: number } = {},
): Promise<Array<{ capsule: Capsule; depth: number; parent?: number; edges: string[] }>> {
  const out = [];
  for (const step of await memory.store.bfs(id, { depth: options.depth ?? 1 })) {
    if (step.depth === 0) continue;
    const capsule = verifyNode((await memory.store.get(step.id)) as Capsule);
    const parent = step.parent === undefined ? undefined : await memory.store.get(step.parent);
    const edges = [
      ...(nodeMetaOf(capsule)?.edges ?? []).filter((e) => e.to === step.parent).map((e) => e.type),
      ...((parent && nodeMetaOf(parent)?.edges) || []).filter((e) => e.to === step.id).map((e) => e.type),
    ];
    out.push({ capsule, depth: step.depth, parent: step.parent, edges });
  }
  return out;
}

/**
 * Capsules that take part in communities: everything but the summaries themselves (GROWTH is its own
 * store), hashes re-checked: their texts become summaries and their hashes the summaries' keys.
 */
async function communityMembers(memory: Memory): Promise<Capsule[]> {
  const members = await memory.store.list({ where: "NOT array_has(tags, 'kind:SUMMARY')" });
  return members.map(verifyNode);
}

/** Louvain communities of the link graph over the memory (summaries and GROWTH left out). */
export async function memoryCommunities(
  memory: Memory,
  options: { minSize?: number } = {},
): Promise<Community[]> {
  return communitiesOf(await communityMembers(memory), options.minSize);
}

/** The communities of capsules already read. */
function communitiesOf(members: Capsule[], minSize = 3): Community[] {
  const links = new Map(members.map((c) => [c.id, c.links]));
  return communities(links.keys(), (id) => links.get(id) ?? [], { minSize });
}

/** A key that changes whenever a community's membership or a member's content changes. */
function membersKey(members: Capsule[]): string {
  const hash = createHash("sha256");
  for (const c of [...members].sort((a, b) => a.id - b.id)) hash.update(`${c.id}:${c.sha256};`);
  return hash.digest("hex").slice(0, 16);
}

/** Writes the SUMMARY node of one community (ARCHIVE, level DERIVED). */
export async function summarize(
  memory: Memory,
  community: Community,
  options: { summarizer?: Summarizer } = {},
): Promise<MemoryNode> {
  if (!community?.members?.length) throw new InvalidInputError("a community needs members to summarize");
  const members = (await Promise.all(community.members.map((id) => memory.store.get(id))))
    .filter((c): c is Capsule => c !== undefined)
    .map(verifyNode);
  const text = await (options.summarizer ?? extractiveSummarizer)(members.map((c) => c.text));
  if (!text.trim()) throw new InvalidInputError("the summarizer returned an empty summary");
  return memory.archive({
    content: text,
    title: `Community of ${members.length}: ${text.slice(0, 60)}`,
    kind: "SUMMARY",
    level: "DERIVED",
    tags: ["community"],
    source: {
      type: "connector",
      ref: `capsule:${members[0].id}`,
      locator: `community:${membersKey(members)}`,
    },
    extra: { members: members.map((c) => c.id), membersKey: membersKey(members) },
  });
}

/**
 * Recomputes the communities and makes the SUMMARY nodes match: a community whose members (or their
 * content) changed gets a new summary and its old one is removed; unchanged ones are kept.
 */
export async function refreshSummaries(
  memory: Memory,
  options: { summarizer?: Summarizer; minSize?: number } = {},
): Promise<{ kept: number; written: number; removed: number; summaries: MemoryNode[] }> {
  // The members are read (and their hashes checked) once, for the communities and their keys alike.
  const members = await communityMembers(memory);
  const current = communitiesOf(members, options.minSize);
  const byId = new Map(members.map((c) => [c.id, c]));
  const existing = (await memory.store.list({ where: "array_has(tags, 'kind:SUMMARY')" })).map(toMemoryNode);
  const byKey = new Map(existing.map((s) => [String(s.extra?.membersKey), s]));
  const keep = new Set<number>();
  const summaries: MemoryNode[] = [];
  let written = 0;
  for (const community of current) {
    const key = membersKey(community.members.map((id) => byId.get(id) as Capsule));
    const old = byKey.get(key);
    if (old) {
      keep.add(old.id);
      summaries.push(old);
      continue;
    }
    summaries.push(await summarize(memory, community, options));
    written++;
  }
  let removed = 0;
  for (const old of existing) {
    if (keep.has(old.id)) continue;
    await memory.store.delete(old.id);
    await memory.grow(
      { op: "remove", node: old.id, before: { kind: "SUMMARY", membersKey: old.extra?.membersKey } },
      `summary ${old.id} removed: its community changed`,
    );
    removed++;
  }
  return { kept: keep.size, written, removed, summaries };
}
