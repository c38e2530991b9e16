import { spawn } from "node:child_process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { tempPath } from "../../test/helpers/temp.js";
import { loadUseLite } from "../embed/use-lite.js";
import { CapsuleStore } from "./capsule-store.js";

function writer(path: string, name: string, count: number): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "test/helpers/concurrent-writer.ts", path, name, String(count)],
      {
        stdio: ["ignore", "inherit", "inherit"],
      },
    );
    child.on("close", (code) => resolve(code ?? 1));
  });
}

test("two processes writing one store at once lose nothing and corrupt nothing", async () => {
  const path = tempPath();
  const store = await CapsuleStore.open(path, { embedder: await loadUseLite() });
  await store.addCapsule("seed capsule");
  await store.close();
  const codes = await Promise.all([writer(path, "alpha", 30), writer(path, "beta", 30)]);
  assert.equal(codes, [0, 0]);
  const reopened = await CapsuleStore.open(path);
  assert.is(await reopened.count(), 61);
  const all = await reopened.list();
  assert.is(new Set(all.map((c) => c.id)).size, 61);
  assert.is(all.filter((c) => c.tags.includes("alpha")).length, 30);
  assert.is(all.filter((c) => c.tags.includes("beta")).length, 30);
  const ids = new Set(all.map((c) => c.id));
  for (const capsule of all) {
    for (const link of capsule.links) {
      assert.ok(ids.has(link), `capsule ${capsule.id} links to missing ${link}`);
      assert.ok(
        all.find((c) => c.id === link)?.links.includes(capsule.id),
        `link ${capsule.id}-${link} is one-way`,
      );
    }
  }
  await reopened.close();
});

test.run();
