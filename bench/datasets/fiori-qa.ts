/**
 * Questions for measuring answers on the SAP Fiori documents (`bench/datasets/fiori.ts`).
 *
 * - `fiori-qa.json`: factual questions a developer would ask, each with the document that answers it (`doc`,
 *   the record id `loadFiori` gives it), a short key phrase of the answer that occurs in that document's text
 *   (`key`), and the kind of question (`type`). Written by reading the documents; the key is the fact that
 *   answers (a value, a name, a short phrase), not a word every document has.
 * - `unrelated-questions.json`: 40 questions about cooking, history, sports and everyday life, none of them
 *   about Fiori: conversation that must not leak into later answers about the documents.
 *
 * A key "occurs" in a text when it does after both are lowercased, markdown emphasis and code marks (`` ` ``,
 * `**`) are removed and runs of whitespace are one space ({@link containsKey}); the same test scores an
 * answer's summary.
 */
import { IngestError } from "../../lib/errors.js";
import { type FioriDocument, readJson } from "./fiori.js";

/** Kinds of question, by the shape of their answer. */
export const QUESTION_TYPES = [
  "definition",
  "value",
  "yesno",
  "steps",
  "list",
  "reason",
  "comparison",
] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];

/** One factual question over the Fiori documents. */
export interface FioriQuestion {
  /** Stable slug, e.g. `abap-authorization`. */
  id: string;
  question: string;
  /** Id of the document that answers it (`FioriDocument.id`). */
  doc: string;
  /** Short phrase of the answer that occurs in that document (see {@link containsKey}). */
  key: string;
  type: QuestionType;
}

/** One question that has nothing to do with the documents. */
export interface UnrelatedQuestion {
  id: string;
  topic: string;
  question: string;
}

const QA_FILE = new URL("./fiori-qa.json", import.meta.url);
const UNRELATED_FILE = new URL("./unrelated-questions.json", import.meta.url);

/** Lowercased, without markdown emphasis or code marks, whitespace runs made one space. */
function normalized(text: string): string {
  return text
    .toLowerCase()
    .replace(/\*\*|__|`/g, "")
    .replace(/\s+/g, " ")
    .trim();
}

/** Whether `key` occurs in `text`, ignoring case, markdown emphasis and code marks, and runs of whitespace. */
export function containsKey(text: string, key: string): boolean {
  const wanted = normalized(key);
  return wanted !== "" && normalized(text).includes(wanted);
}

/** Reads a JSON array of records whose listed fields are non-empty strings, with unique `id`s. */
function readRecords(file: URL, fields: readonly string[]): Array<Record<string, string>> {
  const data = readJson(file);
  if (!Array.isArray(data)) throw new IngestError(`${file.pathname} must hold a JSON array`);
  const seen = new Set<string>();
  return data.map((record, i) => {
    for (const field of fields) {
      const value = (record as Record<string, unknown> | null)?.[field];
      if (typeof value !== "string" || value.trim() === "") {
        throw new IngestError(`${file.pathname} item ${i} has no ${field} (a non-empty string)`);
      }
    }
    const { id } = record as { id: string };
    if (seen.has(id)) throw new IngestError(`${file.pathname} repeats the id ${id}`);
    seen.add(id);
    return record as Record<string, string>;
  });
}

/**
 * The factual questions of `fiori-qa.json`.
 *
 * @throws IngestError when the file is missing, not a JSON array, repeats an id, or an item lacks a field or
 *   names an unknown type.
 */
export function loadFioriQuestions(file: URL = QA_FILE): FioriQuestion[] {
  return readRecords(file, ["id", "question", "doc", "key", "type"]).map((record) => {
    if (!QUESTION_TYPES.includes(record.type as QuestionType)) {
      throw new IngestError(
        `${file.pathname}: question ${record.id} has type ${record.type}, expected one of ${QUESTION_TYPES.join(", ")}`,
      );
    }
    const { id, question, doc, key, type } = record;
    return { id, question, doc, key, type: type as QuestionType };
  });
}

/**
 * The questions of `unrelated-questions.json`.
 *
 * @throws IngestError when the file is missing, not a JSON array, repeats an id, or an item lacks a field.
 */
export function loadUnrelatedQuestions(file: URL = UNRELATED_FILE): UnrelatedQuestion[] {
  return readRecords(file, ["id", "topic", "question"]).map(({ id, topic, question }) => ({
    id,
    topic,
    question,
  }));
}

/**
 * What is wrong with questions against the documents they are asked over: a repeated id, a `doc` that is
 * not among `documents`, or a key that does not occur in its document's text. Empty when all is well.
 */
export function questionProblems(
  questions: readonly FioriQuestion[],
  documents: ReadonlyArray<Pick<FioriDocument, "id" | "text">>,
): string[] {
  const byId = new Map(documents.map((d) => [d.id, d]));
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const q of questions) {
    if (seen.has(q.id)) problems.push(`${q.id}: the id is used twice`);
    seen.add(q.id);
    const doc = byId.get(q.doc);
    if (!doc) problems.push(`${q.id}: document ${q.doc} is not among the documents`);
    else if (!containsKey(doc.text, q.key))
      problems.push(`${q.id}: key "${q.key}" does not occur in ${q.doc}`);
  }
  return problems;
}
