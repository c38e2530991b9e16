/**
 * `npm run make:minilm-random`: writes the random-weight all-MiniLM-L6-v2 (bench/fixtures/minilm-random.ts)
 * by hand; the benchmarks write it themselves on first use.
 *
 *   npx tsx scripts/make-minilm-random.ts [outDir] [--seed N] [--source DIR] [--verify]
 *
 * outDir defaults to bench/datasets/cache/minilm-random; --verify loads the result with the transformers
 * backend and times batches of 64 short texts.
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import {
  DEFAULT_MINILM_RANDOM_DIR,
  DEFAULT_MINILM_SOURCE_DIR,
  makeMiniLmRandom,
} from "../bench/fixtures/minilm-random.js";

/** Loads the model through the transformers backend and reports dimension and ms per batch of 64. */
async function verify(dir: string): Promise<void> {
  const { loadTransformersEmbedder } = await import("../lib/embed/transformers.js");
  const texts = Array.from({ length: 64 }, (_, i) => `short text number ${i} about memory and graphs`);
  for (const dtype of ["fp32", "q8"]) {
    const started = performance.now();
    const embedder = await loadTransformersEmbedder("minilm-random", {
      modelDir: dir,
      cacheDir: dir,
      dtype,
      batch: 64,
      allowRemote: false,
    });
    const loadMs = performance.now() - started;
    await embedder.embed(texts); // first run allocates
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      await embedder.embed(texts);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    console.log(
      `${dtype}: id ${embedder.id}, dim ${embedder.dim}, load ${loadMs.toFixed(0)} ms, ` +
        `median ${times[2].toFixed(0)} ms per batch of 64 (min ${times[0].toFixed(0)})`,
    );
    await embedder.close?.();
  }
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      seed: { type: "string", default: "1" },
      source: { type: "string", default: DEFAULT_MINILM_SOURCE_DIR },
      verify: { type: "boolean", default: false },
    },
  });
  const outDir = resolve(positionals[0] ?? DEFAULT_MINILM_RANDOM_DIR);
  const seed = Number(values.seed);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, got "${values.seed}"`);
  const started = performance.now();
  const config = await makeMiniLmRandom(outDir, { seed, sourceDir: values.source });
  console.log(
    `wrote ${outDir}: ${config.numLayers} layers, hidden ${config.hiddenSize}, ${config.numHeads} heads, ` +
      `vocab ${config.vocabSize} (${((performance.now() - started) / 1000).toFixed(1)} s)`,
  );
  if (values.verify) await verify(outDir);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
