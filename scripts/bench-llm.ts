/**
 * `npm run bench:llm`: generation speed of the GGUF runner on a model of the exact shape of
 * Qwen2.5-0.5B-Instruct (vocab 151936, hidden 896, 24 layers, 14 heads, 2 KV heads, FFN 4864, tied
 * embeddings) with random Q4_0 weights, written by SIGLA's own GGUF writer (nothing downloaded). Its
 * compute and memory traffic are the real model's; its words are noise, which does not change the speed.
 *
 * Measures, per run, time to first token and decode tokens/s, for a full 8K window (≈ 8000 prompt tokens)
 * and for a short prompt, with the home-cpu profile's settings, and compares decode speed with the seed's
 * home-cpu target (10–15 tokens/s, §12.1). Writes reports/bench-llm.json and reports/bench-llm.png.
 *
 *   npm run bench:llm -- --long-runs 3 --short-runs 5 --long-tokens 64 --short-tokens 128
 *
 * Each run's prompt starts with another word, so no run reuses the previous run's KV cache.
 */
import { mkdir, readFile, stat } from "node:fs/promises";
import { loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { QWEN2_05B, spmVocab, TINY_WORDS, writeRandomGguf } from "../bench/fixtures/random-gguf.js";
import { machine, percentile } from "../bench/measure.js";
import { REPORTS, reportPath, writeJson } from "../bench/report-name.js";
import { systemBarsSpec, writeChartPng } from "../lib/charts/index.js";
import { readGgufHeader } from "../lib/llm/gguf-header.js";
import { openRunner } from "../lib/llm/models.js";
import { llmSettings, threadCount } from "../lib/llm/profiles.js";
import type { Runner } from "../lib/llm/runner.js";
import { seededRandom } from "../lib/random.js";

const { values } = parseArgs({
  options: {
    "long-runs": { type: "string", default: "3" },
    "short-runs": { type: "string", default: "5" },
    "long-tokens": { type: "string", default: "64" },
    "short-tokens": { type: "string", default: "128" },
    "prompt-tokens": { type: "string", default: "8000" },
    model: { type: "string", default: "bench/datasets/cache/llm-bench/qwen2.5-0.5b-shape-q4_0.gguf" },
    out: { type: "string", default: reportPath(REPORTS, "llm") },
  },
});
const num = (name: string) => Number(values[name as keyof typeof values]);
const TARGET = {
  minTokensPerSecond: 10,
  maxTokensPerSecond: 15,
  source: "seed §12.1 home-cpu: Generation 10-15 tok/s",
};
const MODEL_NAME = "sigla-random-qwen2.5-0.5b-shape";

/** Writes the model unless a complete one from this script is already there. */
async function ensureModel(path: string): Promise<{ writeSeconds: number | null; bytes: number }> {
  const existing = await readGgufHeader(path).catch(() => undefined);
  if (existing?.metadata.get("general.name") === MODEL_NAME)
    return { writeSeconds: null, bytes: existing.fileBytes };
  await mkdir(join(path, ".."), { recursive: true });
  const started = performance.now();
  const vocab = spmVocab(TINY_WORDS, QWEN2_05B.vocab);
  await writeRandomGguf(path, QWEN2_05B, vocab, { type: "Q4_0", name: MODEL_NAME });
  return { writeSeconds: (performance.now() - started) / 1000, bytes: (await stat(path)).size };
}

let vocabWords: string[] | undefined;
/** Seeded words of the model's own vocabulary, so about one token each. */
function words(count: number, seed: number): string {
  vocabWords ??= spmVocab(TINY_WORDS, QWEN2_05B.vocab).tokens.filter(
    (t) => t.startsWith("\u2581") && t.length > 3,
  );
  const vocab = vocabWords;
  const uniform = seededRandom(seed);
  return Array.from({ length: count }, () => vocab[Math.floor(uniform() * vocab.length)].slice(1)).join(" ");
}

/** A prompt of exactly `tokens` tokens (by the model's tokenizer), built from seeded words. */
async function promptOf(runner: Runner, tokens: number): Promise<string> {
  let text = words(tokens, 7);
  let count = await runner.countTokens(text);
  while (count > tokens) {
    text = text.slice(0, text.lastIndexOf(" "));
    count = await runner.countTokens(text);
  }
  return text;
}

interface Run {
  promptTokens: number;
  generatedTokens: number;
  firstTokenMs: number;
  totalMs: number;
  decodeTokensPerSecond: number;
  /** 1-minute load average when the run ended: above the core count, other work was sharing the cores. */
  loadAverage: number;
}

async function measure(runner: Runner, prompt: string, maxTokens: number, run: number): Promise<Run> {
  // A different first word each run: the KV cache of the run before shares no prefix with it.
  const text = `${words(1, 1000 + run)} ${prompt}`;
  const started = performance.now();
  let first = 0;
  let output = "";
  for await (const piece of runner.generate(text, { maxTokens })) {
    if (!first) first = performance.now();
    output += piece;
  }
  const ended = performance.now();
  const generatedTokens = await runner.countTokens(output);
  return {
    promptTokens: await runner.countTokens(text),
    generatedTokens,
    firstTokenMs: Math.round(first - started),
    totalMs: Math.round(ended - started),
    // Tokens after the first, over the time after the first: decode speed without the prompt's evaluation.
    decodeTokensPerSecond: Math.round(((generatedTokens - 1) / ((ended - first) / 1000)) * 100) / 100,
    loadAverage: Math.round(loadavg()[0] * 100) / 100,
  };
}

function summary(runs: Run[]) {
  const sorted = (f: (r: Run) => number) => runs.map(f).sort((a, b) => a - b);
  const ttft = sorted((r) => r.firstTokenMs);
  const speed = sorted((r) => r.decodeTokensPerSecond);
  return {
    runs: runs.length,
    firstTokenMs: {
      p50: percentile(ttft, 50),
      p99: percentile(ttft, 99),
      min: ttft[0],
      max: ttft[ttft.length - 1],
    },
    decodeTokensPerSecond: {
      p50: percentile(speed, 50),
      p99Slowest: percentile(speed, 1),
      min: speed[0],
      max: speed[speed.length - 1],
    },
    promptTokensPerSecond: Math.round(
      percentile(
        runs.map((r) => r.promptTokens / (r.firstTokenMs / 1000)).sort((a, b) => a - b),
        50,
      ),
    ),
  };
}

const loadBefore = loadavg();
const path = values.model as string;
const model = await ensureModel(path);
const settings = { ...llmSettings("home-cpu"), contextSize: 8192 };
console.log(`model ${path} (${(model.bytes / 2 ** 20).toFixed(0)} MiB), ${threadCount(settings)} threads`);
const loadStarted = performance.now();
const runner = await openRunner(path, { settings });
const loadSeconds = (performance.now() - loadStarted) / 1000;
const long = await promptOf(runner, num("prompt-tokens"));
const short = "Summarise in one sentence what the memory layers of an agent are for.";

const longRuns: Run[] = [];
for (let i = 0; i < num("long-runs"); i++) {
  longRuns.push(await measure(runner, long, num("long-tokens"), i));
  console.log("8K prompt", longRuns.at(-1));
}
const shortRuns: Run[] = [];
for (let i = 0; i < num("short-runs"); i++) {
  shortRuns.push(await measure(runner, short, num("short-tokens"), i));
  console.log("short prompt", shortRuns.at(-1));
}
await runner.close();

const longSummary = summary(longRuns);
const shortSummary = summary(shortRuns);
const llamaVersion = JSON.parse(await readFile("node_modules/node-llama-cpp/package.json", "utf8")).version;
const report = {
  name: "llm-bench",
  date: new Date().toISOString(),
  machine: { ...machine(), "node-llama-cpp": llamaVersion },
  // Other work on the same cores slows every figure; the 1-minute load average before and after says how much there was.
  loadAverage: { before: loadBefore[0], after: loadavg()[0] },
  model: {
    shape: QWEN2_05B,
    weights: "random, Q4_0 (SIGLA's GGUF writer); the shape and so the compute of Qwen2.5-0.5B-Instruct",
    file: path,
    bytes: model.bytes,
    writeSeconds: model.writeSeconds,
    loadSeconds: Math.round(loadSeconds * 100) / 100,
  },
  settings: {
    profile: settings.profile,
    contextSize: runner.info.contextSize,
    threads: threadCount(settings),
    batchSize: settings.batchSize,
    gpu: runner.info.gpu,
  },
  runsNote: `${num("long-runs")} run(s) of the 8K prompt and ${num("short-runs")} of the short one: an 8K prompt takes minutes to evaluate on 2 cores, and the whole benchmark is kept near 10 minutes`,
  method:
    "Each run streams one answer through Runner.generate (chat template applied, greedy). firstTokenMs: from the call to the first piece (prompt evaluation included). decodeTokensPerSecond: (generated tokens − 1) / time from the first piece to the last. Percentiles over the runs; with a handful of runs p99 is the worst run. Each run's prompt starts with another word so no run reuses the previous KV cache.",
  target: TARGET,
  longPrompt: { maxTokens: num("long-tokens"), ...longSummary, samples: longRuns },
  shortPrompt: { maxTokens: num("short-tokens"), ...shortSummary, samples: shortRuns },
  meetsTarget: {
    shortPrompt: shortSummary.decodeTokensPerSecond.p50 >= TARGET.minTokensPerSecond,
    longPrompt: longSummary.decodeTokensPerSecond.p50 >= TARGET.minTokensPerSecond,
  },
};
await writeJson(values.out as string, report);
const bars = [
  ["short prompt", shortSummary],
  ["8K prompt", longSummary],
] as const;
const png = (values.out as string).replace(/\.json$/, ".png");
await writeChartPng(
  systemBarsSpec(
    bars.map(([dataset, s]) => ({
      dataset,
      system: `home-cpu, ${threadCount(settings)} threads`,
      value: s.decodeTokensPerSecond.p50,
      min: s.decodeTokensPerSecond.min,
      max: s.decodeTokensPerSecond.max,
    })),
    `Qwen2.5-0.5B-shape Q4_0 decode speed (target ${TARGET.minTokensPerSecond}–${TARGET.maxTokensPerSecond} tokens/s)`,
    "generated tokens/s (median, min–max)",
  ),
  png,
);
console.log(
  `wrote ${values.out} and ${png}: decode p50 ${shortSummary.decodeTokensPerSecond.p50} tokens/s (short), ${longSummary.decodeTokensPerSecond.p50} (8K); first token p50 ${shortSummary.firstTokenMs.p50} ms (short), ${longSummary.firstTokenMs.p50} ms (8K)`,
);
