/**
 * Step 6, memory query. A question about the knowledge searches ARCHIVE and the ingested documents through
 * the fused recall; a question about the conversation itself ("what did I ask about X last week?") searches
 * the conversation, whose records are cited with their session and time. SHADOW and GROWTH are read apart
 * (shadow never cited), and pain memories of the topic. Every search takes the vector step 2 computed.
 * Evidence is cut to the memory budget of the context window (§3.6); clarity and trust are measured on
 * what was found.
 */
import { dot } from "../../embed/embedder.js";
import type { ConversationHit } from "../../memory/conversation.js";
import { nodeMetaOf, toMemoryNode } from "../../memory/layers.js";
import { painFor } from "../../memory/pain-memory.js";
import { KNOWLEDGE_RECALL_WEIGHTS, recall } from "../../memory/recall.js";
import { sha256 } from "../../store/capsule-store.js";
import type { Capsule } from "../../store/types.js";
import { clarityOf, trustOf } from "../metrics/index.js";
import type { AfterMode, ContextWindow, Recalled, TurnContext } from "../turn.js";
import type { Evidence } from "../types.js";
import type { Step } from "./step.js";

/** Tokens of memory injected per context window, and how many hits are asked for. */
export const MEMORY_BUDGET: Record<ContextWindow, { tokens: number; k: number }> = {
  8192: { tokens: 1536, k: 6 },
  32768: { tokens: 6144, k: 12 },
  131072: { tokens: 24576, k: 24 },
};

/** SHADOW kinds the synthesis may reason with (never cite): pain is read elsewhere. */
const SHADOW_READ = new Set(["HYPOTHESIS", "DRAFT", "ERROR"]);

/** A rough token count (4 characters a token), for budgets when no model's tokenizer is at hand. */
export const tokensOf = (text: string) => Math.ceil(text.length / 4);

/** Questions about what was said, not about the knowledge (English and Russian). */
const ABOUT_CONVERSATION =
  /\b(?:what|which|when)\b.{0,40}\b(?:did|have)\s+(?:i|we|you)\s+(?:ask|say|mention|talk|discuss|tell|answer)|\b(?:did|have)\s+(?:i|we)\s+(?:ask|mention|say|talk|discuss)|\b(?:our|my|the)\s+(?:earlier|previous|last)\s+(?:conversation|session|chat|question)s?\b|\b(?:we|i)\s+(?:talked|discussed|asked|said)\b|(?:что|о\s+чём|когда)\s.{0,30}(?:спрашивал|спросил|говорил|обсуждали|сказал)|прошл(?:ой|ом|ую)\s+(?:сесси|разговор|беседе)/iu;

/** Whether the question is about the conversation itself. */
export function aboutConversation(question: string): boolean {
  return ABOUT_CONVERSATION.test(question);
}

function knowledgeOf(capsule: Capsule, score: number): Evidence {
  const node = nodeMetaOf(capsule);
  const source = node?.source?.ref ?? capsule.source ?? undefined;
  const title = node?.title ?? (typeof capsule.meta.title === "string" ? capsule.meta.title : undefined);
  return {
    evidenceId: `ev:${capsule.id}`,
    capsuleId: capsule.id,
    layer: node ? node.layer : "archive",
    text: capsule.text,
    score,
    hasSource: Boolean(source),
    hashOk: sha256(capsule.text) === capsule.sha256,
    supports: 0,
    contradicts: 0,
    ...(title ? { title } : {}),
    ...(source ? { source } : {}),
    meta: capsule.meta,
    ...(node?.source?.locator ? { locator: node.source.locator } : {}),
  };
}

function conversationOf(hit: ConversationHit): Evidence {
  const meta = hit.conversation;
  const who = meta.role ? `${meta.role} ` : "";
  return {
    evidenceId: `ev:c${hit.id}`,
    capsuleId: hit.id,
    layer: "conversation",
    text: hit.text,
    score: hit.score,
    hasSource: true,
    // The conversation's store checked the text against its hash when it read the row.
    hashOk: true,
    supports: 0,
    contradicts: 0,
    title: `${who}${meta.kind === "turn" ? "turn" : meta.kind} ${meta.turn} of session ${meta.session}`,
    source: `session:${meta.session}`,
    locator: `turn ${meta.turn}${meta.to !== undefined ? `-${meta.to}` : ""} at ${meta.at}`,
    session: meta.session,
    at: meta.at,
  };
}

