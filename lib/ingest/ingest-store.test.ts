import { execFileSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { tempDir, tempPath } from "../../test/helpers/temp.js";
import { loadUseLite } from "../embed/use-lite.js";
import { errorText, isSiglaError } from "../errors.js";
import { CapsuleStore } from "../store/capsule-store.js";
import { IngestCancelledError, ingest } from "./ingest.js";

const embedder = await loadUseLite();

test("ingest into a real store: chunks, tags, provenance, idempotence, replacement", async () => {
  const docs = tempDir();
  await mkdir(join(docs, "guides", "vectors"), { recursive: true });
  const long = Array.from(
    { length: 60 },
    (_, i) => `Sentence ${i} explains how vector indexes trade recall for speed.`,
  ).join(" ");
  await writeFile(
    join(docs, "guides", "vectors", "index.md"),
    `---\ntitle: Indexes\ntags: [ann]\n---\n${long}`,
  );
  await writeFile(
    join(docs, "notes.jsonl"),
    '{"text":"Bread needs yeast","tags":["food"]}\n{"text":"Salt adds taste"}\n',
  );
  const store = await CapsuleStore.open(tempPath(), { embedder });

  const first = await ingest(store, [docs], { tags: ["demo"] });
  assert.is(first.files, 2);
  const chunks = await store.list({ where: `source = '${join(docs, "guides", "vectors", "index.md")}'` });
  assert.ok(chunks.length >= 3, `a ${long.length}-character text is cut into several chunks`);
  for (const chunk of chunks) {
    assert.ok(chunk.text.length <= 1024);
    for (const tag of ["guides", "vectors", "ann", "demo"])
      assert.ok(chunk.tags.includes(tag), `missing tag ${tag}`);
    const source = chunk.meta.source as { file: string; start: number; end: number; sha256: string };
    assert.is(source.file, join(docs, "guides", "vectors", "index.md"));
    assert.ok(source.end > source.start);
    assert.match(source.sha256, /^[0-9a-f]{64}$|^sha256:[0-9a-f]{64}$/);
  }
  const count = await store.count();
  assert.is(count, first.ids.length);

  const again = await ingest(store, [docs]);
  assert.is(again.ids.length, 0);
  assert.is(again.unchanged, 2);
  assert.is(await store.count(), count);

  await writeFile(join(docs, "notes.jsonl"), '{"text":"Bread needs yeast and time","tags":["food"]}\n');
  const changed = await ingest(store, [docs]);
  assert.is(changed.replaced, 1);
  assert.is(await store.count(), count - 1);
  const notes = await store.list({ where: `source = '${join(docs, "notes.jsonl")}'` });
  assert.equal(
    notes.map((c) => c.text),
    ["Bread needs yeast and time"],
  );
  const [hit] = await store.query("baking bread", { topK: 1 });
  assert.is(hit.text, "Bread needs yeast and time");
  await store.close();
});

test("a cancelled ingest keeps whole files only, and an unreadable path is a typed error", async () => {
  const docs = tempDir();
  for (let i = 0; i < 4; i++) await writeFile(join(docs, `f${i}.txt`), `File number ${i} about topic ${i}.`);
  const store = await CapsuleStore.open(tempPath(), { embedder });
  const controller = new AbortController();
  let seen = 0;
  try {
    await ingest(store, [docs], {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.done > seen) seen = p.done;
        if (p.done >= 2) controller.abort();
      },
    });
    assert.unreachable("the ingest should have been cancelled");
  } catch (error) {
    assert.ok(isSiglaError(error), String(error));
  }
  const stored = await store.list();
  const files = new Set(stored.map((c) => c.source));
  assert.ok(files.size >= 1 && files.size < 4, `${files.size} files stored`);
  for (const file of files) assert.is(stored.filter((c) => c.source === file).length, 1);
  try {
    await ingest(store, [join(docs, "missing.txt")]);
    assert.unreachable();
  } catch (error) {
    assert.is((error as { code: string }).code, "SIGLA_INGEST");
  }
  await store.close();
});

