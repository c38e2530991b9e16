import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { tempDir, tempPath } from "../../test/helpers/temp.js";
import { loadUseLite } from "../embed/use-lite.js";
import { isSiglaError } from "../errors.js";
import { CapsuleStore } from "../store/capsule-store.js";
import { ingest } from "./ingest.js";

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

test.run();
