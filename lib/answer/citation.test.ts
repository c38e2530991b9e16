import { test } from "uvu";
import * as assert from "uvu/assert";
import { capsuleInputs } from "../ingest/ingest.js";
import { locatorOf } from "./citation.js";
import { splitSentences } from "./split.js";

const FILE = [
  "# Indexes",
  "",
  "LanceDB builds vector indexes on demand.",
  "IVF_PQ clusters vectors into partitions",
  "and compresses them. IVF_HNSW_SQ builds an HNSW graph inside each partition.",
  "",
  "Without an index LanceDB scans every vector.",
].join("\n");

test("a sentence of a verbatim chunk is located on its own lines in the file", () => {
  // Chunks as ingest makes them, so the provenance is the real one.
  const inputs = capsuleInputs(
    "/notes/indexes.md",
    "0".repeat(64),
    [{ text: FILE, tags: [], meta: {}, start: 0, end: FILE.length, verbatim: true }],
    [],
    { size: 120, overlap: 30 },
    FILE,
  );
  assert.ok(inputs.length >= 2);
  const lines = FILE.split("\n");
  for (const capsule of inputs) {
    for (const unit of splitSentences(capsule.text)) {
      const where = locatorOf(capsule.meta, capsule.text, unit.start, unit.end);
      assert.is(where.file, "/notes/indexes.md");
      const [a, b] = where.lines ?? [0, 0];
      const quoted = lines.slice(a - 1, b).join("\n");
      assert.ok(quoted.includes(unit.sentence), `${unit.sentence} not on lines ${a}-${b}`);
      assert.ok(lines[a - 1].includes(unit.sentence.split("\n")[0]), "starts on its first line");
    }
  }
});

test("without recorded lines: the character range in the file; derived text: the record's lines", () => {
  const text = "alpha. Beta gamma.";
  const meta = { source: { file: "/n.txt", start: 100, end: 100 + text.length } };
  assert.equal(locatorOf(meta, text, 7, 18), { file: "/n.txt", chars: [107, 118] });
  const record = { source: { file: "/r.jsonl", start: 40, end: 90, lines: [3, 3], record: 2, line: 3 } };
  assert.equal(locatorOf(record, "Salt adds taste", 0, 15), { file: "/r.jsonl", lines: [3, 3] });
  const html = { source: { file: "/p.html", start: 0, end: 5000 } };
  assert.equal(locatorOf(html, "Visible text.", 0, 13), { file: "/p.html", chars: [0, 5000] });
});

test("ref from meta.ref, meta.url or a front-matter source; nothing else without provenance", () => {
  assert.equal(locatorOf({ ref: "https://a.example/x" }, "t", 0, 1), { ref: "https://a.example/x" });
  assert.equal(locatorOf({ fields: { source: "https://b.example" } }, "t", 0, 1), {
    ref: "https://b.example",
  });
  assert.equal(locatorOf(undefined, "t", 0, 1), {});
  assert.equal(locatorOf({ source: "not an object" }, "t", 0, 1), {});
});

test.run();
