import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runCli } from "../../test/helpers/cli.js";
import { tempDir, tempPath } from "../../test/helpers/temp.js";

const store = tempPath();
const docs = tempDir();

test("memory add, promote, redact, raise, review and history through the CLI", async () => {
  await writeFile(join(docs, "ivf.md"), "IVF splits vectors into lists; 256 lists suit 50k rows.");
  assert.is((await runCli(["ingest", docs, "-s", store, "--embedder", "use-lite"])).code, 0);
  const source = join(docs, "ivf.md");
  const added = await runCli([
    "memory",
    "add",
    "IVF with 256 lists suits 50k rows.",
    "-s",
    store,
    "--source",
    source,
    "--json",
  ]);
  assert.is(added.code, 0, added.err);
  const hypothesis = JSON.parse(added.out);
  assert.is(hypothesis.layer, "shadow");
  const review = await runCli(["memory", "review", "--all", "-s", store, "--json"]);
  assert.equal(
    JSON.parse(review.out).map((n: { id: number }) => n.id),
    [hypothesis.id],
  );
  const promoted = await runCli(["memory", "promote", String(hypothesis.id), "-s", store, "--json"]);
  assert.is(promoted.code, 0, promoted.err);
  assert.is(JSON.parse(promoted.out).layer, "archive");

  const secret = await runCli([
    "memory",
    "add",
    "Mail bob@example.org about it.",
    "--layer",
    "archive",
    "-s",
    store,
    "--source",
    source,
    "--json",
  ]);
  const redacted = await runCli(["memory", "redact", String(JSON.parse(secret.out).id), "-s", store]);
  assert.is(redacted.code, 0, redacted.err);
  assert.ok(redacted.out.includes("[EMAIL]"), redacted.out);
  const copyId = redacted.out.match(/redacted copy: (\d+)/)?.[1] as string;
  const raised = await runCli(["memory", "raise", copyId, "--reason", "clean", "-s", store, "--json"]);
  assert.is(JSON.parse(raised.out).level, "DERIVED");

  const history = await runCli(["memory", "history", "-s", store, "--json"]);
  const ops = JSON.parse(history.out).map((h: { delta: { op: string } }) => h.delta.op);
  assert.ok(ops.includes("promote") && ops.includes("level"), ops.join(","));
});

test("memory errors are one line with the code; a refused gate names its reasons", async () => {
  const orphan = await runCli(["memory", "add", "A claim with no source.", "-s", store, "--json"]);
  const refused = await runCli(["memory", "promote", String(JSON.parse(orphan.out).id), "-s", store]);
  assert.is(refused.code, 1);
  assert.match(refused.err, /^SIGLA_GATE_REJECTED: sift gate refused: no source\n$/);
  const unknown = await runCli(["memory", "promote", "9999", "-s", store]);
  assert.match(unknown.err, /^SIGLA_UNKNOWN_ID: /);
  const badId = await runCli(["memory", "redact", "abc", "-s", store]);
  assert.is(badId.code, 1);
  assert.match(badId.err, /^SIGLA_INVALID_INPUT: id must be a capsule id/);
  const noSource = await runCli(["memory", "add", "x y z", "--layer", "archive", "-s", store]);
  assert.match(noSource.err, /^SIGLA_SCHEMA: .*source/);
});

test("a read or a refused write creates nothing: promote of an unknown id, commands on a missing store", async () => {
  const fresh = tempPath();
  const folder = tempDir();
  await writeFile(join(folder, "a.md"), "A short note about IVF lists.");
  assert.is((await runCli(["ingest", folder, "-s", fresh, "--embedder", "use-lite"])).code, 0);
  assert.not.ok(existsSync(join(fresh, "growth")));
  for (const argv of [
    ["memory", "promote", "99999", "-s", fresh],
    ["memory", "redact", "99999", "-s", fresh],
    ["memory", "raise", "99999", "--reason", "x", "-s", fresh],
  ]) {
    const run = await runCli(argv);
    assert.is(run.code, 1, argv.join(" "));
    assert.match(run.err, /^SIGLA_UNKNOWN_ID: /);
  }
  for (const argv of [
    ["memory", "review", "-s", fresh],
    ["memory", "history", "-s", fresh],
    ["memory", "communities", "-s", fresh],
  ]) {
    assert.is((await runCli(argv)).code, 0, argv.join(" "));
  }
  assert.not.ok(existsSync(join(fresh, "growth")), "a read created growth/");
  const missing = tempPath();
  const review = await runCli(["memory", "review", "-s", missing]);
  assert.match(review.err, /^SIGLA_STORE_PATH: no SIGLA store at /);
  assert.not.ok(existsSync(missing), "a read created a store");
});

