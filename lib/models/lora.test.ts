import { readdir, readFile, rm, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  type LlamaShape,
  spmVocab,
  TINY_WORDS,
  tinyLlamaShape,
  writeRandomGguf,
} from "../../bench/fixtures/random-gguf.js";
import { writeRandomPeftLora } from "../../bench/fixtures/random-lora.js";
import { tempDir } from "../../test/helpers/temp.js";
import { isSiglaError } from "../errors.js";
import { readGgufHeader } from "../llm/gguf-header.js";
import { gguf, writeGguf } from "../llm/gguf-writer.js";
import { openRunner } from "../llm/models.js";
import type { Runner } from "../llm/runner.js";
import { peftToGgufLora, readLoraAdapter } from "./lora.js";
import { permuteHeads } from "./lora-peft.js";
import { readSafetensors, toFloat32 } from "./safetensors.js";

const dir = tempDir("sigla-lora-");
const vocab = spmVocab(TINY_WORDS);
const shape = tinyLlamaShape();
const base = join(dir, "tiny.gguf");
const peft = join(dir, "peft");
const adapter = join(dir, "adapter.gguf");
// One thread: on a tiny model, llama.cpp's threads spend their time waiting for each other.
const settings = { threads: 1, contextSize: 512, gpu: false as const };
const prompt = "the memory model";
let runner: Runner;
let plain: string;

async function generate(model: Runner): Promise<string> {
  let text = "";
  for await (const piece of model.generate(prompt, { maxTokens: 12 })) text += piece;
  return text;
}

async function code(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (error) {
    assert.ok(isSiglaError(error), `untyped error: ${error}`);
    return `${error.code}: ${error.message}`;
  }
  return "no error";
}

test.before(async () => {
  // Plain completion: node-llama-cpp's chat wrapper costs far more than the tiny model itself.
  await writeRandomGguf(base, shape, vocab, { type: "F32", chatTemplate: false });
  await writeRandomPeftLora(peft, shape, { rank: 8, seed: 3 });
  runner = await openRunner(base, { settings });
  plain = await generate(runner);
});

test.after(async () => {
  await runner.close();
});

test("q/k rows are permuted as llama.cpp's converter does: per head, rotary pairs interleaved", () => {
  const rows = Float32Array.from({ length: 8 }, (_, i) => i);
  assert.equal([...permuteHeads(rows, 8, 1, 2)], [0, 2, 1, 3, 4, 6, 5, 7]);
  assert.equal([...permuteHeads(rows, 8, 1, 1)], [0, 4, 1, 5, 2, 6, 3, 7]);
});

test("a PEFT adapter converts against its base; attaching it changes the output, detaching restores it", async () => {
  const info = await peftToGgufLora(peft, adapter, { dtype: "int8", base });
  assert.equal(info, {
    architecture: "llama",
    alpha: 16,
    rank: 8,
    tensors: 16,
    targets: ["attn_k", "attn_output", "attn_q", "attn_v"],
    bytes: info.bytes,
  });
  assert.equal(await readLoraAdapter(adapter), info);
  const types = new Map((await readGgufHeader(adapter)).tensors.map((t) => [t.name, t.type]));
  assert.is(types.get("blk.0.attn_q.weight.lora_a"), 8, "rows of 64 are Q8_0");
  assert.is(types.get("blk.0.attn_q.weight.lora_b"), 1, "rows of 8 (the rank) stay F16");
  assert.equal((await readdir(dir)).sort(), ["adapter.gguf", "peft", "tiny.gguf"], "no temp file left");

  assert.ok(plain.split(" ").length >= 6, plain);
  await runner.setAdapters?.([{ path: adapter }]);
  const adapted = await generate(runner);
  assert.is.not(adapted, plain);
  await runner.setAdapters?.([]);
  assert.is(await generate(runner), plain);
});

