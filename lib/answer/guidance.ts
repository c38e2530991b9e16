/**
 * The words around an answer: one plain sentence that acknowledges distress before the content, and the Λ
 * line — a concrete next step: the note to read next (the best evidence the answer did not quote), the
 * passage to open around a quote, or what to name so the question can be answered. Never the question
 * echoed back with its stop words removed.
 */
import { PAIN_HIGH } from "../pipeline/metrics/index.js";
import type { AnswerEvidence, QuestionType, UsedSentence } from "./types.js";

const russian = (language: string | undefined) => language === "rus";

/**
 * One short sentence acknowledging distress, said before the content when `pain` ≥ `PAIN_HIGH` (Russian
 * for "rus", English otherwise); undefined below that.
 */
export function acknowledgement(pain: number, language: string): string | undefined {
  if (!(pain >= PAIN_HIGH)) return undefined;
  return russian(language)
    ? "Понимаю, это досадно — вот что есть по делу."
    : "That sounds frustrating — here is what the notes say.";
}

/** Evidence with an optional reference to show: a file path, a URL, a note name. */
export type NextStepEvidence = AnswerEvidence & { ref?: string };

/** What `nextStep` chooses the Λ line from: the question type, the evidence, what the answer quoted. */
export interface NextStepInput {
  questionType: QuestionType;
  used: UsedSentence[];
  evidence: NextStepEvidence[];
  /** Whether the answer stated something that answers the question. */
  answered: boolean;
  /** ISO 639-3; "rus" gives Russian, anything else English. */
  language?: string;
}

/** What to name when a question of each type could not be answered. */
const NARROW: Record<QuestionType, { eng: string; rus: string }> = {
  definition: {
    eng: "name the term exactly as your notes spell it",
    rus: "назовите термин так, как он написан в заметках",
  },
  value: {
    eng: "name the setting and the component or version it belongs to",
    rus: "назовите параметр и компонент или версию, к которым он относится",
  },
  yesno: { eng: "name the component or the version you mean", rus: "назовите компонент или версию" },
  steps: {
    eng: "name the tool and the step where you are stuck",
    rus: "назовите инструмент и шаг, на котором застряли",
  },
  list: { eng: "name the component whose options you want", rus: "назовите компонент, чьи варианты нужны" },
  reason: { eng: "name the decision or behaviour you want explained", rus: "назовите решение или поведение" },
  comparison: { eng: "name the two things to compare", rus: "назовите две вещи для сравнения" },
  open: { eng: "name the component or the version you mean", rus: "назовите компонент или версию" },
};

/** How a piece of evidence is shown: its ref, else its title in quotes, else its evidence id. */
function nameOf(e: NextStepEvidence): string {
  if (e.ref) return e.ref;
  if (e.title) return `"${e.title}"`;
  return e.evidenceId;
}

/**
 * The Λ line. Answered: read the best evidence the answer did not quote; when all of it was quoted, open
 * the top quoted source around the quote (steps: do the first step and check it). Not answered: read the
 * closest evidence found and name what is missing for this question type; with no evidence at all, add
 * notes that cover it.
 */
export function nextStep(input: NextStepInput): string {
  const ru = russian(input.language);
  const quoted = new Set(input.used.map((u) => u.evidenceId));
  const unused = input.evidence.find((e) => !quoted.has(e.evidenceId));
  const narrow = NARROW[input.questionType][ru ? "rus" : "eng"];
  if (!input.answered) {
    if (input.evidence.length === 0) {
      return ru
        ? `В памяти об этом ничего нет: добавьте заметки командой :ingest <путь> или ${narrow}.`
        : `Nothing in memory covers this yet: add the notes that do with :ingest <path>, or ${narrow}.`;
    }
    const closest = nameOf(unused ?? input.evidence[0]);
    return ru
      ? `Прочитайте ${closest} — это ближайшее, что нашлось; или ${narrow}.`
      : `Read ${closest}, the closest note found, or ${narrow}.`;
  }
  if (unused) {
    return ru ? `Дальше прочитайте ${nameOf(unused)}.` : `Read ${nameOf(unused)} next.`;
  }
  const top = input.evidence.find((e) => quoted.has(e.evidenceId));
  if (input.questionType === "steps") {
    return ru
      ? "Выполните первый шаг и проверьте результат, прежде чем идти дальше."
      : "Do the first step and check its result before the next one.";
  }
  const where = top ? nameOf(top) : "the quoted source";
  return ru
    ? `Откройте ${where}, чтобы прочитать контекст цитаты.`
    : `Open ${where} to read the quote in context.`;
}
