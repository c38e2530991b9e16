import { openSync, readSync } from "node:fs";
import { join } from "node:path";
import { getEmbeddingsPath } from "@sap-ux/fiori-docs-embeddings";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { codeOf } from "../../test/helpers/errors.js";
import { fioriQueries, loadFiori, splitTitle } from "./fiori.js";

test("loads all 778 records with 384-d unit MiniLM vectors and the model from metadata.json", async () => {
  const data = await loadFiori();
  assert.is(data.documents.length, 778);
  assert.is(data.total, 778);
  assert.is(data.dim, 384);
  assert.is(data.model, "Xenova/all-MiniLM-L6-v2");
  for (const doc of data.documents) {
    assert.is(doc.vector.length, 384, doc.id);
    let sum = 0;
    for (const v of doc.vector) sum += v * v;
    // all-MiniLM-L6-v2 vectors are L2-normalised; float32 rounding leaves |norm − 1| below 1e-6.
    assert.ok(Math.abs(Math.sqrt(sum) - 1) < 1e-5, `${doc.id} has norm ${Math.sqrt(sum)}`);
  }
  assert.is(new Set(data.documents.map((d) => d.id)).size, 778);
});

test("row i of embeddings.bin is the vector of line i of records.jsonl", async () => {
  const data = await loadFiori();
  const fd = openSync(join(getEmbeddingsPath(), "embeddings.bin"), "r");
  for (const i of [0, 1, 389, 777]) {
    const row = new Float32Array(384);
    readSync(fd, new Uint8Array(row.buffer), 0, 384 * 4, i * 384 * 4);
    assert.equal(Array.from(data.documents[i].vector), Array.from(row), `row ${i}`);
  }
  assert.is(data.documents[0].id, "local-btp-fiori-tools-0-chunk-0");
  assert.is(data.documents[777].id, "local-ux-ui5-tooling-README-16-chunk-0");
});

test("size takes the first records; a size outside 1..778 is a typed error", async () => {
  const all = await loadFiori();
  const some = await loadFiori({ size: 50 });
  assert.is(some.documents.length, 50);
  assert.equal(
    some.documents.map((d) => d.id),
    all.documents.slice(0, 50).map((d) => d.id),
  );
  assert.is((await loadFiori({ size: 778 })).documents.length, 778);
  for (const size of [0, -1, 779, Number.NaN, 1.5]) {
    assert.is(await codeOf(loadFiori({ size })), "SIGLA_INVALID_INPUT", `size ${size}`);
  }
});

test("titles are non-empty and the indexed text drops the title line", async () => {
  const { documents } = await loadFiori();
  const counts = { "title-line": 0, heading: 0, metadata: 0 };
  for (const doc of documents) {
    assert.ok(doc.title.length > 0 && doc.title === doc.title.trim(), doc.id);
    assert.ok(doc.text.trim().length > 0, doc.id);
    assert.not.ok(doc.text.includes("**TITLE**"), doc.id);
    counts[doc.titleSource]++;
  }
  assert.equal(counts, { "title-line": 725, heading: 51, metadata: 2 });
  assert.is(documents[0].title, "Deploying an SAP Fiori Application (ABAP and Cloud Foundry)");
  assert.ok(documents[0].text.startsWith("**INTRODUCTION**:"));
  // No TITLE line: the first heading, without its link and code marks.
  const add = documents.find((d) => d.id === "local-create-README-3-chunk-0");
  assert.is(add?.title, "add mockserver-config");
  assert.is(add?.titleSource, "heading");
  assert.not.ok(add?.text.includes("(#add-mockserver-config)"));
});

test("splitTitle skips headings inside code fences and falls back to the metadata title", () => {
  const fenced = splitTitle(
    "intro\n```sh\n# install globally\n```\n## [`real`](#real)\nbody",
    "f.md - Chunk 1",
  );
  assert.equal(fenced, {
    title: "real",
    titleSource: "heading",
    text: "intro\n```sh\n# install globally\n```\nbody",
  });
  const none = splitTitle("| a | b |\n|---|---|\n", "f.md - Chunk 2");
  assert.equal(none, { title: "f.md - Chunk 2", titleSource: "metadata", text: "| a | b |\n|---|---|" });
  const titled = splitTitle("**TITLE**: Draft  Handling\n\nbody text", "x");
  assert.equal(titled, { title: "Draft Handling", titleSource: "title-line", text: "body text" });
});

test("queries: one per distinct title, relevant lists cover every record exactly once", async () => {
  const data = await loadFiori();
  const queries = fioriQueries(data);
  assert.is(queries.length, 772);
  const seen = new Array(data.documents.length).fill(0);
  for (const q of queries) {
    assert.ok(q.relevant.length > 0, q.query);
    for (const i of q.relevant) {
      assert.is(data.documents[i].title, q.query);
      seen[i]++;
    }
  }
  assert.ok(
    seen.every((n) => n === 1),
    "every record is relevant to exactly one query",
  );
  assert.is(new Set(queries.map((q) => q.query)).size, queries.length);
  const shared = queries.filter((q) => q.relevant.length > 1);
  assert.is(shared.length, 6);
  assert.equal(queries.find((q) => q.query === "Draft Handling")?.relevant, [316, 317]);

  const small = fioriQueries(await loadFiori({ size: 50 }));
  assert.ok(small.every((q) => q.relevant.every((i) => i < 50)));
});

test.run();
