import { join, resolve } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mergeTags, normalizeTags, pathTags, splitTagString } from "./tags.js";

const root = resolve("/data/notes");

test("path tags are the folders between the root and the file, lowercased", () => {
  assert.equal(pathTags(root, join(root, "Papers", " ML ", "x.md")), ["papers", "ml"]);
  assert.equal(pathTags(root, join(root, "a", "A", "b", "a", "y.txt")), ["a", "b"], "deduplicated");
});

test("a file directly in the root, or outside it, has no path tags", () => {
  assert.equal(pathTags(root, join(root, "top.md")), []);
  assert.equal(pathTags(root, resolve("/elsewhere/deep/z.md")), []);
  assert.equal(pathTags(join(root, "x.md"), join(root, "x.md")), [], "a file named directly");
});

test("normalizeTags trims, lowercases, drops empty ones, dedupes in first-seen order", () => {
  assert.equal(normalizeTags([" B", "a", "", "  ", "b", "A "]), ["b", "a"]);
});

test("mergeTags unions path, document and user tags, skipping missing lists", () => {
  assert.equal(mergeTags(["papers"], undefined, ["ANN", "papers"], ["demo"]), ["papers", "ann", "demo"]);
  assert.equal(mergeTags(), []);
});

test("splitTagString accepts commas, semicolons and pipes", () => {
  assert.equal(splitTagString("a, b;C | d,,"), ["a", "b", "c", "d"]);
});

test.run();
