/**
 * Protection from forgetting (Iskra §3.5): anchors (short ARCHIVE markers injected whenever their topic
 * returns) and phase recaps (2–3 sentences over a phase's messages, kept in the conversation).
 */
import { extractiveSummarizer, type Summarizer } from "./graph-rag.js";
import { type Memory, toMemoryNode } from "./layers.js";
import { redact } from "./redact/index.js";
import type { MemoryNode, NodeSource } from "./types.js";

/** Similarity (cosine) above which a message returns to an anchor's topic. */
export const ANCHOR_TOPIC_MIN = 0.4;

/** Fixes a short marker in ARCHIVE. */
export async function addAnchor(
  memory: Memory,
  anchor: { content: string; source: NodeSource; tags?: string[] },
): Promise<MemoryNode> {
  return memory.archive({
    content: anchor.content,
    kind: "FACT",
    anchor: true,
    tags: ["anchor", ...(anchor.tags ?? [])],
    source: anchor.source,
  });
}

/** Anchors whose topic the vector returns to. */
export async function anchorsFor(memory: Memory, vector: Float32Array, k = 3): Promise<MemoryNode[]> {
  if ((await memory.store.count()) === 0) return [];
  const hits = await memory.store.query(vector, { topK: k, tags: ["anchor"] });
  return hits.filter((h) => h.score >= ANCHOR_TOPIC_MIN).map(toMemoryNode);
}

/**
 * The recap of a finished phase: 2–3 sentences over its messages (the most central ones, or the model's
 * summary when a summariser is given), redacted. The pipeline stores it in the conversation, never in
 * ARCHIVE: a recap of questions is not knowledge.
 */
export async function phaseRecap(
  messages: readonly string[],
  summarize: Summarizer = extractiveSummarizer,
): Promise<string> {
  if (messages.length === 0) return "";
  return redact(await summarize([...messages])).text.trim();
}
