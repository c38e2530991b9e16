import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import { writeTinyBert } from "../../test/helpers/tiny-bert.js";
import { loadConfig, type SiglaConfig } from "../config.js";
import {
  DimensionMismatchError,
  EmbedderError,
  EmbedderMismatchError,
  InvalidInputError,
} from "../errors.js";
import { createEmbedder } from "./create-embedder.js";
import type { Embedder } from "./embedder.js";

let home: string;
/** A config whose cache is an empty temp folder, so nothing is found locally. */
function testConfig(env: Record<string, string> = {}): SiglaConfig {
  return loadConfig({ SIGLA_HOME: home, SIGLA_HUB_TIMEOUT_MS: "300", ...env });
}

const fake: Embedder = {
  id: "fake-3",
  dim: 3,
  async embed(texts) {
    return texts.map(() => new Float32Array([1, 0, 0]));
  },
};

test.before(async () => {
  home = await mkdtemp(join(tmpdir(), "sigla-create-embedder-"));
});
test.after(async () => {
  await rm(home, { recursive: true, force: true });
});

// Runs first: `auto` announces its choice once per process.
test("auto falls back to use-lite quickly when no model is reachable, and says so once", async () => {
  const lines: string[] = [];
  const cfg = testConfig({ SIGLA_MODEL: "sigla-test/no-such-model" });
  const started = performance.now();
  const first = await createEmbedder("auto", { config: cfg, log: (line) => lines.push(line) });
  const elapsed = performance.now() - started;
  assert.equal(first.id, "use-lite");
  assert.equal(first.dim, 512);
  assert.ok(elapsed < 5000, `took ${elapsed} ms`);

  const second = await createEmbedder(undefined, { config: cfg, log: (line) => lines.push(line) });
  assert.equal(second.id, "use-lite");
  assert.equal(lines.length, 1, lines.join("\n"));
  assert.match(lines[0], /auto → use-lite/);
  assert.match(lines[0], /sigla-test\/no-such-model/);
  assert.doesNotMatch(lines[0], /\n/);
});

test("auto picks the transformers model in SIGLA_MODEL_DIR when it loads", async () => {
  const dir = join(home, "tiny-bert");
  await writeTinyBert(dir);
  const lines: string[] = [];
  const cfg = testConfig({ SIGLA_MODEL: "sigla/tiny-bert", SIGLA_MODEL_DIR: dir });
  const e = await createEmbedder("auto", { config: cfg, log: (line) => lines.push(line) });
  try {
    assert.equal(e.id, "transformers:sigla/tiny-bert");
    assert.equal(e.dim, 64);
    const [v] = await e.embed(["the cat sat on the mat"]);
    assert.equal(v.length, 64);
    assert.equal(lines.length, 1);
    assert.match(lines[0], /auto → transformers:sigla\/tiny-bert \(loaded from .*tiny-bert\)/);
  } finally {
    await e.close?.();
  }

  // The store written with it reopens by its id, from the same folder.
  const again = await createEmbedder("auto", { stored: { id: e.id, dim: 64 }, config: cfg });
  assert.equal(again.id, e.id);
  await again.close?.();
});

test("auto on a use-lite store gives use-lite without announcing anything", async () => {
  const lines: string[] = [];
  const e = await createEmbedder("auto", {
    stored: { id: "use-lite", dim: 512 },
    config: testConfig(),
    log: (line) => lines.push(line),
  });
  assert.equal(e.id, "use-lite");
  assert.deepEqual(lines, []);
});

test("SIGLA_EMBEDDER is the default spec", async () => {
  const e = await createEmbedder(undefined, { config: testConfig({ SIGLA_EMBEDDER: "use-lite" }) });
  assert.equal(e.id, "use-lite");
});

test("naming another embedder than the store's is a mismatch", async () => {
  await assert.rejects(
    createEmbedder("use-lite", {
      stored: { id: "transformers:Xenova/all-MiniLM-L6-v2", dim: 384 },
      config: testConfig(),
    }),
    EmbedderMismatchError,
  );
  await assert.rejects(
    createEmbedder("transformers:other/model", {
      stored: { id: "use-lite", dim: 512 },
      config: testConfig(),
    }),
    EmbedderMismatchError,
  );
});

test("a store dimension the embedder does not produce is a dimension mismatch", async () => {
  await assert.rejects(
    createEmbedder("auto", { stored: { id: "use-lite", dim: 384 }, config: testConfig() }),
    DimensionMismatchError,
  );
});

test("a store written by a custom embedder cannot be reopened by name", async () => {
  await assert.rejects(
    createEmbedder("auto", { stored: { id: "fake-3", dim: 3 }, config: testConfig() }),
    (error: unknown) => error instanceof EmbedderError && error.code === "SIGLA_EMBEDDER_UNAVAILABLE",
  );
});

test("unknown spec strings are invalid input naming the accepted forms", async () => {
  for (const spec of ["bogus", "transformers:", "USE-LITE", ""]) {
    await assert.rejects(
      createEmbedder(spec as never, { config: testConfig() }),
      (error: unknown) =>
        error instanceof InvalidInputError &&
        /"auto", "use-lite" or "transformers:<model>"/.test(error.message),
    );
  }
  await assert.rejects(
    createEmbedder(undefined, { config: testConfig({ SIGLA_EMBEDDER: "nope" }) }),
    (error: unknown) => error instanceof InvalidInputError && /SIGLA_EMBEDDER/.test(error.message),
  );
});

test("an Embedder object passes through, and is checked against the store", async () => {
  assert.equal(await createEmbedder(fake), fake);
  assert.equal(await createEmbedder(fake, { stored: { id: "fake-3", dim: 3 } }), fake);
  await assert.rejects(createEmbedder(fake, { stored: { id: "use-lite", dim: 512 } }), EmbedderMismatchError);
  await assert.rejects(createEmbedder(fake, { stored: { id: "fake-3", dim: 4 } }), DimensionMismatchError);
});

test.run();
