import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { tempDir } from "../../test/helpers/temp.js";
import { CancelledError, IngestError, InvalidInputError } from "../errors.js";
import {
  IngestCancelledError,
  type IngestProgress,
  type IngestTarget,
  ingest,
  sourceFilter,
} from "./ingest.js";

type Row = { id: number; text: string; tags: string[]; meta: Record<string, unknown>; source: string | null };
type AddCall = { texts: string[]; replace: number[] };

/**
 * An array-backed IngestTarget. It really stores rows, really filters `list` by the `source = '...'` filter
 * (rejecting any other filter, as a SQL engine would reject garbage), and applies `replace` and the new rows
 * in one step, so it behaves like the atomic store write the interface promises.
 */
class MemoryStore implements IngestTarget {
  rows: Row[] = [];
  calls: AddCall[] = [];
  private nextId = 1;
  /** Optional hook run for each embed step, to simulate an abort in the middle of a write. */
  duringEmbed?: (signal: AbortSignal | undefined) => void;

  async list(options: { where?: string; limit?: number }): Promise<Row[]> {
    let rows = this.rows;
    if (options.where !== undefined) {
      const match = /^source = '((?:[^']|'')*)'$/.exec(options.where);
      if (!match) throw new Error(`unsupported filter: ${options.where}`);
      const source = match[1].replaceAll("''", "'");
      rows = rows.filter((row) => row.source === source);
    }
    return structuredClone(rows.slice(0, options.limit ?? rows.length));
  }

  async addCapsules(
    inputs: Array<{ text: string; tags?: string[]; meta?: Record<string, unknown>; source?: string }>,
    options: {
      replace?: number[];
      signal?: AbortSignal;
      onProgress?: (done: number, total: number, stage: "embed") => void;
    } = {},
  ): Promise<number[]> {
    const replace = options.replace ?? [];
    for (const id of replace)
      if (!this.rows.some((row) => row.id === id)) throw new Error(`unknown id ${id}`);
    for (let done = 0; done <= inputs.length; done++) {
      this.duringEmbed?.(options.signal);
      options.signal?.throwIfAborted();
      options.onProgress?.(done, inputs.length, "embed");
    }
    const added = inputs.map((input) => ({
      id: this.nextId++,
      text: input.text,
      tags: input.tags ?? [],
      meta: structuredClone(input.meta ?? {}),
      source: input.source ?? null,
    }));
    this.rows = [...this.rows.filter((row) => !replace.includes(row.id)), ...added];
    this.calls.push({ texts: inputs.map((i) => i.text), replace: [...replace] });
    return added.map((row) => row.id);
  }

  bySource(source: string): Row[] {
    return this.rows.filter((row) => row.source === source);
  }
}

/** A folder with a markdown note in a tagged subfolder and a JSONL file at the top. */
function corpus() {
  const root = tempDir("sigla-ingest-");
  mkdirSync(join(root, "Guides", "vectors"), { recursive: true });
  const note = join(root, "Guides", "vectors", "index.md");
  const sentences = Array.from({ length: 40 }, (_, i) => `Sentence ${i} is about vector search.`).join(" ");
  writeFileSync(note, `---\ntitle: Indexes\ntags: [ANN]\nsource: https://example.org\n---\n${sentences}\n`);
  const lines = join(root, "notes.jsonl");
  writeFileSync(lines, '{"text": "Bread needs yeast", "tags": ["food"], "lang": "en"}\n"Salt adds taste"\n');
  return { root, note, lines };
}

test("sourceFilter doubles single quotes", () => {
  assert.is(sourceFilter("/a/it's/x.md"), "source = '/a/it''s/x.md'");
  assert.is(sourceFilter("plain"), "source = 'plain'");
});

