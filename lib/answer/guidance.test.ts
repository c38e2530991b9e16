import { test } from "uvu";
import * as assert from "uvu/assert";
import { PAIN_HIGH } from "../pipeline/metrics/index.js";
import { acknowledgement, nextStep } from "./guidance.js";
import type { UsedSentence } from "./types.js";

test("acknowledgement: one short sentence at high pain, in English or Russian; nothing below", () => {
  assert.is(acknowledgement(PAIN_HIGH - 0.01, "eng"), undefined);
  assert.is(acknowledgement(Number.NaN, "eng"), undefined);
  const english = acknowledgement(PAIN_HIGH, "eng");
  const russian = acknowledgement(0.95, "rus");
  assert.ok(english && russian);
  for (const line of [english, russian]) {
    assert.ok(line.length < 80, line);
    assert.is(line.split(/[.!?]\s/).length, 1, "one sentence");
  }
  assert.match(russian, /[а-я]/);
  assert.is(acknowledgement(0.9, "deu"), english, "other languages get English");
});

const evidence = [
  { evidenceId: "ev:1", text: "LanceDB supports IVF_PQ.", score: 0.9, ref: "notes/lancedb.md" },
  { evidenceId: "ev:2", text: "HNSW is a graph index.", score: 0.8, title: "HNSW" },
];
const used = (evidenceId: string): UsedSentence[] => [
  { evidenceId, sentence: "x", start: 0, end: 1, score: 1 },
];

test("answered: read the best unquoted evidence next, by ref or title", () => {
  assert.is(
    nextStep({ questionType: "list", used: used("ev:1"), evidence, answered: true }),
    'Read "HNSW" next.',
  );
  assert.is(
    nextStep({ questionType: "list", used: used("ev:2"), evidence, answered: true }),
    "Read notes/lancedb.md next.",
  );
  assert.is(
    nextStep({ questionType: "list", used: used("ev:2"), evidence, answered: true, language: "rus" }),
    "Дальше прочитайте notes/lancedb.md.",
  );
});

test("answered from all the evidence: open the quoted source, or for steps do the first one", () => {
  const all = [...used("ev:1"), ...used("ev:2")];
  assert.is(
    nextStep({ questionType: "definition", used: all, evidence, answered: true }),
    "Open notes/lancedb.md to read the quote in context.",
  );
  assert.match(
    nextStep({ questionType: "steps", used: all, evidence, answered: true }),
    /^Do the first step/,
  );
});

test("not answered: the closest note and what to name; never the question echoed", () => {
  const line = nextStep({ questionType: "value", used: [], evidence, answered: false });
  assert.is(
    line,
    "Read notes/lancedb.md, the closest note found, or name the setting and the component or version it belongs to.",
  );
  assert.match(
    nextStep({ questionType: "comparison", used: [], evidence: [], answered: false }),
    /^Nothing in memory covers this yet: add the notes that do with :ingest <path>, or name the two things to compare\.$/,
  );
  assert.match(
    nextStep({ questionType: "open", used: [], evidence: [], answered: false, language: "rus" }),
    /:ingest/,
  );
});

test.run();
