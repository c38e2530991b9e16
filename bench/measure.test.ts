import { test } from "uvu";
import * as assert from "uvu/assert";
import { machine, percentile, recallAtK } from "./measure.js";

test("machine records real package versions, also of packages whose exports hide package.json", () => {
  const packages = machine().packages as Record<string, string>;
  for (const name of ["@lancedb/lancedb", "apache-arrow", "onnxruntime-node", "@huggingface/transformers"]) {
    assert.match(packages[name], /^\d+\.\d+\.\d+/, name);
  }
});

test("percentile and recall@k", () => {
  assert.is(percentile([1, 2, 3, 4, 5], 50), 3);
  assert.is(percentile([1, 2, 3, 4, 5], 100), 5);
  assert.is(recallAtK([[1, 2, 3]], [[3, 9, 1]], 3), 2 / 3);
});

test.run();
