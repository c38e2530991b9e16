import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { bertConfigToHf, buildBertModel, randomBertWeights } from "../../bench/fixtures/bert-graph.js";
import { writeTinyOnnxModel } from "../../bench/fixtures/random-onnx.js";
import { codeOf } from "../../test/helpers/errors.js";
import { tempDir } from "../../test/helpers/temp.js";
import { MINILM_VOCAB_TOY_BERT, tinyBertVocab, writeBertTokenizer } from "../../test/helpers/tiny-bert.js";
import { causalFidelity, encoderFidelity, FIDELITY_PROMPTS, FIDELITY_SENTENCES } from "./fidelity.js";
import { quantizeOnnx } from "./quantize.js";

const CONFIG = MINILM_VOCAB_TOY_BERT;
const TOKENIZER_FILES = ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt"];
const root = tempDir("sigla-fidelity-");

/** A BERT folder in the transformers.js layout with a generated WordPiece tokenizer (ids within the vocabulary). */
async function writeBertFolder(dir: string, model: Uint8Array): Promise<void> {
  await mkdir(join(dir, "onnx"), { recursive: true });
  await writeFile(join(dir, "config.json"), JSON.stringify(bertConfigToHf(CONFIG, "toy-bert")));
  await writeBertTokenizer(dir, tinyBertVocab(), CONFIG.maxPositions);
  await writeFile(join(dir, "onnx", "model.onnx"), model);
}

/** A copy of the model folder `from` whose onnx/model.onnx is quantised to `bits`. */
async function quantizedCopy(from: string, to: string, bits: 8 | 16): Promise<void> {
  await mkdir(join(to, "onnx"), { recursive: true });
  for (const file of ["config.json", "generation_config.json", "tokenizer_config.json", ...TOKENIZER_FILES]) {
    await copyFile(join(from, file), join(to, file)).catch(() => undefined);
  }
  const { bytes } = quantizeOnnx(await readFile(join(from, "onnx", "model.onnx")), bits);
  await writeFile(join(to, "onnx", "model.onnx"), bytes);
}

const bert = join(root, "bert");
const otherBert = join(root, "bert-other");
const lm = join(root, "lm");
const otherLm = join(root, "lm-other");

test.before(async () => {
  await writeBertFolder(bert, buildBertModel(CONFIG, randomBertWeights(CONFIG, { seed: 11 })));
  await writeBertFolder(otherBert, buildBertModel(CONFIG, randomBertWeights(CONFIG, { seed: 12 })));
  await writeTinyOnnxModel(lm, { seed: 1 });
  await writeTinyOnnxModel(otherLm, { seed: 2 });
  for (const bits of [8, 16] as const) {
    await quantizedCopy(bert, `${bert}-q${bits}`, bits);
    await quantizedCopy(lm, `${lm}-q${bits}`, bits);
  }
});

test("the fixed sets hold about eight distinct entries each", () => {
  for (const set of [FIDELITY_SENTENCES, FIDELITY_PROMPTS]) {
    assert.ok(set.length >= 6 && new Set(set).size === set.length);
  }
});

test("a quantised toy BERT loads in transformers.js and embeds like the original (8 and 16 bits)", async () => {
  for (const bits of [8, 16]) {
    const { minCosine, meanCosine } = await encoderFidelity(bert, `${bert}-q${bits}`, FIDELITY_SENTENCES);
    assert.ok(minCosine >= 0.99, `${bits} bits: min cosine ${minCosine}`);
    assert.ok(meanCosine >= minCosine && meanCosine <= 1 + 1e-6);
  }
  // The measure tells models apart: other weights are far below the bar.
  const other = await encoderFidelity(bert, otherBert, FIDELITY_SENTENCES);
  assert.ok(other.minCosine < 0.9, `unrelated model: min cosine ${other.minCosine}`);
});

test("a quantised tiny causal LM picks the original's greedy tokens (8 and 16 bits)", async () => {
  for (const bits of [8, 16]) {
    const { agreement, positions } = await causalFidelity(lm, `${lm}-q${bits}`, FIDELITY_PROMPTS, 8);
    assert.ok(positions >= FIDELITY_PROMPTS.length, `${bits} bits: ${positions} positions`);
    assert.ok(agreement >= 0.9, `${bits} bits: agreement ${agreement}`);
  }
  const other = await causalFidelity(lm, otherLm, FIDELITY_PROMPTS, 8);
  assert.ok(other.agreement < 0.5, `unrelated model: agreement ${other.agreement}`);
});

test("a missing folder and bad arguments give clear errors", async () => {
  assert.is(
    await codeOf(encoderFidelity(bert, join(root, "absent"), FIDELITY_SENTENCES)),
    "SIGLA_MODEL_LOAD",
  );
  assert.is(await codeOf(causalFidelity(join(root, "absent"), lm, FIDELITY_PROMPTS, 4)), "SIGLA_MODEL_LOAD");
  assert.is(await codeOf(causalFidelity(lm, lm, FIDELITY_PROMPTS, 0)), "SIGLA_INVALID_INPUT");
  assert.is(await codeOf(encoderFidelity(bert, bert, [])), "SIGLA_INVALID_INPUT");
});

test.run();
