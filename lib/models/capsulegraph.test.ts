/**
 * `.capsulegraph` end to end on generated models: a causal LM and an encoder converted at 8 and 16 bits,
 * loaded back (unpacked once into the cache, every file checked), run; damaged and tampered archives,
 * incomplete folders and a cancelled conversion leave nothing behind.
 */
import { mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { writeTinyOnnxModel } from "../../bench/fixtures/random-onnx.js";
import { codeOf } from "../../test/helpers/errors.js";
import { tempDir } from "../../test/helpers/temp.js";
import { writeTinyBert } from "../../test/helpers/tiny-bert.js";
import { packArchive, unpackArchive } from "./archive.js";
import { convertToCapsuleGraph } from "./capsulegraph.js";
import { loadCapsuleGraph, unpackCapsuleGraph } from "./load-capsulegraph.js";
import { runCapsuleGraph } from "./run-capsulegraph.js";

const root = tempDir("sigla-capsulegraph-");
const lm = join(root, "tiny-lm");
const bert = join(root, "tiny-bert");
const cache = join(root, "cache");

test.before(async () => {
  await writeTinyOnnxModel(lm);
  await writeTinyBert(bert);
});

test("a causal LM converts (8-bit), loads with its token store and generates like the original", async () => {
  const out = join(root, "lm8.capsulegraph");
  const steps = new Set<string>();
  const { meta, bytes } = await convertToCapsuleGraph(lm, out, {
    quantBits: 8,
    onProgress: (s) => steps.add(s),
  });
  assert.is(meta.kind, "causal");
  assert.is(meta.bits, 8);
  assert.ok(meta.sizes.quantized < meta.sizes.original * 0.4, JSON.stringify(meta.sizes));
  assert.ok(meta.fidelity.value >= 0.9, `greedy agreement ${meta.fidelity.value}`);
  assert.is(meta.tokens, meta.vocabulary);
  assert.ok(steps.has("token capsules") && steps.has("quantise"), [...steps].join(", "));
  assert.is((await stat(out)).size, bytes);
  for (const file of ["meta.json", "token_caps.json", "model/onnx/model.onnx", "model/tokenizer.json"]) {
    assert.ok(file === "meta.json" || meta.sha256[file], `sha256 of ${file}`);
  }
  const graph = await loadCapsuleGraph(out, { cacheDir: cache });
  try {
    assert.is(graph.model.kind, "causal");
    assert.is(await graph.tokenStore.count(), meta.tokens);
    const [token] = await graph.tokenStore.list({ where: "array_has(tags, 'token')", limit: 1 });
    assert.ok(token, "token capsules are tagged token");
    assert.equal(graph.tokenStore.vectorOf(token.id)?.length, meta.dim);
  } finally {
    await graph.close();
  }
  const run = await runCapsuleGraph(out, { prompt: "the vector store", maxTokens: 8, cacheDir: cache });
  assert.is(run.kind, "causal");
  assert.ok((run.text ?? "").trim().split(/\s+/).length >= 4, JSON.stringify(run.text));
  assert.is(run.nearestTokens.length, 5);
  assert.equal(
    await readdir(cache)
      .then((names) => names.filter((n) => !n.startsWith(".")))
      .then((n) => n.length),
    1,
    "unpacked once",
  );
});

test("an encoder converts (16-bit, trimmed vocabulary) and embeds like the original", async () => {
  const out = join(root, "bert16.capsulegraph");
  const { meta } = await convertToCapsuleGraph(bert, out, { quantBits: 16, maxTokens: 50 });
  assert.is(meta.kind, "encoder");
  assert.is(meta.tokens, 50);
  assert.ok(meta.vocabulary > 50);
  assert.ok(meta.fidelity.value >= 0.99, `cosine ${meta.fidelity.value}`);
  assert.ok(meta.sizes.ratio < 0.6, `ratio ${meta.sizes.ratio}`);
  const tokens = JSON.parse(
    await readFile(join((await unpackCapsuleGraph(out, { cacheDir: cache })).dir, "token_caps.json"), "utf8"),
  );
  assert.is(tokens.length, 50);
  const run = await runCapsuleGraph(out, { prompt: "memory for agents", cacheDir: cache });
  assert.is(run.kind, "encoder");
  assert.ok(run.embedding && run.embedding.length > 0);
  const norm = Math.hypot(...(run.embedding ?? []));
  assert.ok(Math.abs(norm - 1) < 1e-3, `unit vector, norm ${norm}`);
});

test("an incomplete model folder and bad options are refused before anything is written", async () => {
  const partial = join(root, "partial");
  await mkdir(partial, { recursive: true });
  await writeFile(join(partial, "config.json"), "{}");
  const out = join(root, "never.capsulegraph");
  assert.is(await codeOf(convertToCapsuleGraph(partial, out)), "SIGLA_MODEL_INVALID");
  assert.is(await codeOf(convertToCapsuleGraph(lm, out, { quantBits: 4 as 8 })), "SIGLA_INVALID_INPUT");
  assert.is(await codeOf(convertToCapsuleGraph(lm, out, { maxTokens: 0 })), "SIGLA_INVALID_INPUT");
  assert.not.ok(await stat(out).catch(() => undefined));
});

test("Ctrl-C during a conversion leaves no archive and no temporary folder", async () => {
  const out = join(root, "cancelled.capsulegraph");
  const controller = new AbortController();
  const code = await codeOf(
    convertToCapsuleGraph(lm, out, {
      signal: controller.signal,
      onProgress: (step) => {
        if (step === "quantise") controller.abort();
      },
    }),
  );
  assert.is(code, "SIGLA_CANCELLED");
  assert.not.ok(await stat(out).catch(() => undefined));
  const left = (await readdir(root)).filter((n) => n.startsWith("cancelled"));
  assert.equal(left, []);
});

test("a damaged or tampered archive is refused and nothing stays in the cache", async () => {
  const good = join(root, "lm8.capsulegraph");
  const bytes = await readFile(good);
  const cut = join(root, "cut.capsulegraph");
  await writeFile(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
  const fresh = join(root, "cache-bad");
  assert.match(await codeOf(loadCapsuleGraph(cut, { cacheDir: fresh })), /^SIGLA_ARCHIVE_/);
  // A file changed after conversion: the archive is whole, the manifest's sha256 no longer matches.
  const unpacked = join(root, "tamper");
  await unpackArchive(good, unpacked);
  await writeFile(join(unpacked, "token_caps.json"), "[]\n");
  const tampered = join(root, "tampered.capsulegraph");
  await packArchive(unpacked, tampered, { compression: "gzip" });
  assert.is(await codeOf(loadCapsuleGraph(tampered, { cacheDir: fresh })), "SIGLA_ARCHIVE_INVALID");
  assert.equal(await readdir(fresh), [], "no folder is left in the cache");
  await rm(unpacked, { recursive: true });
});

test.run();
