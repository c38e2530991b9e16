import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { isSiglaError } from "../../lib/errors.js";
import { tempDir } from "../../test/helpers/temp.js";
import { startChroma } from "./chroma-server.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const FIXTURE = fileURLToPath(new URL("../fixtures/chroma-interrupt.ts", import.meta.url));

/** Gone, or a zombie waiting for init to reap it (it runs no more code). */
function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    return /^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return true;
  }
}

async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return check();
}

interface Started {
  pid: number;
  dataDir: string;
  url: string;
}

/** Runs the fixture and reads the JSON line it prints once its server answers. */
function runFixture(): Promise<{ child: ChildProcess; started: Started; exit: Promise<number | null> }> {
  const child = spawn(process.execPath, ["--import", "tsx", FIXTURE], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exit = new Promise<number | null>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? (signal ? -1 : null))),
  );
  let err = "";
  child.stderr?.on("data", (chunk) => {
    err += String(chunk);
  });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk) => {
      out += String(chunk);
      const line = out.split("\n")[0];
      if (out.includes("\n")) resolve({ child, started: JSON.parse(line) as Started, exit });
    });
    void exit.then((code) => reject(new Error(`fixture exited (${code}) before starting: ${err}`)));
  });
}

test("starts a real server, answers, reports its memory, stops for good", async () => {
  const sigints = process.listenerCount("SIGINT");
  const lines: string[] = [];
  const server = await startChroma({ log: (line) => lines.push(line) });
  try {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(server.dataDir, /sigla-chroma-/);
    assert.ok(existsSync(server.dataDir));
    assert.is(process.listenerCount("SIGINT"), sigints + 1, "a signal handler while it runs");
    const beat = await fetch(`${server.url}/api/v2/heartbeat`);
    assert.ok(beat.ok);
    assert.ok("nanosecond heartbeat" in ((await beat.json()) as object));
    assert.match(server.version, /^\d+\.\d+\.\d+/);
    const rss = await server.rss();
    assert.ok(rss !== undefined && rss > 10 * 1024 * 1024, `rss ${rss}`);
    assert.ok(lines.some((line) => line.includes(server.url)));
  } finally {
    await server.stop();
  }
  assert.ok(gone(server.pid), "the server process is gone");
  assert.throws(() => process.kill(server.pid, 0), "reaped, not a zombie");
  assert.not.ok(existsSync(server.dataDir), "the temp folder is removed");
  assert.is(await server.rss(), undefined);
  await server.stop();
  assert.is(process.listenerCount("SIGINT"), sigints, "no signal handler left behind");
});

test("keeps a data folder it was given", async () => {
  const dataDir = `${tempDir("sigla-chroma-test-")}/data`;
  const server = await startChroma({ dataDir });
  await server.stop();
  assert.ok(existsSync(`${dataDir}/chroma.sqlite3`));
});

test("a server that does not answer in time is killed and reported", async () => {
  const sigints = process.listenerCount("SIGINT");
  try {
    await startChroma({ timeoutMs: 1 });
    assert.unreachable("should have thrown");
  } catch (error) {
    assert.ok(isSiglaError(error));
    assert.is(error.code, "SIGLA_BENCH");
    assert.match(error.message, /did not answer its heartbeat within 1 ms/);
  }
  assert.is(process.listenerCount("SIGINT"), sigints);
});

test("SIGINT to the host stops its server and exits 130", async () => {
  const { child, started, exit } = await runFixture();
  assert.ok(!gone(started.pid));
  child.kill("SIGINT");
  assert.is(await exit, 130);
  assert.ok(gone(started.pid), "server gone");
  assert.not.ok(existsSync(started.dataDir), "temp folder removed");
});

test("SIGKILL of the host: the watcher kills the server and removes its temp folder", async () => {
  const { child, started, exit } = await runFixture();
  child.kill("SIGKILL");
  await exit;
  assert.ok(await waitFor(() => gone(started.pid), 5_000), "server gone within 5 s");
  assert.ok(await waitFor(() => !existsSync(started.dataDir), 5_000), "temp folder removed");
});

test.run();
