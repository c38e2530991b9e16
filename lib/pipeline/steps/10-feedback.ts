/**
 * Step 10, feedback: the turn is stored (both messages as RAW turns), a self-evaluation goes to SHADOW, a
 * pain memory is recorded when pain is high and KAIN spoke, a finished phase gets its recap, a RAG refresh
 * is queued when clarity fell or drift rose, and the session goal, phase and metrics move on.
 */
import { phaseRecap } from "../../memory/anchors.js";
import { sentences } from "../../memory/extractive.js";
import { recordPain } from "../../memory/pain-memory.js";
import { addTurns } from "../../memory/turns.js";
import { CLARITY_LOW, DRIFT_HIGH, nextPhase, PAIN_HIGH, updateGoal } from "../metrics.js";
import type { Step } from "./step.js";

/** ARCHIVE nodes a RAG refresh brings into the next turn. */
export const REFRESH_K = 3;

export const feedback: Step = async (state) => {
  const { memory, session, metrics } = state;
  const at = state.now.toISOString();
  const first = session.messages.length;
  const [userId, answerId] = await addTurns(
    memory.store,
    session.id,
    at,
    [
      // Step 2 embedded the message already; the store checks the vector's dimension.
      { role: "user", text: state.text, vector: state.vector },
      { role: "assistant", text: state.answer.summary },
    ],
    { startTurn: first },
  );
  session.messages.push({ role: "user", text: state.text, at, capsuleId: userId });
  session.messages.push({ role: "assistant", text: state.formatted, at, capsuleId: answerId });

  const selfEval = await memory.shadow({
    content: `Self-evaluation of turn ${state.turn}: ${state.answer.citations.length} citations, trust ${metrics.trust.toFixed(2)}, clarity ${metrics.clarity.toFixed(2)}, mode ${state.mode}. ${state.answer.citations.length === 0 ? "No evidence cited: the answer needs a source." : "Evidence cited."}`,
    kind: "SELF_EVAL",
    tags: ["self-eval", `session:${session.id}`],
    source: { type: "conversation", ref: `session:${session.id}#${first + 1}` },
  });

  // Shadow protocol (high pain or low trust): the answer itself is kept as a draft to be checked.
  let draft: number | undefined;
  if (state.shadowProtocol && state.clarifying.length === 0) {
    const node = await memory.shadow({
      content: state.answer.summary,
      kind: "DRAFT",
      tags: ["shadow-protocol", `session:${session.id}`],
      source: { type: "conversation", ref: `session:${session.id}#${first + 1}` },
    });
    draft = node.id;
    state.written.push(`SHADOW DRAFT #${node.id}`);
  }

  let pain: number | undefined;
  if (metrics.pain >= PAIN_HIGH && state.voices.includes("KAIN")) {
    const node = await recordPain(memory, {
      trigger: state.text,
      context:
        state.history
          .slice(-2)
          .map((m) => `${m.role}: ${m.text.slice(0, 200)}`)
          .join("\n") || state.text,
      reflection: "The user was in distress; the answer stayed truthful and named the problem plainly.",
      resolution: sentences(state.answer.summary)[0] ?? state.answer.summary.slice(0, 200),
      pain: metrics.pain,
      session: session.id,
      turn: first,
    });
    pain = node.id;
  }

  const vector = state.vector;
  const resolved = /\b(thanks|thank you|solved|works now|got it)\b|спасибо|получилось/iu.test(state.text);
  session.turnsOnTopic = state.topicChanged ? 1 : session.turnsOnTopic + 1;
  const next = nextPhase(session.phase, {
    topicChanged: state.topicChanged,
    turnsOnTopic: session.turnsOnTopic,
    resolved,
  });
  let recap: number | undefined;
  if (next.ended) {
    const phaseMessages = session.messages.slice(session.phaseStart, first).filter((m) => m.role === "user");
    const node = await phaseRecap(memory, {
      session: session.id,
      phase: session.phase,
      from: session.phaseStart,
      to: Math.max(session.phaseStart, first - 1),
      messages: phaseMessages.map((m) => m.text),
    });
    recap = node?.id;
    session.phaseStart = first;
  }
  session.phase = next.phase;

  const refreshNeeded = metrics.clarity < CLARITY_LOW || metrics.drift >= DRIFT_HIGH;
  session.refresh = refreshNeeded
    ? (
        await memory.store.search(state.text, { mode: "hybrid", topK: REFRESH_K, tags: ["layer:archive"] })
      ).map((h) => h.id)
    : [];
  // A goal is only set once the user has said what they are after (not from a message we had to question).
  if (state.clarifying.length === 0) {
    const goal = updateGoal(
      session.goal ? Float32Array.from(session.goal) : undefined,
      vector,
      metrics.drift,
    );
    session.goal = Array.from(goal);
  }
  session.delta = state.delta;
  session.timeline.push({
    turn: state.turn,
    ...metrics,
    phase: session.phase,
    voice: state.voice,
    mode: state.mode,
    at,
  });
  return {
    summary: `turn stored, self-eval #${selfEval.id} in SHADOW${draft !== undefined ? `, draft #${draft}` : ""}${pain !== undefined ? `, pain memory #${pain}` : ""}${recap !== undefined ? `, recap #${recap}` : ""}${refreshNeeded ? `, RAG refresh (${session.refresh.length})` : ""}`,
    data: {
      turns: [userId, answerId],
      selfEval: selfEval.id,
      draft: draft ?? null,
      pain: pain ?? null,
      phase: session.phase,
      phaseEnded: next.ended,
      recap: recap ?? null,
      refresh: refreshNeeded ? session.refresh : null,
      metrics: { ...metrics },
    },
  };
};
