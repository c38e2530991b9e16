import { spawn } from "node:child_process";
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { writeTinyGguf } from "../../bench/fixtures/random-gguf.js";
import { tempDir } from "../../test/helpers/temp.js";
import { isSiglaError } from "../errors.js";
import { listModels, modelInfo, openRunner, pullModel, resolveModel } from "./models.js";
import type { Runner } from "./runner.js";

const dir = tempDir("sigla-llm-");
const tiny = join(dir, "tiny.gguf");
const plain = join(dir, "plain.gguf");
const cache = join(dir, "cache");
// One thread: on a tiny model, llama.cpp's threads spend their time waiting for each other.
const settings = { threads: 1, contextSize: 2048, gpu: false as const };
let runner: Runner;

async function collect(stream: AsyncIterable<string>): Promise<string[]> {
  const pieces: string[] = [];
  for await (const piece of stream) pieces.push(piece);
  return pieces;
}

async function code(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (error) {
    assert.ok(isSiglaError(error), `untyped error: ${error}`);
    return error.code;
  }
  return "no error";
}

test.before(async () => {
  await writeTinyGguf(tiny);
  await writeTinyGguf(plain, { chatTemplate: false, type: "Q4_0", seed: 2 });
  runner = await openRunner(tiny, { settings, cacheDir: cache });
});

test.after(async () => {
  await runner.close();
});

test("a tiny GGUF model loads; info and token counts come from its header and tokenizer", async () => {
  assert.equal(
    { ...runner.info, path: undefined },
    {
      path: undefined,
      backend: "gguf",
      architecture: "llama",
      contextSize: 2048,
      chatTemplate: true,
      parameters: runner.info.parameters,
      quantization: "Q8_0",
      gpu: false,
    },
  );
  assert.ok((runner.info.parameters ?? 0) > 100_000);
  assert.is(await runner.countTokens("the quick brown fox jumps over the lazy dog"), 9);
  assert.ok((await runner.countTokens("zq xj")) > 2, "unknown words fall back to characters and bytes");
  const info = await modelInfo(tiny, { cacheDir: cache });
  assert.is(info.contextLength, 2048);
  assert.is(info.name, "sigla-tiny-llama");
  assert.ok(info.bytes > 100_000);
});

test("generate streams pieces in order, greedy is reproducible, maxTokens bounds the length", async () => {
  const short = await collect(runner.generate("the memory model", { maxTokens: 6 }));
  const long = await collect(runner.generate("the memory model", { maxTokens: 24 }));
  assert.ok(short.length >= 3 && short.length <= 6, `6 tokens gave ${short.length} pieces`);
  assert.ok(long.length > short.length && long.length <= 24, `24 tokens gave ${long.length} pieces`);
  assert.ok(
    long.join("").startsWith(short.join("")),
    "temperature 0 is greedy: the longer answer extends the shorter",
  );
  assert.ok((await runner.countTokens(long.join(""))) <= 24 + 1);
  const again = await collect(runner.generate("the memory model", { maxTokens: 6 }));
  assert.equal(again, short);
});

test("a stop string ends the output before it", async () => {
  const full = (await collect(runner.generate("open the window", { maxTokens: 16 }))).join("");
  const words = full.trim().split(/\s+/);
  const stop = words[Math.floor(words.length / 2)];
  const stopped = (await collect(runner.generate("open the window", { maxTokens: 16, stop: [stop] }))).join(
    "",
  );
  assert.is(stopped, full.slice(0, full.indexOf(stop)));
  assert.not.ok(stopped.includes(stop));
});

test("aborting mid-stream ends it with SIGLA_CANCELLED; leaving early stops it too; the runner goes on", async () => {
  const controller = new AbortController();
  let seen = 0;
  let afterAbort = 0;
  const outcome = await code(
    (async () => {
      for await (const _ of runner.generate("the memory model", {
        maxTokens: 200,
        signal: controller.signal,
      })) {
        if (controller.signal.aborted) afterAbort++;
        if (++seen === 3) controller.abort();
      }
    })(),
  );
  assert.is(outcome, "SIGLA_CANCELLED");
  assert.is(seen, 3);
  assert.is(afterAbort, 0);
  assert.is(await code(collect(runner.generate("x", { signal: controller.signal }))), "SIGLA_CANCELLED");

  for await (const _ of runner.generate("the memory model", { maxTokens: 200 })) break;
  const next = await collect(runner.generate("the memory model", { maxTokens: 6 }));
  assert.ok(next.length >= 3);
});

test("the system instruction goes through the chat template; a model without one runs as completion", async () => {
  const bare = (await collect(runner.generate("the memory model", { maxTokens: 8 }))).join("");
  const system = (
    await collect(runner.generate("the memory model", { maxTokens: 8, system: "answer briefly" }))
  ).join("");
  assert.is.not(system, bare, "the system message changes the templated prompt");
  const completion = await openRunner(plain, { settings });
  try {
    assert.is(completion.info.chatTemplate, false);
    assert.is(completion.info.quantization, "Q4_0");
    assert.ok((await collect(completion.generate("the memory model", { maxTokens: 5 }))).length >= 2);
  } finally {
    await completion.close();
  }
});

test("embed gives one vector of the model's width per text", async () => {
  const vectors = await runner.embed?.(["memory", "the quick brown fox"]);
  assert.is(vectors?.length, 2);
  assert.is(vectors?.[0].length, 64);
  assert.ok(vectors?.[0].some((x) => x !== 0));
});

