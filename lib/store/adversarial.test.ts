/**
 * What a careless or hostile caller can hand the store: huge result sizes, filters built to widen each
 * other, values of the wrong type, paths that cannot be stores. Each gets a typed error at once and
 * writes nothing; and full-text search sees every committed capsule, whoever wrote it.
 */
import { spawn } from "node:child_process";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { codeOf } from "../../test/helpers/errors.js";
import { tempPath } from "../../test/helpers/temp.js";
import { clusteredVectors } from "../../test/helpers/vectors.js";
import { loadUseLite } from "../embed/use-lite.js";
import { isSiglaError } from "../errors.js";
import { CapsuleStore } from "./capsule-store.js";
import { LIMITS } from "./validate.js";

const embedder = await loadUseLite();
const vectors = clusteredVectors(60, embedder.dim, 4, 9);

async function seeded(): Promise<CapsuleStore> {
  const store = await CapsuleStore.open(tempPath(), { embedder, autoLinkK: 2 });
  await store.addCapsules(
    vectors.map((vector, i) => ({ text: `note ${i} on topic ${i % 3}`, vector, tags: [`g${i % 3}`] })),
  );
  return store;
}

test("topK, walk steps and depth are capped with a typed error, before any work", async () => {
  const store = await seeded();
  for (const topK of [LIMITS.topK + 1, 1e8, 2 ** 31 - 1, 99999999999]) {
    const started = Date.now();
    assert.is(await codeOf(store.query(vectors[0], { topK })), "SIGLA_INVALID_INPUT");
    assert.is(await codeOf(store.search("note", { topK, mode: "hybrid" })), "SIGLA_INVALID_INPUT");
    assert.is(await codeOf(store.search("note", { topK, mode: "fts" })), "SIGLA_INVALID_INPUT");
    assert.is(await codeOf(store.queryBatch([vectors[0]], { topK })), "SIGLA_INVALID_INPUT");
    assert.ok(Date.now() - started < 1000, `topK ${topK} was not refused at once`);
  }
  assert.is((await store.query(vectors[0], { topK: LIMITS.topK })).length, 60, "the cap itself is allowed");
  assert.is(await codeOf(store.randomWalk(0, { steps: LIMITS.walkSteps + 1 })), "SIGLA_INVALID_INPUT");
  assert.is(await codeOf(store.bfs(0, { depth: LIMITS.depth + 1 })), "SIGLA_INVALID_INPUT");
  assert.is(await codeOf(store.list({ limit: LIMITS.list + 1 })), "SIGLA_INVALID_INPUT");
  await store.close();
});

test("a where clause can never widen the tags filter, and every entry point checks it the same way", async () => {
  const store = await seeded();
  const widening = "id = 1) OR (1=1";
  assert.is(
    await codeOf(store.query(vectors[0], { tags: ["g1"], where: widening, topK: 60 })),
    "SIGLA_INVALID_INPUT",
  );
  assert.is(
    await codeOf(store.search("note", { tags: ["g1"], where: widening, mode: "fts" })),
    "SIGLA_INVALID_INPUT",
  );
  for (const where of ["id = 3; garbage", "", "   ", "id = 1 -- and the rest", "text = 'open", "(id = 1"]) {
    assert.is(await codeOf(store.list({ where })), "SIGLA_INVALID_INPUT", JSON.stringify(where));
    assert.is(await codeOf(store.query(vectors[0], { where })), "SIGLA_INVALID_INPUT", JSON.stringify(where));
  }
  // A dollar-quoted string hides a quote from the check but not from LanceDB: refused.
  const dollars = "starts_with(text, $$'$$)) OR (id >= 0 OR starts_with(text, $$'$$)";
  assert.is(
    await codeOf(store.query(vectors[0], { tags: ["g1"], where: dollars, topK: 60 })),
    "SIGLA_INVALID_INPUT",
  );
  // Parentheses and semicolons inside string literals are text, not structure.
  assert.equal(await store.list({ where: "text = 'a ) OR (1=1; x'" }), []);
  // A legitimate filter combined with tags only narrows.
  const hits = await store.query(vectors[0], { tags: ["g1"], where: "id < 30 OR id > 50", topK: 60 });
  assert.ok(hits.length > 0);
  assert.ok(hits.every((h) => h.tags.includes("g1") && (h.id < 30 || h.id > 50)));
  await store.close();
});

