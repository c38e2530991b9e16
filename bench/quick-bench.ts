/**
 * A store benchmark small enough to run inside the REPL in seconds: seeded clustered vectors stored in a
 * temporary SIGLA store, then each index kind (flat, IVF, HNSW) queried and compared with exact search in
 * plain JavaScript: recall@k and latency percentiles. Progress is reported and an AbortSignal stops it
 * between batches and queries; the temporary store is always removed.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nextTurn, precomputedEmbedder } from "../lib/embed/embedder.js";
import { CancelledError, InvalidInputError, throwIfCancelled } from "../lib/errors.js";
import { exactTopK } from "../lib/kernels/top-k.js";
import { CapsuleStore } from "../lib/store/capsule-store.js";
import type { IndexKind } from "../lib/store/types.js";
import { clusteredMatrix } from "./datasets/clustered.js";
import { type LatencySummary, machine, recallAtK, summarizeLatency } from "./measure.js";

/** Options of {@link quickBench}. */
export interface QuickBenchOptions {
  /** Vectors stored (default 3000). */
  size?: number;
  /** Queries per index kind (default 100). */
  queries?: number;
  /** Vector dimension (default 384, MiniLM's). */
  dim?: number;
  /** Clusters the vectors gather around (default 50). */
  clusters?: number;
  /** Neighbours compared (default 10). */
  k?: number;
  /** Index kinds measured, in order (default flat, ivf, hnsw). */
  kinds?: readonly IndexKind[];
  signal?: AbortSignal;
  /** `phase` is `store` (vectors written), `exact` (ground truth) or the index kind being queried. */
  onProgress?: (progress: { phase: string; done: number; total: number }) => void;
}

/** One index kind's numbers. */
export interface QuickBenchPoint {
  kind: IndexKind;
  /** Milliseconds to build the index. */
  buildMs: number;
  /** recall@k against exact search. */
  recall: number;
  latency: LatencySummary;
}

/** What {@link quickBench} measured. */
export interface QuickBenchResult {
  size: number;
  dim: number;
  queries: number;
  k: number;
  /** Milliseconds to store the vectors (one atomic batch per 500, no auto-links). */
  storeMs: number;
  points: QuickBenchPoint[];
  machine: Record<string, unknown>;
  createdAt: string;
}

/**
 * Exact top-k ids of each query (the JS reference kernel). It yields to the event loop every few queries,
 * so an abort (Ctrl-C) is seen while it runs.
 */
async function groundTruth(
  data: Float32Array,
  queries: Float32Array,
  dim: number,
  k: number,
  step: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void },
): Promise<number[][]> {
  const count = data.length / dim;
  const total = queries.length / dim;
  const out: number[][] = [];
  for (let q = 0; q < total; q++) {
    if (q % 5 === 0) {
      await nextTurn();
      throwIfCancelled(step.signal, "bench");
      step.onProgress?.(q, total);
    }
    out.push(Array.from(exactTopK(data, count, dim, queries.subarray(q * dim, (q + 1) * dim), k).rows));
  }
  step.onProgress?.(total, total);
  return out;
}

function checkSize(value: number, name: string, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidInputError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
}

/**
 * Runs the quick benchmark. Stored ids are 0..size-1 in insertion order (a new store), so exact results
 * are compared by position.
 *
 * @throws CancelledError when `signal` aborts (the temporary store is removed all the same).
 */
export async function quickBench(options: QuickBenchOptions = {}): Promise<QuickBenchResult> {
  const size = checkSize(options.size ?? 3000, "size", 100, 50_000);
  const queryCount = checkSize(options.queries ?? 100, "queries", 1, 2000);
  const dim = options.dim ?? 384;
  const k = Math.min(options.k ?? 10, size);
  const kinds = options.kinds ?? (["flat", "ivf", "hnsw"] as const);
  const { signal, onProgress } = options;
  const clusters = options.clusters ?? 50;
  const data = clusteredMatrix({ count: size, dim, clusters, seed: 1 });
  const queries = clusteredMatrix({ count: queryCount, dim, clusters, seed: 2 });
  const dir = await mkdtemp(join(tmpdir(), "sigla-quick-bench-"));
  try {
    const store = await CapsuleStore.open(join(dir, "store"), {
      embedder: precomputedEmbedder(dim),
      indexPolicy: "flat",
      autoLinkK: 0,
    });
    try {
      const batch = 500;
      const started = performance.now();
      for (let i = 0; i < size; i += batch) {
        throwIfCancelled(signal, "bench");
        const n = Math.min(batch, size - i);
        await store.addCapsules(
          Array.from({ length: n }, (_, j) => ({
            text: `vector ${i + j}`,
            vector: data.subarray((i + j) * dim, (i + j + 1) * dim),
          })),
          { signal },
        );
        onProgress?.({ phase: "store", done: i + n, total: size });
      }
      const storeMs = performance.now() - started;
      throwIfCancelled(signal, "bench");
      const exact = await groundTruth(data, queries, dim, k, {
        signal,
        onProgress: (done, total) => onProgress?.({ phase: "exact", done, total }),
      });
      const points: QuickBenchPoint[] = [];
      for (const kind of kinds) {
        throwIfCancelled(signal, "bench");
        const built = performance.now();
        await store.rebuildIndex({ kind });
        const buildMs = performance.now() - built;
        const found: number[][] = [];
        const times: number[] = [];
        const t0 = performance.now();
        for (let q = 0; q < queryCount; q++) {
          if (q % 10 === 0) {
            throwIfCancelled(signal, "bench");
            onProgress?.({ phase: kind, done: q, total: queryCount });
          }
          const t = performance.now();
          const hits = await store.query(queries.subarray(q * dim, (q + 1) * dim), { topK: k });
          times.push(performance.now() - t);
          found.push(hits.map((hit) => hit.id));
        }
        onProgress?.({ phase: kind, done: queryCount, total: queryCount });
        points.push({
          kind,
          buildMs,
          recall: recallAtK(exact, found, k),
          latency: summarizeLatency(times, performance.now() - t0),
        });
      }
      return {
        size,
        dim,
        queries: queryCount,
        k,
        storeMs,
        points,
        machine: machine(),
        createdAt: new Date().toISOString(),
      };
    } catch (error) {
      // The store reports an abort inside its write in its own words; the bench says it once, the same way.
      if (signal?.aborted) throw new CancelledError("bench");
      throw error;
    } finally {
      await store.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
