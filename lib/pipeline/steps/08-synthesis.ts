/**
 * Step 8, synthesis: the answer from the evidence. The offline answerer (`lib/answer`) always reads the
 * evidence sentence by sentence — it is the answer when no model is configured, and it gives every citation
 * the source sentence it quotes. With a model, the model writes the answer from a prompt built within the
 * window's budget, streaming as it goes, each claim tied to an evidence id; debate is three calls: thesis,
 * antithesis and judge. SHADOW is read but never cited; a question about the knowledge never cites the
 * conversation.
 */
import {
  acknowledgement,
  type ComposedAnswer,
  composeAnswer,
  nextStep,
  type UsedSentence,
} from "../../answer/index.js";
import type { Runner } from "../../llm/runner.js";
import { citationTag } from "../format.js";
import { ANSWER_SYSTEM, answerPrompt, claimsOf, generateText } from "../model-answer.js";
import { citationOf } from "../provenance.js";
import type { AfterMemory, Answer, Synthesised } from "../turn.js";
import type { Evidence } from "../types.js";
import type { Step } from "./step.js";

/** Evidence scoring below this share of the best piece is not quoted. */
export const CITE_MIN_SHARE = 0.5;

/** How much a piece of evidence can be believed, for the judge. */
function weight(e: Evidence): number {
  return (
    (e.score * (e.hasSource ? 1 : 0.6) * (e.hashOk ? 1 : 0) * (1 + 0.2 * e.supports)) / (1 + e.contradicts)
  );
}

function painReflection(state: AfterMemory): string | undefined {
  const pain = state.pain[0];
  if (!pain) return undefined;
  const extra = pain.node.extra ?? {};
  return (
    `This topic hurt before (pain memory #${pain.node.id}: "${pain.node.content.slice(0, 80)}"). ` +
    `What was tried then: ${String(extra.resolution ?? "")} A new strategy now: take one small, checkable step at a time ` +
    "and stop after each to see whether it helped, instead of repeating what did not work."
  );
}

/** What may be cited: not SHADOW, and for a question about the knowledge, nothing of the conversation. */
function citableOf(state: AfterMemory): Evidence[] {
  if (state.clarifying.length > 0) return [];
  const pool = state.evidence.filter(
    (e) => e.layer !== "shadow" && (state.about === "conversation") === (e.layer === "conversation"),
  );
  const best = pool[0]?.score ?? 0;
  return pool.filter((e) => e.score >= best * CITE_MIN_SHARE);
}

/** Thesis and antithesis from the offline reading, for deep and debate traces. */
function offlineCandidates(state: AfterMemory, composed: ComposedAnswer, citable: Evidence[]) {
  const byId = new Map(citable.map((e) => [e.evidenceId, e]));
  const line = (u: UsedSentence) => `${u.sentence} ${citationTag(u.evidenceId)}`;
  const first = composed.perEvidence[0];
  if (!first) return [];
  if (state.mode !== "debate") {
    return [
      { label: state.mode, text: composed.summary, score: weight(byId.get(first.evidenceId) as Evidence) },
    ];
  }
  const thesis = first;
  const antithesis =
    composed.perEvidence.find((u) => u !== thesis && (byId.get(u.evidenceId)?.contradicts ?? 0) > 0) ??
    composed.perEvidence.find((u) => u !== thesis && u.sentence !== thesis.sentence);
  const out = [
    { label: "thesis", text: line(thesis), score: weight(byId.get(thesis.evidenceId) as Evidence) },
  ];
  if (antithesis) {
    out.push({
      label: "antithesis",
      text: line(antithesis),
      score: weight(byId.get(antithesis.evidenceId) as Evidence),
    });
  }
  return out;
}

const DEBATE = {
  antithesis:
    "Give the strongest objection to, or a different reading of, the evidence for this question, in two sentences. " +
    "Cite [ev:N] after each sentence.",
  judge:
    "Two answers to one question follow. Say which is better supported by the evidence: reply THESIS or " +
    "ANTITHESIS, then one sentence why.",
};

