/**
 * Step 8, synthesis: candidate answers from the evidence. Fast takes the best piece, deep several, debate
 * sets a thesis against an antithesis and a judge picks. With an LLM runner configured it writes the
 * answer from the evidence; otherwise the extractive composer quotes the sentences that answer best, each
 * with its evidence id. SHADOW is read but never cited.
 */
import { contentWords, sentences } from "../../memory/extractive.js";
import { citationTag } from "../format.js";
import type { TurnState } from "../turn.js";
import type { Evidence } from "../types.js";
import type { Step } from "./step.js";

/** Evidence scoring below this share of the best piece is not quoted. */
export const CITE_MIN_SHARE = 0.5;

/** The sentence of `text` sharing the most content words with the question. */
export function bestSentence(text: string, question: string): string {
  const words = new Set(contentWords(question));
  let best = "";
  let bestScore = -1;
  for (const sentence of sentences(text)) {
    const score = contentWords(sentence).filter((w) => words.has(w)).length;
    if (score > bestScore) [best, bestScore] = [sentence, score];
  }
  return best || text.slice(0, 200);
}

function quote(e: Evidence, question: string): string {
  return `${bestSentence(e.text, question)} ${citationTag(e.evidenceId)}`;
}

/** How much a piece of evidence can be believed, for the judge. */
function weight(e: Evidence): number {
  return (
    (e.score * (e.hasSource ? 1 : 0.6) * (e.hashOk ? 1 : 0) * (1 + 0.2 * e.supports)) / (1 + e.contradicts)
  );
}

function candidates(state: TurnState, citable: Evidence[]): TurnState["answer"]["candidates"] {
  const q = state.text;
  if (state.clarifying.length) return [];
  if (citable.length === 0) return [{ label: "none", text: "Memory holds nothing on this yet.", score: 0 }];
  if (state.mode === "fast")
    return [{ label: "fast", text: quote(citable[0], q), score: weight(citable[0]) }];
  if (state.mode === "deep") {
    // Several pieces, one quote per distinct sentence.
    const seen = new Set<string>();
    const used = citable.slice(0, 4).filter((e) => {
      const sentence = bestSentence(e.text, q);
      if (seen.has(sentence)) return false;
      seen.add(sentence);
      return true;
    });
    return [
      {
        label: "deep",
        text: used.map((e) => quote(e, q)).join(" "),
        score: used.reduce((s, e) => s + weight(e), 0),
      },
    ];
  }
  const thesis = citable[0];
  const antithesis =
    citable.find((e) => e !== thesis && e.contradicts > 0) ??
    citable.find((e) => e !== thesis && bestSentence(e.text, q) !== bestSentence(thesis.text, q));
  const out = [{ label: "thesis", text: quote(thesis, q), score: weight(thesis) }];
  if (antithesis) out.push({ label: "antithesis", text: quote(antithesis, q), score: weight(antithesis) });
  return out;
}

function painReflection(state: TurnState): string | undefined {
  const pain = state.pain[0];
  if (!pain) return undefined;
  const extra = pain.node.extra ?? {};
  return (
    `This topic hurt before (pain memory #${pain.node.id}: "${pain.node.content.slice(0, 80)}"). ` +
    `What was tried then: ${String(extra.resolution ?? "")} A new strategy now: take one small, checkable step at a time ` +
    "and stop after each to see whether it helped, instead of repeating what did not work."
  );
}

export const synthesis: Step = async (state) => {
  // Citable: not SHADOW, not this session's own turns and recaps (those are context), and close enough to
  // the best piece to be worth quoting.
  const own = state.session.id;
  const pool = state.evidence.filter((e) => e.layer !== "shadow" && e.session !== own);
  const best = pool[0]?.score ?? 0;
  const citable = state.clarifying.length ? [] : pool.filter((e) => e.score >= best * CITE_MIN_SHARE);
  const made = candidates(state, citable);
  const judged = [...made].sort((a, b) => b.score - a.score);
  const chosen = judged[0] ?? { label: "clarify", text: "", score: 0 };
  const cited = citable.filter((e) => chosen.text.includes(citationTag(e.evidenceId)));
  let summary = chosen.text;
  if (state.options.generator && citable.length > 0 && state.clarifying.length === 0) {
    const context = citable.map((e) => `[${e.evidenceId}] ${e.text}`).join("\n");
    summary = await state.options.generator(
      `Answer using only the evidence; cite as [evidence_id: ev:N].\nEvidence:\n${context}\nQuestion: ${state.text}\nAnswer:`,
      { signal: state.signal },
    );
  }
  if (state.clarifying.length > 0) summary = `Before I answer: ${state.clarifying.join(" ")}`;
  const reflection = [
    painReflection(state),
    state.shadowHits.length
      ? `${state.shadowHits.length} unverified hypotheses in SHADOW (#${state.shadowHits.map((n) => n.id).join(", #")}) were read and not cited.`
      : undefined,
    state.mode === "debate" && made.length > 1
      ? `Judge: "${chosen.label}" wins (${chosen.score.toFixed(3)} vs ${judged[1].score.toFixed(3)}).`
      : undefined,
    state.voice === "KAIN" ? "Said plainly, because it matters more than comfort." : undefined,
  ]
    .filter(Boolean)
    .join(" ");
  state.answer = {
    summary,
    structure: [
      ...state.anchors.map((a) => `Anchor: ${a.content} ${citationTag(`ev:${a.id}`)}`),
      ...state.refreshed.map((n) => `Refreshed: ${n.content.slice(0, 120)} ${citationTag(`ev:${n.id}`)}`),
      ...made.map((c) => `${c.label}: ${c.text}`),
      ...(state.clarifying.length && pool[0]
        ? [`Closest in memory so far: ${pool[0].title ?? pool[0].text.slice(0, 120)}`]
        : []),
    ],
    reflection: reflection || "Nothing to add.",
    steps: [],
    citations: [...cited, ...state.anchors.map((a) => state.evidence.find((e) => e.capsuleId === a.id))]
      .filter((e): e is Evidence => e !== undefined)
      .map((e) => ({ evidenceId: e.evidenceId, text: e.text })),
    candidates: made,
  };
  return {
    summary: `${made.length} candidates (${state.mode}), chose ${chosen.label}, ${state.answer.citations.length} citations${state.options.generator ? ", LLM runner" : ", extractive"}`,
    data: {
      candidates: made.map((c) => ({ label: c.label, score: c.score })),
      chosen: chosen.label,
      cited: state.answer.citations.map((c) => c.evidenceId),
      shadowRead: state.shadowHits.map((n) => n.id),
      painSurfaced: state.pain.map((p) => p.node.id),
    },
  };
};
