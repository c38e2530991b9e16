import { test } from "uvu";
import * as assert from "uvu/assert";
import { contentWords, extractiveSummary, sentences } from "./extractive.js";

test("sentences and content words", () => {
  assert.equal(sentences("LanceDB stores vectors. It is fast!\nHNSW is a graph."), [
    "LanceDB stores vectors.",
    "It is fast!",
    "HNSW is a graph.",
  ]);
  assert.equal(contentWords("The HNSW index is a graph"), ["hnsw", "index", "graph"]);
});

test("extractiveSummary keeps the sentences about what the texts share, in order", () => {
  const texts = [
    "The IVF index splits vectors into lists. Lunch was pasta.",
    "An IVF index probes a few lists per query. The weather was grey.",
    "HNSW and IVF are both vector index types for nearest neighbour search.",
  ];
  const summary = extractiveSummary(texts, 2);
  assert.ok(summary.includes("IVF"), summary);
  assert.not.ok(summary.includes("pasta"), summary);
  assert.not.ok(summary.includes("weather"), summary);
  assert.is(extractiveSummary([], 3), "");
});

test.run();
