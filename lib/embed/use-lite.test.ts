import assert from "node:assert/strict";
import { test } from "uvu";
import { InvalidInputError } from "../errors.js";
import type { Embedder } from "./embedder.js";
import { loadUseLite, useLiteBackend } from "./use-lite.js";

const dot = (a: Float32Array, b: Float32Array) => a.reduce((sum, x, i) => sum + x * b[i], 0);
const maxDiff = (a: Float32Array, b: Float32Array) => Math.max(...a.map((x, i) => Math.abs(x - b[i])));

let shared: Embedder | undefined;
async function embedder(): Promise<Embedder> {
  shared ??= await loadUseLite({ batch: 4 });
  return shared;
}

test("loads without writing to stdout, on onnxruntime", async () => {
  const writes: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    writes.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    const e = await embedder();
    await e.embed(["warm up"]);
  } finally {
    process.stdout.write = write;
  }
  assert.deepEqual(writes, []);
  assert.equal(await useLiteBackend(), "onnxruntime");
});

test("id, dimension and unit-length vectors", async () => {
  const e = await embedder();
  assert.equal(e.id, "use-lite");
  assert.equal(e.dim, 512);
  const [v] = await e.embed(["The quick brown fox jumps over the lazy dog."]);
  assert.ok(v instanceof Float32Array);
  assert.equal(v.length, 512);
  assert.ok(Math.abs(Math.sqrt(dot(v, v)) - 1) < 1e-5);
});

test("deterministic", async () => {
  const e = await embedder();
  const [a] = await e.embed(["Deterministic output, please."]);
  const [b] = await e.embed(["Deterministic output, please."]);
  assert.deepEqual(a, b);
});

test("semantic sanity: bread questions sit near bread recipes", async () => {
  const e = await embedder();
  const [q, recipe, stocks] = await e.embed([
    "How do I bake bread?",
    "Recipe for baking a loaf",
    "The stock market fell today",
  ]);
  assert.ok(dot(q, recipe) > dot(q, stocks) + 0.2, `${dot(q, recipe)} vs ${dot(q, stocks)}`);
});

test("batched equals one-by-one, in input order, across mixed lengths", async () => {
  const e = await embedder();
  const texts = [
    "short",
    "A considerably longer sentence about gardens, rain and the smell of wet soil in spring.",
    "",
    "medium length sentence here",
    "word ".repeat(300),
    "x",
    "Another one",
  ];
  const batched = await e.embed(texts);
  assert.equal(batched.length, texts.length);
  for (let i = 0; i < texts.length; i++) {
    const [single] = await e.embed([texts[i]]);
    assert.ok(maxDiff(batched[i], single) < 1e-5, `text ${i} differs by ${maxDiff(batched[i], single)}`);
  }
});

test("long texts keep their first 128 tokens and embed quickly", async () => {
  const e = await embedder();
  const head = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(40);
  const started = performance.now();
  const [long, longer] = await e.embed([head, head + "tail ".repeat(20_000)]);
  assert.ok(performance.now() - started < 5000);
  assert.ok(maxDiff(long, longer) < 1e-5);
  const [blob] = await e.embed(["🙂".repeat(10_000)]);
  assert.equal(blob.length, 512);
});

test("empty list gives []", async () => {
  const e = await embedder();
  assert.deepEqual(await e.embed([]), []);
});

test("rejects non-string input and bad batch sizes", async () => {
  const e = await embedder();
  await assert.rejects(e.embed([42 as unknown as string]), InvalidInputError);
  await assert.rejects(loadUseLite({ batch: 0 }), InvalidInputError);
});

test.run();