test("new files are added: chunks, tags, meta layout, provenance offsets", async () => {
  const { root, note, lines } = corpus();
  const store = new MemoryStore();
  const report = await ingest(store, [root], { tags: ["Demo"], chunkSize: 300, overlap: 50 });
  assert.equal(
    { ...report, ids: report.ids.length },
    {
      files: 2,
      unchanged: 0,
      replaced: 0,
      added: 2,
      empty: 0,
      ids: store.rows.length,
      skipped: [],
    },
  );
  assert.equal(
    report.ids,
    store.rows.map((row) => row.id),
  );
  assert.equal(store.calls.length, 2, "one write per file");

  const fileText = readFileSync(note, "utf8");
  const chunks = store.bySource(note);
  assert.ok(chunks.length >= 4, `${chunks.length} chunks`);
  chunks.forEach((row, i) => {
    assert.ok(row.text.length <= 300);
    assert.equal(row.tags, ["guides", "vectors", "demo", "ann"]);
    const { source, ...rest } = row.meta as { source: Record<string, unknown> };
    assert.equal(rest, {
      title: "Indexes",
      chunk: i,
      chunks: chunks.length,
      fields: { source: "https://example.org" },
    });
    assert.is(source.file, note);
    assert.match(String(source.sha256), /^[0-9a-f]{64}$/);
    assert.is(
      fileText.slice(source.start as number, source.end as number),
      row.text,
      "offsets locate the chunk",
    );
  });

  const records = store.bySource(lines);
  assert.equal(
    records.map((row) => [row.text, row.tags, row.meta.lang, (row.meta.source as { record: number }).record]),
    [
      ["Bread needs yeast", ["demo", "food"], "en", 0],
      ["Salt adds taste", ["demo"], undefined, 1],
    ],
  );
  const second = records[1].meta.source as { start: number; end: number; line: number };
  assert.is(readFileSync(lines, "utf8").slice(second.start, second.end), '"Salt adds taste"');
  assert.is(second.line, 2);
});

test("each chunk records the 1-based line range of its offsets in the file", async () => {
  const root = tempDir("sigla-ingest-lines-");
  const note = join(root, "wrapped.md");
  const paragraph = (n: number) =>
    Array.from({ length: 6 }, (_, i) => `Paragraph ${n} line ${i} talks about vector indexes.`).join("\r\n");
  writeFileSync(note, `---\r\ntitle: Wrapped\r\n---\r\n${[1, 2, 3, 4].map(paragraph).join("\r\n\r\n")}\r\n`);
  const records = join(root, "rows.jsonl");
  writeFileSync(records, '{"text": "first"}\n\n{"text": "third line"}\n');
  const store = new MemoryStore();
  await ingest(store, [root], { chunkSize: 200, overlap: 40 });

  const fileText = readFileSync(note, "utf8");
  // The slow way: count the line breaks before each end of the range.
  const lineOf = (offset: number) => fileText.slice(0, offset).split("\n").length;
  const chunks = store.bySource(note);
  assert.ok(chunks.length >= 4, `${chunks.length} chunks`);
  for (const row of chunks) {
    const source = row.meta.source as { start: number; end: number; lines: [number, number] };
    assert.equal(source.lines, [lineOf(source.start), lineOf(source.end - 1)]);
    assert.ok(source.lines[0] >= 4, "front matter lines are counted");
  }
  assert.equal(
    store.bySource(records).map((row) => {
      const source = row.meta.source as { line: number; lines: [number, number] };
      return [source.line, source.lines];
    }),
    [
      [1, [1, 1]],
      [3, [3, 3]],
    ],
    "a record's lines are its own",
  );
});

test("unchanged files add nothing; a changed file replaces its capsules in the same write", async () => {
  const { root, note, lines } = corpus();
  const store = new MemoryStore();
  await ingest(store, [root]);
  const before = structuredClone(store.rows);

  const again = await ingest(store, [root]);
  assert.equal(again, { files: 2, unchanged: 2, replaced: 0, added: 0, empty: 0, ids: [], skipped: [] });
  assert.equal(store.rows, before);
  assert.is(store.calls.length, 2, "no write at all");

  const oldIds = store.bySource(lines).map((row) => row.id);
  writeFileSync(lines, '{"text": "Bread needs yeast and time"}\n');
  const changed = await ingest(store, [root]);
  assert.equal(
    { ...changed, ids: changed.ids.length },
    { files: 2, unchanged: 1, replaced: 1, added: 0, empty: 0, ids: 1, skipped: [] },
  );
  const last = store.calls[store.calls.length - 1];
  assert.equal(last, { texts: ["Bread needs yeast and time"], replace: oldIds });
  assert.equal(
    store.bySource(lines).map((row) => row.text),
    ["Bread needs yeast and time"],
  );
  assert.equal(
    store.bySource(note),
    before.filter((row) => row.source === note),
    "the other file is untouched",
  );
});

