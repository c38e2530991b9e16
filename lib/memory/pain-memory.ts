/**
 * Pain memory (Iskra §3.4): when pain ≥ 0.7 and KAIN speaks, the moment is recorded (trigger, context,
 * reflection, resolution) as a SHADOW node of kind PAIN; when the user comes back to the same topic it is
 * found again by similarity so the pipeline can propose a new strategy instead of repeating itself.
 */
import { InvalidInputError } from "../errors.js";
import { type Memory, toMemoryNode } from "./layers.js";
import type { MemoryNode } from "./types.js";

/** Similarity (cosine) above which a message is about the same topic as a pain memory. */
export const PAIN_TOPIC_MIN = 0.45;

/** What a pain memory holds: the message that hurt, its dialogue, the reflection on it and its resolution. */
export interface PainRecord {
  /** The message that hurt (it is also what later messages are compared with). */
  trigger: string;
  /** The surrounding dialogue. */
  context: string;
  reflection: string;
  resolution: string;
  pain: number;
  session?: string;
  turn?: number;
}

/** Records a pain memory; the caller decides when (pain ≥ 0.7 with KAIN active). */
export async function recordPain(memory: Memory, record: PainRecord): Promise<MemoryNode> {
  for (const field of ["trigger", "context", "reflection", "resolution"] as const) {
    if (typeof record[field] !== "string" || record[field].trim() === "") {
      throw new InvalidInputError(`a pain memory needs a ${field}`);
    }
  }
  return memory.shadow({
    content: record.trigger,
    title: `Pain: ${record.trigger.slice(0, 60)}`,
    kind: "PAIN",
    tags: ["pain"],
    source: record.session
      ? { type: "conversation", ref: `session:${record.session}#${record.turn ?? 0}` }
      : undefined,
    extra: {
      context: record.context,
      reflection: record.reflection,
      resolution: record.resolution,
      pain: record.pain,
    },
  });
}

/** Pain memories about the same topic as `vector` (most similar first). */
export async function painFor(
  memory: Memory,
  vector: Float32Array,
  options: { minScore?: number; k?: number } = {},
): Promise<Array<{ node: MemoryNode; score: number }>> {
  if ((await memory.store.count()) === 0) return [];
  const hits = await memory.store.query(vector, { topK: options.k ?? 3, tags: ["kind:PAIN"] });
  return hits
    .filter((h) => h.score >= (options.minScore ?? PAIN_TOPIC_MIN))
    .map((h) => ({ node: toMemoryNode(h), score: h.score }));
}
