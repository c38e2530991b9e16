/**
 * Step 10, feedback: the turn goes into the conversation — both messages, a self-evaluation, the draft the
 * shadow protocol keeps and, when a phase ended, its recap — in one commit, apart from the knowledge. A pain
 * memory is recorded when pain is high and KAIN spoke; a RAG refresh of knowledge (never of old questions)
 * is queued when clarity fell or drift rose; the session goal, phase and metrics move on. With a model, the
 * recap and the self-evaluation are the model's words.
 */

import { phaseRecap } from "../../memory/anchors.js";
import type { ConversationRecord } from "../../memory/conversation.js";
import { sentences } from "../../memory/extractive.js";
import { extractiveSummarizer } from "../../memory/graph-rag.js";
import { recordPain } from "../../memory/pain-memory.js";
import { CLARITY_LOW, DRIFT_HIGH, nextPhase, PAIN_HIGH, updateGoal } from "../metrics/index.js";
import { generateText, modelSummarizer } from "../model-answer.js";
import type { AfterFormatting, Fed } from "../turn.js";
import type { Step } from "./step.js";

/** Knowledge capsules a RAG refresh brings into the next turn. */
export const REFRESH_K = 3;

/** The self-evaluation of the turn: the model's when one is set, else the measured facts. */
async function selfEvaluation(state: AfterFormatting): Promise<string> {
  const { answer, metrics } = state;
  const facts = `Self-evaluation of turn ${state.turn}: ${answer.citations.length} citations, trust ${metrics.trust.toFixed(2)}, clarity ${metrics.clarity.toFixed(2)}, mode ${state.mode}.`;
  const plain = `${facts} ${answer.citations.length === 0 ? "No evidence cited: the answer needs a source." : "Evidence cited."}${answer.unsupported.length ? ` ${answer.unsupported.length} sentences without evidence.` : ""}`;
  const runner = state.options.runner;
  if (!runner || answer.partial) return plain;
  // A stop here (Ctrl-C after the answer was written) keeps the measured facts instead of half a verdict.
  const { text, partial } = await generateText(
    runner,
    `Question: ${state.question}\n\nAnswer: ${answer.summary}`,
    {
      system:
        "In one or two sentences, judge whether this answer is supported by its [evidence_id] citations and what it misses.",
      maxTokens: 96,
      signal: state.signal,
    },
  );
  return text && !partial ? `${facts} ${text}` : plain;
}

/** The turn's records: both messages, the self-evaluation and, under the shadow protocol, the draft. */
async function turnRecords(state: AfterFormatting, first: number, at: string): Promise<ConversationRecord[]> {
  const records: ConversationRecord[] = [
    { kind: "turn", role: "user", text: state.text, turn: first, at, vector: state.vector },
    { kind: "turn", role: "assistant", text: state.answer.summary, turn: first + 1, at },
    { kind: "self-eval", text: await selfEvaluation(state), turn: first + 1, at },
  ];
  // Shadow protocol (high pain or low trust): the answer is also kept as a draft to be checked.
  if (state.shadowProtocol && state.clarifying.length === 0) {
    records.push({ kind: "draft", text: state.answer.summary, turn: first + 1, at });
  }
  return records;
}

/**
 * Moves the session's phase on: counts the turns on this topic and, when the phase ends, adds its recap
 * to `records` and starts the next phase at this turn. Returns the next phase and whether a recap was added.
 */
async function advancePhase(
  state: AfterFormatting,
  records: ConversationRecord[],
  first: number,
  at: string,
) {
  const { session } = state;
  const runner = state.options.runner;
  session.turnsOnTopic = state.topicChanged ? 1 : session.turnsOnTopic + 1;
  const resolved = /\b(thanks|thank you|solved|works now|got it)\b|спасибо|получилось/iu.test(state.text);
  const next = nextPhase(session.phase, {
    topicChanged: state.topicChanged,
    turnsOnTopic: session.turnsOnTopic,
    resolved,
  });
  let recapped = false;
  if (next.ended) {
    const said = session.messages
      .slice(session.phaseStart, first)
      .filter((m) => m.role === "user")
      .map((m) => m.text);
    const recap = await phaseRecap(said, runner ? modelSummarizer(runner) : extractiveSummarizer);
    if (recap) {
      const to = Math.max(session.phaseStart, first - 1);
      records.push({
        kind: "recap",
        text: recap,
        turn: session.phaseStart,
        to,
        at,
        title: `Recap of the ${session.phase} phase, turns ${session.phaseStart}–${to}`,
      });
      recapped = true;
    }
    session.phaseStart = first;
  }
  return { next, recapped };
}

