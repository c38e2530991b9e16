/**
 * The loader on a real llama model: a LoRA module made by converter-mod from a PEFT adapter, added to a
 * registry and attached through the loader, changes what the model writes; detaching gives the model's own
 * text back; attaching before a model is loaded waits and applies when one is set.
 */
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spmVocab, TINY_WORDS, tinyLlamaShape, writeRandomGguf } from "../../bench/fixtures/random-gguf.js";
import { writeRandomPeftLora } from "../../bench/fixtures/random-lora.js";
import { tempDir } from "../../test/helpers/temp.js";
import { createEmbedder } from "../embed/create-embedder.js";
import { openRunner } from "../llm/models.js";
import type { Runner } from "../llm/runner.js";
import { convertModule } from "./convert-module.js";
import { openModules } from "./modules.js";

const dir = tempDir("sigla-loader-");
const vocab = spmVocab(TINY_WORDS);
const shape = tinyLlamaShape();
const base = join(dir, "tiny.gguf");

async function generate(model: Runner): Promise<string> {
  let text = "";
  for await (const piece of model.generate("the memory model", { maxTokens: 12 })) text += piece;
  return text;
}

test("a LoRA module attached through the loader changes the model's text; detached, the text comes back", async () => {
  // Plain completion: node-llama-cpp's chat wrapper costs far more than the tiny model itself.
  await writeRandomGguf(base, shape, vocab, { type: "F32", chatTemplate: false });
  await writeRandomPeftLora(join(dir, "peft"), shape, { rank: 8, seed: 5 });
  const archive = join(dir, "style.capsulemod");
  await convertModule(join(dir, "peft"), archive, {
    type: "lora",
    skills: ["style"],
    dtype: "fp16",
    base,
    embedder: await createEmbedder("use-lite"),
  });
  const system = await openModules({ dir: join(dir, "registry") });
  await system.registry.add(archive);
  const pending = await system.loader.attach("style");
  assert.is(pending.attached[0].applied, false, "no model yet: attached, waiting");
  const runner = await openRunner(base, { settings: { threads: 1, contextSize: 512, gpu: false } });
  try {
    await system.loader.setRunner(undefined);
    const plain = await generate(runner);
    await system.loader.setRunner(runner);
    assert.is(system.loader.attached()[0].applied, true, "applied once the model is set");
    const adapted = await generate(runner);
    assert.is.not(adapted, plain, "the adapter changes the output");
    assert.equal(await system.loader.detach("style"), ["style"]);
    assert.is(await generate(runner), plain, "detached: the model's own text again");
    await system.loader.attach("style");
    assert.is(await generate(runner), adapted, "attached again: the same adapted text");
  } finally {
    await system.close();
    await runner.close();
  }
});

test.run();
