/**
 * The seed's §9 corpus: seeded lorem-ipsum paragraphs (one capsule each), and its benchmark form with vectors.
 *
 * Embedding is the costly part (the random MiniLM ran at ~105 paragraphs/s on 2 quiet cores, 7–60 on a busy
 * one: 1M paragraphs take about 2.7 hours at best), so the vectors are cached in chunks of `LOREM_CHUNK` rows, each written atomically
 * when it is done: an interrupted run resumes at the first missing chunk, and because the corpus of n
 * paragraphs is the first n of the corpus of any larger size, 50k and 200k read the first chunks of 1M.
 * `npm run bench:prepare -- --suite lorem --sizes 1M` fills the cache ahead of a run, with progress.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { LoremIpsum } from "lorem-ipsum";
import type { Embedder } from "../../lib/embed/embedder.js";
import { loadTransformersEmbedder } from "../../lib/embed/transformers.js";
import { BenchError, CancelledError, InvalidInputError } from "../../lib/errors.js";
import { seededRandom } from "../../lib/random.js";
import { cached, exactTopK, sizeLabel, type VectorDataset } from "../dataset.js";
import { ensureMiniLmRandom } from "../fixtures/minilm-random.js";
import { DATASET_CACHE } from "./cache-dir.js";

/** Rows per cached chunk of embeddings (15 MB of float32 at 384-d). */
export const LOREM_CHUNK = 10_000;
/** The data and query seeds of the benchmark corpus. */
const DATA_SEED = 9;
const QUERY_SEED = 10;
/** Texts per embedder call (progress is reported after each). */
const EMBED_BLOCK = 256;

/** Endless seeded lorem paragraphs (3–6 sentences of 6–14 words): the corpus of n is the first n of these. */
export function* loremParagraphs(seed = 1): Generator<string> {
  const lorem = new LoremIpsum({
    random: seededRandom(seed),
    sentencesPerParagraph: { min: 3, max: 6 },
    wordsPerSentence: { min: 6, max: 14 },
  });
  for (;;) yield lorem.generateParagraphs(1);
}

/** The first `count` paragraphs of seed `seed`. */
export function loremCorpus(count: number, seed = 1): string[] {
  const out: string[] = [];
  for (const paragraph of loremParagraphs(seed)) {
    if (out.length === count) break;
    out.push(paragraph);
  }
  return out;
}

/**
 * The random-weight all-MiniLM-L6-v2 (the real model's architecture and tokenizer, 384-d, q8): the same
 * compute per text as the real model, which cannot be downloaded here.
 */
export async function loremEmbedder(): Promise<Embedder> {
  const modelDir = await ensureMiniLmRandom();
  return loadTransformersEmbedder("minilm-random", {
    modelDir,
    cacheDir: modelDir,
    dtype: "q8",
    batch: 64,
    allowRemote: false,
  });
}

const DIM = 384;

/** Chunk `index`'s file for a corpus of `size` rows (the last chunk of a size may be partial). */
function chunkFile(dir: string, start: number, end: number): string {
  const pad = (n: number) => String(n).padStart(7, "0");
  return join(dir, `s${DATA_SEED}-rows-${pad(start)}-${pad(end)}.f32`);
}

/** The cached file holding rows `[start, end)`: the chunk's own, or a whole chunk that starts there. */
function cachedChunk(dir: string, start: number, end: number): string | undefined {
  const whole = chunkFile(dir, start, start + LOREM_CHUNK);
  if (existsSync(whole)) return whole;
  const own = chunkFile(dir, start, end);
  return existsSync(own) ? own : undefined;
}

export interface LoremVectorsOptions {
  /** The chunk folder; `false` embeds in memory. Default `bench/datasets/cache/lorem-minilm-random`. */
  cacheDir?: string | false;
  /** Texts embedded so far of those missing from the cache, with the rate. */
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
  /** Opens the embedder of missing rows (default `loremEmbedder`); tests pass a tiny 384-d model. */
  embedder?: () => Promise<Embedder>;
}

/** Where the lorem embeddings are cached by default. */
export const LOREM_CACHE = join(DATASET_CACHE, "lorem-minilm-random");

/** How many of the first `size` rows still need embedding. */
export function loremRowsMissing(size: number, cacheDir: string = LOREM_CACHE): number {
  let missing = 0;
  for (let start = 0; start < size; start += LOREM_CHUNK) {
    const end = Math.min(size, start + LOREM_CHUNK);
    if (!cachedChunk(cacheDir, start, end)) missing += end - start;
  }
  return missing;
}

/**
 * The embeddings of the first `size` corpus paragraphs, row-major: cached chunks are read, missing ones
 * embedded (paragraphs generated up to the last missing one) and written as each completes.
 */
