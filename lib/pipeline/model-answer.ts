/**
 * The language model inside a turn (seed §3.1 step 8, §12): the prompt is built from the memory step's
 * evidence within the context window's token budget, counted with the model's own tokenizer; the model's
 * text is streamed as it comes; every sentence of it is tied to the evidence ids it names, and sentences
 * naming none are flagged. A stop (Ctrl-C) keeps what was written, marked partial.
 */

import { splitSentences } from "../answer/index.js";
import { CancelledError } from "../errors.js";
import type { GenerateOptions, Runner } from "../llm/runner.js";
import { extractiveSummary } from "../memory/extractive.js";
import { citationTag } from "./format.js";
import type { Evidence } from "./types.js";

/** What a model call produced. */
export interface ModelText {
  text: string;
  /** Stopped before it finished (the signal fired): `text` is what came until then. */
  partial: boolean;
}

/**
 * Runs one generation, passing each piece to `onPiece`; a cancellation ends it early with what came so
 * far (`partial`), any other failure propagates.
 */
export async function generateText(
  runner: Runner,
  prompt: string,
  options: GenerateOptions & { onPiece?: (piece: string) => void },
): Promise<ModelText> {
  let text = "";
  try {
    for await (const piece of runner.generate(prompt, options)) {
      text += piece;
      options.onPiece?.(piece);
    }
  } catch (error) {
    if (error instanceof CancelledError || options.signal?.aborted)
      return { text: text.trim(), partial: true };
    throw error;
  }
  return { text: text.trim(), partial: Boolean(options.signal?.aborted) };
}

export const ANSWER_SYSTEM =
  "You answer questions using only the evidence given. After every sentence, name the evidence it rests on " +
  "as [ev:N]. If the evidence does not answer the question, say so in one sentence. Be brief and exact.";

/**
 * The synthesis prompt: the question and as much evidence, best first, as fits the window once the answer's
 * own tokens are set aside. Returns the prompt and the evidence that went in.
 */
export async function answerPrompt(
  runner: Runner,
  question: string,
  evidence: readonly Evidence[],
  budget: { window: number; answerTokens: number },
): Promise<{ prompt: string; used: Evidence[]; tokens: number }> {
  const window = Math.min(budget.window, runner.info.contextSize);
  const head = `Question: ${question}\n\nEvidence:\n`;
  const tail = `\nQuestion: ${question}\nAnswer (cite [ev:N] after each sentence):`;
  let tokens =
    (await runner.countTokens(ANSWER_SYSTEM)) +
    (await runner.countTokens(head)) +
    (await runner.countTokens(tail));
  const room = window - budget.answerTokens;
  const used: Evidence[] = [];
  const lines: string[] = [];
  for (const e of evidence) {
    const line = `[${e.evidenceId}]${e.title ? ` (${e.title})` : ""} ${e.text.replace(/\s+/g, " ").trim()}\n`;
    const cost = await runner.countTokens(line);
    if (tokens + cost > room) break;
    tokens += cost;
    used.push(e);
    lines.push(line);
  }
  return { prompt: `${head}${lines.join("")}${tail}`, used, tokens };
}

/** What the model's answer says, claim by claim. */
export interface Claims {
  /** The answer with every citation in the canonical `[evidence_id: ev:N]` form and flags on bare claims. */
  text: string;
  /** Evidence ids cited, in order of first use (only ids that were in the prompt). */
  cited: string[];
  /** Sentences that name no evidence. */
  unsupported: string[];
}

const MODEL_CITATION = /\[(?:evidence_id:\s*)?(ev:[^\s\]]+)\]/g;
/** Marks a sentence of a model's answer that cites no evidence. */
export const UNSUPPORTED_MARK = "[no evidence]";

/** Ties each sentence of a model's answer to the evidence ids it names; ids not in `known` are dropped. */
export function claimsOf(answer: string, known: ReadonlySet<string>): Claims {
  const cited: string[] = [];
  const unsupported: string[] = [];
  const out: string[] = [];
  for (const { sentence } of splitSentences(answer)) {
    const ids = [...sentence.matchAll(MODEL_CITATION)].map((m) => m[1]).filter((id) => known.has(id));
    const bare = sentence
      .replace(MODEL_CITATION, "")
      .replace(/\s+([.!?,;:])/g, "$1")
      .replace(/\s+/g, " ")
      .trim();
    if (bare === "") continue;
    for (const id of ids) if (!cited.includes(id)) cited.push(id);
    if (ids.length === 0) {
      unsupported.push(bare);
      out.push(`${bare} ${UNSUPPORTED_MARK}`);
    } else {
      out.push(`${bare} ${[...new Set(ids)].map(citationTag).join(" ")}`);
    }
  }
  return { text: out.join(" "), cited, unsupported };
}

/**
 * A summariser written by the model (community summaries, phase recaps): 2–3 sentences over as many of the
 * texts as fit the model's window (counted with its tokenizer), falling back to the extractive summary
 * when the model writes nothing.
 */
export function modelSummarizer(runner: Runner, options: { maxTokens?: number; signal?: AbortSignal } = {}) {
  const maxTokens = options.maxTokens ?? 128;
  const system = "Summarise what these texts say in two or three plain sentences.";
  return async (texts: string[]): Promise<string> => {
    let room = runner.info.contextSize - maxTokens - (await runner.countTokens(system)) - 32;
    const lines: string[] = [];
    for (const t of texts) {
      const line = `- ${t.replace(/\s+/g, " ").trim()}\n`;
      room -= await runner.countTokens(line);
      if (room < 0) break;
      lines.push(line);
    }
    if (lines.length === 0) return extractiveSummary(texts, 3);
    const { text } = await generateText(runner, lines.join(""), {
      system,
      maxTokens,
      signal: options.signal,
    });
    return text || extractiveSummary(texts, 3);
  };
}
