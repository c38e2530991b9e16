import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { codeOf } from "../../test/helpers/errors.js";
import { tempDir } from "../../test/helpers/temp.js";
import { loadFiori } from "./fiori.js";
import {
  containsKey,
  loadFioriQuestions,
  loadUnrelatedQuestions,
  QUESTION_TYPES,
  questionProblems,
} from "./fiori-qa.js";

test("at least 40 questions with unique ids, spread over many documents and every kind of question", () => {
  const questions = loadFioriQuestions();
  assert.ok(questions.length >= 40, `${questions.length} questions`);
  assert.is(new Set(questions.map((q) => q.id)).size, questions.length);
  assert.ok(new Set(questions.map((q) => q.doc)).size >= 40, "questions spread over at least 40 documents");
  for (const type of QUESTION_TYPES) {
    assert.ok(
      questions.some((q) => q.type === type),
      `no question of type ${type}`,
    );
  }
  for (const q of questions) {
    assert.ok(q.question.endsWith("?"), `${q.id} is a question`);
    assert.ok(q.key.split(/\s+/).length <= 6, `${q.id}: key "${q.key}" is a short phrase`);
  }
});

test("every question's document exists and holds its key", async () => {
  const { documents } = await loadFiori();
  assert.equal(questionProblems(loadFioriQuestions(), documents), []);
});

test("40 unrelated questions with unique ids, none of them about Fiori or SAP", () => {
  const unrelated = loadUnrelatedQuestions();
  assert.is(unrelated.length, 40);
  assert.is(new Set(unrelated.map((q) => q.id)).size, 40);
  for (const q of unrelated) assert.not.match(q.question, /fiori|sap|ui5|odata|annotation/i, q.id);
});

test("containsKey ignores case, whitespace runs and markdown marks, and finds nothing for an empty key", () => {
  assert.ok(containsKey("Upload the **zipped** `dist`\n folder.", "zipped dist folder"));
  assert.ok(containsKey("Press CTRL + Space", "ctrl + space"));
  assert.not.ok(containsKey("Press Ctrl+Space", "ctrl + space"));
  assert.not.ok(containsKey("anything", "  "));
});

test("questionProblems names a repeated id, an unknown document and a key its document lacks", () => {
  const documents = [{ id: "d1", text: "The default port is 8443." }];
  const q = { id: "a", question: "Which port?", doc: "d1", key: "8443", type: "value" as const };
  assert.equal(questionProblems([q], documents), []);
  assert.equal(
    questionProblems([q, { ...q }, { ...q, id: "b", doc: "d9" }, { ...q, id: "c", key: "8080" }], documents),
    [
      "a: the id is used twice",
      "b: document d9 is not among the documents",
      'c: key "8080" does not occur in d1',
    ],
  );
});

test("a malformed question file is a typed error naming the problem", async () => {
  const dir = tempDir();
  const write = (name: string, content: unknown) => {
    const file = join(dir, name);
    writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
    return pathToFileURL(file);
  };
  const good = { id: "a", question: "Which port?", doc: "d1", key: "8443", type: "value" };
  for (const [name, content, message] of [
    ["broken.json", "[{", /cannot read/],
    ["object.json", { questions: [] }, /must hold a JSON array/],
    ["missing.json", [{ ...good, key: "" }], /item 0 has no key/],
    ["twice.json", [good, good], /repeats the id a/],
    ["type.json", [{ ...good, type: "essay" }], /has type essay/],
  ] as const) {
    const file = write(name, content);
    assert.is(await codeOf((async () => loadFioriQuestions(file))()), "SIGLA_INGEST", name);
    assert.throws(() => loadFioriQuestions(file), message, name);
  }
  assert.throws(
    () => loadUnrelatedQuestions(write("u.json", [{ id: "x", question: "Why?" }])),
    /has no topic/,
  );
});

test.run();
