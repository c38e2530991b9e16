import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
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
  assert.match(usage.err, /^SIGLA_INVALID_INPUT: -k must be an integer from 1 to 10000, got "zero"\n$/);
  const badKind = await runCli(["rebuild-index", "-s", store, "--kind", "lsh"]);
  assert.is(badKind.code, 2);
});

test("-k and the DSL's counts are capped by LIMITS, with an error naming the option and the bound", async () => {
  const huge = await runCli(["search", "x", "-s", store, "-k", "99999999999"]);
  assert.is(huge.code, 1);
  assert.is(huge.err, 'SIGLA_INVALID_INPUT: -k must be an integer from 1 to 10000, got "99999999999"\n');
  const past = await runCli(["search", "x", "-s", store, "-k", "10001"]);
  assert.match(past.err, /^SIGLA_INVALID_INPUT: -k must be an integer from 1 to 10000, got "10001"\n$/);
  const most = await runCli(["search", "bread", "-s", store, "-k", "10000", "--json"]);
  assert.is(most.code, 0, most.err);
  assert.is(JSON.parse(most.out).length, 2, "the bound itself is accepted");
  const dsl = await runCli(["dsl", 'RETRIEVE q="bread" k=99999999999', "-s", store]);
  assert.is(dsl.code, 1);
  assert.match(
    dsl.err,
    /^SIGLA_DSL_ARGUMENT: .*RETRIEVE k must be an integer from 1 to 10000, got 99999999999\n$/,
  );
  const deep = await runCli(["dsl", 'RETRIEVE q="bread" | EXPAND depth=65', "-s", store]);
  assert.match(deep.err, /^SIGLA_DSL_ARGUMENT: .*EXPAND depth must be an integer from 0 to 64, got 65\n$/);
});

test("read-only commands never create a store at a mistyped path; ingest still creates one", async () => {
  const typo = tempPath("typo");
  for (const argv of [
    ["stats", "-s", typo],
    ["search", "bread", "-s", typo, "--embedder", "use-lite"],
    ["rebuild-index", "-s", typo, "--kind", "flat"],
  ]) {
    const result = await runCli(argv);
    assert.is(result.code, 1, argv.join(" "));
    assert.is(result.err, `SIGLA_STORE_PATH: no SIGLA store at ${typo} (no sigla.json)\n`, argv[0]);
    assert.not.ok(existsSync(typo), `${argv[0]} created ${typo}`);
  }
  const fresh = tempPath("fresh");
  const ingested = await runCli(["ingest", join(docs, "search.txt"), "-s", fresh, "--embedder", "use-lite"]);
  assert.is(ingested.code, 0, ingested.err);
  assert.ok(existsSync(join(fresh, "sigla.json")));
});

test("ask --connector with a missing folder is an error naming the path", async () => {
  const missing = join(docs, "no-such-folder");
  const asked = await runCli(["ask", "how do I bake bread?", "-s", store, "--connector", missing]);
  assert.is(asked.code, 1);
  assert.is(asked.err, `SIGLA_INVALID_INPUT: connector ${missing} does not exist\n`);
  assert.is(asked.out, "");
  const file = await runCli(["ask", "how do I bake bread?", "-s", store, "--connector", docs, "--json"]);
  assert.is(file.code, 0, file.err);
});

test("an error message of kilobytes prints as one line of at most 500 characters", async () => {
  // A bad SQL filter (LanceDB's message quoted the filter and its Rust source paths) and a 3000-character
  // path: either way one line, the message cut to 500 characters with an ellipsis.
  const filter = `no_such_column_${"x".repeat(3000)} ((`;
  const bad = await runCli(["dsl", `RETRIEVE q="bread" where="${filter}"`, "-s", store]);
  assert.is(bad.code, 1);
  assert.match(bad.err, /^SIGLA_INVALID_INPUT: [^\n]+\n$/);
  assert.ok(bad.err.length <= "SIGLA_INVALID_INPUT: ".length + 501, `${bad.err.length} characters`);
  const long = await runCli(["ingest", join(docs, "y".repeat(3000)), "-s", store]);
  assert.is(long.code, 1);
  assert.match(long.err, /^SIGLA_INGEST: cannot read .*yyyy…\n$/);
  assert.is(long.err.length, "SIGLA_INGEST: ".length + 500 + 1);
});

test("ingest skips an unreadable file with a warning and counts it; --strict fails on it", async () => {
  const mixed = tempDir();
  await writeFile(join(mixed, "good.txt"), "Sourdough rises slowly with a wild yeast starter.");
  await writeFile(join(mixed, "bad.txt"), "binary\u0000data\u0000");
  const target = tempPath();
  const text = await runCli(["ingest", mixed, "-s", target, "--embedder", "use-lite"]);
  assert.is(text.code, 0, text.err);
  assert.match(text.err, /^skipped:? .+\n$/);
  assert.is(text.err.split(join(mixed, "bad.txt")).length, 2, "the skipped file is named once");
  assert.is(text.out, "2 files: 1 capsules added, 0 unchanged, 0 replaced, 1 skipped\n");
  const json = await runCli(["ingest", mixed, "-s", target, "--json"]);
  const report = JSON.parse(json.out);
  assert.equal(
    report.skipped.map((s: { path: string }) => s.path),
    [join(mixed, "bad.txt")],
  );
  assert.is(report.unchanged, 1);
  const strict = await runCli(["ingest", mixed, "-s", tempPath(), "--embedder", "use-lite", "--strict"]);
  assert.is(strict.code, 1);
  assert.match(strict.err, /^SIGLA_INGEST: .*bad\.txt.*\n$/);
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
