/**
 * Step 2, context binding: the last 10 messages, the active ∆DΩΛ, the metrics and phase; the message is
 * embedded once, its drift from the session goal measured, anchors of its topic and nodes a RAG refresh
 * left for this turn brought in, and a quick probe of memory taken (its score margin feeds clarity).
 */
import { anchorsFor } from "../../memory/anchors.js";
import { toMemoryNode } from "../../memory/layers.js";
import type { MemoryNode } from "../../memory/types.js";
import { clarityOf, DRIFT_HIGH, driftOf } from "../metrics.js";
import type { Step } from "./step.js";

export const HISTORY_MESSAGES = 10;

export const contextBinding: Step = async (state) => {
  const { memory, session } = state;
  const [vector] = await memory.store.embedder.embed([state.text]);
  state.vector = vector;
  state.history = session.messages.slice(-HISTORY_MESSAGES);
  const goal = session.goal ? Float32Array.from(session.goal) : undefined;
  state.metrics.drift = driftOf({ message: vector, goal });
  state.topicChanged = goal !== undefined && state.metrics.drift >= DRIFT_HIGH;
  state.anchors = await anchorsFor(memory, vector);
  state.refreshed = [];
  for (const id of session.refresh) {
    const capsule = await memory.store.get(id);
    if (capsule) state.refreshed.push(toMemoryNode(capsule));
  }
  const probe = (await memory.store.count()) > 0 ? await memory.store.query(vector, { topK: 5 }) : [];
  state.probeScores = probe.map((h) => h.score);
  state.metrics.clarity = clarityOf({ text: state.text, scores: state.probeScores });
  state.metrics.trust = session.timeline.at(-1)?.trust ?? 0.5;
  const ids = (nodes: MemoryNode[]) => nodes.map((n) => n.id);
  return {
    summary: `${state.history.length} messages, drift ${state.metrics.drift.toFixed(2)}${state.topicChanged ? " (topic changed)" : ""}, ${state.anchors.length} anchors, ${state.refreshed.length} refreshed`,
    data: {
      history: state.history.length,
      drift: state.metrics.drift,
      topicChanged: state.topicChanged,
      phase: session.phase,
      activeDelta: session.delta ?? null,
      anchors: ids(state.anchors),
      refreshed: ids(state.refreshed),
      probe: probe.map((h) => ({ id: h.id, score: h.score })),
    },
  };
};
