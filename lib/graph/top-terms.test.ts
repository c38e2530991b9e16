import { test } from "uvu";
import * as assert from "uvu/assert";
import { terms, topTerms } from "./top-terms.js";

test("terms: lower-cased words of 3 letters or more, hyphenated ones whole, no bare numbers", () => {
  assert.equal(terms("LanceDB is a column-store, v2 of 2024; Ёлка растёт"), [
    "lancedb",
    "column-store",
    "ёлка",
    "растёт",
  ]);
});

test("topTerms: the terms most texts use, stop words (English, Russian) left out, ties settled the same way", () => {
  const texts = [
    "LanceDB is a columnar vector database built on Apache Arrow.",
    "Apache Arrow is a columnar memory format.",
    "The vector index of LanceDB is stored on disk.",
  ];
  assert.equal(topTerms(texts), ["apache", "arrow", "columnar"]);
  assert.equal(topTerms(texts, 2), ["apache", "arrow"]);
  assert.equal(topTerms(["Это база данных, и это база векторов."]), ["база", "векторов", "данных"]);
  assert.equal(topTerms(["the and of is", ""]), [], "nothing but stop words");
});

test.run();