/** A pain memory when pain is high and KAIN spoke; its capsule id, else undefined. */
async function painMemory(state: AfterFormatting, first: number): Promise<number | undefined> {
  const { memory, session, metrics, answer } = state;
  if (!(metrics.pain >= PAIN_HIGH && state.voices.includes("KAIN"))) return undefined;
  const node = await recordPain(memory, {
    trigger: state.text,
    context:
      state.history
        .slice(-2)
        .map((m) => `${m.role}: ${m.text.slice(0, 200)}`)
        .join("\n") || state.text,
    reflection: "The user was in distress; the answer stayed truthful and named the problem plainly.",
    resolution: sentences(answer.summary)[0] ?? answer.summary.slice(0, 200),
    pain: metrics.pain,
    session: session.id,
    turn: first,
  });
  return node.id;
}

/** Knowledge capsules (never SHADOW) to bring into the next turn, when clarity fell or drift rose. */
async function refreshIds(state: AfterFormatting, refreshNeeded: boolean): Promise<number[]> {
  const { memory } = state;
  return refreshNeeded && (await memory.store.count()) > 0
    ? (
        await memory.store.search(state.question, {
          mode: "hybrid",
          topK: REFRESH_K,
          where: "NOT array_has(tags, 'layer:shadow')",
          vector: state.vector,
        })
      ).map((h) => h.id)
    : [];
}

/** The session's goal, delta and timeline after this turn. */
function moveSessionOn(state: AfterFormatting, at: string): void {
  const { session, metrics } = state;
  // A goal is only set once the user has said what they are after (not from a message we had to question).
  if (state.clarifying.length === 0) {
    const goal = updateGoal(
      session.goal ? Float32Array.from(session.goal) : undefined,
      state.vector,
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
}

export const feedback: Step<AfterFormatting, Fed> = async (state) => {
  const { memory, session, metrics } = state;
  const at = state.now.toISOString();
  const first = session.messages.length;

  const records = await turnRecords(state, first, at);
  const { next, recapped } = await advancePhase(state, records, first, at);
  // One commit for everything the turn says (turns, self-evaluation, draft, recap).
  const ids = await memory.conversation.add(session.id, records);
  const [userId, answerId] = ids;
  session.messages.push({ role: "user", text: state.text, at, capsuleId: userId });
  session.messages.push({ role: "assistant", text: state.formatted, at, capsuleId: answerId });
  session.phase = next.phase;

  const pain = await painMemory(state, first);
  const refreshNeeded = metrics.clarity < CLARITY_LOW || metrics.drift >= DRIFT_HIGH;
  session.refresh = await refreshIds(state, refreshNeeded);
  moveSessionOn(state, at);
  const kinds = records.map((r) => r.kind);
  return {
    out: { phase: session.phase },
    summary: `${records.length} conversation records in one commit (${kinds.join(", ")})${pain !== undefined ? `, pain memory #${pain}` : ""}${refreshNeeded ? `, RAG refresh (${session.refresh.length})` : ""}`,
    data: {
      turns: [userId, answerId],
      conversation: ids,
      selfEval: ids[2],
      draft: kinds.includes("draft") ? ids[kinds.indexOf("draft")] : null,
      pain: pain ?? null,
      phase: session.phase,
      phaseEnded: next.ended,
      recap: recapped ? ids[kinds.indexOf("recap")] : null,
      refresh: refreshNeeded ? session.refresh : null,
      metrics: { ...metrics },
    },
  };
};
