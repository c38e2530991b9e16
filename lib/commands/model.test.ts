import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { writeTinyGguf } from "../../bench/fixtures/random-gguf.js";
import { type Caught, caught } from "../../test/helpers/dsl.js";
import { tempDir, tempPath } from "../../test/helpers/temp.js";
import { loadUseLite } from "../embed/use-lite.js";
import { runCommand } from "./registry.js";
import { seedSample } from "./sample.js";
import { answerText, formatResult, PARTIAL_NOTE, shortPath } from "./text.js";
import { throttle } from "./throttle.js";
import type { AskResult, ModelResult } from "./types.js";
import { Workbench } from "./workbench.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const model = join(tempDir(), "tiny.gguf");
let bench: Workbench;
const line = (error: Caught) => `${error.code}: ${error.message}`;

test.before(async () => {
  await writeTinyGguf(model);
  bench = await Workbench.open({ path: tempPath(), embedder: await loadUseLite(), reports: tempDir() });
  await seedSample(bench.store);
});
test.after(async () => {
  await bench.close();
});

test("the offline answerer cites with provenance: file, line, layer; paths read relative to the cwd", async () => {
  const { turn } = (await runCommand(bench, "What is the SIFT gate?")) as AskResult;
  assert.is(turn.by, "offline answerer");
  assert.is(turn.partial, false);
  const citation = turn.citations[0];
  assert.ok(citation, "a citation");
  assert.is(citation.layer, "archive");
  assert.ok(citation.source?.endsWith("datasets/sample/memory/sift-gate.md"), citation.source);
  assert.match(citation.locator ?? "", /^lines? \d+/);
  const text = answerText(turn, ROOT);
  assert.ok(
    text.includes(`{datasets/sample/memory/sift-gate.md · ${citation.locator} · archive}`),
    "the source shortened in the citation line",
  );
  assert.ok(turn.answer.includes(`{${citation.source} · `), "the turn itself keeps the full path");
  assert.match(formatResult({ kind: "ask", turn }), /\(session repl, turn \d+, offline answerer\)$/);
});

test("shortPath: inside the cwd relative, inside home with ~, elsewhere and non-paths as they are", () => {
  assert.is(shortPath("/work/x/notes/a.md", "/work/x"), "notes/a.md");
  assert.is(shortPath("/elsewhere/a.md", "/work/x"), "/elsewhere/a.md");
  assert.is(shortPath("session:repl", "/work/x"), "session:repl");
  assert.is(shortPath(join(process.env.HOME ?? "/root", "m/t.gguf"), "/work/x"), "~/m/t.gguf");
});

test(":model without a model names the offline answerer; a missing file is one typed line and changes nothing", async () => {
  const shown = (await runCommand(bench, ":model")) as ModelResult;
  assert.equal(shown, { kind: "model", changed: false });
  assert.match(formatResult(shown), /^offline answerer \(no model\)/);
  const error = await caught(() => runCommand(bench, ":model /no/such/model.gguf"));
  assert.is(line(error), "SIGLA_MODEL_NOT_FOUND: model /no/such/model.gguf does not exist");
  assert.is(bench.runner, undefined);
  assert.is(bench.answerer, "offline");
  const usage = await caught(() => runCommand(bench, ":model --profile home-gpu"));
  assert.match(line(usage), /^SIGLA_USAGE: :model: --profile needs a model/);
});

test("a model from SIGLA_LLM that cannot be loaded fails the open, naming the variable, and creates no store", async () => {
  const path = tempPath();
  process.env.SIGLA_LLM = "/no/such/model.gguf";
  try {
    const error = await caught(() => Workbench.open({ path, embedder: "use-lite" }));
    assert.match(
      line(error),
      /^SIGLA_MODEL_NOT_FOUND: model \/no\/such\/model\.gguf does not exist \(from SIGLA_LLM=/,
    );
    const named = await caught(() =>
      Workbench.open({ path, embedder: "use-lite", llm: "/no/such/other.gguf" }),
    );
    assert.is(line(named), "SIGLA_MODEL_NOT_FOUND: model /no/such/other.gguf does not exist");
  } finally {
    delete process.env.SIGLA_LLM;
  }
  assert.not.ok(existsSync(path), "no store was created");
});

test(":model <file> loads it; :ask streams its text, a stop while it writes keeps the partial answer; :model off", async () => {
  const loaded = (await runCommand(bench, `:model ${model} --profile home-cpu`)) as ModelResult;
  assert.is(loaded.changed, true);
  assert.is(loaded.info?.path, model);
  assert.is(loaded.info?.backend, "gguf");
  assert.is(loaded.profile, "home-cpu");
  assert.match(
    formatResult(loaded),
    /^loaded .*tiny\.gguf \(gguf, llama, \d+-token context, Q8_0, .*CPU\) · profile home-cpu$/,
  );
  assert.is(bench.answerer, "tiny.gguf");

  const pieces: string[] = [];
  const stop = new AbortController();
  const turns = bench.session.traces.length;
  const result = (await runCommand(bench, ":ask What is LanceDB?", {
    signal: stop.signal,
    onToken: (piece) => {
      pieces.push(piece);
      // A few pieces, then Ctrl-C.
      if (pieces.length === 3) stop.abort();
    },
  })) as AskResult;
  const { turn } = result;
  assert.ok(pieces.length >= 3, `${pieces.length} pieces streamed`);
  assert.is(turn.partial, true);
  assert.is(turn.by, `model ${model}`);
  assert.ok(turn.summary.includes(pieces.join("").trim().split(" ")[0]), "the summary is the streamed text");
  assert.is(bench.session.traces.length, turns + 1, "the partial turn was stored");
  const text = formatResult(result);
  assert.ok(text.includes(PARTIAL_NOTE), text);
  assert.match(text, /model .*tiny\.gguf\)$/);

  const off = (await runCommand(bench, ":model off")) as ModelResult;
  assert.equal(off, { kind: "model", changed: true });
  assert.match(formatResult(off), /^unloaded the model: offline answerer/);
  assert.is(bench.runner, undefined);
  const again = (await runCommand(bench, "What is LanceDB?")) as AskResult;
  assert.is(again.turn.by, "offline answerer");
});

test("throttle: a burst of pokes flushes at most once per interval, and once after the last", async () => {
  let flushes = 0;
  const redraw = throttle(() => flushes++, 50);
  const started = Date.now();
  while (Date.now() - started < 260) {
    redraw.poke();
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  const elapsed = Date.now() - started;
  await new Promise((resolve) => setTimeout(resolve, 80));
  assert.ok(flushes >= 3, `${flushes} flushes`);
  assert.ok(flushes <= Math.ceil(elapsed / 50) + 1, `${flushes} flushes in ${elapsed} ms`);
  const before = flushes;
  redraw.poke();
  redraw.cancel();
  await new Promise((resolve) => setTimeout(resolve, 80));
  assert.is(flushes, before, "a cancelled flush does not run");
});

test.run();