/** A folder of good files and one of each kind of odd file, named so they are read in this order. */
async function oddFolder(): Promise<{ root: string; path: (name: string) => string }> {
  const root = tempDir("sigla-odd-");
  const path = (name: string) => join(root, name);
  const files: Array<[string, string | Buffer]> = [
    ["a-guide.md", "# Guide\n\nVector indexes trade recall for speed."],
    ["b-latin1.md", Buffer.from("Caf\xe9 cr\xe8me: a Latin-1 note about coffee.", "latin1")],
    ["c-binary.txt", Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d])],
    ["d-docs.json", JSON.stringify({ navigation: [{ group: "Start", pages: ["intro", "setup"] }] })],
    ["e-array.json", "[1, 2, 3]"],
    ["f-records.json", '[{"text": "Array record about gardens"}, {"title": "no text here"}]'],
    ["g-ragged.csv", "text,tags\nA row about rivers,x\nbad,row,extra\n"],
    ["h-open.csv", 'text\n"a quote that never closes\n'],
    ["i-notes.jsonl", '{"text": "A line about bread"}\n{"text": broken}\n'],
    ["j-last.txt", "The last file is still read."],
  ];
  for (const [name, content] of files) await writeFile(path(name), content);
  // Not regular files: a folder walk passes over them (they could block or never end).
  execFileSync("mkfifo", [path("k-pipe.txt")]);
  return { root, path };
}

