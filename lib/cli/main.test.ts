import { spawnSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runCli } from "../../test/helpers/cli.js";
import { tempDir, tempPath } from "../../test/helpers/temp.js";

const store = tempPath();
const docs = tempDir();

test("ingest, search, stats and rebuild-index work end to end, with --json", async () => {
  await mkdir(join(docs, "cooking"));
  await writeFile(
    join(docs, "cooking", "bread.md"),
    "---\ntags: [baking]\n---\nBread needs flour, water, yeast and salt.",
  );
  await writeFile(
    join(docs, "search.txt"),
    "HNSW is a graph index for approximate nearest neighbour search.",
  );
  const ingested = await runCli([
    "ingest",
    docs,
    "-s",
    store,
    "--tags",
    "demo",
    "--embedder",
    "use-lite",
    "--json",
  ]);
  assert.is(ingested.code, 0, ingested.err);
  const report = JSON.parse(ingested.out);
  assert.is(report.files, 2);
  assert.is(report.ids.length, 2);

  const again = await runCli(["ingest", docs, "-s", store, "--json"]);
  assert.is(JSON.parse(again.out).ids.length, 0, "unchanged files add nothing");

  const found = await runCli(["search", "how to bake bread", "-s", store, "-k", "1", "--json"]);
  assert.is(found.code, 0, found.err);
  const [hit] = JSON.parse(found.out);
  assert.ok(hit.text.includes("Bread"));
  assert.ok(hit.tags.includes("cooking") && hit.tags.includes("baking") && hit.tags.includes("demo"));

  const tagged = await runCli([
    "search",
    "index",
    "-s",
    store,
    "--tags",
    "cooking",
    "--mode",
    "hybrid",
    "--json",
  ]);
  assert.ok(JSON.parse(tagged.out).every((h: { tags: string[] }) => h.tags.includes("cooking")));

  const text = await runCli(["search", "graph index", "-s", store, "-k", "1"]);
  assert.match(text.out, /HNSW/);

  const stats = JSON.parse((await runCli(["stats", "-s", store, "--json"])).out);
  assert.is(stats.count, 2);
  assert.is(stats.embedder, "use-lite");

  const rebuilt = JSON.parse((await runCli(["rebuild-index", "-s", store, "--kind", "ivf", "--json"])).out);
  assert.is(rebuilt.kind, "ivf");
});

test("errors print one line with a code and exit non-zero", async () => {
  const missing = await runCli(["ingest", join(docs, "nope.txt"), "-s", store]);
  assert.is(missing.code, 1);
  assert.match(missing.err, /^SIGLA_INGEST: .*nope\.txt/);
  assert.is(missing.err.trim().split("\n").length, 1);
  const wrongEmbedder = await runCli([
    "search",
    "x",
    "-s",
    store,
    "--embedder",
    "transformers:Xenova/all-MiniLM-L6-v2",
  ]);
  assert.match(wrongEmbedder.err, /^SIGLA_EMBEDDER_MISMATCH/);
  const usage = await runCli(["search", "x", "-s", store, "-k", "zero"]);
  assert.is(usage.code, 1);
  assert.match(usage.err, /-k must be a positive integer/);
  const badKind = await runCli(["rebuild-index", "-s", store, "--kind", "lsh"]);
  assert.is(badKind.code, 2);
});

test("the sigla bin prints help and fails cleanly, without a stack trace", () => {
  const help = spawnSync(process.execPath, ["bin/sigla.js", "--help"], { encoding: "utf8" });
  assert.is(help.status, 0);
  assert.match(help.stdout, /ingest/);
  assert.match(help.stdout, /rebuild-index/);
  const bad = spawnSync(process.execPath, ["bin/sigla.js", "stats", "-s", "package.json"], {
    encoding: "utf8",
  });
  assert.is(bad.status, 1);
  assert.match(bad.stderr, /^SIGLA_STORE_PATH: .*package\.json is a file/);
  assert.not.match(bad.stderr, /at .*\.ts:\d+/);
});

test.run();
