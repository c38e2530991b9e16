import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadUseLite } from "../lib/embed/use-lite.js";
import { CapsuleStore } from "../lib/store/capsule-store.js";
import { tempPath } from "../test/helpers/temp.js";
import { fuzzStore } from "./fuzz.js";

test("300 fuzzed DSL programs and 300 fuzzed store calls: each answers or raises a typed error, none hangs", async () => {
  const store = await CapsuleStore.open(tempPath(), { embedder: await loadUseLite() });
  await store.addCapsules(
    Array.from({ length: 12 }, (_, i) => ({ text: `notes on things ${i}`, tags: i % 2 ? ["a"] : ["b"] })),
  );
  const { dsl, api } = await fuzzStore(store, { cases: 300, seed: 7 });
  await store.close();
  for (const counts of [dsl, api]) {
    assert.is(counts.cases, 300);
    assert.equal(counts.examples, [], JSON.stringify(counts.examples));
    assert.is(counts.untyped + counts.hangs, 0);
    assert.ok(counts.typed > 0 && counts.ok > 0, "the fuzz reaches both answers and refusals");
  }
});

test.run();
