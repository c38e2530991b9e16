import { test } from "uvu";
import * as assert from "uvu/assert";
import { InvalidInputError } from "../errors.js";
import { DEEP_MIN_WORDS, type ModeInput, selectMode } from "./mode.js";
import type { Metrics, Voice } from "./types.js";

/** Calm, clear, on topic, well supported. */
const CALM: Metrics = { pain: 0.05, trust: 0.8, clarity: 0.7, drift: 0.1 };

function mode(text: string, overrides: Partial<ModeInput> = {}, metrics: Partial<Metrics> = {}) {
  return selectMode({ text, metrics: { ...CALM, ...metrics }, voices: ["ISKRA"], ...overrides });
}

test("fast: short clear factual questions, English and Russian", () => {
  for (const text of [
    "What is HNSW?",
    "Что такое HNSW?",
    "Which embedder does a new store use by default?",
  ]) {
    const chosen = mode(text);
    assert.is(chosen.mode, "fast", text);
    assert.is(chosen.shadowProtocol, false, text);
    assert.match(chosen.reason, /^short clear question/);
  }
});

test("deep: long, several questions, or asking for reasoning", () => {
  const long = Array.from({ length: DEEP_MIN_WORDS }, (_, i) => `word${i}`).join(" ");
  assert.is(mode(long).mode, "deep");
  assert.match(mode(long).reason, /long message \(40 words\)/);
  const twoQuestions = mode("What is IVF? And what is nprobe?");
  assert.is(twoQuestions.mode, "deep");
  assert.match(twoQuestions.reason, /2 questions/);
  for (const text of [
    "Explain how auto-linking picks neighbours",
    "Why is recall lower with IVF?",
    "Почему падает recall?",
    "Объясни архитектуру хранилища",
  ]) {
    const chosen = mode(text);
    assert.is(chosen.mode, "deep", text);
    assert.match(chosen.reason, /asks for reasoning/, text);
  }
});

test("deep: unclear requests and statements do not take the fast path", () => {
  const unclear = mode("How do I fix it?", {}, { clarity: 0.2 });
  assert.is(unclear.mode, "deep");
  assert.match(unclear.reason, /unclear request \(clarity 0\.20 < 0\.35\)/);
  const statement = mode("The store is on the shared drive.");
  assert.is(statement.mode, "deep");
  assert.match(statement.reason, /not a question/);
});

test("deep on low trust when there is evidence; fast when there is none — both under the shadow protocol", () => {
  const weak = mode("What is HNSW?", { evidenceCount: 3 }, { trust: 0.2 });
  assert.is(weak.mode, "deep");
  assert.is(weak.shadowProtocol, true);
  assert.match(weak.reason, /low trust in the evidence/);
  assert.match(weak.reason, /shadow protocol: trust 0\.20 < 0\.40/);

  const none = mode("What is HNSW?", { evidenceCount: 0 }, { trust: 0 });
  assert.is(none.mode, "fast");
  assert.is(none.shadowProtocol, true);

  const unknown = mode("What is HNSW?", {}, { trust: 0.2 });
  assert.is(unknown.mode, "deep", "without an evidence count, trust is taken as it stands");
});

test("debate: comparisons and decisions in English and Russian", () => {
  const cases: Array<[string, string]> = [
    ["Compare HNSW and IVF for 1M vectors", "compare"],
    ["HNSW vs IVF_PQ?", "vs"],
    ["Which is better for recall, flat or IVF?", "which is better"],
    ["Should I use cosine or dot product?", "should i"],
    ["Сравни HNSW и IVF", "сравни"],
    ["Что лучше: Lance или Parquet?", "что лучше"],
    ["Стоит ли включать autoLinkK?", "стоит ли"],
  ];
  for (const [text, cue] of cases) {
    const chosen = mode(text);
    assert.is(chosen.mode, "debate", text);
    assert.ok(chosen.reason.includes(`("${cue}")`), `${text}: ${chosen.reason}`);
  }
  // "vs" inside a word is not a cue.
  assert.is(mode("What is vsync?").mode, "fast");
});

test("debate: contradictory evidence", () => {
  const chosen = mode("What is the default chunk size?", { contradictions: 2 });
  assert.is(chosen.mode, "debate");
  assert.match(chosen.reason, /2 contradictions in the evidence/);
});

test("KAIN turns a debate into careful deep reasoning, under the shadow protocol", () => {
  const voices: Voice[] = ["KAIN", "ISKRA"];
  const chosen = mode("I can't take it anymore, should I just switch to FAISS?!", { voices }, { pain: 0.9 });
  assert.is(chosen.mode, "deep");
  assert.is(chosen.shadowProtocol, true);
  assert.match(chosen.reason, /KAIN speaks: careful reasoning, not a debate/);
  assert.match(chosen.reason, /shadow protocol: pain 0\.90 ≥ 0\.70/);
});

test("shadow protocol when pain is high or trust is low, not otherwise", () => {
  assert.is(mode("What is HNSW?", {}, { pain: 0.7 }).shadowProtocol, true);
  assert.is(mode("What is HNSW?", {}, { trust: 0.39 }).shadowProtocol, true);
  assert.is(mode("What is HNSW?", {}, { trust: 0.4, pain: 0.69 }).shadowProtocol, false);
});

test("bad input is rejected", () => {
  const bad: Array<[unknown, RegExp]> = [
    [{ text: 3, metrics: CALM, voices: [] }, /text must be a string/],
    [
      { text: "x", metrics: { ...CALM, trust: -0.1 }, voices: [] },
      /metrics\.trust must be a number in \[0, 1\]/,
    ],
    [{ text: "x", metrics: CALM, voices: ["BOB"] }, /voices must be an array of KAIN/],
    [
      { text: "x", metrics: CALM, voices: [], evidenceCount: 1.5 },
      /evidenceCount must be a non-negative integer/,
    ],
    [{ text: "x", metrics: CALM, voices: [], contradictions: -1 }, /contradictions/],
    [null, /input must be an object/],
  ];
  for (const [input, message] of bad) {
    try {
      selectMode(input as ModeInput);
      assert.unreachable("should throw");
    } catch (error) {
      assert.instance(error, InvalidInputError);
      assert.match((error as Error).message, message);
    }
  }
});

test.run();
