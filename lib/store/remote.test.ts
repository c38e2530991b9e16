import { randomUUID } from "node:crypto";
import { existsSync, rmSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type S3Server, startS3 } from "../../bench/s3-server.js";
import { Workbench } from "../commands/workbench.js";
import { loadUseLite } from "../embed/use-lite.js";
import { CapsuleStore } from "./capsule-store.js";
import { locate } from "./location.js";

let s3: S3Server;
const saved = { ...process.env };
const uris: string[] = [];
/** A new store URI in the bucket; its local state is removed after the tests. */
const newUri = () => {
  const uri = `s3://${s3.bucket}/${randomUUID()}/store`;
  uris.push(uri);
  return uri;
};

test.before(async () => {
  s3 = await startS3();
  Object.assign(process.env, s3.env);
});
test.after(async () => {
  for (const uri of uris) rmSync(locate(uri).dir, { recursive: true, force: true });
  process.env = saved;
  await s3.close();
});

test("a store on S3: add, query, reopen; a machine that never saw it rebuilds its state from the table", async () => {
  const uri = newUri();
  const embedder = await loadUseLite();
  const store = await CapsuleStore.open(uri, { embedder });
  assert.is(store.path, uri);
  assert.ok(!existsSync("s3:"), "no local folder named after the URI");
  await store.addCapsules([
    { text: "LanceDB keeps capsules in Arrow tables", tags: ["storage"] },
    { text: "The pipeline runs ten steps per message" },
    { text: "Bananas are yellow" },
  ]);
  const [hit] = await store.query("columnar tables of capsules", { topK: 1 });
  assert.is(hit.id, 0);
  const stats = await store.stats();
  assert.ok(stats.diskBytes > 0, "the remote table's bytes");
  await store.close();

  rmSync(locate(uri).dir, { recursive: true, force: true });
  const fresh = await CapsuleStore.open(uri);
  assert.is(fresh.embedder.id, "use-lite", "the embedder comes from the table's metadata");
  assert.is(await fresh.count(), 3);
  assert.equal(
    (await fresh.search("bananas", { mode: "fts" })).map((h) => h.id),
    [2],
  );
  const [next] = await fresh.addCapsules([{ text: "written from the second machine" }]);
  assert.is(next, 3, "ids go on from the table's largest");
  await fresh.close();
});

test("a reader sees another process's write after refresh, by the table's version", async () => {
  const uri = newUri();
  const embedder = await loadUseLite();
  const writer = await CapsuleStore.open(uri, { embedder });
  await writer.addCapsule("first");
  const reader = await CapsuleStore.open(uri, { embedder });
  assert.is(await reader.count(), 1);
  await writer.addCapsule("second");
  await reader.refresh();
  assert.is(await reader.count(), 2);
  assert.is((await reader.get(1))?.text, "second");
  await reader.close();
  await writer.close();
});

test("unreachable storage and a missing store are SIGLA_STORE_PATH, and create nothing", async () => {
  const uri = newUri();
  const endpoint = process.env.SIGLA_STORAGE_AWS_ENDPOINT;
  process.env.SIGLA_STORAGE_AWS_ENDPOINT = "http://127.0.0.1:9";
  try {
    await CapsuleStore.open(uri, { embedder: await loadUseLite() });
    assert.unreachable("opened a store on a closed port");
  } catch (error) {
    assert.is((error as { code?: string }).code, "SIGLA_STORE_PATH");
    assert.match(String(error), /cannot reach s3:\/\//);
  } finally {
    process.env.SIGLA_STORAGE_AWS_ENDPOINT = endpoint;
  }
  try {
    await CapsuleStore.open(newUri(), { create: false });
    assert.unreachable("opened a missing store");
  } catch (error) {
    assert.is((error as { code?: string }).code, "SIGLA_STORE_PATH");
  }
});

test("the pipeline on an S3 store: its GROWTH log and conversation live beside the table, sessions on this machine", async () => {
  const uri = newUri();
  const bench = await Workbench.open({ path: uri, embedder: await loadUseLite() });
  try {
    await bench.store.addCapsule("Arrow is a columnar memory format");
    await bench.pipeline.memory.archive({
      content: "Arrow tables are columnar",
      kind: "FACT",
      source: { type: "file", ref: "notes/arrow.md" },
    });
    const turn = await bench.pipeline.ask(bench.session, "What is Arrow?");
    assert.type(turn.answer, "string");
    assert.ok(existsSync(locate(`${uri}/conversation`).dir), "the conversation's local state");
    assert.ok(!existsSync("s3:"));
  } finally {
    await bench.close();
  }
  rmSync(locate(`${uri}/conversation`).dir, { recursive: true, force: true });
  rmSync(locate(`${uri}/growth`).dir, { recursive: true, force: true });
  const again = await CapsuleStore.open(`${uri}/conversation`, { create: false });
  assert.ok((await again.count()) > 0, "the turn is on S3, not only on this machine");
  await again.close();
  // A machine that never saw the store reads its GROWTH log and conversation from S3 (a lazy read too),
  // and the log's versions go on from there, not from 1 again.
  rmSync(locate(`${uri}/conversation`).dir, { recursive: true, force: true });
  rmSync(locate(`${uri}/growth`).dir, { recursive: true, force: true });
  const reader = await Workbench.open({ path: uri, embedder: await loadUseLite(), lazy: true });
  try {
    const layers = await reader.layers();
    const version = layers.currentVersion;
    assert.ok(version >= 1, `the GROWTH log read from S3 (version ${version})`);
    assert.ok(layers.hasConversation, "the conversation found on S3");
    await layers.archive({
      content: "Lance is a columnar format",
      kind: "FACT",
      source: { type: "file", ref: "notes/lance.md" },
    });
    assert.is(layers.currentVersion, version + 1);
  } finally {
    await reader.close();
  }
});

test.run();
