/**
 * The real `sigla` REPL in a real terminal (tmux) of 80×24, as a person uses it, with a (tiny, random)
 * language model writing the answer into the live panel — the case that used to overflow the screen: the
 * screen must fit — status line on screen, no full-screen clear (and no reprint of the transcript) during
 * the turn — text typed during the turn must stay, and resizing to 140×45 and back must leave a clean
 * screen in the layout of the new size (the full one at 140×45). tmux is required: `.ci/run` installs it.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { writeTinyGguf } from "../bench/fixtures/random-gguf.js";
import { tempDir } from "../test/helpers/temp.js";
import { FULL_CLEARS, hasTmux, occurrences, TmuxSession } from "./tmux-session.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const session = new TmuxSession("layout");

test.after(() => session.kill());

/** Lines of the visible screen that match `pattern`. */
const linesMatching = (screen: string, pattern: RegExp) =>
  screen.split("\n").filter((line) => pattern.test(line));

test("at 80×24 the REPL fits, keeps typed text, never clears the screen in a turn, and redraws cleanly on resize", async () => {
  assert.ok(hasTmux, "tmux is required for this test (apt-get install tmux; .ci/run installs it)");
  const home = tempDir("sigla-e2e-layout-");
  const files = tempDir("sigla-e2e-layout-files-");
  const raw = join(files, "pane.raw");
  const model = join(files, "tiny.gguf");
  await writeTinyGguf(model);
  session.start({
    command: `cd '${ROOT}' && node bin/sigla.js --llm '${model}'; echo "REPL EXITED $?"; sleep 30`,
    columns: 80,
    rows: 24,
    env: { SIGLA_HOME: home, LANCEDB_LOG: "error", CI: "true" },
    rawFile: raw,
  });

  // The prompt comes first, before the store is open; then the sample corpus and the status line.
  await session.see(/› ask a question/, "the first prompt", 30_000);
  await session.see(/Enter runs · ↑\/↓ history/, "the open store", 90_000);
  let screen = session.screen();
  assert.is(linesMatching(screen, /^SIGLA store .* · \d+ capsules · answers /).length, 1, "status line");
  assert.match(screen, /^trace · no turn yet ·{10}$/m, "the trace is one line");
  assert.match(screen, /^state · no turn yet$/m, "the gauges are one line");

  // A question, and text typed while its turn runs.
  session.type("What is the SIFT gate?");
  await session.see(/› What is the SIFT gate\?/, "the typed question");
  const before = session.raw().length;
  session.press("Enter");
  session.type(":trace");
  screen = await session.see(/tiny\.gguf is writing…/, "the model's live panel", 60_000);
  assert.is(linesMatching(screen, /^SIGLA store .* · \d+ capsules/).length, 1, "status line while writing");
  await session.see(/^trace · turn 1 · \d+ ms ✓{10} slowest/m, "the finished turn", 180_000);
  screen = await session.see(/› :trace/, "the text typed during the turn, still on the line");
  const turn = session.raw().subarray(before);
  for (const clear of FULL_CLEARS)
    assert.is(occurrences(turn, clear), 0, `no ${JSON.stringify(clear)} during the turn`);
  assert.is(occurrences(turn, "## Summary"), 1, "the answer is printed once, never reprinted");
  assert.is(linesMatching(screen, /^SIGLA store .* · \d+ capsules/).length, 1, "status line still on screen");
  assert.match(screen, /^state pain \d\.\d\d trust \d\.\d\d clarity \d\.\d\d drift \d\.\d\d · ISKRA/m);
  session.press("Enter");
  await session.see(/turn 1, [\d.]+ ms/, "the :trace output", 20_000, 100);

  // Larger: the full layout, drawn once, nothing of the compact one left.
  session.resize(140, 45);
  screen = await session.see(/│ state/, "the full layout at 140×45");
  await new Promise((resolve) => setTimeout(resolve, 500));
  screen = session.screen();
  assert.match(screen, /│ trace · turn 1 · \d+ ms/);
  assert.match(screen, /│ {2}6 memory {6}✓ +[\d.]+ ms/);
  assert.match(screen, /│ pain +[█░▏▎▍▌▋▊▉]+ \d\.\d\d/);
  assert.is(linesMatching(screen, /SIGLA store/).length, 1, "one status line");
  assert.is(linesMatching(screen, /^trace · |^state /).length, 0, "no line of the compact layout left");
  assert.is(linesMatching(screen, /Enter runs/).length, 1, "one hint line");

  // Back to 80×24: compact again, no fragment of the boxes left.
  session.resize(80, 24);
  screen = await session.see(/^trace · turn 1/m, "the compact layout again");
  await new Promise((resolve) => setTimeout(resolve, 500));
  screen = session.screen();
  assert.not.match(screen, /[╭╰│]/, "no fragment of the full layout's boxes");
  assert.is(linesMatching(screen, /SIGLA store/).length, 1, "one status line");
  assert.is(linesMatching(screen, /Enter runs/).length, 1, "one hint line");

  session.type(":quit");
  session.press("Enter");
  await session.see(/REPL EXITED 0/, "a clean exit");
});

test.run();
