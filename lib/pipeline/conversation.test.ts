/**
 * Conversation kept apart from knowledge (issue 11): turns, recaps, self-evaluations and drafts live in the
 * conversation store, never in the knowledge table nor linked to it; a later session's knowledge question
 * cites documents, not old questions; a question about the conversation cites it with session and time;
 * the message is embedded once per turn and the turn's conversation records go in one commit; a store
 * written before the split is migrated on open, and a move cut short between its two commits is finished
 * on the next open without duplicates.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { tempPath } from "../../test/helpers/temp.js";
import type { Embedder } from "../embed/embedder.js";
import { loadUseLite } from "../embed/use-lite.js";
import { Conversation, conversationMetaOf } from "../memory/conversation.js";
import { Memory } from "../memory/layers.js";
import { addTurns } from "../memory/turns.js";
import { CapsuleStore } from "../store/capsule-store.js";
import { Pipeline } from "./pipeline.js";

const useLite = await loadUseLite();

/** The real embedder, with a log of every text it was asked to embed. */
function logged(inner: Embedder): Embedder & { texts: string[] } {
  const texts: string[] = [];
  return {
    id: inner.id,
    dim: inner.dim,
    texts,
    embed(batch: string[]) {
      texts.push(...batch);
      return inner.embed(batch);
    },
  };
}

const DOCS = [
  "The default max_neighbors of the graph is 16; raise it to 32 for better recall on large stores.",
  "Sourdough proofs for 4 to 12 hours at room temperature, or overnight in the fridge.",
  "LanceDB builds vector indexes such as IVF_PQ and IVF_HNSW_SQ over a column of embeddings.",
];

async function seeded(embedder: Embedder = useLite) {
  const store = await CapsuleStore.open(tempPath(), { embedder });
  const memory = await Memory.open(store);
  for (const [i, content] of DOCS.entries()) {
    await memory.archive({ content, kind: "FACT", source: { type: "file", ref: `notes/${i}.md` } });
  }
  await memory.close();
  return store;
}

test("turns live in the conversation store; a later session's question cites documents, not old questions", async () => {
  const store = await seeded();
  const knowledge = await store.count();
  const pipeline = await Pipeline.open(store);
  const first = await pipeline.session("first");
  await pipeline.ask(first, "What is the default max_neighbors of the graph?");
  await pipeline.ask(first, "How long does sourdough proof at room temperature?");
  assert.is(await store.count(), knowledge, "the knowledge table gained rows from the conversation");
  const talk = pipeline.memory.conversation;
  const said = await talk.session("first");
  // The topic changed on the second question: the first phase ended with a recap of it.
  const kinds = said.map((c) => conversationMetaOf(c)?.kind);
  assert.equal(
    kinds.filter((k) => k !== "recap"),
    ["turn", "turn", "self-eval", "turn", "turn", "self-eval"],
  );
  assert.is(kinds.filter((k) => k === "recap").length, 1);
  // No knowledge capsule links to the conversation (the stores are apart, ids would not even match).
  for (const capsule of await store.list())
    assert.equal(
      capsule.links.filter((id) => id >= knowledge),
      [],
    );

  const second = await pipeline.session("second");
  const turn = await pipeline.ask(second, "What is the default max_neighbors?");
  assert.is(turn.about, "knowledge");
  assert.ok(turn.citations.length > 0, turn.answer);
  for (const c of turn.citations) {
    assert.is.not(c.layer, "conversation");
    assert.ok(c.source?.startsWith("notes/"), JSON.stringify(c));
  }
  assert.ok(turn.summary.includes("16"), turn.summary);
  assert.not.ok(turn.answer.includes("Refreshed: What"), turn.answer);
  await pipeline.close();
  await store.close();
});

test("a question about the conversation is answered from it, cited with session and time", async () => {
  const store = await seeded();
  const pipeline = await Pipeline.open(store);
  const earlier = await pipeline.session("earlier");
  await pipeline.ask(earlier, "How long does sourdough proof at room temperature?", {
    now: new Date("2026-11-25T10:00:00Z"),
  });
  const today = await pipeline.session("today");
  const turn = await pipeline.ask(today, "What did I ask about sourdough last week?", {
    now: new Date("2026-12-03T10:00:00Z"),
  });
  assert.is(turn.about, "conversation");
  const cited = turn.citations.filter((c) => c.layer === "conversation");
  assert.ok(cited.length > 0, turn.answer);
  assert.is(cited[0].source, "session:earlier");
  assert.match(cited[0].locator ?? "", /^turn \d+ at 2026-11-25T10:00:00/);
  assert.match(turn.summary, /sourdough/i);
  await pipeline.close();
  await store.close();
});

