/**
 * Damage never goes unnoticed: each way a store folder can be broken behind SIGLA's back opens as
 * `SIGLA_STORE_DAMAGED` (or reads as `SIGLA_HASH_MISMATCH`) instead of wrong or missing data, and
 * `doctor` reports it and, with `repair`, brings the store back to a usable state.
 */
import { copyFile, open, readdir, readFile, rm, stat, truncate, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import "./lancedb-env.js";
import * as lancedb from "@lancedb/lancedb";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { codeOf } from "../../test/helpers/errors.js";
import { tempPath } from "../../test/helpers/temp.js";
import { clusteredVectors } from "../../test/helpers/vectors.js";
import { precomputedEmbedder } from "../embed/embedder.js";
import { isSiglaError } from "../errors.js";
import { CapsuleStore } from "./capsule-store.js";
import { doctor } from "./doctor.js";
import { SNAPSHOT_FILE } from "./snapshot.js";

const DIM = 64;
const embedder = precomputedEmbedder(DIM);
const vectors = clusteredVectors(300, DIM, 6, 3);

/** A closed store of `count` capsules written in batches of 100 (three commits for 300). */
async function seeded(count = 300, prefix = "capsule"): Promise<string> {
  const path = tempPath();
  const store = await CapsuleStore.open(path, { embedder, autoLinkK: 2 });
  for (let i = 0; i < count; i += 100) {
    await store.addCapsules(
      vectors.slice(i, i + 100).map((vector, j) => ({ text: `${prefix} ${i + j} about walruses`, vector })),
    );
  }
  await store.close();
  return path;
}

const tableDir = (path: string) => join(path, "capsules.lance");

async function largestDataFile(path: string): Promise<string> {
  const dir = join(tableDir(path), "data");
  const sized = await Promise.all(
    (await readdir(dir)).map(async (name) => ({ name, size: (await stat(join(dir, name))).size })),
  );
  sized.sort((a, b) => b.size - a.size);
  return join(dir, sized[0].name);
}

async function damagedMessage(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isSiglaError(error), `expected a SiglaError, got ${String(error)}`);
    assert.is((error as { code: string }).code, "SIGLA_STORE_DAMAGED", (error as Error).message);
    return (error as Error).message;
  }
  return assert.unreachable("the damaged store opened without a word") as never;
}

test("a deleted table folder with sigla.json kept is damage, not an empty store", async () => {
  const path = await seeded();
  await rm(tableDir(path), { recursive: true });
  const message = await damagedMessage(CapsuleStore.open(path, { embedder }));
  assert.match(message, /missing/);
  assert.match(message, /300 capsules/);
  // Repair alone gives nothing up; starting an empty table needs the loss accepted.
  const cautious = await doctor(path, { repair: true });
  assert.not.ok(cautious.ok);
  assert.match(cautious.checks.find((c) => c.name === "table")?.detail ?? "", /--accept-loss/);
  const report = await doctor(path, { repair: true, acceptLoss: true });
  assert.match(
    report.checks.find((c) => c.name === "table")?.repaired ?? "",
    /300 capsules it held are lost/,
  );
  const store = await CapsuleStore.open(path, { embedder });
  assert.is(await store.count(), 0);
  await store.close();
});

test("4 KB overwritten in a data file is found at open, even with a current snapshot", async () => {
  const path = await seeded();
  const file = await largestDataFile(path);
  const handle = await open(file, "r+");
  const size = (await handle.stat()).size;
  await handle.write(Buffer.alloc(4096, 0x5a), 0, 4096, Math.floor(size / 2) - 2048);
  await handle.close();
  // Either LanceDB cannot decode the rows, or it decodes other values than were written: both are damage.
  await damagedMessage(CapsuleStore.open(path, { embedder }));
  const report = await doctor(path);
  assert.not.ok(report.ok);
});

test("newest table manifests deleted: a rolled-back table is refused, not served as the store", async () => {
  const path = await seeded();
  const versions = join(tableDir(path), "_versions");
  // Lance names manifests u64::MAX − version: the smallest names are the newest versions.
  const names = (await readdir(versions))
    .filter((name) => name.endsWith(".manifest"))
    .sort((a, b) => (BigInt(a.split(".")[0]) < BigInt(b.split(".")[0]) ? -1 : 1));
  for (const name of names.slice(0, 2)) await unlink(join(versions, name));
  await rm(join(versions, "latest_version_hint.json"), { force: true });
  const message = await damagedMessage(CapsuleStore.open(path, { embedder }));
  assert.match(message, /newest table versions are missing|differ/);
  assert.not.ok(
    (await doctor(path, { repair: true })).ok,
    "accepting a rolled-back table needs --accept-loss",
  );
  const report = await doctor(path, { repair: true, acceptLoss: true });
  assert.ok(report.ok, JSON.stringify(report.checks));
  const store = await CapsuleStore.open(path, { embedder });
  assert.ok((await store.count()) < 300, "the capsules of the deleted versions are gone, and doctor said so");
  await store.close();
});

test("a snapshot copied from another store at the same version and row count is never served", async () => {
  const mine = await seeded(300, "mine");
  const theirs = await seeded(300, "theirs");
  await copyFile(join(theirs, SNAPSHOT_FILE), join(mine, SNAPSHOT_FILE));
  const store = await CapsuleStore.open(mine, { embedder });
  assert.is((await store.get(7))?.text, "mine 7 about walruses");
  await store.close();
});

