/**
 * Nothing typed is lost: the prompt takes keys from the first frame, before the store is open, and during
 * a running job; Enter then queues the line, and queued lines run in order once they can. Against a real
 * store with the offline embedder.
 */
import { cleanup, render } from "ink-testing-library";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { seedSample } from "../lib/commands/sample.js";
import { Workbench } from "../lib/commands/workbench.js";
import { loadUseLite } from "../lib/embed/use-lite.js";
import { tempDir, tempPath } from "../test/helpers/temp.js";
import { App } from "./app.js";
import type { Started, StartOptions } from "./start.js";
import { KEYS, plain, tick, waitFor } from "./test-helpers.js";

test.after.each(() => cleanup());

function startIn(path: string) {
  return async (options: StartOptions): Promise<Started> => {
    const bench = await Workbench.open({ path, embedder: await loadUseLite(), reports: tempDir() });
    options.onPhase?.("seeding", "loading the sample corpus");
    const seeded = await seedSample(bench.store, { signal: options.signal, onProgress: options.onProgress });
    return { bench, seeded };
  };
}

test("lines typed while the store opens and while a turn runs are queued and run in order", async () => {
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
  // The first frame already has the prompt; the store is still opening.
  assert.match(screen(), /SIGLA opening store/);
  assert.match(screen(), /› ask a question/);
  assert.match(screen(), /type ahead: Enter queues the line until the store is open/);
  await tick();
  stdin.write("What is the SIFT gate?");
  await tick();
  stdin.write(KEYS.enter);
  await waitFor(
    () => /queued: What is the SIFT gate\? · runs once the store is open/.test(screen()),
    "queued",
  );
  // Typed while the queued question runs: kept on the line, then queued behind it.
  await waitFor(() => /What is the SIFT gate\? · Ctrl-C cancels/.test(screen()), "the turn running", 60_000);
  stdin.write(":trace");
  await tick();
  assert.match(screen(), /› :trace/, "the line stays editable during the turn");
  stdin.write(KEYS.enter);
  await waitFor(() => /turn 1, [\d.]+ ms/.test(screen()), "the queued :trace after the answer", 30_000);
  const frame = screen();
  assert.ok(
    frame.indexOf("› What is the SIFT gate?") < frame.indexOf("› :trace"),
    "the lines ran in the order typed",
  );
  assert.match(frame, /SIFT gate decides whether a SHADOW node may be promoted to ARCHIVE/);
  assert.match(frame, /Enter runs · ↑\/↓ history/);

  // Ctrl-C during a job cancels it and drops what was queued behind it, saying so.
  stdin.write(":bench --size 20000 --queries 500\r");
  await waitFor(() => /bench \[.*\] +\d+% \d+\/20000 vectors/.test(screen()), "the bench progress bar");
  stdin.write(":help\r");
  await waitFor(() => /queued: :help · runs after the current job/.test(screen()), ":help queued");
  stdin.write(KEYS.ctrlC);
  await waitFor(() => screen().includes("SIGLA_CANCELLED"), "the cancellation");
  assert.match(screen(), /Dropped 1 queued line \(↑ recalls them\)\./);
  assert.not.match(screen(), /Plain text asks the pipeline/, "the dropped :help did not run");
  stdin.write(":quit\r");
  await waitFor(() => exited !== undefined, "the exit", 30_000);
  await exited?.close();
});

test.run();
