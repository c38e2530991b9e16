/**
 * Step 9, formatting: the I-Loop line, Summary / Structure / Reflection / Steps, the ∆DΩΛ block, and an
 * evidence id on every citation.
 */
import { formatAnswer } from "../format.js";
import type { Step } from "./step.js";

export const formatting: Step = async (state) => {
  const { answer } = state;
  const layers = [...new Set(state.evidence.filter((e) => e.layer !== "shadow").map((e) => e.layer))];
  const firstShadow = state.shadowHits[0];
  const lambda =
    state.narrowing[0] ??
    (state.clarifying.length ? `answer: ${state.clarifying[0]}` : undefined) ??
    (firstShadow
      ? `check the source of shadow #${firstShadow.id}, then promote it (sigla memory promote ${firstShadow.id})`
      : undefined) ??
    `ask the next question about "${state.intent}"`;
  answer.steps = [lambda, ...state.narrowing.slice(1)];
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  state.delta = {
    // Feedback (step 10) always stores the two turns and a self-evaluation; earlier steps may add more.
    delta: [...state.written, "2 turns and a self-evaluation (SHADOW) stored"].join("; "),
    depth: `${plural(answer.citations.length, "citation")} from ${layers.length ? layers.join(", ") : "no layer"}; ${state.shadowHits.length} shadow read, not cited`,
    omega: state.clarifying.length
      ? 0.2
      : Math.round((0.5 * state.metrics.trust + 0.5 * state.metrics.clarity) * 100) / 100,
    lambda,
  };
  state.formatted = formatAnswer({
    voice: state.voice,
    phase: state.session.phase,
    intent: state.intent,
    summary: answer.summary,
    structure: answer.structure,
    reflection: answer.reflection,
    steps: answer.steps,
    delta: state.delta,
    citations: answer.citations,
  });
  return {
    summary: `${state.formatted.split("\n").length} lines, Ω ${state.delta.omega}`,
    data: { iLoop: `${state.voice}/${state.session.phase}/${state.intent}`, delta: state.delta },
  };
};