/** Counts SUPPORTS / CONTRADICTS edges between the pieces of evidence. */
function countAgreement(evidence: Evidence[], capsules: Map<number, Capsule>): void {
  const ids = new Set(evidence.map((e) => e.capsuleId));
  for (const e of evidence) {
    const capsule = capsules.get(e.capsuleId);
    for (const edge of (capsule && nodeMetaOf(capsule)?.edges) ?? []) {
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

export const memoryQuery: Step<AfterMode, Recalled & Pick<TurnContext, "metrics">> = async (state) => {
  const { memory, options, vector, question } = state;
  const budget = MEMORY_BUDGET[options.contextWindow];
  const about = aboutConversation(question) ? "conversation" : "knowledge";
  const capsules = new Map<number, Capsule>();
  const found: Evidence[] = [];
  const add = (capsule: Capsule, score: number) => {
    if (capsules.has(capsule.id)) return;
    capsules.set(capsule.id, capsule);
    found.push(knowledgeOf(capsule, score));
  };
  // Anchors and refreshed nodes are always injected, scored by their similarity to this message.
  for (const node of [...state.anchors, ...state.refreshed]) {
    const capsule = await memory.store.get(node.id);
    const stored = memory.store.vectorOf(node.id);
    if (capsule && stored) add(capsule, Math.max(0, dot(stored, vector)));
  }
  const empty = (await memory.store.count()) === 0;
  const now = state.now.toISOString();
  let scores: number[] = [];
  if (about === "conversation") {
    const hits = memory.hasConversation
      ? await memory.conversation.recall(question, { k: budget.k, now, vector })
      : [];
    // Conversation.recall returns only records with their conversation meta.
    found.push(...hits.map(conversationOf));
    scores = hits.map((h) => h.score);
  } else if (!empty) {
    const hits = await recall(memory.store, question, {
      k: budget.k,
      now,
      vector,
      weights: KNOWLEDGE_RECALL_WEIGHTS,
      where: "NOT array_has(tags, 'layer:shadow')",
    });
    for (const hit of hits) {
      const capsule = await memory.store.get(hit.id);
      if (capsule) add(capsule, hit.score);
    }
    scores = hits.map((h) => h.score);
  }
  countAgreement(found, capsules);
  found.sort((a, b) => b.score - a.score);
  let used = 0;
  const evidence = found.filter((e) => {
    used += tokensOf(e.text);
    return used <= budget.tokens || e === found[0];
  });
  const search = (from: typeof memory.store, k: number, tags?: string[]) =>
    from.search(question, { mode: "hybrid", topK: k, tags, vector });
  const shadowHits = empty
    ? []
    : (await search(memory.store, 5, ["layer:shadow"]))
        .map(toMemoryNode)
        .filter((n) => SHADOW_READ.has(n.kind))
        .slice(0, 3);
  const growthHits =
    memory.hasGrowth && (await memory.growth.count()) > 0
      ? (await search(memory.growth, 2)).map(toMemoryNode)
      : [];
  const pain = empty ? [] : await painFor(memory, vector);
  const metrics = {
    ...state.metrics,
    clarity: clarityOf({ text: question, scores }),
    trust: trustOf(evidence),
  };
  const cut = found.length - evidence.length;
  return {
    out: { about, evidence, shadowHits, growthHits, pain, narrowing: [], written: [], metrics },
    summary: `${about}: ${evidence.length} evidence (${cut} over budget), ${shadowHits.length} shadow, ${growthHits.length} growth, ${pain.length} pain`,
    data: {
      about,
      budget: { window: options.contextWindow, tokens: budget.tokens, used: Math.min(used, budget.tokens) },
      evidence: evidence.map((e) => ({ id: e.evidenceId, layer: e.layer, score: e.score })),
      shadow: shadowHits.map((n) => n.id),
      growth: growthHits.map((n) => n.id),
      pain: pain.map((p) => ({ id: p.node.id, score: p.score })),
      clarity: metrics.clarity,
      trust: metrics.trust,
    },
  };
};
