/**
 * Step 9, formatting: the I-Loop line, Summary / Structure / Reflection / Steps, the ∆DΩΛ block, and an
 * evidence id on every citation, with the citation's provenance.
 */
import { formatAnswer } from "../format.js";
import type { AfterSynthesis, Formatted } from "../turn.js";
import type { Step } from "./step.js";

export const formatting: Step<AfterSynthesis, Formatted & Pick<AfterSynthesis, "answer">> = async (state) => {
  const { answer } = state;
  const layers = [...new Set(answer.citations.map((c) => c.layer))];
  const firstShadow = state.shadowHits[0];
  const lambda =
    state.narrowing[0] ??
    (state.clarifying.length ? `answer: ${state.clarifying[0]}` : undefined) ??
    (firstShadow
      ? `check the source of shadow #${firstShadow.id}, then promote it (sigla memory promote ${firstShadow.id})`
      : undefined) ??
    answer.steps[0] ??
    `say which part of "${state.intent}" matters most, or add notes about it (sigla ingest <folder>)`;
  const steps = [lambda, ...state.narrowing.slice(1), ...answer.steps.filter((s) => s !== lambda)];
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  const delta = {
    // Feedback (step 10) always stores the turn and a self-evaluation in the conversation.
    delta: [...state.written, "the turn and a self-evaluation stored in the conversation"].join("; "),
    depth: `${plural(answer.citations.length, "citation")} from ${layers.length ? layers.join(", ") : "no layer"}; ${state.shadowHits.length} shadow read, not cited`,
    omega: state.clarifying.length
      ? 0.2
      : Math.round((0.5 * state.metrics.trust + 0.5 * state.metrics.clarity) * 100) / 100,
    lambda,
  };
  const formatted = formatAnswer({
    voice: state.voice,
    phase: state.session.phase,
    intent: state.intent,
    summary: answer.summary,
    structure: answer.structure,
    reflection: answer.reflection,
    steps,
    delta,
    citations: answer.citations,
  });
  return {
    out: { delta, formatted, answer: { ...answer, steps } },
    summary: `${formatted.split("\n").length} lines, Ω ${delta.omega}`,
    data: { iLoop: `${state.voice}/${state.session.phase}/${state.intent}`, delta },
  };
};
