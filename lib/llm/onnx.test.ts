import { rm } from "node:fs/promises";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { writeTinyOnnxModel } from "../../bench/fixtures/random-onnx.js";
import { tempDir } from "../../test/helpers/temp.js";
import { isSiglaError } from "../errors.js";
import { modelInfo, openRunner } from "./models.js";
import type { Runner } from "./runner.js";

const dir = join(tempDir("sigla-onnx-llm-"), "tiny-onnx");
let runner: Runner;

async function text(stream: AsyncIterable<string>): Promise<string> {
  let out = "";
  for await (const piece of stream) out += piece;
  return out;
}

test.before(async () => {
  await writeTinyOnnxModel(dir);
  runner = await openRunner(dir, { settings: { threads: 1, contextSize: 512, dtype: "q8" } });
});

test.after(async () => {
  await runner.close();
});

test("a tiny ONNX causal LM folder loads through transformers.js with its chat template", async () => {
  assert.equal(runner.info, {
    path: dir,
    backend: "onnx",
    architecture: "llama",
    contextSize: 512,
    chatTemplate: true,
    quantization: "fp32", // the folder has no q8 variant, so the runner takes what it has
    gpu: false,
  });
  // Words are "Ġword" tokens; the first word has no space before it, so it is spelt in bytes.
  assert.is(await runner.countTokens(" the quick brown fox"), 4);
  assert.is(await runner.countTokens("the quick brown fox"), 6);
  const info = await modelInfo(dir);
  assert.is(info.backend, "onnx");
  assert.is(info.contextLength, 512);
  assert.is(info.quantization, "fp32");
});

test("the ONNX runner streams pieces through the KV cache, greedy and bounded by maxTokens", async () => {
  const pieces: string[] = [];
  for await (const piece of runner.generate("the memory model", { maxTokens: 10 })) pieces.push(piece);
  assert.ok(pieces.length >= 3, `pieces: ${JSON.stringify(pieces)}`);
  const full = pieces.join("");
  assert.ok((await runner.countTokens(full)) <= 10);
  assert.is(await text(runner.generate("the memory model", { maxTokens: 10 })), full);
  const longer = await text(runner.generate("the memory model", { maxTokens: 20 }));
  assert.ok(longer.startsWith(full.trimEnd()));
});

test("stop strings, abort and a system instruction work on the ONNX runner too", async () => {
  const full = await text(runner.generate("open the window", { maxTokens: 12 }));
  const words = full.trim().split(/\s+/);
  const stop = words[Math.floor(words.length / 2)];
  const stopped = await text(runner.generate("open the window", { maxTokens: 12, stop: [stop] }));
  assert.is(stopped, full.slice(0, full.indexOf(stop)));

  const controller = new AbortController();
  let seen = 0;
  let caught: unknown;
  try {
    for await (const _ of runner.generate("open the window", { maxTokens: 200, signal: controller.signal })) {
      if (++seen === 2) controller.abort();
    }
  } catch (error) {
    caught = error;
  }
  assert.ok(isSiglaError(caught) && caught.code === "SIGLA_CANCELLED");
  assert.is(seen, 2);

  const system = await text(runner.generate("open the window", { maxTokens: 12, system: "be brief" }));
  assert.is.not(system, full);
});

test("an ONNX folder without weights is SIGLA_MODEL_INVALID", async () => {
  const broken = join(tempDir("sigla-onnx-broken-"), "m");
  await writeTinyOnnxModel(broken);
  await rm(join(broken, "onnx", "model.onnx"));
  try {
    await openRunner(broken);
    assert.unreachable("opened a folder without weights");
  } catch (error) {
    assert.ok(isSiglaError(error), String(error));
    assert.is(error.code, "SIGLA_MODEL_INVALID");
  }
});

test.run();