export async function loremVectors(size: number, options: LoremVectorsOptions = {}): Promise<Float32Array> {
  const dir = options.cacheDir === false ? undefined : (options.cacheDir ?? LOREM_CACHE);
  const out = new Float32Array(size * DIM);
  const missing: Array<[number, number]> = [];
  for (let start = 0; start < size; start += LOREM_CHUNK) {
    const end = Math.min(size, start + LOREM_CHUNK);
    const file = dir ? cachedChunk(dir, start, end) : undefined;
    if (!file) {
      missing.push([start, end]);
      continue;
    }
    const bytes = await readFile(file);
    if (bytes.byteLength < (end - start) * DIM * 4) {
      throw new BenchError(
        `${file} holds ${bytes.byteLength} bytes, fewer than rows ${start}–${end} need: delete it and it is embedded again`,
      );
    }
    out.set(new Float32Array(bytes.buffer, bytes.byteOffset, (end - start) * DIM), start * DIM);
  }
  if (missing.length === 0) return out;
  const total = missing.reduce((n, [a, b]) => n + b - a, 0);
  let done = 0;
  const embedder = await (options.embedder ?? loremEmbedder)();
  try {
    const paragraphs = loremParagraphs(DATA_SEED);
    let next = 0; // index of the paragraph `paragraphs` yields next
    for (const [start, end] of missing) {
      for (; next < start; next++) paragraphs.next();
      const texts: string[] = [];
      for (; next < end; next++) texts.push(paragraphs.next().value as string);
      const chunk = await cached(
        dir ? chunkFile(dir, start, end) : undefined,
        () =>
          embedAll(embedder, texts, {
            signal: options.signal,
            onProgress: (n) => options.onProgress?.(done + n, total),
          }),
        (b) => new Float32Array(b),
      );
      out.set(chunk, start * DIM);
      done += end - start;
    }
  } finally {
    await embedder.close?.();
  }
  return out;
}

/** Embeds texts in blocks, row-major, reporting texts done; stops between blocks on abort. */
async function embedAll(
  embedder: Embedder,
  texts: string[],
  options: { signal?: AbortSignal; onProgress?: (done: number) => void },
): Promise<Float32Array> {
  const out = new Float32Array(texts.length * embedder.dim);
  for (let start = 0; start < texts.length; start += EMBED_BLOCK) {
    if (options.signal?.aborted) throw new CancelledError("embedding the lorem corpus");
    const rows = await embedder.embed(texts.slice(start, start + EMBED_BLOCK));
    rows.forEach((row, i) => {
      out.set(row, (start + i) * row.length);
    });
    options.onProgress?.(Math.min(texts.length, start + EMBED_BLOCK));
  }
  return out;
}

export interface LoadLoremOptions {
  /** Paragraphs (default 50k, the seed's size). */
  size?: number;
  /** Query paragraphs (another seed; default 1000). */
  queries?: number;
  /** Where embeddings and ground truth are cached; `false` computes them in memory. Default `bench/datasets/cache`. */
  cacheDir?: string | false;
  /** Embedding progress (texts done of total), when the embeddings are not cached yet. */
  onProgress?: (done: number, total: number) => void;
  /** Generate the paragraphs too (default true; the systems that store no text skip it: 1M take ~30 s). */
  texts?: boolean;
  signal?: AbortSignal;
}

/** Lorem paragraphs (seed 9, queries seed 10) embedded once with the random MiniLM and cached, with exact top-10. */
export async function loadLorem(options: LoadLoremOptions = {}): Promise<VectorDataset> {
  const { size = 50_000, queries = 1000 } = options;
  if (!Number.isInteger(size) || size < 1 || !Number.isInteger(queries) || queries < 1) {
    throw new InvalidInputError(
      `lorem: size and queries must be positive integers, got ${size} and ${queries}`,
    );
  }
  const cache = options.cacheDir === false ? undefined : (options.cacheDir ?? DATASET_CACHE);
  const chunks = cache ? join(cache, "lorem-minilm-random") : false;
  const file = (what: string) => (cache ? join(cache, `lorem-minilm-random-${what}`) : undefined);
  const vectors = await loremVectors(size, {
    cacheDir: chunks,
    onProgress: options.onProgress,
    signal: options.signal,
  });
  const queryRows = await cached(
    file(`s${QUERY_SEED}-q${queries}.f32`),
    async () => {
      const embedder = await loremEmbedder();
      try {
        return await embedAll(embedder, loremCorpus(queries, QUERY_SEED), { signal: options.signal });
      } finally {
        await embedder.close?.();
      }
    },
    (b) => new Float32Array(b),
  );
  const truth = await cached(
    file(`${size}-q${queries}-top10.i32`),
    () => exactTopK(vectors, queryRows, DIM, 10),
    (b) => new Int32Array(b),
  );
  return {
    name: `lorem-${sizeLabel(size)}`,
    dim: DIM,
    count: size,
    vectors,
    queries: queryRows,
    queryCount: queries,
    k: 10,
    truth,
    ...(options.texts === false ? {} : { texts: loremCorpus(size, DATA_SEED) }),
    source: {
      generator: "lorem-ipsum",
      seeds: { data: DATA_SEED, queries: QUERY_SEED },
      embedder: "minilm-random (q8)",
      cachedInChunksOf: LOREM_CHUNK,
    },
  };
}