test("odd files in a folder are skipped with a reason each; the good ones and good records are ingested", async () => {
  const { root, path } = await oddFolder();
  const store = await CapsuleStore.open(tempPath(), { embedder });
  const warned: string[] = [];
  const report = await ingest(store, [root], { onWarning: (skipped) => warned.push(skipped.path) });
  const sources = [...new Set((await store.list()).map((c) => c.source))].sort();
  assert.equal(
    sources,
    ["a-guide.md", "b-latin1.md", "f-records.json", "g-ragged.csv", "i-notes.jsonl", "j-last.txt"].map(path),
  );
  const reasons = report.skipped.map(({ path: file, reason }) => [file.slice(root.length + 1), reason]);
  assert.equal(
    reasons.map(([file]) => file),
    [
      "c-binary.txt",
      "d-docs.json",
      "e-array.json",
      "f-records.json",
      "g-ragged.csv",
      "h-open.csv",
      "i-notes.jsonl",
    ],
  );
  const expected = [
    /c-binary\.txt: binary data \(NUL bytes\), not text$/,
    /d-docs\.json has no text field \(one of text, content, body, page_content\)$/,
    /e-array\.json: no readable record \(3 bad, the first: .*record 0 is a number/,
    /f-records\.json: record 1 has no text field/,
    /g-ragged\.csv: line 3 has 3 fields but the header has 2$/,
    /h-open\.csv: unterminated quoted field starting on line 2/,
    /i-notes\.jsonl: line 2: invalid JSON/,
  ];
  reasons.forEach(([, reason], k) => {
    assert.match(reason, expected[k]);
    assert.not.match(reason, /\n/, "one line");
  });
  assert.equal(
    warned,
    report.skipped.map((skipped) => skipped.path),
    "onWarning saw each one as it happened",
  );
  assert.is(report.files, 10);
  assert.is(report.added, 6);
  const [latin1] = await store.list({ where: `source = '${path("b-latin1.md")}'` });
  assert.is(latin1.text, "Café crème: a Latin-1 note about coffee.");
  const texts = (await store.list()).map((c) => c.text).sort();
  assert.ok(texts.includes("Array record about gardens") && texts.includes("A line about bread"));

  // Special files named directly are refused at once, never opened for a blocking read.
  const special = await ingest(store, [path("k-pipe.txt"), path("j-last.txt")]);
  assert.equal(special.skipped, [
    {
      path: path("k-pipe.txt"),
      reason: `cannot read ${path("k-pipe.txt")}: is a named pipe (fifo), not a regular file`,
    },
  ]);
  assert.is(special.unchanged, 1);
  // So are files over the size limit.
  const big = await ingest(store, [path("a-guide.md")], { maxFileBytes: 10 });
  assert.match(big.skipped[0].reason, /over the 10-byte limit \(SIGLA_MAX_FILE_BYTES\)$/);
  await store.close();
});

test("strict: the first odd file throws SIGLA_INGEST and nothing of it, or after it, is written", async () => {
  const { root, path } = await oddFolder();
  const store = await CapsuleStore.open(tempPath(), { embedder });
  try {
    await ingest(store, [root], { strict: true });
    assert.unreachable("strict ingest should stop at c-binary.txt");
  } catch (error) {
    assert.ok(isSiglaError(error) && error.code === "SIGLA_INGEST", String(error));
    assert.match((error as Error).message, /c-binary\.txt: binary data/);
  }
  const sources = [...new Set((await store.list()).map((c) => c.source))].sort();
  assert.equal(sources, ["a-guide.md", "b-latin1.md"].map(path));
  try {
    await ingest(store, [path("k-pipe.txt")], { strict: true });
    assert.unreachable();
  } catch (error) {
    assert.match((error as Error).message, /is a named pipe \(fifo\)/);
  }
  await store.close();
});

test("cancel while embedding a multi-MB file: rejects about a second after the abort, store unchanged", async () => {
  const docs = tempDir("sigla-big-");
  const words = "river stone garden lamp window orbit signal bread yeast vector index recall".split(" ");
  const parts: string[] = [];
  for (let k = 1, size = 0; size < 3_000_000; k = (k * 7 + 3) % 1009) {
    const word = words[k % words.length];
    parts.push(k % 13 === 0 ? `${word}.\n\n` : word);
    size += word.length + 1;
  }
  const file = join(docs, "big.txt");
  await writeFile(file, parts.join(" "));
  const store = await CapsuleStore.open(tempPath(), { embedder });
  await store.addCapsule("A capsule that was there before.");
  const before = await store.count();

  const started = performance.now();
  const signal = AbortSignal.timeout(1000);
  let embedded = 0;
  try {
    await ingest(store, [file], {
      signal,
      onProgress: (p) => {
        if (p.phase === "embed") embedded = p.done;
      },
    });
    assert.unreachable("the ingest should have been cancelled");
  } catch (error) {
    assert.instance(error, IngestCancelledError);
    assert.match((error as Error).message, /^ingest cancelled after 0 of 1 files \(0 capsules stored\)/);
    assert.is(((error as Error).cause as Error).name, "TimeoutError");
  }
  // Before the fix one embedder call held 64 chunks (10–25 s) and the timer could not fire until the
  // whole file (thousands of chunks) was embedded.
  const late = performance.now() - started - 1000;
  assert.ok(late < 2000, `rejected ${late.toFixed(0)} ms after the abort`);
  assert.ok(embedded > 0 && embedded < 3000, `${embedded} chunks embedded before the abort`);
  assert.is(await store.count(), before, "nothing of the file was written");
  await store.close();
});

test("an ingest aborted through its signal is SIGLA_CANCELLED, and the files before it are stored whole", async () => {
  const docs = tempDir();
  await writeFile(join(docs, "a.txt"), "Felting turns loose wool into dense cloth with hot water and soap.");
  await writeFile(join(docs, "b.txt"), "Sourdough bread proofs for 4 to 12 hours at room temperature.");
  const store = await CapsuleStore.open(tempPath(), { embedder });
  const controller = new AbortController();
  try {
    await ingest(store, [docs], {
      signal: controller.signal,
      // The first file is written; the abort (with the platform's default reason) comes before the second.
      onProgress: (p) => {
        if (p.phase === "read" && p.done === 1) controller.abort();
      },
    });
    assert.unreachable("the ingest should have been cancelled");
  } catch (error) {
    assert.instance(error, IngestCancelledError);
    assert.ok(isSiglaError(error) && error.code === "SIGLA_CANCELLED", String(error));
    assert.is(((error as Error).cause as Error).name, "AbortError");
    assert.is(
      errorText(error, { debug: false }),
      "SIGLA_CANCELLED: ingest cancelled after 1 of 2 files (1 capsules stored)",
    );
  }
  const stored = await store.list({});
  assert.equal(
    stored.map((capsule) => capsule.meta.source && (capsule.meta.source as { file: string }).file),
    [join(docs, "a.txt")],
  );
  await store.close();
});

test("two ingests of one folder at once, as two processes run them: every file stored once, whole", async () => {
  const docs = tempDir();
  for (let i = 0; i < 6; i++) {
    await writeFile(join(docs, `note-${i}.md`), `# Note ${i}\n\nNote ${i} is about topic ${i * 7}.`);
  }
  const path = tempPath();
  const first = await CapsuleStore.open(path, { embedder });
  const second = await CapsuleStore.open(path, { embedder });
  // Both list each file before either writes it; the later write finds the file stored and leaves it.
  const reports = await Promise.all([ingest(first, [docs]), ingest(second, [docs])]);
  await second.refresh();
  const sources = (await second.list()).map((capsule) => capsule.source);
  assert.is(sources.length, 6, `stored: ${sources.join(", ")}`);
  assert.is(new Set(sources).size, 6);
  assert.is(reports[0].added + reports[1].added, 6, "each file added by one of them");
  assert.is(reports[0].unchanged + reports[1].unchanged, 6, "and found unchanged by the other");
  // A changed file ingested by both at once: replaced once, still one chunk.
  await writeFile(join(docs, "note-3.md"), "# Note 3\n\nRewritten.");
  await Promise.all([ingest(first, [docs]), ingest(second, [docs])]);
  await first.refresh();
  const note = await first.list({ where: `source = '${join(docs, "note-3.md")}'` });
  assert.equal(
    note.map((capsule) => capsule.text),
    ["# Note 3\n\nRewritten."],
  );
  await first.close();
  await second.close();
});

test.run();