test("different chunk settings do not count as a change, but a partly deleted file is redone", async () => {
  const { note } = corpus();
  const store = new MemoryStore();
  await ingest(store, [note], { chunkSize: 200, overlap: 20 });
  const count = store.rows.length;
  assert.is((await ingest(store, [note], { chunkSize: 500, overlap: 20 })).unchanged, 1);
  store.rows.splice(1, 1);
  const redo = await ingest(store, [note], { chunkSize: 200, overlap: 20 });
  assert.is(redo.replaced, 1);
  assert.is(store.rows.length, count);
});

test("a file whose name has a quote round-trips through the source filter", async () => {
  const root = tempDir("sigla-quote-");
  const file = join(root, "it's here.txt");
  writeFileSync(file, "quoted name");
  const store = new MemoryStore();
  assert.is((await ingest(store, [file])).added, 1);
  assert.is((await ingest(store, [file])).unchanged, 1);
  assert.equal(store.rows[0].tags, [], "a file named directly has no path tags");
});

test("empty files store nothing; a file emptied later has its capsules removed", async () => {
  const root = tempDir("sigla-empty-");
  const file = join(root, "blank.md");
  writeFileSync(file, "---\ntitle: nothing\n---\n   \n");
  const store = new MemoryStore();
  assert.equal(await ingest(store, [file]), {
    files: 1,
    unchanged: 0,
    replaced: 0,
    added: 0,
    empty: 1,
    ids: [],
    skipped: [],
  });
  assert.is(store.calls.length, 0);

  writeFileSync(file, "now it has text");
  await ingest(store, [file]);
  const ids = store.rows.map((row) => row.id);
  writeFileSync(file, "");
  const emptied = await ingest(store, [file]);
  assert.equal(emptied, {
    files: 1,
    unchanged: 0,
    replaced: 1,
    added: 0,
    empty: 0,
    ids: [],
    skipped: [],
  });
  assert.equal(store.calls[store.calls.length - 1], { texts: [], replace: ids });
  assert.equal(store.rows, []);
});

test("progress reports files read and relays the store's embed progress", async () => {
  const { root, note, lines } = corpus();
  const events: IngestProgress[] = [];
  await ingest(new MemoryStore(), [root], { onProgress: (p) => events.push(p) });
  const reads = events.filter((e) => e.phase === "read").map((e) => [e.file, e.done, e.total]);
  assert.equal(reads, [
    [note, 0, 2],
    [lines, 1, 2],
    [lines, 2, 2],
  ]);
  const embeds = events.filter((e) => e.phase === "embed" && e.file === lines).map((e) => [e.done, e.total]);
  assert.equal(embeds, [
    [0, 2],
    [1, 2],
    [2, 2],
  ]);
});

test("cancelling between files keeps whole files and reports what was stored", async () => {
  const root = tempDir("sigla-cancel-");
  for (let i = 0; i < 4; i++) writeFileSync(join(root, `f${i}.txt`), `file ${i} `.repeat(100));
  const store = new MemoryStore();
  const controller = new AbortController();
  try {
    await ingest(store, [root], {
      chunkSize: 100,
      overlap: 10,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.phase === "read" && p.done === 2) controller.abort(new Error("stop"));
      },
    });
    assert.unreachable("not cancelled");
  } catch (error) {
    assert.instance(error, IngestCancelledError);
    assert.instance(error, CancelledError);
    const cancelled = error as IngestCancelledError;
    assert.is(cancelled.code, "SIGLA_CANCELLED");
    assert.is(cancelled.report.files, 2);
    assert.equal(
      cancelled.report.ids,
      store.rows.map((row) => row.id),
    );
    assert.is((cancelled.cause as Error).message, "stop");
    assert.match(cancelled.message, /cancelled after 2 of 4 files/);
  }
  const sources = [...new Set(store.rows.map((row) => row.source))];
  assert.equal(sources, [join(root, "f0.txt"), join(root, "f1.txt")]);
  for (const source of sources) {
    const rows = store.bySource(source as string);
    assert.is(rows.length, rows[0].meta.chunks, "every stored file is complete");
  }
});

