import { join } from "node:path";
import { cleanup, render } from "ink-testing-library";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { writeTinyGguf } from "../bench/fixtures/random-gguf.js";
import { seedSample } from "../lib/commands/sample.js";
import { Workbench } from "../lib/commands/workbench.js";
import { loadUseLite } from "../lib/embed/use-lite.js";
import type { TraceEvent } from "../lib/pipeline/types.js";
import { tempDir, tempPath } from "../test/helpers/temp.js";
import { App } from "./app.js";
import type { Started, StartOptions } from "./start.js";
import { KEYS, plain, tick, waitFor } from "./test-helpers.js";

test.after.each(() => cleanup());

/**
 * Opens a temporary store with the offline embedder (and `llm`, a model file, when given) and seeds it, the
 * way the default start does.
 */
function startIn(path: string, llm?: string) {
  return async (options: StartOptions): Promise<Started> => {
    const bench = await Workbench.open({ path, embedder: await loadUseLite(), reports: tempDir(), llm });
    options.onPhase?.("seeding", "loading the sample corpus");
    const seeded = await seedSample(bench.store, { signal: options.signal, onProgress: options.onProgress });
    return { bench, seeded };
  };
}

test("the app starts on a seeded store, answers a question with the live trace, shows errors inline and quits", async () => {
  const events: TraceEvent[] = [];
  let ready = 0;
  let exited: Workbench | undefined;
  const history = `${tempDir()}/history`;
  const start = startIn(tempPath());
  const { stdin, lastFrame, frames } = render(
    <App
      start={start}
      historyFile={history}
      onReady={() => ready++}
      onTrace={(e) => events.push(e)}
      onExit={(bench) => {
        exited = bench;
      }}
    />,
  );
  const screen = () => plain(lastFrame());
  await waitFor(() => screen().includes("Enter runs"), "the first prompt", 30_000);
  assert.ok(
    frames.some((f) => /sample corpus \[.*\] +\d+% \d+\/\d+ files/.test(plain(f))),
    "seeding showed a progress bar",
  );
  assert.match(screen(), /loaded the sample corpus \(\d+ notes, \d+ capsules\)/);
  // The line is cut at the test screen's 100 columns, in the embedder's name (the e2e test sees it whole).
  assert.match(screen(), /SIGLA store .* · \d+ capsules · answers offline · index flat · embedder/);
  assert.match(screen(), /trace · no turn yet/);
  assert.is(ready, 1);

  stdin.write("What is the SIFT gate?");
  await tick();
  stdin.write(KEYS.enter);
  await waitFor(() => events.length === 20 && /trace · turn 1 · \d+ ms/.test(screen()), "the finished turn");
  const frame = screen();
  assert.match(frame, /› What is the SIFT gate\?/);
  assert.match(frame, /SIFT gate decides whether a SHADOW node may be promoted to ARCHIVE/);
  for (const step of ["perception", "memory", "feedback"])
    assert.match(frame, new RegExp(`${step}\\s+✓\\s+[\\d.]+ ms`));
  assert.match(frame, /voice ISKRA phase opening mode fast/);
  assert.match(frame, /Ω: 0\.\d\d/);
  assert.ok(
    frames.some((f) => /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] What is the SIFT gate\? · Ctrl-C cancels/.test(plain(f))),
    "the running line was shown while the turn ran",
  );

  stdin.write(":bogus\r");
  await waitFor(() => screen().includes("SIGLA_USAGE: unknown command :bogus"), "the inline error");
  assert.match(screen(), /› ask a question/);

  stdin.write(":trace\r");
  await waitFor(() => /turn 1, [\d.]+ ms/.test(screen()), "the :trace output");

  stdin.write(KEYS.ctrlC);
  await waitFor(() => screen().includes("Press Ctrl-C again to quit"), "the quit hint");
  stdin.write(KEYS.ctrlC);
  await waitFor(() => exited !== undefined, "the exit", 30_000);
  await exited?.close();
});

test("Ctrl-C while a job runs cancels it and the REPL goes on", async () => {
  let exited: Workbench | undefined;
  const { stdin, lastFrame } = render(
    <App
      start={startIn(tempPath())}
      onExit={(bench) => {
        exited = bench;
      }}
    />,
  );
  const screen = () => plain(lastFrame());
  await waitFor(() => screen().includes("Enter runs"), "the first prompt", 30_000);
  stdin.write(":bench --size 20000 --queries 500\r");
  await waitFor(() => /bench \[.*\] +\d+% \d+\/20000 vectors/.test(screen()), "the bench progress bar");
  stdin.write(KEYS.ctrlC);
  await waitFor(() => screen().includes("SIGLA_CANCELLED"), "the cancellation");
  assert.match(screen(), /SIGLA_CANCELLED: bench was cancelled; nothing of it was written/);
  stdin.write(":help\r");
  await waitFor(() => screen().includes("Plain text asks the pipeline"), "the next command");
  stdin.write(":quit\r");
  await waitFor(() => exited !== undefined, "the exit", 30_000);
  await exited?.close();
});

test("with a model: its text streams into a live panel, Ctrl-C stops it and the partial answer stays, marked", async () => {
  const model = join(tempDir(), "tiny.gguf");
  await writeTinyGguf(model);
  let exited: Workbench | undefined;
  const { stdin, lastFrame, frames } = render(
    <App
      start={startIn(tempPath(), model)}
      onExit={(bench) => {
        exited = bench;
      }}
    />,
  );
  const screen = () => plain(lastFrame());
  await waitFor(() => screen().includes("Enter runs"), "the first prompt", 60_000);
  assert.match(screen(), /· answers tiny\.gguf ·/);

  stdin.write("What is LanceDB?");
  await tick();
  stdin.write(KEYS.enter);
  // The random model writes words from its small vocabulary; wait for a few of them in the panel.
  const live = () => /tiny\.gguf is writing…\s*│\s*│? *(\w+ ){3}/.test(screen());
  await waitFor(live, "the model's text in the live panel", 60_000);
  assert.match(screen(), /Ctrl-C stops the model and keeps what it wrote/);
  stdin.write(KEYS.ctrlC);
  await waitFor(() => screen().includes("⏹ partial"), "the partial answer", 60_000);
  const frame = screen();
  assert.match(frame, /⏹ partial — the model was stopped before it finished \(Ctrl-C\)/);
  assert.match(frame, /## Summary/);
  assert.match(frame, /model .*tiny\.gguf/);
  assert.not.match(frame, /is writing…/, "the formatted answer replaced the live text");
  const written = frames.map(plain).filter((f) => f.includes("is writing…")).length;
  assert.ok(written >= 1, "the live panel was drawn");

  stdin.write(":model\r");
  await waitFor(() => /model .*tiny\.gguf \(gguf, llama, \d+-token context/.test(screen()), ":model");
  stdin.write(":model off\r");
  await waitFor(() => screen().includes("unloaded the model"), ":model off");
  await waitFor(() => screen().includes("· answers offline ·"), "the status line after :model off");
  stdin.write(":quit\r");
  await waitFor(() => exited !== undefined, "the exit", 30_000);
  await exited?.close();
});

test.run();
