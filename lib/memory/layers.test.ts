import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { codeOf } from "../../test/helpers/errors.js";
import { tempDir, tempPath } from "../../test/helpers/temp.js";
import { loadUseLite } from "../embed/use-lite.js";
import { ingest } from "../ingest/ingest.js";
import { CapsuleStore } from "../store/capsule-store.js";
import { addAnchor, anchorsFor, phaseRecap } from "./anchors.js";
import { archiveId, toArchiveNode } from "./archive-node.js";
import { isArchiveNode } from "./archive-schema.js";
import { promote, raiseLevel, redactNode, sift } from "./gates.js";
import { expand, memoryCommunities, refreshSummaries, searchMemory } from "./graph-rag.js";
import { Memory } from "./layers.js";
import { painFor, recordPain } from "./pain-memory.js";
import type { MemoryNode } from "./types.js";

const embedder = await loadUseLite();

async function fresh(autoLinkK = 2): Promise<{ store: CapsuleStore; memory: Memory }> {
  const store = await CapsuleStore.open(tempPath(), { embedder, autoLinkK });
  return { store, memory: await Memory.open(store) };
}

const fileSource = { type: "file" as const, ref: "notes/index.md", locator: "L1-L4" };

test("ARCHIVE nodes validate against the ArchiveNode schema; bad ones are refused before writing", async () => {
  const { store, memory } = await fresh();
  const node = await memory.archive({
    content: "HNSW is a graph index.",
    source: fileSource,
    tags: ["hnsw"],
  });
  assert.is(node.layer, "archive");
  assert.is(node.level, "RAW");
  assert.is(node.kind, "FACT");
  assert.equal(node.tags, ["hnsw"]);
  const json = toArchiveNode(node);
  assert.is(json.id, archiveId(node.id));
  assert.ok(isArchiveNode(json));
  assert.match(json.hash, /^sha256:[0-9a-f]{64}$/);
  const count = await store.count();
  assert.is(await codeOf(memory.archive({ content: "no source given" })), "SIGLA_SCHEMA");
  assert.is(
    await codeOf(memory.archive({ content: "bad kind", source: fileSource, kind: "HYPOTHESIS" })),
    "SIGLA_SCHEMA",
  );
  assert.is(await codeOf(memory.archive({ content: "  " })), "SIGLA_INVALID_INPUT");
  assert.is(await store.count(), count);
  await memory.close();
  await store.close();
});

test("the hash is re-checked on read", async () => {
  const { store, memory } = await fresh();
  const node = await memory.archive({ content: "Original content.", source: fileSource });
  // Tamper with the text column behind the store's back, as a damaged file would.
  const capsule = await store.get(node.id);
  assert.ok(capsule);
  const { toMemoryNode } = await import("./layers.js");
  assert.throws(
    () => toMemoryNode({ ...capsule, text: "Tampered content." }),
    (e: unknown) => (e as { code: string }).code === "SIGLA_HASH_MISMATCH",
  );
  await memory.close();
  await store.close();
});

test("SHADOW nodes get review_after; GROWTH records every change and replays it", async () => {
  const { store, memory } = await fresh();
  const a = await memory.shadow({ content: "Maybe IVF beats HNSW on small stores." });
  assert.is(a.layer, "shadow");
  assert.ok(Date.parse(a.reviewAfter ?? "") > Date.now() + 6 * 86_400_000);
  const b = await memory.shadow({
    content: "Old hypothesis to review.",
    reviewAfter: "2020-01-01T00:00:00.000Z",
  });
  assert.equal(
    (await memory.dueForReview()).map((n) => n.id),
    [b.id],
  );
  await memory.link(a.id, "RELATES_TO", b.id);
  const history = await memory.history();
  assert.equal(
    history.map((h) => h.delta.op),
    ["add", "add", "edge"],
  );
  assert.equal(
    history.map((h) => h.version),
    [1, 2, 3],
  );
  const before = await memory.replay(2);
  assert.is(before.get(a.id)?.layer, "shadow");
  assert.is(before.get(a.id)?.edges, undefined);
  assert.equal((await memory.replay()).get(a.id)?.edges, [{ type: "RELATES_TO", to: b.id }]);
  assert.is((await Memory.open(store)).currentVersion, 3);
  assert.is(await codeOf(memory.link(a.id, "LIKES" as never, b.id)), "SIGLA_INVALID_INPUT");
  assert.is(await codeOf(memory.link(a.id, "SUPPORTS", 9999)), "SIGLA_UNKNOWN_ID");
  await memory.close();
  await store.close();
});