test("missing, foreign, truncated and ambiguous models are typed errors, not crashes", async () => {
  const bytes = await readFile(tiny);
  await writeFile(join(dir, "cut.gguf"), bytes.subarray(0, bytes.length - 4096));
  await writeFile(join(dir, "header-cut.gguf"), bytes.subarray(0, 3000));
  await writeFile(join(dir, "garbage.gguf"), "this is not a model\n".repeat(50));
  const open = (spec: string) => code(openRunner(spec, { settings, cacheDir: cache }));
  assert.is(await open(join(dir, "cut.gguf")), "SIGLA_MODEL_INVALID");
  assert.is(await open(join(dir, "header-cut.gguf")), "SIGLA_MODEL_INVALID");
  assert.is(await open(join(dir, "garbage.gguf")), "SIGLA_MODEL_INVALID");
  assert.is(await open(join(dir, "nope.gguf")), "SIGLA_MODEL_NOT_FOUND");
  assert.is(await open(""), "SIGLA_INVALID_INPUT");

  await mkdir(join(dir, "one"));
  await copyFile(tiny, join(dir, "one", "m.gguf"));
  assert.is((await resolveModel(join(dir, "one"))).path, join(dir, "one", "m.gguf"));
  await mkdir(join(dir, "two"));
  await copyFile(tiny, join(dir, "two", "a.gguf"));
  await copyFile(tiny, join(dir, "two", "b.gguf"));
  assert.is(await open(join(dir, "two")), "SIGLA_MODEL_INVALID");
  await mkdir(join(dir, "empty"));
  assert.is(await open(join(dir, "empty")), "SIGLA_MODEL_INVALID");
});

test("hub models are only read from the cache; pulling one that cannot be fetched is SIGLA_MODEL_PULL", async () => {
  let message = "";
  try {
    await openRunner("hf:sigla-test/absent-GGUF:Q4_0", { cacheDir: cache });
  } catch (error) {
    message = (error as Error).message;
    assert.is((error as { code: string }).code, "SIGLA_MODEL_NOT_FOUND");
  }
  assert.match(message, /sigla model pull hf:sigla-test\/absent-GGUF:Q4_0/);
  assert.is(await code(openRunner("sigla-test/absent-onnx", { cacheDir: cache })), "SIGLA_MODEL_NOT_FOUND");
  assert.is(await code(pullModel("hf:sigla-test/absent-GGUF:Q4_0", { cacheDir: cache })), "SIGLA_MODEL_PULL");
  assert.is(await code(pullModel("not a model", { cacheDir: cache })), "SIGLA_INVALID_INPUT");
});

test("listModels finds cached GGUF files and ONNX folders; a cached owner/repo resolves to its folder", async () => {
  await mkdir(join(cache, "gguf"), { recursive: true });
  await copyFile(tiny, join(cache, "gguf", "tiny.gguf"));
  await mkdir(join(cache, "sigla-test", "tiny-onnx", "onnx"), { recursive: true });
  await writeFile(join(cache, "sigla-test", "tiny-onnx", "config.json"), "{}");
  const models = await listModels({ cacheDir: cache });
  assert.equal(
    models.map((m) => [m.spec.replace(cache, "<cache>"), m.backend]),
    [
      ["<cache>/gguf/tiny.gguf", "gguf"],
      ["sigla-test/tiny-onnx", "onnx"],
    ],
  );
  assert.equal(await resolveModel("sigla-test/tiny-onnx", { cacheDir: cache }), {
    spec: "sigla-test/tiny-onnx",
    backend: "onnx",
    path: join(cache, "sigla-test", "tiny-onnx"),
  });
});

/** Runs `sigla` in a child process; `onOut` sees stdout as it arrives. */
function sigla(
  args: string[],
  onOut: (chunk: string, child: ReturnType<typeof spawn>) => void = () => {},
): Promise<{ code: number | null; out: string; err: string; chunks: number }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["bin/sigla.js", ...args], {
      env: { ...process.env, SIGLA_LLM_THREADS: "1", SIGLA_MODEL_CACHE: cache },
    });
    let out = "";
    let err = "";
    let chunks = 0;
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      chunks++;
      onOut(chunk, child);
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (err += chunk));
    child.on("close", (code) => resolve({ code, out, err, chunks }));
  });
}

test("`sigla run` streams to stdout and exits; Ctrl-C stops it with a partial-output marker", async () => {
  const done = await sigla(["run", tiny, "--prompt", "the memory model", "--max-tokens", "12"]);
  assert.is(done.code, 0, done.err);
  const expected = (await collect(runner.generate("the memory model", { maxTokens: 12 }))).join("");
  assert.is(done.out, `${expected}\n`);

  let interrupted = false;
  const stopped = await sigla(["run", tiny, "-p", "the memory model", "--max-tokens", "1900"], (_, child) => {
    if (!interrupted) child.kill("SIGINT");
    interrupted = true;
  });
  assert.is(stopped.code, 1);
  assert.match(stopped.err, /^SIGLA_CANCELLED: generation was cancelled; the output above is partial\n$/);
  assert.ok(stopped.out.length > 0 && (await runner.countTokens(stopped.out)) < 1900);

  const info = await sigla(["model", "info", tiny, "--json"]);
  assert.is(JSON.parse(info.out).architecture, "llama");
  const missing = await sigla(["run", join(dir, "nope.gguf"), "-p", "hi"]);
  assert.is(missing.code, 1);
  assert.match(missing.err, /^SIGLA_MODEL_NOT_FOUND: model .*nope\.gguf does not exist\n$/);
});

test.run();
