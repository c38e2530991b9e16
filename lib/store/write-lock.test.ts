import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { codeOf } from "../../test/helpers/errors.js";
import { tempDir } from "../../test/helpers/temp.js";
import { LOCK_FILE, QUEUE_DIR, withWriteLock } from "./write-lock.js";

/** Starts a process holding the lock of `dir` for `ms`; resolves once it holds it. */
function holder(dir: string, ms: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "test/helpers/lock-holder.ts", dir, String(ms)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    child.stdout?.on("data", (chunk) => {
      if (String(chunk).includes("held")) resolve(child);
    });
    child.on("exit", (code) => reject(new Error(`lock holder exited with ${code}`)));
  });
}

const exited = (child: ChildProcess) => new Promise((resolve) => child.once("exit", resolve));

test("a lock held by another process makes a writer wait, then give up with SIGLA_STORE_LOCKED", async () => {
  const dir = tempDir();
  const child = await holder(dir, 60_000);
  try {
    const started = Date.now();
    assert.is(
      await codeOf(withWriteLock(dir, async () => "never", { timeoutMs: 300 })),
      "SIGLA_STORE_LOCKED",
    );
    assert.ok(Date.now() - started >= 300, "it waited before giving up");
  } finally {
    child.kill("SIGKILL");
    await exited(child);
  }
});

test("a writer killed while holding the lock frees it at once: the kernel drops the flock", async () => {
  const dir = tempDir();
  const child = await holder(dir, 60_000);
  const waiting = withWriteLock(dir, async () => "got it", { timeoutMs: 10_000 });
  await new Promise((resolve) => setTimeout(resolve, 100));
  const killedAt = Date.now();
  child.kill("SIGKILL");
  assert.is(await waiting, "got it");
  assert.ok(Date.now() - killedAt < 2000, `took ${Date.now() - killedAt} ms after the kill`);
});

test("whatever a killed writer left in .lock (a dead pid, garbage, nothing, a folder) blocks no one", async () => {
  for (const leftover of ["999999", "garbage \u0000\u0001", "", "dir"]) {
    const dir = tempDir();
    if (leftover === "dir") await mkdir(join(dir, LOCK_FILE));
    else await writeFile(join(dir, LOCK_FILE), leftover);
    // A dead waiter's ticket (a plain file no one holds) is cleared too.
    await mkdir(join(dir, QUEUE_DIR), { recursive: true });
    await writeFile(join(dir, QUEUE_DIR, "000000000000001-00999999-dead"), "");
    assert.is(await withWriteLock(dir, async () => "written", { timeoutMs: 2000 }), "written", leftover);
    assert.equal(await readdir(join(dir, QUEUE_DIR)), [], "the dead ticket was removed");
  }
});

test("writers of one process run one at a time, in the order they asked", async () => {
  const dir = tempDir();
  const order: number[] = [];
  let inside = 0;
  await Promise.all(
    [0, 1, 2, 3, 4].map((n) =>
      withWriteLock(dir, async () => {
        inside++;
        assert.is(inside, 1, "two writers inside at once");
        await new Promise((resolve) => setTimeout(resolve, 10));
        order.push(n);
        inside--;
      }),
    ),
  );
  assert.equal(order, [0, 1, 2, 3, 4]);
});

test("a writer that takes the lock again and again cannot starve a waiter in another process", async () => {
  const dir = tempDir();
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "test/helpers/lock-holder.ts", dir, "20", "100"],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  let turns = 0;
  child.stdout.on("data", (chunk) => {
    turns += String(chunk).split("held").length - 1;
  });
  while (turns < 3) await new Promise((resolve) => setTimeout(resolve, 10));
  const asked = turns;
  const servedAfter = await withWriteLock(dir, async () => turns - asked, { timeoutMs: 10_000 });
  // First come, first served: at most the turn in progress and one already queued go before it.
  assert.ok(servedAfter <= 2, `the looping writer took the lock ${servedAfter} more times first`);
  child.kill("SIGKILL");
  await exited(child);
  // The killed writer may have died queued; the next writer clears its ticket.
  await withWriteLock(dir, async () => undefined);
  assert.equal(
    (await readdir(join(dir, QUEUE_DIR))).filter((name) => !name.startsWith(".")),
    [],
    "no ticket left behind",
  );
});

test("a waiter stops waiting when its signal fires", async () => {
  const dir = tempDir();
  const child = await holder(dir, 60_000);
  try {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    assert.is(
      await codeOf(withWriteLock(dir, async () => "never", { signal: controller.signal })),
      "SIGLA_CANCELLED",
    );
    assert.ok(Date.now() - started < 2000);
  } finally {
    child.kill("SIGKILL");
    await exited(child);
  }
});

test.run();
