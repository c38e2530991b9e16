/** The vector suites of the harness and the dataset each loads (the same bytes in every worker, from the cache). */

import { BenchError } from "../lib/errors.js";
import type { VectorDataset } from "./dataset.js";
import { DATASET_CACHE } from "./datasets/cache-dir.js";
import { loadClustered } from "./datasets/clustered.js";
import { loadLorem, loremCorpus, loremEmbedder } from "./datasets/lorem.js";
import { filterTruths } from "./filters.js";

export const VECTOR_SUITES = ["store", "lorem"] as const;
export type VectorSuite = (typeof VECTOR_SUITES)[number];
/** Every suite: the vector suites, and `retrieval` (answer quality on real documents, SIGLA's search modes). */
export const SUITES = [...VECTOR_SUITES, "retrieval"] as const;
export type Suite = (typeof SUITES)[number];

export interface DatasetSpec {
  suite: VectorSuite;
  size: number;
  queries: number;
  /** Queries answered under each filter (the first of the query set; default 200, at most `queries`). */
  filterQueries?: number;
}

/** Filtered queries per filter when the spec names none. */
export const DEFAULT_FILTER_QUERIES = 200;

export function parseSuite(name: string): Suite {
  if (!(SUITES as readonly string[]).includes(name)) {
    throw new BenchError(`unknown suite "${name}" — suites: ${SUITES.join(", ")}`);
  }
  return name as Suite;
}

export interface LoadSuiteOptions {
  /** Embedding progress of a lorem corpus not cached yet (texts done of total). */
  onProgress?: (done: number, total: number) => void;
  /** The capsule texts too, where the suite has them (default true; only SIGLA stores them). */
  texts?: boolean;
  signal?: AbortSignal;
}

/**
 * `store`: clustered 384-d vectors; `lorem`: the seed's lorem corpus embedded with the random MiniLM. Both
 * with the exact top-k of each query, unfiltered and under each filter (`filters.ts`), cached on disk.
 */
export async function loadSuiteDataset(
  spec: DatasetSpec,
  options: LoadSuiteOptions = {},
): Promise<VectorDataset> {
  const data =
    spec.suite === "store"
      ? await loadClustered({ size: spec.size, queries: spec.queries })
      : await loadLorem({
          size: spec.size,
          queries: spec.queries,
          onProgress: options.onProgress,
          texts: options.texts,
          signal: options.signal,
        });
  const filterQueries = Math.min(data.queryCount, spec.filterQueries ?? DEFAULT_FILTER_QUERIES);
  const filters = await filterTruths(data, filterQueries, { dir: DATASET_CACHE, stem: data.name });
  return { ...data, filters };
}

/**
 * Texts per second of the lorem suite's embedder (the random-weight MiniLM, q8) on 256 of the corpus's
 * paragraphs, `times` times after one warm-up, with one model load: with the stores' rows/s it gives
 * ingest throughput with embedding.
 */
export async function loremEmbeddingRates(
  times: number,
): Promise<{ embedder: string; textsPerSecond: number[] }> {
  const embedder = await loremEmbedder();
  try {
    const texts = loremCorpus(264, 9);
    await embedder.embed(texts.slice(0, 8));
    const rates: number[] = [];
    for (let i = 0; i < times; i++) {
      const started = performance.now();
      await embedder.embed(texts.slice(8));
      rates.push(256 / ((performance.now() - started) / 1000));
    }
    return { embedder: embedder.id, textsPerSecond: rates };
  } finally {
    await embedder.close?.();
  }
}
