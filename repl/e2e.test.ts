/**
 * End to end, as a person would: the real `sigla` (bin/sigla.js, no arguments) in a tmux terminal with a
 * temporary SIGLA_HOME. Text goes in with `send-keys -l`, Enter in a separate call; the screen is read
 * with `capture-pane`. Checks the first start (sample corpus), an answer with the live trace panel, a
 * cancelled ingest that leaves whole files only, and a clean exit. tmux is required: `.ci/run` installs it.
 */
import { spawnSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { STEPS } from "../lib/pipeline/types.js";
import { tempDir } from "../test/helpers/temp.js";
import { waitFor } from "./test-helpers.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SOCKET = `sigla-e2e-${process.pid}`;
const hasTmux = spawnSync("tmux", ["-V"]).status === 0;

function tmux(...args: string[]): string {
  const run = spawnSync("tmux", ["-L", SOCKET, ...args], { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`tmux ${args[0]} failed: ${run.stderr}`);
  return run.stdout;
}

/** The pane with 300 lines of scrollback, so answers that scrolled up are still seen. */
const screen = () => tmux("capture-pane", "-p", "-t", "repl", "-S", "-300");
const type = (text: string) => tmux("send-keys", "-t", "repl", "-l", text);
const press = (key: string) => tmux("send-keys", "-t", "repl", key);

/** Waits until the screen matches; the error shows the screen it last saw. */
async function see(pattern: RegExp, what: string, timeoutMs = 20_000): Promise<RegExpMatchArray> {
  let last = "";
  try {
    await waitFor(
      () => {
        last = screen();
        return pattern.test(last);
      },
      what,
      timeoutMs,
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}\n--- screen ---\n${last}`);
  }
  return last.match(pattern) as RegExpMatchArray;
}

test.after(() => {
  spawnSync("tmux", ["-L", SOCKET, "kill-server"]);
});

test("the real REPL in tmux: answer, live trace, cancelled ingest, exit", async () => {
  assert.ok(hasTmux, "tmux is required for this test (apt-get install tmux; .ci/run installs it)");
  const home = tempDir("sigla-e2e-home-");
  const docs = join(tempDir("sigla-e2e-docs-"), "many");
  await mkdir(docs);
  for (let i = 0; i < 400; i++) {
    await writeFile(
      join(docs, `note-${i}.md`),
      `Note ${i} on topic ${i % 13}: vectors, graphs and stores, number ${i}.\n`,
    );
  }
  const command = `cd '${ROOT}' && node bin/sigla.js; echo "REPL EXITED $?"; sleep 30`;
  tmux(
    "new-session",
    "-d",
    "-s",
    "repl",
    "-x",
    "150",
    "-y",
    "50",
    "-e",
    `SIGLA_HOME=${home}`,
    "-e",
    "LANCEDB_LOG=error",
    // As on a CI machine: a CI variable in the shell must not keep Ink from drawing the prompt.
    "-e",
    "CI=true",
    command,
  );

  // First start: the empty default store is seeded, then the prompt, status line and an empty trace.
  await see(/Enter runs · ↑\/↓ history/, "the first prompt", 45_000);
  const start = screen();
  assert.match(start, /The store was empty: loaded the sample corpus \(\d+ notes, \d+ capsules\)/);
  assert.match(
    start,
    /SIGLA store .*\/store · \d+ capsules · answers offline · index flat · embedder use-lite/,
  );
  assert.match(start, /trace · no turn yet/);

  // A question: the answer, and the trace panel with all ten steps done and timed.
  type("What is the SIFT gate?");
  press("Enter");
  await see(/trace · turn 1 · \d+ ms/, "the finished turn");
  const answered = screen();
  assert.match(answered, /› What is the SIFT gate\?/);
  assert.match(answered, /SIFT gate decides whether a SHADOW node may be promoted to ARCHIVE/);
  assert.match(answered, /∆DΩΛ/);
  for (const step of STEPS) {
    assert.match(answered, new RegExp(`\\d+ ${step}\\s+✓\\s+[\\d.]+ ms`), `step ${step} in the trace panel`);
  }
  assert.match(answered, /voice ISKRA phase opening mode \w+/);
  const before = Number((answered.match(/· (\d+) capsules ·/g)?.at(-1) ?? "").replace(/\D/g, ""));

  // A long ingest, cancelled with Ctrl-C: whole files only, and the REPL goes on.
  type(`:ingest ${docs}`);
  press("Enter");
  await see(/ingest \[[█▏▎▍▌▋▊▉ ]+\] +\d+% +\d+\/400 files/, "the ingest progress bar");
  press("C-c");
  const [, stored] = await see(
    /SIGLA_CANCELLED: ingest cancelled after (\d+) of 400 files \(\d+ capsules stored\)/,
    "the cancellation",
  );
  assert.ok(Number(stored) < 400, "stopped before the end");
  await see(
    new RegExp(`· ${before + Number(stored)} capsules ·`),
    "the store count with exactly the finished files",
  );

  type(":store");
  press("Enter");
  await see(new RegExp(`${before + Number(stored)} capsules, 512-d, embedder use-lite`), "the :store report");

  type(":quit");
  press("Enter");
  await see(/REPL EXITED 0/, "a clean exit");
});

test.run();
