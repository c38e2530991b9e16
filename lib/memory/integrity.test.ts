/**
 * Integrity of the memory layer against edits made behind SIGLA's back (issue 10, items 4 and 10): every
 * read path re-checks a node's own hash, and SIFT accepts only verified sources. Stores are real LanceDB
 * folders; the edits go straight to the table with LanceDB's own `update`, as a damaged file or a person
 * with a table editor would make them.
 */
import "../store/lancedb-env.js";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import * as lancedb from "@lancedb/lancedb";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { tempDir, tempPath } from "../../test/helpers/temp.js";
import { loadUseLite } from "../embed/use-lite.js";
import { isSiglaError } from "../errors.js";
import { ingest } from "../ingest/ingest.js";
import { CapsuleStore, sha256 } from "../store/capsule-store.js";
import { doctor } from "../store/doctor.js";
import { TABLE_NAME } from "../store/table-schema.js";
import { addAnchor, anchorsFor } from "./anchors.js";
import { promote, raiseLevel, redactNode, sift } from "./gates.js";
import { expand, memoryCommunities, refreshSummaries, searchMemory, summarize } from "./graph-rag.js";
import { Memory } from "./layers.js";
import { recall } from "./recall.js";

const embedder = await loadUseLite();

async function open(path: string): Promise<{ store: CapsuleStore; memory: Memory }> {
  const store = await CapsuleStore.open(path, { embedder, autoLinkK: 2 });
  return { store, memory: await Memory.open(store) };
}

async function shut({ store, memory }: { store: CapsuleStore; memory: Memory }): Promise<void> {
  await memory.close();
  await store.close();
}

/**
 * Rewrites capsule `id`'s text directly in the LanceDB table at `path`. `column: "consistent"` also writes
 * the matching sha256 into the store's column; `"stale"` leaves the column as it was. Either way the store
 * notices (its row digest, its column) until `sigla doctor --repair` accepts the table as it now is; after
 * that only the node's own hash in meta is left to notice, which is what these tests exercise.
 */
async function tamper(path: string, id: number, text: string, column: "consistent" | "stale"): Promise<void> {
  const db = await lancedb.connect(path);
  const table = await db.openTable(TABLE_NAME);
  const values: Record<string, string> = { text };
  if (column === "consistent") values.sha256 = sha256(text);
  await table.update({ where: `id = ${id}`, values });
  table.close();
  db.close();
}

/** What a user told to run `sigla doctor --repair` does: the store accepts its table as it is now. */
async function acceptTable(path: string): Promise<void> {
  await doctor(path, { repair: true, acceptLoss: true, embedder });
}

/** Asserts that `work` fails with `SIGLA_HASH_MISMATCH` naming node `id` and pointing at `sigla doctor`. */
async function mismatch(what: string, id: number, work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
  } catch (error) {
    assert.ok(isSiglaError(error), `${what}: expected a SiglaError, got ${String(error)}`);
    assert.is(error.code, "SIGLA_HASH_MISMATCH", `${what}: ${error.message}`);
    assert.match(error.message, new RegExp(`\\b${id}\\b`), what);
    assert.match(error.message, /sigla doctor/, what);
    return;
  }
  assert.unreachable(`${what} returned a tampered node without SIGLA_HASH_MISMATCH`);
}

const source = { type: "file" as const, ref: "notes/hnsw.md" };
const TEXTS = [
  "HNSW builds a layered graph for nearest neighbour search.",
  "The ef parameter of HNSW trades recall for latency.",
  "HNSW graphs need more memory than IVF lists.",
];

for (const column of ["consistent", "stale"] as const) {
  test(`every read path refuses an ARCHIVE node edited in the table (sha256 column ${column})`, async () => {
    const path = tempPath();
    let opened = await open(path);
    const ids: number[] = [];
    for (const content of TEXTS) ids.push((await opened.memory.archive({ content, source })).id);
    const [target, other] = ids;
    await opened.memory.link(target, "SUPPORTS", other);
    const anchor = await addAnchor(opened.memory, { content: "Rule: benchmark every HNSW change.", source });
    await shut(opened);

    await tamper(path, target, "HNSW is obsolete; use a linear scan everywhere.", column);
    await tamper(path, anchor.id, "Rule: never benchmark anything.", column);
    // The store itself refuses the edited table first…
    assert.ok(await storeRefuses(path, target), "the store read an edited table without a word");
    // …and once the store accepts it, every memory read path still refuses the node.
    await acceptTable(path);
    opened = await open(path);
    const { store, memory } = opened;
    await mismatch("memory.node", target, () => memory.node(target));
    await mismatch("memory.nodes", target, () => memory.nodes("archive"));
    await mismatch("memory.incoming", target, () => memory.incoming(other));
    await mismatch("searchMemory", target, () => searchMemory(memory, TEXTS[0], { k: 3 }));
    await mismatch("expand", target, () => expand(memory, other));
    await mismatch("recall", target, () => recall(store, TEXTS[0], { k: 5 }));
    await mismatch("memoryCommunities", target, () => memoryCommunities(memory, { minSize: 2 }));
    await mismatch("refreshSummaries", target, () => refreshSummaries(memory, { minSize: 2 }));
    await mismatch("summarize", target, () => summarize(memory, { index: 0, members: [target, other] }));
    await mismatch("link", target, () => memory.link(target, "RELATES_TO", ids[2]));
    await mismatch("redactNode", target, () => redactNode(memory, target));
    await mismatch("raiseLevel", target, () => raiseLevel(memory, target, { reason: "checked" }));
    const [vector] = await embedder.embed(["Should I benchmark the HNSW change?"]);
    await mismatch("anchorsFor", anchor.id, () => anchorsFor(memory, vector));
    // The untouched nodes still read.
    assert.is((await memory.node(other)).content, TEXTS[1]);
    // SIFT does not throw: a tampered source is a refusal with its reason.
    const claim = await memory.shadow({
      content: "HNSW wins.",
      source: { type: "connector", ref: `capsule:${target}` },
    });
    const verdict = await sift(memory, claim);
    assert.not.ok(verdict.passed);
    assert.ok(
      verdict.reasons.some((r) => r.includes(`capsule:${target}`)),
      verdict.reasons.join("; "),
    );
    await shut(opened);
  });
}