/** The model's answer (debate: thesis, antithesis and judge), streamed through `onToken`. */
async function modelAnswer(state: AfterMemory, runner: Runner, citable: Evidence[]) {
  const maxTokens = state.options.maxAnswerTokens;
  const { prompt, used, tokens } = await answerPrompt(runner, state.question, citable, {
    window: state.options.contextWindow,
    answerTokens: maxTokens,
  });
  const call = async (text: string, system?: string, label?: string) => {
    if (label) state.onToken?.(`\n[${label}] `);
    return generateText(runner, text, {
      maxTokens,
      system,
      signal: state.signal,
      onPiece: state.onToken,
    });
  };
  const known = new Set(used.map((e) => e.evidenceId));
  const thesis = await call(prompt, ANSWER_SYSTEM);
  const candidates = [{ label: "thesis", text: thesis.text, score: 1 }];
  let chosen = thesis;
  let judgement: string | undefined;
  if (state.mode === "debate" && !thesis.partial) {
    const antithesis = await call(`${prompt}\n\nThesis: ${thesis.text}`, DEBATE.antithesis, "antithesis");
    candidates.push({ label: "antithesis", text: antithesis.text, score: 0 });
    if (!antithesis.partial) {
      const verdict = await call(
        `Question: ${state.question}\n\nTHESIS: ${thesis.text}\n\nANTITHESIS: ${antithesis.text}`,
        DEBATE.judge,
        "judge",
      );
      judgement = verdict.text;
      const antithesisWins = /^\W*antithesis/i.test(verdict.text);
      candidates[antithesisWins ? 1 : 0].score = 1;
      candidates[antithesisWins ? 0 : 1].score = 0;
      if (antithesisWins) chosen = antithesis;
      if (verdict.partial) chosen = { ...chosen, partial: true };
    } else chosen = { ...thesis, partial: true };
  }
  const claims = claimsOf(chosen.text, known);
  return { chosen, claims, candidates, judgement, tokens, used };
}

function lead(state: AfterMemory): string | undefined {
  return state.voices.includes("KAIN") ? acknowledgement(state.metrics.pain, state.language) : undefined;
}

/** The offline reading of the citable evidence, sentence by sentence; none when nothing may be cited. */
async function composeOffline(state: AfterMemory, citable: Evidence[]): Promise<ComposedAnswer | undefined> {
  if (citable.length === 0) return undefined;
  return composeAnswer({
    question: state.question,
    questionVector: state.vector,
    evidence: citable,
    embedder: state.memory.store.embedder,
    language: state.language,
    mode: state.mode,
    signal: state.signal,
  });
}

/** The source sentence each piece of evidence is quoted by (the first the answerer used). */
function quotedSentences(composed: ComposedAnswer | undefined): Map<string, UsedSentence> {
  const quoted = new Map<string, UsedSentence>();
  for (const u of [...(composed?.used ?? []), ...(composed?.perEvidence ?? [])])
    if (!quoted.has(u.evidenceId)) quoted.set(u.evidenceId, u);
  return quoted;
}

/** The answer's text and what it cites, before the opening and the reflection are added. */
interface Drafted {
  summary: string;
  cited: string[];
  candidates: Answer["candidates"];
  partial: boolean;
  unsupported: string[];
  by: string;
  notes: string[];
}

/** The answer from a model, with notes on what it read, what it left uncited and how it ended. */
async function draftByModel(
  state: AfterMemory,
  runner: Runner,
  composed: ComposedAnswer,
  citable: Evidence[],
): Promise<Drafted> {
  const result = await modelAnswer(state, runner, citable);
  const partial = result.chosen.partial;
  const unsupported = result.claims.unsupported;
  let cited = result.claims.cited;
  const summary = result.claims.text || composed.summary;
  if (result.claims.text === "") cited = composed.used.map((u) => u.evidenceId);
  const notes = [
    `The model read ${result.used.length} of ${citable.length} pieces (${result.tokens} prompt tokens).`,
  ];
  if (unsupported.length > 0)
    notes.push(`${unsupported.length} sentences of the model's answer cite no evidence and are marked so.`);
  if (result.judgement) notes.push(`Judge: ${result.judgement}`);
  if (partial) notes.push("Generation was stopped: the answer is partial.");
  return {
    summary,
    cited,
    candidates: result.candidates,
    partial,
    unsupported,
    by: `model ${runner.info.path}`,
    notes,
  };
}

