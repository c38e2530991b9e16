/**
 * `sigla ask` with a language model, as a person runs it: the real bin in a child process with the tiny
 * random-weight GGUF (a real model llama.cpp loads; it writes word salad, so it cites nothing).
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { writeTinyGguf } from "../../bench/fixtures/random-gguf.js";
import { runCli } from "../../test/helpers/cli.js";
import { tempDir, tempPath } from "../../test/helpers/temp.js";

const BIN = fileURLToPath(new URL("../../bin/sigla.js", import.meta.url));
const home = tempDir();
const store = tempPath();
const model = join(tempDir(), "tiny.gguf");
const env = { ...process.env, SIGLA_HOME: home, SIGLA_LLM: "", LANCEDB_LOG: "error" };

test.before(async () => {
  await writeTinyGguf(model);
  const docs = tempDir();
  await writeFile(
    join(docs, "lance.md"),
    "# LanceDB\n\nLanceDB is a columnar vector database built on Apache Arrow.\n",
  );
  await writeFile(join(docs, "hnsw.md"), "HNSW is a graph index for approximate nearest neighbour search.\n");
  const ingested = await runCli(["ingest", docs, "-s", store, "--embedder", "use-lite"]);
  assert.is(ingested.code, 0, ingested.err);
});

test("ask --json without a model: citations carry evidence id, sentence, layer, source and line", async () => {
  const run = await runCli(["ask", "What is LanceDB?", "-s", store, "--session", "offline", "--json"]);
  assert.is(run.code, 0, run.err);
  const turn = JSON.parse(run.out);
  assert.is(turn.by, "offline answerer");
  assert.is(turn.partial, false);
  assert.match(turn.summary, /LanceDB is a columnar vector database/);
  const [citation] = turn.citations;
  assert.match(citation.evidenceId, /^ev:\d+$/);
  assert.is(citation.layer, "archive");
  assert.ok(citation.source.endsWith("lance.md"), citation.source);
  assert.is(citation.locator, "line 3");
  assert.match(citation.text, /columnar vector database/);
});

test("ask --llm <tiny.gguf> --json end to end: the model answers, by names it, the turn is whole", () => {
  const run = spawnSync(
    process.execPath,
    [BIN, "ask", "What is LanceDB?", "-s", store, "--llm", model, "--max-tokens", "8", "--json"],
    { env, encoding: "utf8", timeout: 180_000 },
  );
  assert.is(run.status, 0, run.stderr);
  const turn = JSON.parse(run.stdout);
  assert.is(turn.by, `model ${model}`);
  assert.is(turn.partial, false);
  assert.type(turn.summary, "string");
  assert.ok(turn.summary.length > 0);
  assert.ok(Array.isArray(turn.citations));
  for (const c of turn.citations) assert.ok(c.evidenceId && c.layer, JSON.stringify(c));
  assert.is(turn.trace.length, 10);
});

test("ask --llm with a missing file: one typed line, exit 1, no stack, no store", () => {
  const fresh = tempPath();
  const run = spawnSync(process.execPath, [BIN, "ask", "x", "-s", fresh, "--llm", "/no/such/model.gguf"], {
    env,
    encoding: "utf8",
  });
  assert.is(run.status, 1);
  assert.is(run.stderr, "SIGLA_MODEL_NOT_FOUND: model /no/such/model.gguf does not exist\n");
  assert.is(run.stdout, "");
  assert.not.ok(existsSync(fresh), "no store was created");
});

test("ask streams the model's text to stdout; Ctrl-C keeps the partial answer, says so on stderr, exits 0", async () => {
  const child = spawn(process.execPath, [BIN, "ask", "What is LanceDB?", "-s", store, "--llm", model], {
    env,
  });
  let out = "";
  let err = "";
  let interrupted = false;
  child.stderr.on("data", (chunk) => {
    err += chunk;
  });
  child.stdout.on("data", (chunk) => {
    out += chunk;
    // The first pieces are the model's own words, before any formatted answer.
    if (!interrupted && out.trim().split(/\s+/).length >= 3) {
      interrupted = true;
      assert.not.match(out, /I-Loop:/, "pieces come before the formatted answer");
      child.kill("SIGINT");
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  assert.ok(interrupted, `the model wrote to stdout: ${out}${err}`);
  assert.is(code, 0, err);
  assert.match(err, /⏹ partial — the model was stopped before it finished \(interrupted\)/);
  assert.match(out, /\n\nI-Loop: /, "the formatted answer after the streamed text");
  assert.match(out, /Generation was stopped: the answer is partial\./);
  assert.match(out, /model .*tiny\.gguf\)\n$/);
});

test.run();
