import { test } from "uvu";
import * as assert from "uvu/assert";
import { resolveFollowUp } from "./follow-up.js";

const topic = { topic: "LanceDB" };

test("a vague follow-up becomes a question about the session topic", () => {
  const cases: Array<[string, string]> = [
    ["how does it work?", "How does LanceDB work?"],
    ["and the default?", "What is the default for LanceDB?"],
    ["what about it?", "What about LanceDB?"],
    ["and its default size?", "What is LanceDB's default size?"],
    ["How do I configure it?", "How do I configure LanceDB?"],
    ["what about the limits?", "What about the limits for LanceDB?"],
    ["why?", "Why LanceDB?"],
    ["а как это работает?", "Как LanceDB работает?"],
    ["а по умолчанию?", "Что по умолчанию у LanceDB?"],
    ["Какой лимит?", "Какой лимит у LanceDB?"],
  ];
  assert.equal(
    cases.map(([text]) => [text, resolveFollowUp(text, topic)]),
    cases.map(([text, resolved]) => [text, { text: resolved, resolved: true }]),
  );
});

test("a specific message, a non-question or a message without a topic comes back unchanged", () => {
  for (const text of [
    "How does HNSW work?",
    "What is the default port of the REPL?",
    "How does it compare to HNSW?",
    "Поддерживает ли оно IVF_PQ?",
    "ok",
    "thanks!",
  ]) {
    assert.equal(resolveFollowUp(text, topic), { text, resolved: false }, text);
  }
  assert.equal(resolveFollowUp("how does it work?", {}), { text: "how does it work?", resolved: false });
});

test("without a topic, the subject of the last question stands in", () => {
  assert.equal(resolveFollowUp("how does it work?", { lastQuestion: "What is the SIFT gate?" }), {
    text: "How does SIFT gate work?",
    resolved: true,
  });
  assert.equal(resolveFollowUp("how does it work?", { topic: " ", lastQuestion: "What is LanceDB?" }), {
    text: "How does LanceDB work?",
    resolved: true,
  });
});

test.run();
