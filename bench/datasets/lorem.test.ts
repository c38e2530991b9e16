/**
 * The lorem corpus's chunked embedding cache: a size reads the first rows of a larger size's chunk, a run
 * writes its chunk only when it is whole, a damaged chunk is named, an abort leaves nothing behind.
 */
import { readdirSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadTransformersEmbedder } from "../../lib/embed/transformers.js";
import { tempDir } from "../../test/helpers/temp.js";
import { writeTinyBert } from "../../test/helpers/tiny-bert.js";
import { LOREM_CHUNK, loremCorpus, loremParagraphs, loremRowsMissing, loremVectors } from "./lorem.js";

const DIM = 384;
/** A tiny 384-d BERT written here: the cache logic under test does not need the MiniLM-shape model. */
const tinyDir = join(tempDir("sigla-lorem-tiny-"), "tiny-bert");
const embedder = () =>
  loadTransformersEmbedder("tiny-bert", {
    modelDir: tinyDir,
    cacheDir: tempDir("sigla-lorem-model-cache-"),
    dtype: "q8",
    batch: 8,
    allowRemote: false,
  });

test.before(async () => {
  await writeTinyBert(tinyDir, { hiddenSize: DIM, numHeads: 4, intermediateSize: 128 });
});

test("the corpus of n paragraphs is the first n of any larger corpus", () => {
  const big = loremCorpus(50, 9);
  assert.equal(loremCorpus(20, 9), big.slice(0, 20));
  const stream = loremParagraphs(9);
  assert.is(stream.next().value, big[0]);
  assert.not.equal(loremCorpus(5, 10), big.slice(0, 5), "another seed, another corpus");
});

test("a smaller size reads its rows from a whole chunk without embedding anything", async () => {
  const dir = tempDir("sigla-lorem-chunks-");
  const whole = new Float32Array(LOREM_CHUNK * DIM);
  for (let i = 0; i < whole.length; i++) whole[i] = i % 977;
  writeFileSync(join(dir, "s9-rows-0000000-0010000.f32"), whole);
  assert.is(loremRowsMissing(30, dir), 0);
  assert.is(loremRowsMissing(LOREM_CHUNK + 5, dir), 5, "the next chunk is missing");
  const vectors = await loremVectors(30, { cacheDir: dir });
  assert.equal([...vectors.subarray(0, 5)], [0, 1, 2, 3, 4]);
  assert.is(vectors[30 * DIM - 1], (30 * DIM - 1) % 977);
});

test("missing rows are embedded, written as one chunk, and read back the same", async () => {
  const dir = tempDir("sigla-lorem-embed-");
  const progress: number[] = [];
  const vectors = await loremVectors(12, {
    cacheDir: dir,
    embedder,
    onProgress: (done) => progress.push(done),
  });
  assert.equal(readdirSync(dir), ["s9-rows-0000000-0000012.f32"]);
  assert.is(statSync(join(dir, "s9-rows-0000000-0000012.f32")).size, 12 * DIM * 4);
  assert.equal(progress, [12]);
  let norm = 0;
  for (let d = 0; d < DIM; d++) norm += vectors[d] * vectors[d];
  assert.ok(Math.abs(norm - 1) < 1e-3, "unit vectors");
  assert.equal(await loremVectors(12, { cacheDir: dir, embedder }), vectors);

  truncateSync(join(dir, "s9-rows-0000000-0000012.f32"), 100);
  try {
    await loremVectors(12, { cacheDir: dir, embedder });
    assert.unreachable("a short chunk is refused");
  } catch (error) {
    assert.match((error as Error).message, /s9-rows-0000000-0000012\.f32 holds 100 bytes/);
  }
});

test("an abort stops the embedding and leaves no chunk", async () => {
  const dir = tempDir("sigla-lorem-abort-");
  const controller = new AbortController();
  controller.abort();
  try {
    await loremVectors(12, { cacheDir: dir, embedder, signal: controller.signal });
    assert.unreachable("aborted");
  } catch (error) {
    assert.is((error as { code?: string }).code, "SIGLA_CANCELLED");
  }
  assert.equal(readdirSync(dir), []);
});

test.run();
