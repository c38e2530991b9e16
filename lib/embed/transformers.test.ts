import { readFile, stat } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { tempDir } from "../../test/helpers/temp.js";
import { type TinyBert, writeTinyBert } from "../../test/helpers/tiny-bert.js";
import { isSiglaError } from "../errors.js";
import { dot } from "../math/vectors.js";
import type { Embedder } from "./embedder.js";
import { loadTransformersEmbedder, type TransformersOptions } from "./transformers.js";

let tiny: TinyBert;
const open: Embedder[] = [];

test.before(async () => {
  tiny = await writeTinyBert(join(tempDir("sigla-tiny-bert-"), "tiny-bert"));
});

test.after(async () => {
  for (const embedder of open) await embedder.close?.();
});

async function load(model: string, options: Partial<TransformersOptions> = {}): Promise<Embedder> {
  const embedder = await loadTransformersEmbedder(model, {
    cacheDir: tempDir("sigla-model-cache-"),
    dtype: "q8",
    batch: 4,
    allowRemote: false,
    ...options,
  });
  open.push(embedder);
  return embedder;
}

const local = (options: Partial<TransformersOptions> = {}) =>
  load("tiny-bert", { modelDir: tiny.dir, ...options });

/** Runs `fn`, expecting a SiglaError with `code`; returns it and the time it took. */
async function failure(fn: () => Promise<unknown>, code: string): Promise<{ error: Error; ms: number }> {
  const started = performance.now();
  try {
    await fn();
  } catch (error) {
    const ms = performance.now() - started;
    assert.ok(isSiglaError(error), `a SiglaError, got ${String(error)}`);
    assert.is((error as { code: string }).code, code, (error as Error).message);
    return { error: error as Error, ms };
  }
  assert.unreachable(`expected ${code}`);
  throw new Error("unreachable");
}

/**
 * A stand-in hub serving the tiny model at /<repo>/resolve/main/<file>; counts requests. With `stall`,
 * that file's download sends half its bytes and then nothing more.
 */