test("memory subcommands refuse bad values with a typed error instead of storing them", async () => {
  const cases: Array<[string[], RegExp]> = [
    [
      ["memory", "add", "x", "--kind", "BOGUS"],
      /^SIGLA_INVALID_INPUT: --kind for a shadow node must be one of HYPOTHESIS, DRAFT, ERROR, SELF_EVAL, PAIN, got "BOGUS"/,
    ],
    [
      ["memory", "add", "x", "--layer", "archive", "--kind", "HYPOTHESIS"],
      /^SIGLA_INVALID_INPUT: --kind for an archive node must be one of FACT, QUOTE/,
    ],
    [["memory", "add", "x", "--source-type", "web"], /^SIGLA_INVALID_INPUT: --source-type needs --source/],
    [["memory", "add", "x", "--title", " "], /^SIGLA_INVALID_INPUT: --title is empty/],
    [["memory", "promote", ""], /^SIGLA_INVALID_INPUT: id must be a capsule id/],
    [["memory", "promote", "1e3"], /^SIGLA_INVALID_INPUT: id must be a capsule id/],
    [["memory", "history", "--node", "0x10"], /^SIGLA_INVALID_INPUT: id must be a capsule id/],
    [["memory", "history", "--node", "424242"], /^SIGLA_UNKNOWN_ID: memory node 424242/],
  ];
  const before = JSON.parse((await runCli(["memory", "review", "--all", "-s", store, "--json"])).out).length;
  for (const [argv, expected] of cases) {
    const run = await runCli([...argv, "-s", store]);
    assert.is(run.code, 1, argv.join(" "));
    assert.match(run.err, expected);
  }
  const after = JSON.parse((await runCli(["memory", "review", "--all", "-s", store, "--json"])).out).length;
  assert.is(after, before, "a refused add stored a node");
});

test("ask runs the pipeline, continues a session and prints the trace; dsl runs a program", async () => {
  const asked = await runCli([
    "ask",
    "How many lists suit 50k rows in IVF?",
    "-s",
    store,
    "--session",
    "cli",
    "--trace",
  ]);
  assert.is(asked.code, 0, asked.err);
  assert.match(asked.out, / 1\. perception .* ms /);
  assert.match(asked.out, /10\. feedback /);
  assert.match(asked.out, /^I-Loop: /m);
  assert.match(asked.out, /\[evidence_id: ev:\d+\]/);
  const again = await runCli(["ask", "And with 100k rows?", "-s", store, "--session", "cli", "--json"]);
  const turn = JSON.parse(again.out);
  assert.is(turn.turn, 2);
  assert.is(turn.trace.length, 10);
  const dsl = await runCli([
    "dsl",
    'INTENT "IVF lists" | RETRIEVE k=2 | MERGE | INJECT "Q: {{intent}}\\n{{context}}"',
    "-s",
    store,
    "--json",
  ]);
  assert.is(dsl.code, 0, dsl.err);
  const result = JSON.parse(dsl.out);
  assert.ok(result.prompt.startsWith("Q: IVF lists\n"), result.prompt);
  assert.ok(result.hits.length >= 1);
  const bad = await runCli(["dsl", "INTENT | RETRIEVE", "-s", store]);
  assert.is(bad.code, 1);
  assert.match(bad.err, /^SIGLA_DSL_PARSE: position 7: /);
});

test("memory communities lists and refreshes summaries", async () => {
  const listed = await runCli(["memory", "communities", "-s", store, "--json"]);
  assert.is(listed.code, 0, listed.err);
  const refreshed = await runCli(["memory", "communities", "--refresh", "-s", store, "--json"]);
  assert.is(refreshed.code, 0, refreshed.err);
  const report = JSON.parse(refreshed.out);
  assert.is(report.written, JSON.parse(listed.out).length);
});

test.run();
