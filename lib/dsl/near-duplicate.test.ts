import { test } from "uvu";
import * as assert from "uvu/assert";
import { jaccard, normalizeText, textSimilarity, trigrams } from "./near-duplicate.js";

test("normalizeText folds case and punctuation runs into single spaces", () => {
  assert.is(normalizeText("  FAISS:  a Library—for ÉTÉ, 2024!! "), "faiss a library for été 2024");
});

test("trigrams of a short text is the text itself; of a longer one every 3-character slice", () => {
  assert.equal([...trigrams("Ab")], ["ab"]);
  assert.equal([...trigrams("abcd")], ["abc", "bcd"]);
  assert.equal([...trigrams("aaaa")], ["aaa"]);
});

test("jaccard counts shared trigrams over the union", () => {
  assert.is(jaccard(new Set(["a", "b", "c"]), new Set(["b", "c", "d"])), 2 / 4);
  assert.is(jaccard(new Set(), new Set()), 1);
  assert.is(jaccard(new Set(["a"]), new Set()), 0);
});

test("textSimilarity: punctuation-only changes are identical, a reworded copy is close, other text is far", () => {
  const a = "FAISS is a library for efficient similarity search of dense vectors";
  assert.is(textSimilarity(a, `${a.toUpperCase()}.`), 1);
  const near = textSimilarity(a, "FAISS: a library for efficient similarity search of dense vectors");
  assert.ok(near > 0.9 && near < 1, String(near));
  const far = textSimilarity(a, "The football match ended in a draw after extra time");
  assert.ok(far < 0.2, String(far));
});

test.run();
