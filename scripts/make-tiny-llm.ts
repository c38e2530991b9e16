/**
 * Writes the tiny random-weight language models the tests use, for trying the runner by hand:
 * `<dir>/tiny.gguf` (a two-layer llama with a word vocabulary and the ChatML template, Q8_0, ≈ 0.2 MB)
 * `<dir>/tiny-onnx/` (an ONNX causal LM folder for the transformers.js backend) and `<dir>/tiny-lora/` (a
 * PEFT LoRA adapter for tiny.gguf, to try `sigla converter-mod`). All are written in TypeScript, with
 * nothing downloaded.
 *
 *   npm run make:tiny-llm -- <dir> [--type Q8_0|Q4_0|F16|F32] [--no-chat-template]
 *   npx sigla run <dir>/tiny.gguf --prompt "the memory model" --max-tokens 20
 *   npx sigla convert <dir>/tiny-onnx <dir>/tiny.capsulegraph --bits 8
 *   npx sigla converter-mod <dir>/tiny-lora <dir>/tiny-lora.capsulemod --type lora --skills demo --base <dir>/tiny.gguf
 */
import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { tinyLlamaShape, writeTinyGguf } from "../bench/fixtures/random-gguf.js";
import { writeRandomPeftLora } from "../bench/fixtures/random-lora.js";
import { writeTinyOnnxModel } from "../bench/fixtures/random-onnx.js";
import type { GgmlTypeName } from "../lib/llm/gguf-format.js";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    type: { type: "string", default: "Q8_0" },
    "no-chat-template": { type: "boolean", default: false },
    seed: { type: "string", default: "1" },
  },
});
const types = ["Q8_0", "Q4_0", "F16", "F32"];
if (positionals.length !== 1 || !types.includes(values.type as string)) {
  console.error(`usage: npm run make:tiny-llm -- <dir> [--type ${types.join("|")}] [--no-chat-template]`);
  process.exit(2);
}
const dir = resolve(positionals[0]);
await mkdir(dir, { recursive: true });
const started = performance.now();
await writeTinyGguf(join(dir, "tiny.gguf"), {
  type: values.type as GgmlTypeName,
  chatTemplate: !values["no-chat-template"],
  seed: Number(values.seed),
});
await writeTinyOnnxModel(join(dir, "tiny-onnx"), { seed: Number(values.seed) });
await writeRandomPeftLora(join(dir, "tiny-lora"), tinyLlamaShape(), { rank: 8, seed: Number(values.seed) });
console.log(
  `wrote ${join(dir, "tiny.gguf")}, ${join(dir, "tiny-onnx")}/ and ${join(dir, "tiny-lora")}/ in ${Math.round(performance.now() - started)} ms`,
);
