import { randomUUID } from "node:crypto";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type S3Server, startS3 } from "../../bench/s3-server.js";
import { call, type ServerProcess, spawnServer } from "../../test/helpers/http.js";
import { REFRESH_MS } from "./serve.js";

let s3: S3Server;
test.before(async () => {
  s3 = await startS3();
});
test.after(async () => {
  await s3.close();
});

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test("three servers on one S3 store (a writer, two forwarding to it): nothing acknowledged is lost, every reader converges", async () => {
  const store = `s3://${s3.bucket}/${randomUUID()}/store`;
  const writer = await spawnServer(store, s3.env);
  const servers: ServerProcess[] = [writer];
  try {
    servers.push(
      ...(await Promise.all(
        [1, 2].map(() => spawnServer(store, { ...s3.env, SIGLA_WRITER_URL: writer.url })),
      )),
    );
    assert.match(servers[1].log(), /writes forwarded to http:\/\/127\.0\.0\.1:\d+/);
    // Every server takes writes at once: 8 single-capsule adds each.
    const writes = await Promise.all(
      servers.flatMap((server, s) =>
        Array.from({ length: 8 }, (_, i) =>
          call(`${server.url}/capsules`, "POST", {
            capsules: [{ text: `server ${s} write ${i}`, tags: [`s${s}`] }],
          }),
        ),
      ),
    );
    assert.ok(
      writes.every((w) => w.status === 201),
      writes.map((w) => `${w.status} ${JSON.stringify(w.body)}`).join("; "),
    );
    const ids = writes.flatMap((w) => w.body.ids as number[]);
    assert.is(new Set(ids).size, 24, "no id handed out twice");
    // A reader reads its own forwarded write at once.
    const mine = await call(`${servers[2].url}/capsules`, "POST", {
      capsules: [{ text: "read your writes" }],
    });
    const own = await call(`${servers[2].url}/capsules/${mine.body.ids[0]}`, "GET");
    assert.is(own.status, 200);
    ids.push(mine.body.ids[0]);
    await wait(REFRESH_MS + 200);
    for (const server of servers) {
      const stats = await call(`${server.url}/stats`, "GET");
      assert.is(stats.body.count, 25, `${server.url} converged`);
      const where = encodeURIComponent(`id IN (${ids.join(",")})`);
      const listed = await call(`${server.url}/capsules?where=${where}&limit=100`, "GET");
      assert.is(listed.body.capsules.length, 25, `${server.url} reads every acknowledged write`);
    }
    const hits = await call(`${servers[1].url}/query`, "POST", {
      text: "server 2 write 5",
      mode: "fts",
      k: 1,
    });
    assert.is(hits.body.hits[0]?.text, "server 2 write 5");
    // A turn through a reader is written by the writer, and the reader answers the stream.
    const turn = await call(`${servers[1].url}/commands/ask`, "POST", {
      message: "What did server 0 write?",
    });
    assert.is(turn.status, 200);
    assert.type(turn.body.answer, "string");
  } finally {
    const codes = await Promise.all(servers.map((server) => server.stop()));
    assert.ok(
      codes.every((code) => code === 0),
      `exit codes ${codes.join(",")}`,
    );
  }
});

test("a reader whose writer is down answers 503 SIGLA_UNAVAILABLE and writes nothing", async () => {
  const store = `s3://${s3.bucket}/${randomUUID()}/store`;
  const writer = await spawnServer(store, s3.env);
  const reader = await spawnServer(store, { ...s3.env, SIGLA_WRITER_URL: "http://127.0.0.1:9" });
  try {
    const refused = await call(`${reader.url}/capsules`, "POST", { capsules: [{ text: "lost?" }] });
    assert.is(refused.status, 503);
    assert.is(refused.body.error.code, "SIGLA_UNAVAILABLE");
    assert.is((await call(`${writer.url}/stats`, "GET")).body.count, 0);
    const bad = await call(`${reader.url}/capsules`, "POST", { capsules: [{ txt: "x" }] });
    assert.is(bad.status, 400, "validated where it arrived");
  } finally {
    await Promise.all([writer.stop(), reader.stop()]);
  }
});

test.run();
