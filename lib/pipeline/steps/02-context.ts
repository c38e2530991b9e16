/**
 * Step 2, context binding: the last 10 messages, the active ∆DΩΛ, the metrics and phase. A vague follow-up
 * ("how does it work?") is resolved to the session's topic first; then the question is embedded — once: the
 * vector is passed to every search of the turn. Its drift from the session goal is measured, anchors of its
 * topic and nodes a RAG refresh left for this turn are brought in, and a quick probe of memory taken (its
 * score margin feeds clarity).
 */
import { resolveFollowUp } from "../../answer/index.js";
import { anchorsFor } from "../../memory/anchors.js";
import { nodeMetaOf } from "../../memory/layers.js";
import { clarityOf, DRIFT_HIGH, driftOf } from "../metrics/index.js";
import type { AfterPerception, Bound, TurnContext } from "../turn.js";
import type { Step } from "./step.js";

export const HISTORY_MESSAGES = 10;

export const contextBinding: Step<AfterPerception, Bound & Pick<TurnContext, "metrics">> = async (state) => {
  const { memory, session } = state;
  const history = session.messages.slice(-HISTORY_MESSAGES);
  const lastQuestion = history.findLast((m) => m.role === "user")?.text;
  const followUp = resolveFollowUp(state.text, { topic: session.telos, lastQuestion });
  const question = followUp.text;
  const [vector] = await memory.store.embedder.embed([question]);
  const goal = session.goal ? Float32Array.from(session.goal) : undefined;
  const drift = driftOf({ message: vector, goal });
  const topicChanged = goal !== undefined && drift >= DRIFT_HIGH;
  const anchors = await anchorsFor(memory, vector);
  const refreshed: Bound["refreshed"] = [];
  for (const id of session.refresh) {
    const capsule = await memory.store.get(id);
    if (!capsule) continue;
    const title = nodeMetaOf(capsule)?.title ?? capsule.meta.title;
    refreshed.push({ id, title: typeof title === "string" ? title : capsule.text.slice(0, 80) });
  }
  const probe = (await memory.store.count()) > 0 ? await memory.store.query(vector, { topK: 5 }) : [];
  const probeScores = probe.map((h) => h.score);
  const metrics = {
    ...state.metrics,
    drift,
    clarity: clarityOf({ text: question, scores: probeScores }),
    trust: session.timeline.at(-1)?.trust ?? 0.5,
  };
  const ids = (nodes: Array<{ id: number }>) => nodes.map((n) => n.id);
  return {
    out: { vector, question, history, topicChanged, anchors, refreshed, probeScores, metrics },
    summary: `${history.length} messages, drift ${drift.toFixed(2)}${topicChanged ? " (topic changed)" : ""}, ${anchors.length} anchors, ${refreshed.length} refreshed${followUp.resolved ? `, follow-up read as "${question}"` : ""}`,
    data: {
      history: history.length,
      question,
      followUp: followUp.resolved,
      drift,
      topicChanged,
      phase: session.phase,
      activeDelta: session.delta ?? null,
      anchors: ids(anchors),
      refreshed: ids(refreshed),
      probe: probe.map((h) => ({ id: h.id, score: h.score })),
    },
  };
};
