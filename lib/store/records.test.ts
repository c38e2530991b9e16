import { test } from "uvu";
import * as assert from "uvu/assert";
import { sha256 as sha256Of } from "./hash.js";
import { CapsuleRecords, type RecordInput } from "./records.js";

function input(id: number, overrides: Partial<RecordInput> = {}): RecordInput {
  const text = overrides.text ?? `capsule ${id}`;
  return {
    id,
    text,
    tags: [],
    links: [],
    meta: "{}",
    source: null,
    sha256: sha256Of(text),
    createdAt: 1_700_000_000_000 + id,
    ...overrides,
  };
}

test("records keep every field and hand out fresh copies", () => {
  const records = CapsuleRecords.empty();
  records.put(
    input(3, {
      text: "Grüße, 世界 — ünïcödé ✓",
      tags: ["a", "ünï", ""],
      links: [1, 7],
      meta: JSON.stringify({ lang: "de", nested: { n: [1, 2] } }),
      source: "/tmp/file.md",
      createdAt: 1234.5,
    }),
  );
  const got = records.capsule(3);
  assert.equal(got, {
    id: 3,
    text: "Grüße, 世界 — ünïcödé ✓",
    tags: ["a", "ünï", ""],
    links: [1, 7],
    meta: { lang: "de", nested: { n: [1, 2] } },
    source: "/tmp/file.md",
    sha256: sha256Of("Grüße, 世界 — ünïcödé ✓"),
    createdAt: 1234.5,
  });
  got?.tags.push("changed");
  if (got) got.meta.lang = "changed";
  assert.equal(records.capsule(3)?.tags, ["a", "ünï", ""]);
  assert.equal(records.capsule(3)?.meta, { lang: "de", nested: { n: [1, 2] } });
  assert.is(records.capsule(2), undefined);
  assert.is(records.has(3), true);
  assert.is(records.has(2), false);
  assert.is(records.size, 1);
});

test("a hash that is not sha256(text) is kept as it was", () => {
  const records = CapsuleRecords.empty();
  const other = sha256Of("something else");
  records.put(input(0, { sha256: other }));
  records.put(input(1, { sha256: "md5:abc" }));
  records.put(input(2, { sha256: "sha256:NOT-HEX" }));
  assert.is(records.capsule(0)?.sha256, other);
  assert.is(records.capsule(1)?.sha256, "md5:abc");
  assert.is(records.capsule(2)?.sha256, "sha256:NOT-HEX");
  assert.is(records.capsule(0)?.text, "capsule 0");
});

test("links change in place or move; deletes and updates keep the others intact", () => {
  const records = CapsuleRecords.empty();
  for (let id = 0; id < 10; id++) records.put(input(id, { links: [id + 1, id + 2] }));
  records.setLinks(4, [1, 2, 3, 5, 6]);
  records.setLinks(5, [9]);
  records.delete(6);
  records.put(input(7, { text: "a much longer text than before, so the record moves", tags: ["x"] }));
  assert.equal(records.linksOf(4), [1, 2, 3, 5, 6]);
  assert.equal(records.linksOf(5), [9]);
  assert.equal(Array.from(records.linksView(8)), [9, 10]);
  assert.equal(records.linksOf(6), []);
  assert.is(records.capsule(6), undefined);
  assert.is(records.capsule(7)?.text, "a much longer text than before, so the record moves");
  assert.equal(records.capsule(7)?.links, [], "put replaces the links too");
  assert.is(records.size, 9);
  assert.is(records.linkEntries, 20 + 3 - 1 - 2 - 2);
  assert.equal([...records.ids()], [0, 1, 2, 3, 4, 5, 7, 8, 9]);
  assert.throws(() => records.setLinks(6, [1]), /no record 6/);
});

test("many rewrites compact the arenas without losing anything", () => {
  const records = CapsuleRecords.empty();
  const n = 500;
  for (let id = 0; id < n; id++) records.put(input(id, { links: [id] }));
  for (let round = 0; round < 40; round++) {
    for (let id = 0; id < n; id++) {
      records.setLinks(
        id,
        Array.from({ length: 1 + ((round + id) % 9) }, (_, i) => id + i + round),
      );
      if (id % 50 === round % 50)
        records.put(input(id, { text: `capsule ${id} round ${round}`, links: [round] }));
    }
  }
  for (let id = 0; id < n; id++) {
    const got = records.capsule(id);
    assert.ok(got?.text.startsWith(`capsule ${id}`));
    assert.equal(got?.sha256, sha256Of(got?.text ?? ""));
  }
  // Garbage never outgrows the live data by much.
  assert.ok(records.heldBytes < 400_000, `${records.heldBytes} bytes held`);
});

test("a fork's puts, link changes and deletes never show in the records it was forked from", () => {
  const records = CapsuleRecords.empty();
  for (let id = 0; id < 4; id++)
    records.put(input(id, { tags: ["old"], links: [(id + 1) % 4, (id + 3) % 4] }));
  const before = [0, 1, 2, 3].map((id) => records.capsule(id));
  const fork = records.fork();
  // Shorter or equal records and links would fit in place: in a fork they must not be written there.
  fork.put(input(1, { tags: ["n"], links: [2] }));
  fork.setLinks(2, [1]);
  fork.delete(3);
  fork.put(input(9, { links: [0] }));
  assert.equal(fork.capsule(1)?.tags, ["n"]);
  assert.equal(fork.linksOf(2), [1]);
  assert.is(fork.has(3), false);
  assert.is(fork.size, 4);
  assert.equal(
    [0, 1, 2, 3].map((id) => records.capsule(id)),
    before,
  );
  assert.is(records.has(9), false);
  assert.is(records.size, 4);
});

test("parts round-trip, and inconsistent parts are refused", () => {
  const records = CapsuleRecords.empty();
  for (let id = 0; id < 20; id++) records.put(input(id, { tags: [`t${id}`], links: [id % 3] }));
  records.delete(19);
  records.delete(4);
  records.setLinks(2, [0, 1, 3, 4, 5, 6]);
  const parts = records.parts();
  assert.is(parts.start.length, 19, "trimmed to the largest id");
  const copy = CapsuleRecords.fromParts({
    start: parts.start.slice(),
    length: parts.length.slice(),
    linkStart: parts.linkStart.slice(),
    linkCount: parts.linkCount.slice(),
    bytes: parts.bytes.slice(),
    links: parts.links.slice(),
  });
  assert.is(copy.size, 18);
  assert.is(copy.linkEntries, records.linkEntries);
  for (let id = 0; id < 21; id++) assert.equal(copy.capsule(id), records.capsule(id));
  copy.put(input(30, { links: [1] }));
  assert.is(copy.capsule(30)?.text, "capsule 30");
  assert.throws(() => CapsuleRecords.fromParts({ ...parts, length: parts.length.subarray(1) }), /lengths/);
  assert.throws(
    () => CapsuleRecords.fromParts({ ...parts, bytes: parts.bytes.subarray(0, 10) }),
    /past the byte arena/,
  );
});

test.run();