test("a filter LanceDB rejects is one short line, and a search with it builds no index first", async () => {
  const store = await seeded();
  const before = (await store.stats()).tableVersion;
  try {
    await store.search("note", { where: "no_such_column = 1", mode: "fts" });
    assert.unreachable("accepted");
  } catch (error) {
    assert.ok(isSiglaError(error));
    assert.is((error as { code: string }).code, "SIGLA_INVALID_INPUT");
    assert.ok((error as Error).message.length < 600, `${(error as Error).message.length} characters`);
    assert.not.match((error as Error).message, /\.rs:\d+/);
  }
  assert.is((await store.stats()).tableVersion, before, "no full-text index was committed");
  await store.close();
});

test("values of the wrong type and impossible paths are typed errors", async () => {
  const store = await seeded();
  const bigints = Array.from({ length: embedder.dim }, () => 1n) as unknown as number[];
  assert.is(await codeOf(store.addCapsules([{ text: "x", vector: bigints }])), "SIGLA_INVALID_INPUT");
  assert.is(await codeOf(store.query(bigints)), "SIGLA_INVALID_INPUT");
  assert.is(await codeOf(store.save(join(store.path, "inside"))), "SIGLA_STORE_PATH");
  assert.is(await codeOf(store.save(store.path)), "SIGLA_STORE_PATH");
  assert.is(await codeOf(CapsuleStore.open("/tmp/with\u0000nul", { embedder })), "SIGLA_STORE_PATH");
  assert.is(await codeOf(CapsuleStore.open(42 as unknown as string, { embedder })), "SIGLA_STORE_PATH");
  const missing = tempPath("typo");
  assert.is(await codeOf(CapsuleStore.open(missing, { embedder, create: false })), "SIGLA_STORE_PATH");
  assert.is(await codeOfFs(readdir(missing)), "ENOENT", "no folder was created at the typo");
  assert.is(await store.count(), 60, "nothing was written");
  await store.close();
});

/** The errno code a file-system promise rejects with. */
async function codeOfFs(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "resolved";
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? "unknown";
  }
}

function addFromAnotherProcess(path: string, name: string, count: number): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "test/helpers/concurrent-writer.ts", path, name, String(count)],
      { stdio: ["ignore", "inherit", "inherit"] },
    );
    child.on("close", (code) => resolve(code ?? 1));
  });
}

test("fts and hybrid see every committed capsule: after more writes, and after another process's", async () => {
  const path = tempPath();
  const store = await CapsuleStore.open(path, { embedder });
  await store.addCapsules(Array.from({ length: 10 }, (_, i) => ({ text: `walrus file ${i}` })));
  assert.is((await store.search("walrus", { mode: "fts", topK: 1000 })).length, 10);
  for (let i = 0; i < 20; i++) await store.addCapsules([{ text: `walrus later ${i}` }]);
  assert.is((await store.search("walrus", { mode: "fts", topK: 1000 })).length, 30);
  // Another process writes 25 more; this handle never called refresh.
  assert.is(await addFromAnotherProcess(path, "walrus", 25), 0);
  assert.is((await store.search("walrus", { mode: "fts", topK: 1000 })).length, 55);
  const hybrid = await store.search("walrus", { mode: "hybrid", topK: 1000 });
  assert.is(hybrid.filter((h) => h.text.includes("walrus")).length, 55);
  await store.close();
});

test("ids only grow across handles: a stale handle never hands out the id of a capsule deleted elsewhere", async () => {
  const path = tempPath();
  const first = await CapsuleStore.open(path, { embedder, autoLinkK: 0 });
  const stale = await CapsuleStore.open(path, { embedder, autoLinkK: 0 });
  const [, last] = await first.addCapsules([
    { text: "one", vector: vectors[0] },
    { text: "two", vector: vectors[1] },
  ]);
  assert.ok(await first.delete(last));
  const [next] = await stale.addCapsules([{ text: "three", vector: vectors[2] }]);
  assert.is(next, last + 1, "the deleted id is not reused");
  await first.close();
  await stale.close();
});

test.run();
