import { test } from "uvu";
import * as assert from "uvu/assert";
import { tempPath } from "../../test/helpers/temp.js";
import { Workbench } from "../commands/workbench.js";
import { loadUseLite } from "../embed/use-lite.js";
import { ServerContext } from "./context.js";
import { ServerMetrics } from "./metrics.js";

test("a refresh waits for the reads in progress, and reads wait for the refresh: none sees half of each", async () => {
  const bench = await Workbench.open({ path: tempPath(), embedder: await loadUseLite(), lazy: true });
  try {
    await bench.store.addCapsule("one");
    // refreshMs 0: every read refreshes first.
    const ctx = new ServerContext(bench, new ServerMetrics(() => bench.store), 0);
    const events: string[] = [];
    let release = () => {};
    const a = ctx.read(async () => {
      events.push("a start");
      await new Promise<void>((resolve) => (release = resolve));
      events.push("a end");
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const b = ctx.read(async () => {
      events.push("b start");
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(events, ["a start"], "b's refresh waits for a");
    release();
    await Promise.all([a, b]);
    assert.equal(events, ["a start", "a end", "b start"]);
    let serial = "";
    await Promise.all([
      ctx.serial(async () => {
        await new Promise((resolve) => setTimeout(resolve, 30));
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

test.run();
