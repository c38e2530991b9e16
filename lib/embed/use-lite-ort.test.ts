/**
 * The ONNX Runtime path of use-lite against the TF.js graph it replaces: same token ids, same vectors
 * (cosine ≥ 0.999, in practice 1.0000), batches equal to single texts, and damaged model files refused
 * with a typed error that names the file.
 */
import assert from "node:assert/strict";
import { copyFile, mkdtemp, readFile, rm, symlink, truncate, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import { EmbedderError } from "../errors.js";
import { seededRandom } from "../random.js";
import { loadUseLite } from "./use-lite.js";
import { packagedModelDir, readUseLiteFiles } from "./use-lite-files.js";
import { UseLiteTokenizer } from "./use-lite-tokenizer.js";

const dot = (a: Float32Array, b: Float32Array) => a.reduce((sum, x, i) => sum + x * b[i], 0);
const maxDiff = (a: Float32Array, b: Float32Array) => Math.max(...a.map((x, i) => Math.abs(x - b[i])));

/** The fixed set: short and long (> 128 tokens), punctuation, digits, non-Latin, unknown symbols, blank. */
const SENTENCES = [
  "The quick brown fox jumps over the lazy dog.",
  "How do I bake bread?",
  "Recipe for baking a loaf",
  "The stock market fell 3.2% today, its worst day since 2020-03-16.",
  "Call +1 (555) 010-9999 or write to ops@example.org — ASAP!!!",
  "Ünïcödé façade, naïve café; Straße über Köln.",
  "日本語のテキストと漢字",
  "Привет, как дела? Всё хорошо.",
  "مرحبا بالعالم",
  "Emoji 🙂🎉 in the middle 🚀 of text",
  "x\u0000y\ttab\nnewline",
  "   ",
  "",
  "a",
  "!!!???...,,,;;;:::",
  "0123456789 3.14159 2.71828 1e-9 0xFF",
  "`const x = await fetch(url); // TODO: handle errors`",
  "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(30),
  "SIGLA stores capsules in LanceDB and links them by similarity. ".repeat(12) + "🙂".repeat(200),
  "word ".repeat(400),
];

let reference: Promise<Awaited<ReturnType<typeof loadUseLite>>> | undefined;
const tfjs = () => {
  reference ??= loadUseLite({ runtime: "tfjs", batch: 8 });
  return reference;
};

test("the tokenizer gives the package tokenizer's ids, on the fixed set and on seeded random text", async () => {
  const { vocabulary } = await readUseLiteFiles();
  const require = createRequire(import.meta.url);
  const { EmbeddingsModel } = require("@energetic-ai/embeddings") as {
    EmbeddingsModel: new (data: {
      vocabulary: unknown;
      model: null;
    }) => { tokenizer: { encode(t: string): number[] } };
  };
  const vocabJson = JSON.parse(await readFile(join(packagedModelDir(), "vocab.json"), "utf8"));
  const theirs = new EmbeddingsModel({ vocabulary: vocabJson, model: null }).tokenizer;
  const ours = new UseLiteTokenizer(vocabulary);
  const random = seededRandom(14);
  const alphabet = [
    ..."abcdefghijklmnopqrstuvwxyz ABCXYZ0123456789.,:;!?'\"()-_/\\ \t\n€éßü日本語🙂\u0000\ud800:)",
  ];
  const pieces = vocabulary.slice(6, 600).map(([piece]) => piece.replaceAll("\u2581", " "));
  const texts = [...SENTENCES];
  for (let i = 0; i < 300; i++) {
    let text = "";
    const parts = 1 + Math.floor(random() * 40);
    for (let j = 0; j < parts; j++) {
      text +=
        random() < 0.6
          ? pieces[Math.floor(random() * pieces.length)]
          : alphabet[Math.floor(random() * alphabet.length)];
    }
    texts.push(text);
  }
  for (const text of texts) assert.deepEqual(ours.encode(text), theirs.encode(text), JSON.stringify(text));
});

test("ONNX Runtime and TF.js give the same vectors (cosine ≥ 0.999) on the fixed set", async () => {
  const onnx = await loadUseLite({ batch: 8 });
  const [a, b] = [await onnx.embed(SENTENCES), await (await tfjs()).embed(SENTENCES)];
  SENTENCES.forEach((text, i) => {
    const cosine = dot(a[i], b[i]);
    assert.ok(cosine >= 0.999, `cosine ${cosine} for ${JSON.stringify(text.slice(0, 40))}`);
    assert.ok(Math.abs(Math.sqrt(dot(a[i], a[i])) - 1) < 1e-5);
  });
});

test("batched equals one by one, across calls the runtime splits by padded width", async () => {
  const onnx = await loadUseLite({ batch: 64 });
  // 20 texts, several of 128 tokens: more than one runtime call of at most 2048 padded tokens.
  const batched = await onnx.embed(SENTENCES);
  for (let i = 0; i < SENTENCES.length; i++) {
    const [single] = await onnx.embed([SENTENCES[i]]);
    assert.ok(maxDiff(batched[i], single) < 1e-5, `text ${i} differs by ${maxDiff(batched[i], single)}`);
  }
});

/** A copy of the packaged model folder (shards linked, not copied) that `damage` may change. */
async function withModelCopy(damage: (dir: string) => Promise<void>, check: (dir: string) => Promise<void>) {
  const source = packagedModelDir();
  const dir = await mkdtemp(join(tmpdir(), "sigla-use-lite-"));
  try {
    const manifest = JSON.parse(await readFile(join(source, "model.json"), "utf8"));
    for (const path of manifest.weightsManifest[0].paths) await symlink(join(source, path), join(dir, path));
    await copyFile(join(source, "model.json"), join(dir, "model.json"));
    await copyFile(join(source, "vocab.json"), join(dir, "vocab.json"));
    await damage(dir);
    await check(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function rejectsNaming(promise: Promise<unknown>, file: RegExp, why: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof EmbedderError, `expected an EmbedderError, got ${String(error)}`);
    assert.equal(error.code, "SIGLA_MODEL_LOAD");
    assert.match(error.message, file);
    assert.match(error.message, why);
    return true;
  });
}

test("a truncated weight shard is refused, naming the shard", async () => {
  await withModelCopy(
    async (dir) => {
      const shard = join(dir, "group1-shard7of7");
      await rm(shard);
      await copyFile(join(packagedModelDir(), "group1-shard7of7"), shard);
      await truncate(shard, 1000);
    },
    (dir) => rejectsNaming(loadUseLite({ modelDir: dir }), /group1-shard7of7/, /bytes/),
  );
});

test("missing or unreadable files are refused, naming the file", async () => {
  await withModelCopy(
    (dir) => rm(join(dir, "vocab.json")),
    (dir) => rejectsNaming(loadUseLite({ modelDir: dir }), /vocab\.json/, /missing/),
  );
  await withModelCopy(
    (dir) => writeFile(join(dir, "model.json"), "{ not json"),
    (dir) => rejectsNaming(loadUseLite({ modelDir: dir }), /model\.json/, /not valid JSON/),
  );
  await withModelCopy(
    (dir) => rm(join(dir, "group1-shard3of7")),
    (dir) => rejectsNaming(loadUseLite({ modelDir: dir }), /group1-shard3of7/, /missing/),
  );
});

test("a model of another shape is refused, naming the weight", async () => {
  await withModelCopy(
    async (dir) => {
      const file = join(dir, "model.json");
      const model = JSON.parse(await readFile(file, "utf8"));
      const entry = model.weightsManifest[0].weights.find(
        (w: { name: string }) => w.name === "module/Embeddings_en",
      );
      entry.name = "module/Embeddings_xx";
      await writeFile(file, JSON.stringify(model));
    },
    (dir) => rejectsNaming(loadUseLite({ modelDir: dir }), /model\.json/, /Embeddings_en/),
  );
});

test("the TF.js reference is refused the same way when its files are missing", async () => {
  const dir = await mkdtemp(join(tmpdir(), "sigla-use-lite-"));
  try {
    await rejectsNaming(loadUseLite({ runtime: "tfjs", modelDir: dir }), new RegExp(dir), /TF\.js/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
