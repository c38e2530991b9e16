/** The vector suites of the harness and the dataset each loads (the same bytes in every worker, from the cache). */

import { BenchError } from "../lib/errors.js";
import type { VectorDataset } from "./dataset.js";
import { loadClustered } from "./datasets/clustered.js";
import { loadLorem, loremCorpus, loremEmbedder } from "./datasets/lorem.js";

export const VECTOR_SUITES = ["store", "lorem"] as const;
export type VectorSuite = (typeof VECTOR_SUITES)[number];
/** Every suite: the vector suites, and `retrieval` (answer quality on real documents, SIGLA's search modes). */
export const SUITES = [...VECTOR_SUITES, "retrieval"] as const;
export type Suite = (typeof SUITES)[number];

export interface DatasetSpec {
  suite: VectorSuite;
  size: number;
  queries: number;
}

export function parseSuite(name: string): Suite {
  if (!(SUITES as readonly string[]).includes(name)) {
    throw new BenchError(`unknown suite "${name}" — suites: ${SUITES.join(", ")}`);
  }
  return name as Suite;
}

/** `store`: clustered 384-d vectors; `lorem`: the seed's lorem corpus embedded with the random MiniLM. */
export function loadSuiteDataset(
  spec: DatasetSpec,
  onProgress?: (done: number, total: number) => void,
): Promise<VectorDataset> {
  return spec.suite === "store"
    ? loadClustered({ size: spec.size, queries: spec.queries })
    : loadLorem({ size: spec.size, queries: spec.queries, onProgress });
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