test("the message is embedded once; the turn's conversation records are one commit", async () => {
  const embedder = logged(useLite);
  const store = await seeded(embedder);
  const pipeline = await Pipeline.open(store);
  const session = await pipeline.session("once");
  await pipeline.ask(session, "Which vector indexes does LanceDB build?");
  const talk = pipeline.memory.conversation.store;
  const before = (await talk.stats()).tableVersion;
  embedder.texts.length = 0;
  const message = "What is the default max_neighbors of the graph?";
  await pipeline.ask(session, message);
  assert.is(embedder.texts.filter((t) => t === message).length, 1, embedder.texts.join(" | "));
  assert.is((await talk.stats()).tableVersion, before + 1);
  await pipeline.close();
  await store.close();
});

test("a store written before the split is migrated on open; a move cut short is finished without duplicates", async () => {
  const store = await seeded();
  const memory = await Memory.open(store, { lazyGrowth: true });
  // The old layout: turns, a recap and a self-evaluation in the knowledge table, auto-linked to documents.
  await addTurns(store, "old", "2026-10-01T09:00:00Z", [
    { role: "user", text: "What is the default max_neighbors of the graph?" },
    { role: "assistant", text: "It is 16." },
  ]);
  await memory.archive({
    content: "We asked about max_neighbors and sourdough.",
    kind: "SUMMARY",
    level: "DERIVED",
    tags: ["recap", "session:old"],
    source: { type: "conversation", ref: "session:old#0", locator: "turns 0-1" },
  });
  await memory.shadow({
    content: "Self-evaluation of turn 1: 1 citations.",
    kind: "SELF_EVAL",
    tags: ["self-eval", "session:old"],
    source: { type: "conversation", ref: "session:old#1" },
  });
  await memory.close();
  const legacy = await store.list({ where: "array_has(tags, 'session:old')" });
  assert.is(legacy.length, 4);

  // A move cut short: the copy committed, the delete did not.
  const talk = (await Conversation.open(store)) as Conversation;
  await talk.store.addCapsules([
    {
      text: legacy[0].text,
      tags: ["turn", "session:old"],
      meta: {
        kind: "turn",
        session: "old",
        turn: 0,
        role: "user",
        at: "2026-10-01T09:00:00.000Z",
        migratedFrom: legacy[0].id,
      },
    },
  ]);
  await talk.close();

  const reopened = await Memory.open(store);
  assert.equal(await store.list({ where: "array_has(tags, 'session:old')" }), []);
  for (const capsule of await store.list()) {
    for (const old of legacy) assert.not.ok(capsule.links.includes(old.id), "a link to a moved row is left");
  }
  const moved = await reopened.conversation.session("old");
  assert.is(moved.length, 4, moved.map((c) => c.text).join(" | "));
  assert.equal(moved.map((c) => conversationMetaOf(c)?.kind).sort(), ["recap", "self-eval", "turn", "turn"]);
  assert.equal(
    new Set(moved.map((c) => conversationMetaOf(c)?.migratedFrom)).size,
    4,
    "a row was copied twice",
  );
  await reopened.close();
  // Opening again moves nothing more.
  const again = await Memory.open(store);
  assert.is((await again.conversation.session("old")).length, 4);
  await again.close();
  await store.close();
});

test("a Russian question gets its next step (Λ) in Russian", async () => {
  const pipeline = await Pipeline.open(await seeded());
  const result = await pipeline.ask(
    await pipeline.session("ru"),
    "Какое значение max_neighbors по умолчанию?",
  );
  const lambda = result.answer.split("\n").find((line) => line.startsWith("Λ:")) ?? "";
  assert.match(lambda, /[а-яё]{4}/i, lambda);
  await pipeline.close();
});

test.run();
