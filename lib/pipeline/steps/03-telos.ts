/**
 * Step 3, telos: what the user is after. When the goal is unclear (a vague first message, or a vague one
 * on a new topic) the answer asks 1–2 clarifying questions instead of guessing.
 */
import { contentWords } from "../../memory/extractive.js";
import { CLARITY_LOW, specificityOf } from "../metrics/index.js";
import type { AfterContext, Telos } from "../turn.js";
import type { Step } from "./step.js";

/** The intent line: the message's first content words. */
export function intentOf(text: string): string {
  const words = contentWords(text).slice(0, 6);
  return words.length ? words.join(" ") : text.slice(0, 40);
}

/** One or two questions that would make a vague request answerable. */
export function clarifyingQuestions(text: string, language: string): string[] {
  const topic = contentWords(text).slice(0, 3).join(" ");
  if (language === "rus") {
    return [
      topic ? `Что именно вы хотите узнать о «${topic}»?` : "О какой теме или задаче идёт речь?",
      "Для чего вам это нужно — какой результат будет хорошим?",
    ];
  }
  return [
    topic ? `What exactly do you want to know about "${topic}"?` : "Which topic or task is this about?",
    "What is it for — what would a good result look like?",
  ];
}

export const telos: Step<AfterContext, Telos> = async (state) => {
  const { session } = state;
  const specificity = specificityOf(state.question);
  const newGoal = session.goal === undefined || state.topicChanged;
  const intent = intentOf(state.question);
  const clarifying =
    newGoal && specificity < CLARITY_LOW ? clarifyingQuestions(state.question, state.language) : [];
  // The session's topic: what a later vague follow-up ("how does it work?") is about.
  if (clarifying.length === 0 && newGoal) session.telos = intent;
  return {
    out: { intent, clarifying },
    summary: clarifying.length
      ? `goal unclear (specificity ${specificity.toFixed(2)}): ${clarifying.length} clarifying questions`
      : `intent: ${intent}`,
    data: { intent, specificity, telos: session.telos ?? null, clarifying },
  };
};
