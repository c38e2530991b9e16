import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { tempDir } from "../test/helpers/temp.js";
import { appendHistory, HISTORY_MAX, HistoryCursor, loadHistory } from "./history.js";

test("↑ walks to older entries and stops at the oldest; ↓ comes back to the line being typed", () => {
  const cursor = new HistoryCursor(["one", "two", "three"]);
  assert.is(cursor.up("draft"), "three");
  assert.is(cursor.up("three"), "two");
  assert.is(cursor.up("two"), "one");
  assert.is(cursor.up("one"), "one");
  assert.is(cursor.down("one"), "two");
  assert.is(cursor.down("two"), "three");
  assert.is(cursor.down("three"), "draft");
  assert.is(cursor.down("draft"), "draft");
  assert.is(new HistoryCursor([]).up("x"), "x");
});

test("the history file: missing is empty, entries append one per line, and it is kept bounded", async () => {
  const file = join(tempDir(), "sub", "history");
  assert.equal(await loadHistory(file), []);
  await appendHistory(file, ":query x");
  await appendHistory(file, "  a\nmulti-line question  ");
  await appendHistory(file, "   ");
  assert.equal(await loadHistory(file), [":query x", "a multi-line question"]);
  const many = Array.from({ length: HISTORY_MAX * 2 - 1 }, (_, i) => `line ${i}`);
  await writeFile(file, `${many.join("\n")}\n`);
  assert.is((await loadHistory(file)).length, HISTORY_MAX);
  await appendHistory(file, "newest", many);
  const kept = (await readFile(file, "utf8")).trim().split("\n");
  assert.is(kept.length, HISTORY_MAX);
  assert.is(kept.at(-1), "newest");
});

test.run();
