import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { tempDir } from "../../test/helpers/temp.js";
import { IngestError } from "../errors.js";
import { expandPaths } from "./walk.js";

/** A folder tree from a list of relative file paths. */
function tree(files: string[]): string {
  const root = tempDir("sigla-walk-");
  for (const file of files) {
    mkdirSync(join(root, file, ".."), { recursive: true });
    writeFileSync(join(root, file), "x");
  }
  return root;
}

test("folders are walked recursively and sorted; hidden, node_modules and unsupported are skipped", async () => {
  const root = tree([
    "b.md",
    "a.txt",
    "sub/z.json",
    "sub/deeper/c.csv",
    "Sub2/page.HTML",
    "notes.pdf",
    "Makefile",
    ".hidden.md",
    ".git/config.json",
    "node_modules/pkg/readme.md",
    "sub/.cache/x.jsonl",
  ]);
  const entries = await expandPaths([root]);
  assert.equal(
    entries.map((e) => e.file.slice(root.length + 1)),
    ["Sub2/page.HTML", "a.txt", "b.md", "sub/deeper/c.csv", "sub/z.json"],
  );
  for (const entry of entries) assert.is(entry.root, root);
});

test("files named directly are kept (even hidden), rooted at their folder, each file once", async () => {
  const root = tree(["one.md", ".secret.txt", "dir/two.jsonl"]);
  const entries = await expandPaths([join(root, ".secret.txt"), root, join(root, "one.md")]);
  assert.equal(
    entries.map((e) => [e.file.slice(root.length + 1), e.root]),
    [
      [".secret.txt", root],
      ["dir/two.jsonl", root],
      ["one.md", root],
    ],
  );
});

test("relative paths become absolute", async () => {
  const root = tree(["rel.md"]);
  const cwd = process.cwd();
  process.chdir(root);
  try {
    const [entry] = await expandPaths(["rel.md"]);
    assert.is(entry.file, join(root, "rel.md"));
  } finally {
    process.chdir(cwd);
  }
});

test("linked files are followed, linked folders are not", async () => {
  const root = tree(["real/file.md", "target/inner.txt"]);
  symlinkSync(join(root, "real", "file.md"), join(root, "link.md"));
  symlinkSync(join(root, "target"), join(root, "loop"));
  const entries = await expandPaths([root]);
  assert.equal(
    entries.map((e) => e.file.slice(root.length + 1)),
    ["link.md", "real/file.md", "target/inner.txt"],
  );
});

test("a missing path or an unsupported file named directly is an IngestError naming it", async () => {
  const root = tree(["ok.md", "paper.pdf"]);
  for (const [path, message] of [
    [join(root, "nope"), "no such file or folder"],
    [join(root, "paper.pdf"), "unsupported file type .pdf"],
  ]) {
    try {
      await expandPaths([join(root, "ok.md"), path]);
      assert.unreachable(`accepted ${path}`);
    } catch (error) {
      assert.instance(error, IngestError);
      assert.ok((error as Error).message.includes(path), (error as Error).message);
      assert.ok((error as Error).message.includes(message), (error as Error).message);
    }
  }
});

test("an empty folder expands to nothing", async () => {
  assert.equal(await expandPaths([tempDir("sigla-empty-")]), []);
});

test.run();