/** `base` with `s·P(B)·A` added to each adapted weight, P the head permutation written independently. */
async function mergedModel(out: string, alpha: number, permute: boolean): Promise<void> {
  const bytes = await readFile(base);
  const header = await readGgufHeader(base);
  const { tensors } = await readSafetensors(join(peft, "adapter_model.safetensors"));
  const find = (name: string) => toFloat32(tensors.find((t) => t.name === name) as (typeof tensors)[number]);
  const modules = { q_proj: "attn_q", k_proj: "attn_k", v_proj: "attn_v", o_proj: "attn_output" };
  for (let layer = 0; layer < shape.layers; layer++) {
    for (const [hf, name] of Object.entries(modules)) {
      const prefix = `base_model.model.model.layers.${layer}.self_attn.${hf}`;
      const a = find(`${prefix}.lora_A.weight`);
      const b = find(`${prefix}.lora_B.weight`);
      const rank = a.length / shape.hidden;
      const outputs = b.length / rank;
      const heads = hf === "q_proj" ? shape.heads : shape.kvHeads;
      const headRows = outputs / heads;
      const tensor = header.tensors.find((t) => t.name === `blk.${layer}.${name}.weight`);
      const at = header.dataOffset + (tensor?.offset ?? Number.NaN);
      const weights = new Float32Array(bytes.buffer, bytes.byteOffset + at, outputs * shape.hidden);
      for (let row = 0; row < outputs; row++) {
        // Python: w.reshape(heads, 2, d/2, in).swapaxes(1, 2): new (h, i, j) holds old (h, j, i).
        const h = Math.floor(row / headRows);
        const within = row % headRows;
        const from =
          permute && hf.match(/^[qk]_/)
            ? h * headRows + (within % 2) * (headRows / 2) + Math.floor(within / 2)
            : row;
        for (let col = 0; col < shape.hidden; col++) {
          let delta = 0;
          for (let k = 0; k < rank; k++) delta += b[from * rank + k] * a[k * shape.hidden + col];
          weights[row * shape.hidden + col] += (alpha / rank) * delta;
        }
      }
    }
  }
  await writeFile(out, bytes);
}

test("the adapter computes what the weights merged by hand compute (q/k permutation included)", async () => {
  const exact = join(dir, "exact.gguf");
  await peftToGgufLora(peft, exact, { dtype: "fp32", base });
  await runner.setAdapters?.([{ path: exact }]);
  const adapted = await generate(runner);
  await runner.setAdapters?.([]);
  const merged = join(dir, "merged.gguf");
  const unpermuted = join(dir, "unpermuted.gguf");
  await mergedModel(merged, 16, true);
  await mergedModel(unpermuted, 16, false);
  for (const [path, same] of [
    [merged, true],
    [unpermuted, false],
  ] as const) {
    const other = await openRunner(path, { settings });
    try {
      const text = await generate(other);
      assert.is(text === adapted, same, `${path}: ${text} vs ${adapted}`);
    } finally {
      await other.close();
    }
  }
  await rm(exact);
});

test("setAdapters waits for a running generation; a detached adapter is unloaded (a changed file loads anew)", async () => {
  const copy = join(dir, "swapped.gguf");
  await peftToGgufLora(peft, copy, { dtype: "fp16", base });
  const running = generate(runner);
  await runner.setAdapters?.([{ path: copy }]);
  assert.is(await running, plain, "the generation started before the swap ran without the adapter");
  const first = await generate(runner);
  await runner.setAdapters?.([]);
  const other = join(dir, "peft-other");
  await writeRandomPeftLora(other, shape, { rank: 8, seed: 9 });
  await peftToGgufLora(other, copy, { dtype: "fp16", base });
  await runner.setAdapters?.([{ path: copy }]);
  const second = await generate(runner);
  assert.is.not(
    second,
    first,
    "node-llama-cpp would reuse the adapter it kept for this path had it not been released",
  );
  await runner.setAdapters?.([]);
});

