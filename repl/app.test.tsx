import { cleanup, render } from "ink-testing-library";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { seedSample } from "../lib/commands/sample.js";
import { Workbench } from "../lib/commands/workbench.js";
import { loadUseLite } from "../lib/embed/use-lite.js";
import type { TraceEvent } from "../lib/pipeline/types.js";
import { tempDir, tempPath } from "../test/helpers/temp.js";
import { App } from "./app.js";
import type { Started, StartOptions } from "./start.js";
import { KEYS, plain, tick, waitFor } from "./test-helpers.js";

test.after.each(() => cleanup());

/** Opens a temporary store with the offline embedder and seeds it, the way the default start does. */
function startIn(path: string) {
  return async (options: StartOptions): Promise<Started> => {
    const bench = await Workbench.open({ path, embedder: await loadUseLite(), reports: tempDir() });
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
  assert.match(screen(), /SIGLA store .* · \d+ capsules · index flat · embedder use-lite/);
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

test.run();
