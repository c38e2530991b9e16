/** The seed's §9 corpus: seeded lorem-ipsum paragraphs (one capsule each), and its benchmark form with vectors. */
import { join } from "node:path";
import { LoremIpsum } from "lorem-ipsum";
import type { Embedder } from "../../lib/embed/embedder.js";
import { loadTransformersEmbedder } from "../../lib/embed/transformers.js";
import { InvalidInputError } from "../../lib/errors.js";
import { seededRandom } from "../../lib/random.js";
import { cached, exactTopK, sizeLabel, type VectorDataset } from "../dataset.js";
import { ensureMiniLmRandom } from "../fixtures/minilm-random.js";
import { DATASET_CACHE } from "./cache-dir.js";

export function loremCorpus(count: number, seed = 1): string[] {
  const lorem = new LoremIpsum({
    random: seededRandom(seed),
    sentencesPerParagraph: { min: 3, max: 6 },
    wordsPerSentence: { min: 6, max: 14 },
  });
  return Array.from({ length: count }, () => lorem.generateParagraphs(1));
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

export interface LoadLoremOptions {
  /** Paragraphs (default 50k, the seed's size). */
  size?: number;
  /** Query paragraphs (another seed; default 1000). */
  queries?: number;
  /** Where embeddings and ground truth are cached; `false` computes them in memory. Default `bench/datasets/cache`. */
  cacheDir?: string | false;
  /** Embedding progress (texts done of total), when the embeddings are not cached yet. */
  onProgress?: (done: number, total: number) => void;
}

/** Lorem paragraphs (seed 9, queries seed 10) embedded once with the random MiniLM and cached, with exact top-10. */
export async function loadLorem(options: LoadLoremOptions = {}): Promise<VectorDataset> {
  const { size = 50_000, queries = 1000 } = options;
  if (!Number.isInteger(size) || size < 1 || !Number.isInteger(queries) || queries < 1) {
    throw new InvalidInputError(
      `lorem: size and queries must be positive integers, got ${size} and ${queries}`,
    );
  }
  const texts = loremCorpus(size, 9);
  const queryTexts = loremCorpus(queries, 10);
  const cache = options.cacheDir === false ? undefined : (options.cacheDir ?? DATASET_CACHE);
  const file = (what: string) => (cache ? join(cache, `lorem-minilm-random-${what}`) : undefined);
  let embedder: Embedder | undefined;
  const embed = async (list: string[]) => {
    embedder ??= await loremEmbedder();
    const out = new Float32Array(list.length * embedder.dim);
    for (let start = 0; start < list.length; start += 256) {
      const rows = await embedder.embed(list.slice(start, start + 256));
      rows.forEach((row, i) => {
        out.set(row, (start + i) * row.length);
      });
      options.onProgress?.(Math.min(list.length, start + 256), list.length);
    }
    return out;
  };
  const f32 = (b: ArrayBuffer) => new Float32Array(b);
  const vectors = await cached(file(`${size}.f32`), () => embed(texts), f32);
  const queryRows = await cached(file(`q${queries}.f32`), () => embed(queryTexts), f32);
  const dim = vectors.length / size;
  await embedder?.close?.();
  const truth = await cached(
    file(`${size}-q${queries}-top10.i32`),
    () => exactTopK(vectors, queryRows, dim, 10),
    (b) => new Int32Array(b),
  );
  return {
    name: `lorem-${sizeLabel(size)}`,
    dim,
    count: size,
    vectors,
    queries: queryRows,
    queryCount: queries,
    k: 10,
    truth,
    texts,
    source: { generator: "lorem-ipsum", seeds: { data: 9, queries: 10 }, embedder: "minilm-random (q8)" },
  };
}