async function mirror(
  repo: string,
  stall?: string,
): Promise<{ host: string; requests: string[]; server: Server }> {
  const requests: string[] = [];
  const server = createServer(async (req, res) => {
    requests.push(req.url ?? "");
    const prefix = `/${repo}/resolve/main/`;
    const file = req.url?.startsWith(prefix) ? decodeURIComponent(req.url.slice(prefix.length)) : undefined;
    const body =
      file && !file.includes("..") ? await readFile(join(tiny.dir, file)).catch(() => undefined) : undefined;
    if (!body) {
      res.writeHead(404).end("not found");
      return;
    }
    res.writeHead(200, { "content-length": body.length, "content-type": "application/octet-stream" });
    if (file === stall) res.write(body.subarray(0, body.length >> 1));
    else res.end(body);
  });
  return { host: await listen(server), requests, server };
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

async function shut(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((done) => server.close(done));
}

test("loads a local folder offline; id names the model, dim is the model's hidden size", async () => {
  const embedder = await local();
  assert.is(embedder.id, "transformers:tiny-bert");
  assert.is(embedder.dim, tiny.config.hiddenSize);
  const unnamed = await load("", { modelDir: tiny.dir, dtype: "fp32" });
  assert.is(unnamed.id, "transformers:tiny-bert", "an empty name falls back to the folder's basename");
});

test("vectors are unit length; identical texts give identical vectors", async () => {
  const embedder = await local();
  const [a, b, c] = await embedder.embed(["The cat sat on the mat.", "The cat sat on the mat.", ""]);
  for (const v of [a, b, c]) {
    assert.is(v.length, tiny.config.hiddenSize);
    assert.ok(Math.abs(Math.hypot(...v) - 1) < 1e-5, "unit length");
  }
  assert.equal(Array.from(a), Array.from(b));
});

test("a text is closer to a near-paraphrase than to an unrelated text", async () => {
  for (const dtype of ["q8", "fp32"]) {
    const embedder = await local({ dtype });
    const [text, paraphrase, unrelated] = await embedder.embed([
      "the cat sat on the mat",
      "a cat was sitting on the mat",
      "stock markets fell sharply after the report",
    ]);
    const near = dot(text, paraphrase);
    const far = dot(text, unrelated);
    assert.ok(near > far + 0.2, `${dtype}: paraphrase ${near.toFixed(3)} vs unrelated ${far.toFixed(3)}`);
  }
});

test("batching gives the same vectors as one by one", async () => {
  const texts = [
    "one small dog",
    "the river was cold in the morning",
    "music",
    "a b c d e f g",
    "code search",
  ];
  // fp32: padding is masked out exactly, so batch composition does not matter.
  const fp32 = await local({ dtype: "fp32", batch: 3 });
  const single = await local({ dtype: "fp32", batch: 1 });
  const [batched, alone] = [await fp32.embed(texts), await single.embed(texts)];
  for (const [i, v] of batched.entries()) assert.ok(dot(v, alone[i]) > 1 - 1e-5, `fp32 text ${i}`);
  // q8 quantises activations per call, so the batch shifts values slightly (as with hub q8 models).
  const q8 = await local({ dtype: "q8", batch: 3 });
  const q8single = await local({ dtype: "q8", batch: 1 });
  const [qBatched, qAlone] = [await q8.embed(texts), await q8single.embed(texts)];
  for (const [i, v] of qBatched.entries())
    assert.ok(dot(v, qAlone[i]) > 0.99, `q8 text ${i}: ${dot(v, qAlone[i])}`);
  assert.is(qBatched.length, texts.length);
});

test("empty input gives []; bad input and bad options are InvalidInputError", async () => {
  const embedder = await local();
  assert.equal(await embedder.embed([]), []);
  await failure(() => embedder.embed([42 as unknown as string]), "SIGLA_INVALID_INPUT");
  await failure(() => local({ batch: 0 }), "SIGLA_INVALID_INPUT");
  await failure(() => local({ dtype: "fp64" }), "SIGLA_INVALID_INPUT");
});

test("a closed embedder refuses to embed", async () => {
  const embedder = await local();
  await embedder.close?.();
  await embedder.close?.();
  await failure(() => embedder.embed(["x"]), "SIGLA_EMBEDDER_UNAVAILABLE");
});

test("a missing folder, or a folder without the dtype's file, is SIGLA_MODEL_LOAD", async () => {
  const missing = join(tempDir(), "no-such-model");
  const { error } = await failure(() => load("x", { modelDir: missing }), "SIGLA_MODEL_LOAD");
  assert.match(error.message, "does not exist");
  assert.match(error.message, "transformers:x");
  const { error: noFile } = await failure(() => local({ dtype: "fp16" }), "SIGLA_MODEL_LOAD");
  assert.match(noFile.message, "onnx/model_fp16.onnx");
  assert.match(noFile.message, "model_quantized.onnx");
});

test("downloads from the hub into cacheDir with progress, then loads from the cache with no network", async () => {
  const repo = "sigla-test/tiny-mirror";
  const { host, requests, server } = await mirror(repo);
  const cacheDir = tempDir("sigla-model-cache-");
  const files = new Set<string>();
  try {
    const embedder = await load(repo, {
      cacheDir,
      allowRemote: true,
      remoteHost: host,
      onProgress: (p) => {
        files.add(p.file);
        assert.ok(p.loaded <= p.total || p.total === 0, "loaded ≤ total");
      },
    });
    assert.is(embedder.id, `transformers:${repo}`);
    assert.is(embedder.dim, tiny.config.hiddenSize);
    assert.ok(requests.length > 0);
    assert.ok(files.has("onnx/model_quantized.onnx"), `progress for ${[...files].join(", ")}`);
    assert.ok(await stat(join(cacheDir, repo, "onnx", "model_quantized.onnx")));
  } finally {
    await shut(server);
  }
  // The hub is gone now: both modes must load from the cache alone.
  const seen = requests.length;
  const remoteOn = await load(repo, { cacheDir, allowRemote: true, remoteHost: host, timeoutMs: 500 });
  const remoteOff = await load(repo, { cacheDir, allowRemote: false });
  const [a] = await remoteOn.embed(["cached"]);
  const [b] = await remoteOff.embed(["cached"]);
  assert.equal(Array.from(a), Array.from(b));
  assert.is(requests.length, seen);
});

test("a hub that never answers fails with SIGLA_EMBEDDER_UNAVAILABLE within the timeout", async () => {
  const server = createServer(() => undefined); // accepts, never responds
  const host = await listen(server);
  try {
    const timeoutMs = 400;
    const { error, ms } = await failure(
      () => load("sigla-test/never-answers", { allowRemote: true, remoteHost: host, timeoutMs }),
      "SIGLA_EMBEDDER_UNAVAILABLE",
    );
    assert.match(error.message, "transformers:sigla-test/never-answers");
    assert.match(error.message, `within ${timeoutMs} ms`);
    assert.ok(ms < timeoutMs + 1000, `took ${ms.toFixed(0)} ms`);
  } finally {
    await shut(server);
  }
});

test("a download that stalls fails with SIGLA_EMBEDDER_UNAVAILABLE after 10 × the timeout", async () => {
  const { host, server } = await mirror("sigla-test/stalls", "onnx/model_quantized.onnx");
  try {
    const { error, ms } = await failure(
      () =>
        load("sigla-test/stalls", {
          allowRemote: true,
          remoteHost: host,
          timeoutMs: 100,
          onProgress: () => {},
        }),
      "SIGLA_EMBEDDER_UNAVAILABLE",
    );
    assert.match(error.message, "stopped sending data for 1000 ms");
    assert.ok(ms >= 1000 && ms < 2500, `took ${ms.toFixed(0)} ms`);
  } finally {
    await shut(server);
  }
});

test("an unreachable host fails fast with SIGLA_EMBEDDER_UNAVAILABLE", async () => {
  const server = createServer();
  const host = await listen(server);
  await shut(server); // nothing listens on that port any more
  const { error, ms } = await failure(
    () => load("sigla-test/refused", { allowRemote: true, remoteHost: host, timeoutMs: 3000 }),
    "SIGLA_EMBEDDER_UNAVAILABLE",
  );
  assert.match(error.message, "ECONNREFUSED");
  assert.ok(ms < 1500, `took ${ms.toFixed(0)} ms`);
});

test("a model the hub does not have is SIGLA_MODEL_LOAD; one not cached with downloads off is UNAVAILABLE", async () => {
  const { host, server } = await mirror("sigla-test/some-other-repo");
  try {
    const { error } = await failure(
      () => load("sigla-test/not-on-hub", { allowRemote: true, remoteHost: host }),
      "SIGLA_MODEL_LOAD",
    );
    assert.match(error.message, "transformers:sigla-test/not-on-hub");
  } finally {
    await shut(server);
  }
  const { error } = await failure(
    () => load("sigla-test/not-cached", { allowRemote: false }),
    "SIGLA_EMBEDDER_UNAVAILABLE",
  );
  assert.match(error.message, "not in the cache");
});

test.run();
