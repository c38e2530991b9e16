import { test } from "uvu";
import * as assert from "uvu/assert";
import { call, spawnServer } from "../../test/helpers/http.js";
import { tempPath } from "../../test/helpers/temp.js";
import { loadUseLite } from "../embed/use-lite.js";
import { CapsuleStore } from "../store/capsule-store.js";
import { REFRESH_MS } from "./serve.js";

const texts = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({
    text: `${prefix} capsule number ${i} about ${i % 7 ? "storage" : "graphs"}`,
  }));

test("SIGTERM during a write: the write finishes and is acknowledged, new requests are refused, the store closes clean", async () => {
  const store = tempPath();
  const server = await spawnServer(store);
  const inFlight = call(`${server.url}/capsules`, "POST", { capsules: texts("late", 400) });
  // Let the request reach the server and start embedding, then ask it to stop.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const stopped = server.stop();
  const answer = await inFlight;
  assert.is(answer.status, 201, JSON.stringify(answer.body));
  assert.is(answer.body.ids.length, 400);
  // The signal is handled on the server's event loop: once it says so, nothing new is taken. (Asked
  // sooner, a request that raced the signal could still be answered, as on any server.)
  for (const until = Date.now() + 10_000; !/SIGTERM: finishing/.test(server.log()) && Date.now() < until; )
    await new Promise((resolve) => setTimeout(resolve, 20));
  const after = await call(`${server.url}/health`, "GET").catch(() => ({ status: 0 }));
  assert.ok(after.status === 0 || after.status === 503, `refused during shutdown, got ${after.status}`);
  assert.is(await stopped, 0);
  assert.match(server.log(), /server stopped, store closed/);
  const reopened = await CapsuleStore.open(store, { embedder: await loadUseLite() });
  assert.is(await reopened.count(), 400, "every acknowledged capsule is in the store");
  await reopened.close();
});

test("two server processes on one store: every acknowledged write is read by both within the refresh bound", async () => {
  const store = tempPath();
  const first = await spawnServer(store);
  const second = await spawnServer(store);
  try {
    const one = await call(`${first.url}/capsules`, "POST", {
      capsules: [{ text: "written through the first server" }],
    });
    assert.is(one.status, 201);
    const [id] = one.body.ids;
    const seenAt = Date.now();
    let seen = await call(`${second.url}/capsules/${id}`, "GET");
    while (seen.status === 404 && Date.now() - seenAt < REFRESH_MS * 3) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      seen = await call(`${second.url}/capsules/${id}`, "GET");
    }
    assert.is(seen.status, 200, "the second server sees the first one's write");
    assert.ok(Date.now() - seenAt <= REFRESH_MS + 500, `seen after ${Date.now() - seenAt} ms`);
    // Both write at once, 15 adds each: nothing is lost, no id is given twice.
    const writes = await Promise.all(
      [first, second].flatMap((server, s) =>
        Array.from({ length: 15 }, (_, i) =>
          call(`${server.url}/capsules`, "POST", { capsules: [{ text: `server ${s} write ${i}` }] }),
        ),
      ),
    );
    assert.ok(
      writes.every((w) => w.status === 201),
      writes.map((w) => w.status).join(","),
    );
    const ids = writes.flatMap((w) => w.body.ids as number[]);
    assert.is(new Set(ids).size, 30);
    await new Promise((resolve) => setTimeout(resolve, REFRESH_MS + 100));
    for (const server of [first, second]) {
      const stats = await call(`${server.url}/stats`, "GET");
      assert.is(stats.body.count, 31, server.url);
    }
  } finally {
    assert.equal(await Promise.all([first.stop(), second.stop()]), [0, 0]);
  }
  const reopened = await CapsuleStore.open(store, { embedder: await loadUseLite() });
  assert.is(await reopened.count(), 31);
  await reopened.close();
});

test.run();
