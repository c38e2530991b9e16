import { test } from "uvu";
import * as assert from "uvu/assert";
import { codeOf } from "../../test/helpers/errors.js";
import { tempPath } from "../../test/helpers/temp.js";
import type { Embedder } from "../embed/embedder.js";
import { CapsuleStore } from "../store/capsule-store.js";
import { addTurns, turnKey, turnMetaOf, turnSource } from "./turns.js";
import type { TurnMeta } from "./types.js";

const DIM = 8;

/** A cheap deterministic embedder: character counts folded into 8 dimensions. */
const folded: Embedder = {
  id: "folded-8",
  dim: DIM,
  async embed(texts) {
    return texts.map((text) => {
      const v = new Float32Array(DIM);
      for (let i = 0; i < text.length; i++) v[text.charCodeAt(i) % DIM] += 1;
      const norm = Math.hypot(...v) || 1;
      return v.map((x) => x / norm);
    });
  },
};

async function open(autoLinkK = 2): Promise<CapsuleStore> {
  return CapsuleStore.open(tempPath(), { embedder: folded, autoLinkK });
}

test("addTurns stores each turn with its tags, source and TurnMeta, in order", async () => {
  const store = await open();
  const ids = await addTurns(store, "s1", "2024-03-05", [
    { role: "user", text: "We adopted a beagle puppy called Biscuit." },
    { role: "assistant", text: "Congratulations on the new dog!" },
    { role: "user", text: "He chews everything.", at: "2024-03-05T18:30:00Z" },
  ]);
  assert.is(ids.length, 3);
  assert.ok(ids[0] < ids[1] && ids[1] < ids[2]);
  const [first, second, third] = await Promise.all(ids.map((id) => store.get(id)));
  assert.equal(first?.tags, ["turn", "session:s1"]);
  assert.is(first?.source, "session:s1#0");
  const meta: TurnMeta = {
    kind: "turn",
    session: "s1",
    turn: 0,
    role: "user",
    at: "2024-03-05T00:00:00.000Z",
  };
  assert.equal(first?.meta, meta);
  assert.is(turnMetaOf(second ?? { meta: {} })?.at, "2024-03-05T00:01:00.000Z");
  assert.is(turnMetaOf(second ?? { meta: {} })?.role, "assistant");
  assert.is(turnMetaOf(third ?? { meta: {} })?.at, "2024-03-05T18:30:00.000Z");
  assert.is(turnKey(second ?? { meta: {} }), "s1#1");
  await store.close();
});

test("startTurn continues a session; turns are found by tag and source", async () => {
  const store = await open();
  await addTurns(store, "s1", "2024-03-05", [
    { role: "user", text: "first" },
    { role: "assistant", text: "second" },
  ]);
  const more = await addTurns(store, "s1", "2024-03-05", [{ role: "user", text: "third" }], { startTurn: 2 });
  await addTurns(store, "s2", "2024-04-01", [{ role: "user", text: "other session" }]);
  const third = await store.get(more[0]);
  assert.is(third?.source, turnSource("s1", 2));
  assert.is(turnKey(third ?? { meta: {} }), "s1#2");
  const s1 = await store.list({ where: "array_has(tags, 'session:s1')" });
  assert.equal(
    s1.map((c) => turnKey(c)),
    ["s1#0", "s1#1", "s1#2"],
  );
  const bySource = await store.list({ where: `source = 'session:s2#0'` });
  assert.is(bySource[0]?.text, "other session");
  await store.close();
});

test("turns are auto-linked by the store itself", async () => {
  const store = await open(2);
  const ids = await addTurns(store, "s1", "2024-03-05", [
    { role: "user", text: "aaaa bbbb" },
    { role: "assistant", text: "aaaa bbbc" },
    { role: "user", text: "zzzz yyyy" },
  ]);
  const last = await store.get(ids[2]);
  assert.is(last?.links.length, 2);
  const none = await open(0);
  const [only] = await addTurns(none, "s1", "2024-03-05", [
    { role: "user", text: "a" },
    { role: "user", text: "b" },
  ]);
  assert.equal((await none.get(only))?.links, []);
  await store.close();
  await none.close();
});

test("turnKey and turnMetaOf ignore capsules that are not turns", () => {
  assert.is(turnKey({ meta: {} }), undefined);
  assert.is(turnKey({ meta: { kind: "turn", session: "s1" } }), undefined);
  assert.is(turnMetaOf({ meta: { kind: "turn", session: "s1", turn: 1, role: "bot", at: "x" } }), undefined);
  assert.is(
    turnKey({ meta: { kind: "turn", session: "s1", turn: 4, role: "user", at: "2024-01-01" } }),
    "s1#4",
  );
});

test("bad turns, dates and session ids are InvalidInputErrors and store nothing", async () => {
  const store = await open();
  const ok = [{ role: "user" as const, text: "hello" }];
  assert.is(await codeOf(addTurns(store, "", "2024-03-05", ok)), "SIGLA_INVALID_INPUT");
  assert.is(await codeOf(addTurns(store, "s 1", "2024-03-05", ok)), "SIGLA_INVALID_INPUT");
  assert.is(await codeOf(addTurns(store, "s'1", "2024-03-05", ok)), "SIGLA_INVALID_INPUT");
  assert.is(await codeOf(addTurns(store, "s1", "yesterday", ok)), "SIGLA_INVALID_INPUT");
  assert.is(await codeOf(addTurns(store, "s1", "2024-03-05", ok, { startTurn: -1 })), "SIGLA_INVALID_INPUT");
  assert.is(
    await codeOf(addTurns(store, "s1", "2024-03-05", [{ role: "bot" as "user", text: "hi" }])),
    "SIGLA_INVALID_INPUT",
  );
  assert.is(
    await codeOf(addTurns(store, "s1", "2024-03-05", [...ok, { role: "assistant", text: "  " }])),
    "SIGLA_INVALID_INPUT",
  );
  assert.is(
    await codeOf(addTurns(store, "s1", "2024-03-05", [{ role: "user", text: "x", at: "soon" }])),
    "SIGLA_INVALID_INPUT",
  );
  assert.is(await store.count(), 0);
  await store.close();
});

test.run();
