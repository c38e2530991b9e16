/**
 * Step 6, memory query: ARCHIVE (and ingested documents and past turns) through the fused recall, SHADOW
 * and GROWTH apart (shadow is read, never cited), pain memories of the topic; evidence is cut to the
 * memory budget of the context window (§3.6); clarity and trust are measured on what was found.
 */
import { dot } from "../../embed/embedder.js";
import { nodeMetaOf, toMemoryNode } from "../../memory/layers.js";
import { painFor } from "../../memory/pain-memory.js";
import { recall } from "../../memory/recall.js";
import { sha256 } from "../../store/capsule-store.js";
import type { Capsule } from "../../store/types.js";
import { clarityOf, trustOf } from "../metrics.js";
import type { ContextWindow } from "../turn.js";
import type { Evidence } from "../types.js";
import type { Step } from "./step.js";

/** Tokens of memory injected per context window, and how many hits are asked for. */
export const MEMORY_BUDGET: Record<ContextWindow, { tokens: number; k: number }> = {
  8192: { tokens: 1536, k: 6 },
  32768: { tokens: 6144, k: 12 },
  131072: { tokens: 24576, k: 24 },
};

/** SHADOW kinds the synthesis may reason with (never cite): pain and self-evaluations are read elsewhere. */
const SHADOW_READ = new Set(["HYPOTHESIS", "DRAFT", "ERROR"]);

/** A rough token count (4 characters a token), enough to keep within a budget. */
export const tokensOf = (text: string) => Math.ceil(text.length / 4);

function sessionOf(capsule: Capsule): string | undefined {
  if (typeof capsule.meta.session === "string") return capsule.meta.session;
  return capsule.tags.find((t) => t.startsWith("session:"))?.slice("session:".length);
}

function evidenceOf(capsule: Capsule, score: number): Evidence {
  const node = nodeMetaOf(capsule);
  const turn = capsule.meta.kind === "turn";
  return {
    evidenceId: `ev:${capsule.id}`,
    capsuleId: capsule.id,
    layer: node ? node.layer : turn ? "turn" : "archive",
    text: capsule.text,
    score,
    hasSource: Boolean(node?.source?.ref ?? capsule.source),
    hashOk: sha256(capsule.text) === capsule.sha256,
    supports: 0,
    contradicts: 0,
    ...(node ? { title: node.title } : {}),
    ...(sessionOf(capsule) ? { session: sessionOf(capsule) } : {}),
  };
}

/** Counts SUPPORTS / CONTRADICTS edges between the pieces of evidence. */
function countAgreement(evidence: Evidence[], capsules: Map<number, Capsule>): void {
  const ids = new Set(evidence.map((e) => e.capsuleId));
  for (const e of evidence) {
    for (const edge of nodeMetaOf(capsules.get(e.capsuleId) as Capsule)?.edges ?? []) {
      if (!ids.has(edge.to)) continue;
      const other = evidence.find((x) => x.capsuleId === edge.to) as Evidence;
      if (edge.type === "SUPPORTS") {
        e.supports++;
        other.supports++;
      }
      if (edge.type === "CONTRADICTS" && !edge.resolved) {
        e.contradicts++;
        other.contradicts++;
      }
    }
  }
}

export const memoryQuery: Step = async (state) => {
  const { memory, options } = state;
  const budget = MEMORY_BUDGET[options.contextWindow];
  const capsules = new Map<number, Capsule>();
  const evidence: Evidence[] = [];
  const add = (capsule: Capsule, score: number) => {
    if (capsules.has(capsule.id)) return;
    capsules.set(capsule.id, capsule);
    evidence.push(evidenceOf(capsule, score));
  };
  // Anchors and refreshed nodes are always injected, scored by their similarity to this message.
  for (const node of [...state.anchors, ...state.refreshed]) {
    const capsule = await memory.store.get(node.id);
    const vector = memory.store.vectorOf(node.id);
    if (capsule && vector) add(capsule, Math.max(0, dot(vector, state.vector)));
  }
  const empty = (await memory.store.count()) === 0;
  const hits = empty
    ? []
    : await recall(memory.store, state.text, {
        k: budget.k,
        now: state.now.toISOString(),
        where: "NOT array_has(tags, 'layer:shadow')",
      });
  for (const hit of hits) {
    const capsule = await memory.store.get(hit.id);
    if (capsule) add(capsule, hit.score);
  }
  countAgreement(evidence, capsules);
  evidence.sort((a, b) => b.score - a.score);
  let used = 0;
  state.evidence = evidence.filter((e) => {
    used += tokensOf(e.text);
    return used <= budget.tokens || e === evidence[0];
  });
  const search = (from: typeof memory.store, k: number, tags?: string[]) =>
    empty ? Promise.resolve([]) : from.search(state.text, { mode: "hybrid", topK: k, tags });
  state.shadowHits = (await search(memory.store, 5, ["layer:shadow"]))
    .map(toMemoryNode)
    .filter((n) => SHADOW_READ.has(n.kind))
    .slice(0, 3);
  state.growthHits =
    (await memory.growth.count()) > 0 ? (await search(memory.growth, 2)).map(toMemoryNode) : [];
  state.pain = empty ? [] : await painFor(memory, state.vector);
  state.metrics.clarity = clarityOf({ text: state.text, scores: hits.map((h) => h.score) });
  state.metrics.trust = trustOf(state.evidence);
  const cut = evidence.length - state.evidence.length;
  return {
    summary: `${state.evidence.length} evidence (${cut} over budget), ${state.shadowHits.length} shadow, ${state.growthHits.length} growth, ${state.pain.length} pain`,
    data: {
      budget: { window: options.contextWindow, tokens: budget.tokens, used: Math.min(used, budget.tokens) },
      evidence: state.evidence.map((e) => ({ id: e.evidenceId, layer: e.layer, score: e.score })),
      shadow: state.shadowHits.map((n) => n.id),
      growth: state.growthHits.map((n) => n.id),
      pain: state.pain.map((p) => ({ id: p.node.id, score: p.score })),
      clarity: state.metrics.clarity,
      trust: state.metrics.trust,
    },
  };
};
