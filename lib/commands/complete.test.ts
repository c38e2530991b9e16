import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { tempDir } from "../../test/helpers/temp.js";
import { applyCompletion, commonPrefix, complete } from "./complete.js";

const tags = () => ["lancedb", "layers", "vector-search", "sample"];

test("command names after a colon", async () => {
  assert.equal((await complete(":qu")).candidates, [":query", ":quit"]);
  assert.is(applyCompletion(":qu", await complete(":qu")), ":qu");
  assert.is(applyCompletion(":que", await complete(":que")), ":query ");
  assert.equal((await complete(":zz")).candidates, []);
});

test("flags, flag choices and the words a command takes", async () => {
  assert.equal((await complete(":query x --m")).candidates, ["--mode"]);
  assert.equal((await complete(":query x -")).candidates, ["-k", "--tags", "--mode"]);
  assert.is(
    applyCompletion(":query x --mode h", await complete(":query x --mode h")),
    ":query x --mode hybrid ",
  );
  assert.equal((await complete(":chart ")).candidates, [
    "metrics",
    "recall",
    "latency",
    "qps",
    "ingest",
    "memory",
    "graph",
  ]);
  assert.is(applyCompletion(":memory ar", await complete(":memory ar")), ":memory archive ");
  assert.equal((await complete(":help in")).candidates, ["ingest"]);
});

test("tags after --tags, item by item in a comma list, without repeats", async () => {
  assert.equal((await complete(":query x --tags la", { tags })).candidates, ["lancedb", "layers"]);
  const listed = await complete(":query x --tags lancedb,", { tags });
  assert.equal(listed.candidates, ["lancedb,layers", "lancedb,vector-search", "lancedb,sample"]);
  assert.is(
    applyCompletion(":ingest d --tags lancedb,ve", await complete(":ingest d --tags lancedb,ve", { tags })),
    ":ingest d --tags lancedb,vector-search ",
  );
});

test("paths for :ingest and :store: folders end in /, hidden files only when asked", async () => {
  const dir = tempDir();
  await mkdir(join(dir, "notes"));
  await writeFile(join(dir, "notes.md"), "x");
  await writeFile(join(dir, ".hidden"), "x");
  const both = await complete(":ingest no", { cwd: dir });
  assert.equal(both.candidates, ["notes.md", "notes/"]);
  assert.is(applyCompletion(":ingest no", both), ":ingest notes");
  assert.is(applyCompletion(":store notes/", await complete(":store notes/", { cwd: dir })), ":store notes/");
  assert.is(applyCompletion(`:store ${dir}/no`, await complete(`:store ${dir}/notes/`)), `:store ${dir}/no`);
  assert.equal((await complete(":ingest .h", { cwd: dir })).candidates, [".hidden"]);
  assert.is(
    applyCompletion(`:ingest ${dir}/notes.`, await complete(`:ingest ${dir}/notes.`)),
    `:ingest ${dir}/notes.md `,
  );
  assert.equal((await complete(":ingest missing/x", { cwd: dir })).candidates, []);
});

test("plain text and raw commands are not completed", async () => {
  assert.equal((await complete("what is")).candidates, []);
  assert.equal((await complete(":dsl INT")).candidates, []);
});

test("commonPrefix", () => {
  assert.is(commonPrefix(["abc", "abd", "ab"]), "ab");
  assert.is(commonPrefix([]), "");
});

test.run();