test("an abort inside the store's write leaves that file out entirely", async () => {
  const root = tempDir("sigla-cancel-write-");
  for (let i = 0; i < 3; i++) writeFileSync(join(root, `f${i}.txt`), `file ${i} `.repeat(100));
  const store = new MemoryStore();
  const controller = new AbortController();
  let steps = 0;
  store.duringEmbed = () => {
    if (store.calls.length === 1 && ++steps === 3) controller.abort();
  };
  try {
    await ingest(store, [root], { chunkSize: 100, overlap: 10, signal: controller.signal });
    assert.unreachable("not cancelled");
  } catch (error) {
    assert.instance(error, IngestCancelledError);
    assert.is((error as IngestCancelledError).report.files, 1);
  }
  assert.equal([...new Set(store.rows.map((row) => row.source))], [join(root, "f0.txt")]);

  // Re-running finishes the job: the finished file is unchanged, the rest are added.
  const resumed = await ingest(store, [root], { chunkSize: 100, overlap: 10 });
  assert.equal([resumed.unchanged, resumed.added], [1, 2]);
});

test("an already aborted signal writes nothing", async () => {
  const { root } = corpus();
  const store = new MemoryStore();
  const controller = new AbortController();
  controller.abort();
  try {
    await ingest(store, [root], { signal: controller.signal });
    assert.unreachable();
  } catch (error) {
    assert.instance(error, IngestCancelledError);
  }
  assert.equal(store.rows, []);
});

test("bad options and missing paths fail before anything is written", async () => {
  const { root } = corpus();
  const store = new MemoryStore();
  const attempts: Array<[() => Promise<unknown>, typeof InvalidInputError | typeof IngestError]> = [
    [() => ingest(store, [root], { chunkSize: 0 }), InvalidInputError],
    [() => ingest(store, [root], { chunkSize: 100, overlap: 100 }), InvalidInputError],
    [() => ingest(store, [root], { tags: "a" as unknown as string[] }), InvalidInputError],
    [() => ingest(store, [root, join(root, "missing")]), IngestError],
  ];
  for (const [attempt, kind] of attempts) {
    try {
      await attempt();
      assert.unreachable();
    } catch (error) {
      assert.instance(error, kind);
    }
  }
  assert.equal(store.rows, []);
});

test("strict: a bad file stops the ingest with its error; earlier files stay whole and a re-run resumes", async () => {
  const root = tempDir("sigla-bad-");
  writeFileSync(join(root, "a.txt"), "good text");
  writeFileSync(join(root, "b.jsonl"), '{"text": "fine"}\n{broken\n');
  writeFileSync(join(root, "c.txt"), "never reached");
  const store = new MemoryStore();
  try {
    await ingest(store, [root], { strict: true });
    assert.unreachable();
  } catch (error) {
    assert.instance(error, IngestError);
    assert.match((error as Error).message, /b\.jsonl: line 2/);
  }
  assert.equal(
    store.rows.map((row) => row.text),
    ["good text"],
  );
  rmSync(join(root, "b.jsonl"));
  const resumed = await ingest(store, [root], { strict: true });
  assert.equal([resumed.unchanged, resumed.added], [1, 1]);
});

test("by default a bad line or file is skipped with a warning and the rest is ingested", async () => {
  const root = tempDir("sigla-lenient-");
  writeFileSync(join(root, "a.txt"), "good text");
  writeFileSync(join(root, "b.jsonl"), '{"text": "fine"}\n{broken\n{"title": "no text"}\n"also fine"\n');
  writeFileSync(join(root, "c.json"), '{"navigation": ["a", "b"]}');
  writeFileSync(join(root, "d.txt"), "reached");
  const store = new MemoryStore();
  const warnings: Array<{ path: string; reason: string }> = [];
  const report = await ingest(store, [root], { onWarning: (skipped) => warnings.push(skipped) });
  assert.equal(
    store.rows.map((row) => row.text),
    ["good text", "fine", "also fine", "reached"],
  );
  assert.equal(
    report.skipped.map(({ path, reason }) => [path, reason.replace(/\(.*\)/, "(…)")]),
    [
      [join(root, "b.jsonl"), `${join(root, "b.jsonl")}: line 2: invalid JSON (…)`],
      [join(root, "b.jsonl"), `${join(root, "b.jsonl")}: line 3 has no text field (…)`],
      [join(root, "c.json"), `${join(root, "c.json")} has no text field (…)`],
    ],
  );
  assert.equal(warnings, report.skipped, "each skip is also passed to onWarning");
  assert.equal([report.files, report.added, report.skipped.length], [4, 3, 3]);
  const lines = store
    .bySource(join(root, "b.jsonl"))
    .map((row) => (row.meta.source as { line: number }).line);
  assert.equal(lines, [1, 4], "records keep their own line numbers");
});

test.run();
