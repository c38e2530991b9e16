import { setTimeout as sleep } from "node:timers/promises";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { tempPath } from "../../test/helpers/temp.js";
import { Workbench } from "../commands/workbench.js";
import { loadUseLite } from "../embed/use-lite.js";
import { ServerContext } from "./context.js";
import { ServerMetrics } from "./metrics.js";

/**
 * A workbench whose store's own refresh is made as slow as reading another server's write from an object
 * store, calling `onStart(n)` and `onEnd(n)` around the n-th one.
 */
async function slowRefresh(
  ms: number,
  onStart: (n: number) => void = () => {},
  onEnd: (n: number) => void = () => {},
): Promise<Workbench> {
  const bench = await Workbench.open({ path: tempPath(), embedder: await loadUseLite(), lazy: true });
  const refresh = bench.store.refresh.bind(bench.store);
  let refreshes = 0;
  bench.store.refresh = async () => {
    const n = ++refreshes;
    onStart(n);
    await sleep(ms);
    await refresh();
    onEnd(n);
  };
  return bench;
}

test("reads run alongside a refresh within the bound and wait for one past it; a forwarded write waits for one of its own", async () => {
  const events: string[] = [];
  const bench = await slowRefresh(
    150,
    (n) => events.push(`refresh ${n} start`),
    (n) => events.push(`refresh ${n} end`),
  );
  try {
    await bench.store.addCapsule("one");
    const ctx = new ServerContext(bench, new ServerMetrics(() => bench.store), 1000);
    const read = (name: string) => ctx.read(async () => void events.push(name));
    await read("first read");
    assert.equal(events, ["refresh 1 start", "refresh 1 end", "first read"], "nothing seen yet: it waits");
    // Refresh 1 started about 550 ms ago: past half the bound, within it.
    await sleep(400);
    await read("read past half the bound");
    assert.equal(
      events.slice(3),
      ["refresh 2 start", "read past half the bound"],
      "the next refresh starts in the background; the read does not wait for it",
    );
    await read("read during that refresh");
    await ctx.settled();
    assert.equal(events.slice(5), ["read during that refresh", "refresh 2 end"], "one refresh at a time");
    await ctx.caughtUp();
    await read("read after a forwarded write");
    assert.equal(
      events.slice(7),
      ["refresh 3 start", "refresh 3 end", "read after a forwarded write"],
      "the forwarded write's answer waits for a refresh started after it; the read after it does not wait",
    );
    await sleep(1000);
    await read("read past the bound");
    assert.equal(events.slice(10), ["refresh 4 start", "refresh 4 end", "read past the bound"]);
    let serial = "";
    await Promise.all([
      ctx.serial(async () => {
        await sleep(30);
        serial += "1";
      }),
      ctx.serial(async () => {
        serial += "2";
      }),
    ]);
    assert.is(serial, "12", "serial commands take turns");
  } finally {
    await bench.close();
  }
});

test("a write forwarded while a refresh runs waits for the next one: that one started too early to see it", async () => {
  const started: number[] = [];
  const bench = await slowRefresh(100, (n) => started.push(n));
  try {
    const ctx = new ServerContext(bench, new ServerMetrics(() => bench.store), 10_000);
    await ctx.read(async () => undefined);
    const first = ctx.caughtUp();
    await sleep(20);
    const second = ctx.caughtUp();
    await Promise.all([first, second, ctx.read(async () => undefined)]);
    assert.equal(started, [1, 2, 3], "the read within the bound started none");
  } finally {
    await bench.close();
  }
});

test("with no staleness allowed, every read waits for a refresh that started after it, and only for that", async () => {
  let refreshes = 0;
  const bench = await slowRefresh(0, () => refreshes++);
  try {
    const ctx = new ServerContext(bench, new ServerMetrics(() => bench.store), 0);
    for (let i = 0; i < 3; i++) await ctx.read(async () => undefined);
    await ctx.settled();
    assert.is(refreshes, 3, "one each, none in the background");
  } finally {
    await bench.close();
  }
});

test.run();