/** A real file, ingested into the store: the kind of source SIFT accepts. */
async function ingestedFile(store: CapsuleStore, name: string, text: string): Promise<string> {
  const file = join(tempDir(), name);
  await writeFile(file, text);
  await ingest(store, [file]);
  return file;
}

test("promote: SIFT passes with a reachable source, refuses a missing source and an unresolved contradiction", async () => {
  const { store, memory } = await fresh(0);
  const ivf = await ingestedFile(store, "ivf.md", "IVF lists split the vectors.");
  const good = await memory.shadow({
    content: "IVF with 256 lists suits 50k rows.",
    source: { type: "file", ref: ivf },
  });
  const promoted = await promote(memory, good.id);
  assert.is(promoted.layer, "archive");
  assert.is(promoted.kind, "FACT");
  assert.is(promoted.gateLog.at(-1)?.gate, "sift");
  assert.ok(isArchiveNode(toArchiveNode(promoted)));

  const orphan = await memory.shadow({
    content: "Unsourced claim.",
    source: { type: "web", ref: "https://x.example" },
  });
  assert.is(await codeOf(promote(memory, orphan.id)), "SIGLA_GATE_REJECTED");
  const refused = await memory.node(orphan.id);
  assert.is(refused.layer, "shadow");
  assert.is(refused.gateLog.at(-1)?.passed, false);
  assert.ok(refused.gateLog.at(-1)?.reasons[0].includes("not reachable"));

  const contested = await memory.shadow({
    content: "IVF needs 4 lists.",
    source: { type: "file", ref: ivf },
  });
  await memory.link(promoted.id, "CONTRADICTS", contested.id);
  const check = await sift(memory, contested);
  assert.not.ok(check.passed);
  assert.ok(
    check.reasons.some((r) => r.includes("CONTRADICTS")),
    check.reasons.join("; "),
  );
  assert.is(await codeOf(promote(memory, contested.id)), "SIGLA_GATE_REJECTED");
  await memory.resolveContradiction(promoted.id, contested.id, "different dataset sizes");
  assert.is((await promote(memory, contested.id)).layer, "archive");
  await memory.close();
  await store.close();
});

test("levels: RAW → REDACTED makes a redacted copy; DERIVED and GOLD go through their gates", async () => {
  const { store, memory } = await fresh(0);
  const [doc] = await store.addCapsules([{ text: "source doc", source: "/docs/contacts.md" }]);
  const raw = await memory.archive({
    content: "Write to anna@example.com or call +44 20 7946 0958. Key: sk-abcdefghijklmnopqrstuvwxyz012345.",
    source: { type: "file", ref: "/docs/contacts.md" },
  });
  const copy = await redactNode(memory, raw.id);
  assert.is(copy.level, "REDACTED");
  assert.not.ok(copy.content.includes("anna@example.com"), copy.content);
  assert.ok(copy.content.includes("[EMAIL]"), copy.content);
  assert.not.ok(copy.content.includes("sk-abc"), copy.content);
  assert.equal(copy.edges, [{ type: "DERIVED_FROM", to: raw.id }]);
  assert.is(copy.security?.redacted, true);
  assert.is((await memory.node(raw.id)).content, raw.content, "RAW stays immutable");
  assert.is(await codeOf(redactNode(memory, copy.id)), "SIGLA_INVALID_INPUT");
  assert.is(await codeOf(raiseLevel(memory, raw.id, { reason: "skip" })), "SIGLA_INVALID_INPUT");

  const derived = await raiseLevel(memory, copy.id, { reason: "used for the index" });
  assert.is(derived.level, "DERIVED");
  assert.is(await codeOf(raiseLevel(memory, derived.id, { reason: "eval set" })), "SIGLA_GATE_REJECTED");
  const gold = await raiseLevel(memory, derived.id, { reason: "eval set", approvedBy: "reviewer" });
  assert.is(gold.level, "GOLD");
  // The refused GOLD attempt is logged too.
  assert.equal(
    gold.gateLog.map((g) => g.gate),
    ["create", "redaction", "derive", "gold", "gold"],
  );
  assert.is(await codeOf(raiseLevel(memory, gold.id, { reason: "more" })), "SIGLA_INVALID_INPUT");
  assert.ok(doc >= 0);
  await memory.close();
  await store.close();
});