test("a truncated data file with the snapshot present fails at open with SIGLA_STORE_DAMAGED", async () => {
  const path = await seeded();
  const file = await largestDataFile(path);
  await truncate(file, Math.floor((await stat(file)).size / 3));
  await damagedMessage(CapsuleStore.open(path, { embedder }));
  // Writing through a handle opened before the damage is typed too, never a raw LanceDB error.
  const report = await doctor(path);
  assert.not.ok(report.ok);
  assert.is(report.checks.find((c) => c.name === "table")?.ok, false);
});

test("deleted full-text index files are rebuilt on the next search", async () => {
  const path = await seeded();
  let store = await CapsuleStore.open(path, { embedder });
  assert.is((await store.search("walruses", { mode: "fts", topK: 1000 })).length, 300);
  await store.close();
  await rm(join(tableDir(path), "_indices"), { recursive: true });
  store = await CapsuleStore.open(path, { embedder });
  assert.is((await store.search("walruses", { mode: "fts", topK: 1000 })).length, 300);
  await store.close();
});

test("a text edited in the table is SIGLA_HASH_MISMATCH on every read path, and doctor can accept it", async () => {
  const path = await seeded();
  const db = await lancedb.connect(path);
  const table = await db.openTable("capsules");
  await table.update({ where: "id = 5", values: { text: "edited behind the store" } });
  table.close();
  db.close();
  const store = await CapsuleStore.open(path, { embedder });
  const vector = store.vectorOf(5) as Float32Array;
  assert.is(await codeOf(store.get(5)), "SIGLA_HASH_MISMATCH");
  assert.is(await codeOf(store.query(vector, { topK: 3 })), "SIGLA_HASH_MISMATCH");
  assert.is(await codeOf(store.list({ where: "id < 10" })), "SIGLA_HASH_MISMATCH");
  assert.is(await codeOf(store.search("edited behind", { mode: "fts" })), "SIGLA_HASH_MISMATCH");
  assert.is((await store.get(6))?.text, "capsule 6 about walruses", "the other capsules read as before");
  await store.close();
  const found = await doctor(path);
  assert.equal(
    found.checks.find((c) => c.name === "hashes"),
    {
      name: "hashes",
      ok: false,
      detail:
        "1 capsules whose text no longer matches its sha256: 5; their original text is lost; `sigla doctor --repair --accept-loss` gives it up and makes the store usable again",
    },
  );
  assert.not.ok(
    (await doctor(path, { repair: true })).ok,
    "the original text is lost: that needs --accept-loss",
  );
  assert.ok((await doctor(path, { repair: true, acceptLoss: true })).ok);
  const repaired = await CapsuleStore.open(path, { embedder });
  assert.is((await repaired.get(5))?.text, "edited behind the store");
  await repaired.close();
  assert.ok((await doctor(path)).ok, "a repaired store is healthy");
});

test("doctor on a healthy store passes every check and changes nothing", async () => {
  const path = await seeded();
  const report = await doctor(path);
  assert.ok(report.ok, JSON.stringify(report.checks));
  assert.is(report.capsules, 300);
  assert.ok(report.checks.every((c) => c.repaired === undefined));
});

test("a writer killed between its commit and sigla.json leaves a store that opens (either state is accounted for)", async () => {
  const path = await seeded(200);
  const manifestFile = join(path, "sigla.json");
  const before = await readFile(manifestFile, "utf8");
  let store = await CapsuleStore.open(path, { embedder });
  await store.addCapsules([{ text: "the last write", vector: vectors[250] }]);
  await store.close();
  const after = JSON.parse(await readFile(manifestFile, "utf8"));
  // Killed after the commit, before the check was written: sigla.json still says the old table, with the
  // new one pending.
  await writeFile(
    manifestFile,
    JSON.stringify({ ...JSON.parse(before), pending: { rows: 201, digest: after.check.digest } }),
  );
  await rm(join(path, SNAPSHOT_FILE));
  store = await CapsuleStore.open(path, { embedder });
  assert.is(await store.count(), 201);
  // The next write records the table exactly again.
  await store.addCapsules([{ text: "healed", vector: vectors[251] }]);
  await store.close();
  const healed = JSON.parse(await readFile(manifestFile, "utf8"));
  assert.is(healed.check.rows, 202);
  assert.is(healed.pending, undefined);
  // Killed after sigla.json named a pending state, before the commit: the table is the committed one.
  await writeFile(
    manifestFile,
    JSON.stringify({ ...healed, pending: { rows: 203, digest: "0123456789abcdef" } }),
  );
  await rm(join(path, SNAPSHOT_FILE));
  store = await CapsuleStore.open(path, { embedder });
  assert.is(await store.count(), 202);
  await store.close();
  // Neither state: damage.
  await writeFile(
    manifestFile,
    JSON.stringify({ ...healed, check: { ...healed.check, rows: 150 }, pending: undefined }),
  );
  await rm(join(path, SNAPSHOT_FILE));
  await damagedMessage(CapsuleStore.open(path, { embedder }));
});

test.run();