/** A clarifying question, "nothing found", the model's answer or the offline one. */
async function draft(
  state: AfterMemory,
  composed: ComposedAnswer | undefined,
  citable: Evidence[],
): Promise<Drafted> {
  const offline = { partial: false, unsupported: [], by: "offline answerer", notes: [] };
  if (state.clarifying.length > 0) {
    return {
      ...offline,
      summary: `Before I answer: ${state.clarifying.join(" ")}`,
      cited: [],
      candidates: [],
    };
  }
  if (!composed) {
    const summary =
      state.about === "conversation"
        ? "Nothing said in earlier conversations matches this."
        : "Memory holds nothing on this yet.";
    return { ...offline, summary, cited: [], candidates: [{ label: "none", text: summary, score: 0 }] };
  }
  if (state.options.runner) return draftByModel(state, state.options.runner, composed, citable);
  return {
    ...offline,
    summary: composed.summary,
    cited: [...new Set(composed.used.map((u) => u.evidenceId))],
    candidates: offlineCandidates(state, composed, citable),
  };
}

/** The reflection line: pain, SHADOW read, the offline judge's verdict, the model's notes, KAIN's tone. */
function reflectionOf(state: AfterMemory, candidates: Answer["candidates"], notes: string[]): string {
  return [
    painReflection(state),
    state.shadowHits.length
      ? `${state.shadowHits.length} unverified hypotheses in SHADOW (#${state.shadowHits.map((n) => n.id).join(", #")}) were read and not cited.`
      : undefined,
    state.mode === "debate" && candidates.length > 1 && !state.options.runner
      ? `Judge: "${[...candidates].sort((a, b) => b.score - a.score)[0].label}" wins (${candidates
          .map((c) => `${c.label} ${c.score.toFixed(3)}`)
          .join(" vs ")}).`
      : undefined,
    ...notes,
    state.voice === "KAIN" ? "Said plainly, because it matters more than comfort." : undefined,
  ]
    .filter(Boolean)
    .join(" ");
}

/** The answer's structure: anchors, refreshed capsules, the other candidates, the closest memory. */
function structureOf(state: AfterMemory, candidates: Answer["candidates"]): string[] {
  return [
    ...state.anchors.map((a) => `Anchor: ${a.content} ${citationTag(`ev:${a.id}`)}`),
    ...state.refreshed.map((n) => `Refreshed: ${n.title} ${citationTag(`ev:${n.id}`)}`),
    ...candidates
      .filter((c) => c.label !== state.mode)
      .map((c) => `${c.label}: ${c.text.replace(/\s+/g, " ")}`),
    ...(state.clarifying.length && state.evidence[0]
      ? [`Closest in memory so far: ${state.evidence[0].title ?? state.evidence[0].text.slice(0, 120)}`]
      : []),
  ];
}

export const synthesis: Step<AfterMemory, Synthesised> = async (state) => {
  const citable = citableOf(state);
  const composed = await composeOffline(state, citable);
  const byId = new Map(citable.map((e) => [e.evidenceId, e]));
  const quoted = quotedSentences(composed);
  const drafted = await draft(state, composed, citable);
  const { cited, candidates, partial, unsupported, by } = drafted;
  let summary = drafted.summary;
  const opening = state.clarifying.length === 0 ? lead(state) : undefined;
  if (opening) summary = `${opening}\n\n${summary}`;

  const citations = [
    ...cited.flatMap((id) => {
      const e = byId.get(id);
      const u = quoted.get(id);
      return e ? [citationOf(e, u)] : [];
    }),
  ];
  const reflection = reflectionOf(state, candidates, drafted.notes);
  const answer: Answer = {
    summary,
    structure: structureOf(state, candidates),
    reflection: reflection || "Nothing to add.",
    citations,
    candidates,
    steps: composed
      ? [
          nextStep({
            questionType: composed.questionType,
            used: composed.used,
            evidence: citable.map((e) => ({ ...e, ...(e.source ? { ref: e.source } : {}) })),
            answered: citations.length > 0 && !partial,
            language: state.language,
          }),
        ]
      : [],
    by,
    partial,
    unsupported,
  };
  return {
    out: { answer },
    summary: `${candidates.length} candidates (${state.mode}), ${citations.length} citations, ${by}${composed ? `, ${composed.questionType} question` : ""}${partial ? ", partial" : ""}`,
    data: {
      candidates: candidates.map((c) => ({ label: c.label, score: c.score })),
      questionType: composed?.questionType ?? null,
      by,
      partial,
      unsupported: unsupported.length,
      cited: citations.map((c) => c.evidenceId),
      shadowRead: state.shadowHits.map((n) => n.id),
      painSurfaced: state.pain.map((p) => p.node.id),
    },
  };
};
