/**
 * Writes a random-weight model with the exact all-MiniLM-L6-v2 architecture (6 layers, hidden 384,
 * 12 heads, intermediate 1536, vocab 30522, GELU, LayerNorm eps 1e-12) in the transformers.js layout,
 * with the real config and tokenizer from /work/shared/models/all-MiniLM-L6-v2. Same compute and
 * tokenizer cost as the real model — for throughput benchmarks only: its vectors mean nothing.
 *
 *   npx tsx scripts/make-minilm-random.ts [outDir] [--seed N] [--source DIR] [--verify]
 *
 * outDir defaults to datasets/cache/minilm-random; --verify loads the result with the transformers
 * backend and times batches of 64 short texts.
 */
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import {
  type BertConfig,
  bertConfigFromHf,
  buildBertModel,
  randomBertWeights,
} from "../lib/onnx/bert-graph.js";

/** Where the generated model goes by default (inside the repo, git-ignored cache). */
export const DEFAULT_MINILM_RANDOM_DIR = fileURLToPath(
  new URL("../datasets/cache/minilm-random", import.meta.url),
);
/** The real model's config and tokenizer files (no weights). */
export const DEFAULT_MINILM_SOURCE_DIR =
  process.env.SIGLA_MINILM_SOURCE ||
  fileURLToPath(new URL("../../shared/models/all-MiniLM-L6-v2", import.meta.url));

const COPIED_FILES = [
  "config.json",
  "tokenizer.json",
  "tokenizer_config.json",
  "special_tokens_map.json",
  "vocab.txt",
];
/** Written last, so a folder with it is complete; also records how the weights were made. */
const MARKER = "sigla-random-model.json";

/** Options for {@link makeMiniLmRandom}. */
export interface MiniLmRandomOptions {
  /** Folder with the real config.json and tokenizer files. */
  sourceDir?: string;
  /** Weight seed. Default 1. */
  seed?: number;
  /** Weight standard deviation. Default 0.02 (BERT's initializer_range). */
  std?: number;
}

interface Marker {
  seed: number;
  std: number;
  source: string;
}

function settle(options: MiniLmRandomOptions): Marker {
  return {
    seed: options.seed ?? 1,
    std: options.std ?? 0.02,
    source: resolve(options.sourceDir ?? DEFAULT_MINILM_SOURCE_DIR),
  };
}

/**
 * Writes the model into `outDir`: the copied config and tokenizer files, onnx/model.onnx (fp32, ~90 MB)
 * and onnx/model_quantized.onnx (dynamic int8, what dtype "q8" loads). Returns the architecture used.
 */
export async function makeMiniLmRandom(
  outDir: string,
  options: MiniLmRandomOptions = {},
): Promise<BertConfig> {
  const marker = settle(options);
  const hf = JSON.parse(await readFile(join(marker.source, "config.json"), "utf8")) as Record<
    string,
    unknown
  >;
  if (hf.model_type !== "bert" || hf.hidden_act !== "gelu") {
    throw new Error(
      `${marker.source}/config.json is not a GELU BERT model (model_type ${String(hf.model_type)})`,
    );
  }
  const config = bertConfigFromHf(hf);

  await rm(join(outDir, MARKER), { force: true });
  await mkdir(join(outDir, "onnx"), { recursive: true });
  // Read and write rather than copyFile: the shared originals are read-only, and copies keep the mode.
  for (const file of COPIED_FILES) {
    await rm(join(outDir, file), { force: true });
    await writeFile(join(outDir, file), await readFile(join(marker.source, file)));
  }

  const weights = randomBertWeights(config, { seed: marker.seed, std: marker.std });
  await writeFile(
    join(outDir, "onnx", "model.onnx"),
    buildBertModel(config, weights, { name: "minilm-random" }),
  );
  await writeFile(
    join(outDir, "onnx", "model_quantized.onnx"),
    buildBertModel(config, weights, { name: "minilm-random", quantize: true }),
  );
  await writeFile(
    join(outDir, "README.md"),
    "Random-weight model with the all-MiniLM-L6-v2 architecture, config and tokenizer, written by\n" +
      `scripts/make-minilm-random.ts (seed ${marker.seed}, std ${marker.std}). For throughput benchmarks only:\n` +
      "its vectors carry no meaning.\n",
  );
  await writeFile(join(outDir, MARKER), `${JSON.stringify(marker, null, 2)}\n`);
  return config;
}

/**
 * Returns the folder of a complete random MiniLM made with these options, writing it first if it is
 * missing, incomplete or was made with other options.
 */
export async function ensureMiniLmRandom(
  outDir: string = DEFAULT_MINILM_RANDOM_DIR,
  options: MiniLmRandomOptions = {},
): Promise<string> {
  const wanted = settle(options);
  const found = await readFile(join(outDir, MARKER), "utf8")
    .then((text) => JSON.parse(text) as Marker)
    .catch(() => undefined);
  if (!found || found.seed !== wanted.seed || found.std !== wanted.std || found.source !== wanted.source) {
    await makeMiniLmRandom(outDir, options);
  }
  return outDir;
}

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

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