test("without --base an adapter of q/k is refused; one of v/o converts for llama", async () => {
  assert.match(
    await code(peftToGgufLora(peft, join(dir, "nobase.gguf"), { dtype: "fp16" })),
    /SIGLA_INVALID_INPUT.*--base/,
  );
  const vo = join(dir, "peft-vo");
  await writeRandomPeftLora(vo, shape, { rank: 4, targets: ["v_proj", "o_proj", "down_proj"] });
  const info = await peftToGgufLora(vo, join(dir, "vo.gguf"), { dtype: "fp16" });
  assert.equal([info.architecture, info.targets], ["llama", ["attn_output", "attn_v", "ffn_down"]]);
  await runner.setAdapters?.([{ path: join(dir, "vo.gguf") }]);
  assert.is.not(await generate(runner), plain);
  await runner.setAdapters?.([]);
});

test("damaged adapters, foreign bases and whole models are clear errors; the runner keeps working", async () => {
  const damaged = join(dir, "peft-damaged");
  await writeRandomPeftLora(damaged, shape, { rank: 4 });
  await truncate(join(damaged, "adapter_model.safetensors"), 1000);
  const out = join(dir, "damaged.gguf");
  assert.match(
    await code(peftToGgufLora(damaged, out, { dtype: "int8", base })),
    /SIGLA_MODULE_INVALID.*adapter_model\.safetensors.*truncated/,
  );
  assert.match(
    await code(peftToGgufLora(join(dir, "absent"), out, { dtype: "int8", base })),
    /SIGLA_MODULE_NOT_FOUND/,
  );

  const wideShape: LlamaShape = { ...shape, hidden: 96, heads: 6, kvHeads: 3 };
  const wide = join(dir, "wide.gguf");
  await writeRandomGguf(wide, wideShape, vocab);
  assert.match(
    await code(peftToGgufLora(peft, out, { dtype: "int8", base: wide })),
    /SIGLA_MODULE_INVALID.*64 → 64.*\[96, 96\]/,
  );
  const widePeft = join(dir, "peft-wide");
  await writeRandomPeftLora(widePeft, wideShape, { rank: 4 });
  const wideAdapter = join(dir, "wide-adapter.gguf");
  await peftToGgufLora(widePeft, wideAdapter, { dtype: "int8", base: wide });
  const qwen = join(dir, "qwen.gguf");
  await writeRandomGguf(qwen, { ...shape, architecture: "qwen2" }, vocab);
  const qwenAdapter = join(dir, "qwen-adapter.gguf");
  assert.is((await peftToGgufLora(peft, qwenAdapter, { dtype: "int8", base: qwen })).architecture, "qwen2");
  assert.equal(
    (await readdir(dir)).filter((f) => f.startsWith("damaged") || f.includes("partial")),
    [],
    "nothing half-written",
  );

  const halfPair = join(dir, "half.gguf");
  await writeGguf(
    halfPair,
    {
      "general.architecture": "llama",
      "general.type": "adapter",
      "adapter.type": "lora",
      "adapter.lora.alpha": gguf.f32(8),
    },
    [{ name: "blk.0.attn_q.weight.lora_a", dims: [64, 4], type: "F32", values: () => new Float32Array(256) }],
  );
  const truncated = join(dir, "truncated.gguf");
  await writeFile(
    truncated,
    (await readFile(adapter)).subarray(0, (await readGgufHeader(adapter)).dataOffset + 16),
  );
  const refusals: [string, RegExp][] = [
    [base, /a whole llama model, not a LoRA adapter/],
    [halfPair, /lora_b missing/],
    [truncated, /truncated/],
    [wideAdapter, /\[64, 64\] in .*tiny\.gguf; the adapter's pair makes \[96, 96\]/],
    [qwenAdapter, /for qwen2 models; .*tiny\.gguf is llama/],
    [join(dir, "absent.gguf"), /SIGLA_MODULE_NOT_FOUND/],
  ];
  for (const [path, problem] of refusals) {
    const message = await code(runner.setAdapters?.([{ path }]) ?? Promise.resolve());
    assert.match(message, problem, path);
    assert.match(message, path);
  }
  assert.match(await code(readLoraAdapter(base)), /SIGLA_MODULE_INVALID.*not a LoRA adapter/);
  assert.match(
    await code(runner.setAdapters?.([{ path: adapter }, { path: adapter }]) ?? Promise.resolve()),
    /listed twice/,
  );
  assert.is(await generate(runner), plain, "the runner goes on with the base model");
});

test.run();
