/**
 * Protection from forgetting (Iskra §3.5): anchors (short ARCHIVE markers injected whenever their topic
 * returns) and phase recaps (2–3 sentences written to ARCHIVE when a phase ends).
 */
import { extractiveSummary } from "./extractive.js";
import { type Memory, toMemoryNode } from "./layers.js";
import { redact } from "./redact.js";
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
 * Writes the recap of a finished phase: the 2–3 most central sentences of its messages, redacted, as an
 * ARCHIVE SUMMARY at level DERIVED with the conversation range as its source.
 */
export async function phaseRecap(
  memory: Memory,
  phase: { session: string; phase: string; from: number; to: number; messages: string[] },
): Promise<MemoryNode | undefined> {
  const summary = redact(extractiveSummary(phase.messages, 3)).text;
  if (!summary.trim()) return undefined;
  return memory.archive({
    content: summary,
    title: `Recap of the ${phase.phase} phase, turns ${phase.from}–${phase.to}`,
    kind: "SUMMARY",
    level: "DERIVED",
    tags: ["recap", `session:${phase.session}`],
    source: {
      type: "conversation",
      ref: `session:${phase.session}#${phase.from}`,
      locator: `turns ${phase.from}-${phase.to}`,
      retrieved_at: new Date().toISOString(),
    },
  });
}
