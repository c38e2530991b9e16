import { test } from "uvu";
import * as assert from "uvu/assert";
import { isSiglaError } from "../errors.js";
import { llmSettings, PROFILES, threadCount } from "./profiles.js";

test("home-cpu is the default; SIGLA_PROFILE and an explicit name pick another", () => {
  assert.equal(llmSettings(undefined, {}), {
    profile: "home-cpu",
    model: undefined,
    ...PROFILES["home-cpu"],
  });
  assert.is(llmSettings(undefined, { SIGLA_PROFILE: "home-gpu" }).gpu, "auto");
  assert.is(llmSettings("home-gpu", { SIGLA_PROFILE: "home-cpu" }).dtype, "q4");
});

test("each SIGLA_LLM_* variable overrides its own setting and nothing else", () => {
  const s = llmSettings("home-gpu", {
    SIGLA_LLM: "hf:a/b:Q4_0",
    SIGLA_LLM_CONTEXT: "4096",
    SIGLA_LLM_THREADS: "3",
    SIGLA_LLM_GPU: "off",
    SIGLA_LLM_BATCH: "128",
    SIGLA_LLM_DTYPE: "fp16",
    SIGLA_LLM_QUANT: "Q5_K_M",
    SIGLA_ENCODER_BATCH: "16",
  });
  assert.equal(s, {
    profile: "home-gpu",
    model: "hf:a/b:Q4_0",
    gpu: false,
    contextSize: 4096,
    threads: 3,
    batchSize: 128,
    dtype: "fp16",
    ggufQuant: "Q5_K_M",
    encoderBatch: 16,
  });
  assert.is(threadCount(s), 3);
  assert.ok(threadCount({ threads: 0 }) >= 1);
});

test("a bad profile or variable is a SIGLA_CONFIG error naming it", () => {
  for (const [profile, env, name] of [
    ["home-tpu", {}, "profile"],
    [undefined, { SIGLA_PROFILE: "laptop" }, "SIGLA_PROFILE"],
    [undefined, { SIGLA_LLM_CONTEXT: "big" }, "SIGLA_LLM_CONTEXT"],
    [undefined, { SIGLA_LLM_GPU: "maybe" }, "SIGLA_LLM_GPU"],
    [undefined, { SIGLA_LLM_DTYPE: "int3" }, "SIGLA_LLM_DTYPE"],
  ] as const) {
    try {
      llmSettings(profile, env);
      assert.unreachable(`${name} accepted`);
    } catch (error) {
      assert.ok(isSiglaError(error) && error.code === "SIGLA_CONFIG", String(error));
      assert.match((error as Error).message, name);
    }
  }
});

test.run();