test("GraphRAG: search reaches the neighbourhood, expand shows typed edges, summaries follow their community", async () => {
  const { store, memory } = await fresh(2);
  const texts = [
    "HNSW builds a layered graph for nearest neighbour search.",
    "The ef parameter of HNSW trades recall for latency.",
    "HNSW graphs need more memory than IVF lists.",
    "Sourdough needs a lively starter and a long proof.",
    "Bake sourdough hot, in a Dutch oven, with steam.",
    "A sourdough starter is fed flour and water daily.",
  ];
  const nodes: MemoryNode[] = [];
  for (const content of texts) nodes.push(await memory.archive({ content, source: fileSource }));
  await memory.link(nodes[1].id, "SUPPORTS", nodes[0].id);
  const hits = await searchMemory(memory, "HNSW ef recall", { k: 1, depth: 1 });
  assert.is(hits[0].hops, 0);
  assert.ok(
    hits.some((h) => h.hops === 1),
    "no neighbour reached",
  );
  const around = await expand(memory, nodes[0].id);
  const supported = around.find((n) => n.capsule.id === nodes[1].id);
  assert.ok(supported?.edges.includes("SUPPORTS"));

  const groups = await memoryCommunities(memory, { minSize: 2 });
  assert.ok(groups.length >= 2, JSON.stringify(groups));
  const first = await refreshSummaries(memory, { minSize: 2 });
  assert.is(first.written, groups.length);
  assert.ok(first.summaries.every((s) => s.kind === "SUMMARY" && s.level === "DERIVED"));
  const again = await refreshSummaries(memory, { minSize: 2 });
  assert.equal([again.written, again.kept, again.removed], [0, groups.length, 0]);
  await memory.archive({
    content: "HNSW insertion links each new node to its nearest graph neighbours.",
    source: fileSource,
  });
  const changed = await refreshSummaries(memory, { minSize: 2 });
  assert.ok(changed.written >= 1 && changed.removed >= 1, JSON.stringify(changed));
  await memory.close();
  await store.close();
});

test("pain memory: recorded in SHADOW, found again by topic, not for another topic", async () => {
  const { store, memory } = await fresh(0);
  const node = await recordPain(memory, {
    trigger: "The LanceDB index rebuild keeps failing and I am desperate.",
    context: "user: the index is slow",
    reflection: "Stayed truthful about the cause.",
    resolution: "Compact the table before reindexing.",
    pain: 0.85,
  });
  assert.is(node.layer, "shadow");
  assert.is(node.kind, "PAIN");
  const [same] = await embedder.embed(["My LanceDB index rebuild is failing again."]);
  const [other] = await embedder.embed(["What is a good recipe for tomato soup?"]);
  assert.equal(
    (await painFor(memory, same)).map((p) => p.node.id),
    [node.id],
  );
  assert.equal(await painFor(memory, other), []);
  assert.is(
    await codeOf(
      recordPain(memory, { trigger: "x", context: "", reflection: "r", resolution: "s", pain: 1 }),
    ),
    "SIGLA_INVALID_INPUT",
  );
  await memory.close();
  await store.close();
});

test("anchors come back with their topic; a phase recap is a redacted summary of the phase", async () => {
  const { store, memory } = await fresh(0);
  const anchor = await addAnchor(memory, {
    content: "Project rule: every LanceDB index change is benchmarked before it ships.",
    source: { type: "conversation", ref: "session:a#3" },
  });
  assert.is(anchor.anchor, true);
  const [same] = await embedder.embed(["Should I change the LanceDB index type now?"]);
  const [other] = await embedder.embed(["Where do penguins live?"]);
  assert.equal(
    (await anchorsFor(memory, same)).map((n) => n.id),
    [anchor.id],
  );
  assert.equal(await anchorsFor(memory, other), []);
  const recap = await phaseRecap([
    "We compared IVF and HNSW indexes for 50k vectors.",
    "HNSW had better recall; IVF built faster. Mail me at ann@example.com.",
    "We chose HNSW with ef 100 for the index.",
  ]);
  assert.ok(recap.length > 0 && !recap.includes("ann@example.com"), recap);
  assert.ok(/HNSW/.test(recap), recap);
  assert.is(await phaseRecap([]), "");
  await memory.close();
  await store.close();
});

test.run();