test("the GROWTH history refuses an entry edited in the table", async () => {
  const path = tempPath();
  let opened = await open(path);
  await opened.memory.shadow({ content: "Maybe IVF beats HNSW on small stores." });
  await shut(opened);
  const growthPath = join(path, "growth");
  await tamper(growthPath, 0, "deleted every node", "consistent");
  await acceptTable(growthPath);
  opened = await open(path);
  await mismatch("history", 0, () => opened.memory.history());
  await mismatch("replay", 0, () => opened.memory.replay());
  await shut(opened);
});

test("SIFT: a file cited by two SHADOW nodes but never ingested verifies neither", async () => {
  const { store, memory } = await open(tempPath());
  const never = join(tempDir(), "never-ingested.md");
  const first = await memory.shadow({ content: "Claim one.", source: { type: "file", ref: never } });
  const second = await memory.shadow({ content: "Claim two.", source: { type: "file", ref: never } });
  for (const node of [first, second]) {
    assert.is(await codeOfPromote(memory, node.id), "SIGLA_GATE_REJECTED");
    assert.is((await memory.node(node.id)).layer, "shadow");
  }
  // The file now exists but was never ingested: there is nothing its bytes could match.
  await writeFile(never, "Claim one and claim two.");
  assert.not.ok((await sift(memory, first)).passed);
  await shut({ store, memory });
});

test("SIFT: a SHADOW node is never a source, by capsule id or by carrying the same ref", async () => {
  const { store, memory } = await open(tempPath());
  const hypothesis = await memory.shadow({ content: "IVF needs 256 lists." });
  const derived = await memory.shadow({
    content: "So 50k rows need 256 lists.",
    source: { type: "connector", ref: `capsule:${hypothesis.id}` },
  });
  const verdict = await sift(memory, derived);
  assert.not.ok(verdict.passed);
  assert.ok(
    verdict.reasons.some((r) => r.includes("shadow node")),
    verdict.reasons.join("; "),
  );
  assert.is(await codeOfPromote(memory, derived.id), "SIGLA_GATE_REJECTED");
  await shut({ store, memory });
});

test("SIFT: an ingested file verifies while its bytes match; an ARCHIVE node verifies what it carries", async () => {
  const { store, memory } = await open(tempPath());
  const file = join(tempDir(), "ivf.md");
  await writeFile(file, "IVF splits vectors into lists; 256 lists suit 50k rows.");
  await ingest(store, [file]);
  const fromFile = await memory.shadow({
    content: "256 lists suit 50k rows.",
    source: { type: "file", ref: file },
  });
  assert.ok((await sift(memory, fromFile)).passed);
  await writeFile(file, "IVF splits vectors into lists; 4 lists suit 50k rows.");
  const changed = await sift(memory, fromFile);
  assert.not.ok(changed.passed);
  assert.ok(
    changed.reasons.some((r) => r.includes("changed since it was ingested")),
    changed.reasons.join("; "),
  );

  const web = { type: "web" as const, ref: "https://example.org/ivf" };
  const fact = await memory.archive({ content: "IVF is an inverted file index.", source: web });
  const carried = await memory.shadow({ content: "IVF groups vectors by centroid.", source: web });
  assert.is((await promote(memory, carried.id)).layer, "archive");
  const cited = await memory.shadow({
    content: "An inverted file index needs training.",
    source: { type: "connector", ref: `capsule:${fact.id}` },
  });
  assert.is((await promote(memory, cited.id)).layer, "archive");
  await shut({ store, memory });
});

/** Whether the store, on its own, refuses to open or to read capsule `id` (any typed error). */
async function storeRefuses(path: string, id: number): Promise<boolean> {
  try {
    const store = await CapsuleStore.open(path, { embedder, autoLinkK: 2 });
    try {
      await store.get(id);
      await store.list();
      return false;
    } finally {
      await store.close();
    }
  } catch (error) {
    return isSiglaError(error);
  }
}

async function codeOfPromote(memory: Memory, id: number): Promise<string> {
  try {
    await promote(memory, id);
    return "resolved";
  } catch (error) {
    return isSiglaError(error) ? error.code : String(error);
  }
}

test("lazy GROWTH: reads and refused gates create nothing; the first change creates the log", async () => {
  const path = tempPath();
  const store = await CapsuleStore.open(path, { embedder, autoLinkK: 0 });
  const memory = await Memory.open(store, { lazyGrowth: true });
  const growth = join(path, "growth");
  const { existsSync } = await import("node:fs");
  assert.not.ok(existsSync(growth));
  assert.equal(await memory.history(), []);
  assert.equal(await memory.nodes("growth"), []);
  assert.is(await codeOfPromote(memory, 99999), "SIGLA_UNKNOWN_ID");
  assert.not.ok(existsSync(growth), "a failed read created growth/");
  await memory.shadow({ content: "A first hypothesis." });
  assert.ok(existsSync(growth));
  assert.is((await memory.history()).length, 1);
  await memory.close();
  const again = await Memory.open(store, { lazyGrowth: true });
  assert.is(again.currentVersion, 1);
  await again.close();
  await store.close();
});

test.run();
