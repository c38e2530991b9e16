import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import "../store/lancedb-env.js";
import * as lancedb from "@lancedb/lancedb";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runCli } from "../../test/helpers/cli.js";
import { tempDir, tempPath } from "../../test/helpers/temp.js";

test("sigla doctor finds a damaged store, --repair fixes it, and a healthy store passes", async () => {
  const store = tempPath();
  const docs = tempDir();
  await writeFile(join(docs, "a.txt"), "Walruses live in the Arctic and eat clams.");
  await writeFile(join(docs, "b.txt"), "Sourdough bread rises with wild yeast.");
  assert.is((await runCli(["ingest", docs, "-s", store, "--embedder", "use-lite"])).code, 0);

  const healthy = await runCli(["doctor", "-s", store]);
  assert.is(healthy.code, 0, healthy.err);
  assert.match(healthy.out, /✓ hashes: every text matches its sha256/);

  // A text edited behind the store, and the full-text index files gone.
  const db = await lancedb.connect(store);
  const table = await db.openTable("capsules");
  await table.update({ where: "id = 0", values: { text: "edited outside SIGLA" } });
  table.close();
  db.close();
  await rm(join(store, "capsules.lance", "_indices"), { recursive: true, force: true });
  const search = await runCli(["search", "edited", "-s", store, "--mode", "fts"]);
  assert.is(search.code, 1);
  assert.match(search.err, /^SIGLA_HASH_MISMATCH: capsule 0 of .*sigla doctor/);

  const found = await runCli(["doctor", "-s", store, "--json"]);
  assert.is(found.code, 1);
  const report = JSON.parse(found.out);
  assert.is(report.ok, false);
  assert.is(report.checks.find((c: { name: string }) => c.name === "hashes").ok, false);
  assert.match(found.err, /^SIGLA_STORE_DAMAGED: 1 check failed; `sigla doctor --repair`/);

  const cautious = await runCli(["doctor", "-s", store, "--repair"]);
  assert.is(cautious.code, 1, "a changed text is a loss only --accept-loss accepts");
  assert.match(cautious.out, /full-text index: searchable; rebuilt|✗ → repaired full-text index/);
  const repaired = await runCli(["doctor", "-s", store, "--repair", "--accept-loss"]);
  assert.is(repaired.code, 0, repaired.err);
  assert.match(repaired.out, /✗ → repaired hashes/);
  assert.is((await runCli(["doctor", "-s", store])).code, 0);
  assert.is((await runCli(["search", "walrus", "-s", store, "--mode", "fts"])).code, 0);

  const missing = await runCli(["doctor", "-s", join(docs, "typo")]);
  assert.is(missing.code, 1);
  assert.match(missing.err, /^SIGLA_STORE_PATH: no SIGLA store at/);
});

test.run();
