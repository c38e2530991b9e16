/**
 * One system on one dataset, in a process of its own (so its memory, start-up and crashes are its own):
 * `node --expose-gc --import tsx bench/worker.ts '<job JSON>'`. Progress goes to stderr, the result
 * as one JSON line to stdout. The harness (`harness.ts`) runs one worker per system, size and repetition.
 */
import { pathToFileURL } from "node:url";
import type { VectorDataset } from "./dataset.js";
import { FILTERS, type FilterTruth, rowBuckets } from "./filters.js";
import { type LatencySummary, measureLatency, recallAtK, settledMemory } from "./measure.js";
import { servingMemory } from "./serving-memory.js";
import { type DatasetSpec, loadSuiteDataset } from "./suites.js";
import { openSystem, type SystemName } from "./systems/index.js";
import type { BenchSystem, SweepPoint } from "./systems/types.js";
import { RECALL_FLOOR } from "./targets.js";

export interface WorkerJob {
  system: SystemName;
  dataset: DatasetSpec;
  /** An empty folder the worker's system owns. */
  workDir: string;
  /** Queries per call in the batched measure. */
  batch: number;
}

export interface PointResult {
  label: string;
  params: SweepPoint["params"];
  /** Recall@k of the single-stream answers against exact. */
  recall: number;
  /** Single-stream: one query at a time. */
  latency: LatencySummary;
  /** Batched: `batch` queries per call. */
  batchQps: number;
  batchRecall: number;
}

/** Queries under one filter, at the system's operating point (see `operatingPoint`). */
export interface FilterResult {
  /** `1%`, `50%`. */
  label: string;
  /** Rows the filter keeps. */
  rows: number;
  queries: number;
  /** The sweep point the filtered queries ran at. */
  point: string;
  /** Recall@k against the exact top-k among the kept rows. */
  recall: number;
  latency: LatencySummary;
  /** The unfiltered p50 at the same point (the same run), for the "≤ 2× unfiltered" target. */
  unfilteredP50: number;
}

export interface WorkerResult {
  system: SystemName;
  description: string;
  dataset: string;
  /** `rowsPerSecond` is null for a system that stores nothing (exact). */
  ingest: { addMs: number; buildMs: number; rowsPerSecond: number | null };
  points: PointResult[];
  /** Closing and reopening from disk, then one query. */
  startupMs: number;
  diskBytes: number;
  /** Resident memory this process gained from the system (settled, after ingest and the unfiltered sweep). */
  memoryBytes: number;
  /** This process's whole resident memory at that moment (the dataset included). */
  rssBytes: number;
  /**
   * What the system holds once opened from disk by a fresh process and queried at the operating point
   * (`serving-memory.ts`): the figure a server would keep, without what ingest left behind.
   */
  servingMemoryBytes?: number;
  /** Resident memory of the system's server process, when it has one. */
  serverMemoryBytes?: number;
  /** Queries under each filter (absent in reports from before filters). */
  filters?: FilterResult[];
}

const loadRate = (rows: number, ms: number) => (ms > 0 ? rows / (ms / 1000) : null);
const rowOf = (m: Float32Array, dim: number, i: number) => m.subarray(i * dim, (i + 1) * dim);

function truthLists(data: VectorDataset): number[][] {
  const { k, truth } = data;
  return Array.from({ length: data.queryCount }, (_, q) => Array.from(truth.subarray(q * k, (q + 1) * k)));
}

async function measurePoint(
  system: BenchSystem,
  data: VectorDataset,
  point: SweepPoint,
  batch: number,
): Promise<PointResult> {
  const queries = Array.from({ length: data.queryCount }, (_, i) => rowOf(data.queries, data.dim, i));
  const exact = truthLists(data);
  // One untimed query first: the first call pays for lazy set-up (ORT sessions, index pages).
  await system.search(queries[0], data.k, point);
  const found: number[][] = [];
  const latency = await measureLatency(queries, async (q) => {
    found.push(await system.search(q, data.k, point));
  });
  const batched: number[][] = [];
  const started = performance.now();
  for (let start = 0; start < queries.length; start += batch) {
    batched.push(...(await system.searchBatch(queries.slice(start, start + batch), data.k, point)));
  }
  const batchMs = performance.now() - started;
  return {
    label: point.label,
    params: point.params,
    recall: recallAtK(exact, found, data.k),
    latency,
    batchQps: (queries.length / batchMs) * 1000,
    batchRecall: recallAtK(exact, batched, data.k),
  };
}

/** The point filters run at: the fastest (p50) with recall ≥ the floor, else the one with the best recall. */
export function operatingPoint(points: readonly PointResult[]): PointResult | undefined {
  const passing = points.filter((p) => p.recall >= RECALL_FLOOR);
  if (passing.length) return passing.reduce((a, b) => (b.latency.p50 < a.latency.p50 ? b : a));
  return points.reduce<PointResult | undefined>((a, b) => (!a || b.recall > a.recall ? b : a), undefined);
}

/** The filter's queries at `point`, one at a time, after one untimed query; recall against its exact top-k. */
async function measureFilter(
  system: BenchSystem,
  data: VectorDataset,
  truth: FilterTruth,
  point: PointResult,
): Promise<FilterResult> {
  const filter = FILTERS.find((f) => f.label === truth.label) ?? truth;
  const sweepPoint: SweepPoint = { label: point.label, params: point.params };
  const queries = Array.from({ length: truth.queryCount }, (_, i) => rowOf(data.queries, data.dim, i));
  const exact = queries.map((_, q) =>
    Array.from(truth.truth.subarray(q * data.k, (q + 1) * data.k)).filter((id) => id >= 0),
  );
  await system.search(queries[0], data.k, sweepPoint, filter);
  const found: number[][] = [];
  const latency = await measureLatency(queries, async (q) => {
    found.push(await system.search(q, data.k, sweepPoint, filter));
  });
  return {
    label: truth.label,
    rows: truth.rows,
    queries: queries.length,
    point: point.label,
    recall: recallAtK(exact, found, data.k),
    latency,
    unfilteredP50: point.latency.p50,
  };
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;

/**
 * Runs one job: ingest, the sweep (single and batched), memory, the filters at the operating point, disk,
 * then reopen for the start-up time.
 */
export async function runJob(job: WorkerJob, log: (line: string) => void): Promise<WorkerResult> {
  const data = await loadSuiteDataset(job.dataset, { texts: job.system.startsWith("sigla") });
  const before = await settledMemory();
  const system = await openSystem(job.system, { workDir: job.workDir, dim: data.dim, log });
  try {
    log(`ingesting ${data.count} rows`);
    const ingest = await system.ingest({
      dim: data.dim,
      count: data.count,
      vectors: data.vectors,
      texts: data.texts,
      buckets: rowBuckets(data.count),
    });
    const points: PointResult[] = [];
    for (const point of system.sweep()) {
      const result = await measurePoint(system, data, point, job.batch);
      log(
        `${point.label}: recall ${result.recall.toFixed(3)}, p50 ${result.latency.p50.toFixed(2)} ms, p99 ${result.latency.p99.toFixed(2)} ms, ${result.latency.qps.toFixed(0)} qps single, ${result.batchQps.toFixed(0)} batched`,
      );
      points.push(result);
    }
    const after = await settledMemory();
    const serverMemoryBytes = await system.serverRss();
    const filters: FilterResult[] = [];
    const at = operatingPoint(points);
    for (const truth of at ? (data.filters ?? []) : []) {
      const result = await measureFilter(system, data, truth, at as PointResult);
      log(
        `filter ${result.label} (${result.rows} rows) at ${result.point}: recall ${result.recall.toFixed(3)}, p50 ${result.latency.p50.toFixed(2)} ms (unfiltered ${result.unfilteredP50.toFixed(2)}), p99 ${result.latency.p99.toFixed(2)} ms`,
      );
      filters.push(result);
    }
    const description = system.describe();
    const diskBytes = await system.diskBytes();
    const memoryBytes = Math.max(0, after.rss - before.rss);
    log(
      `memory: +${mb(memoryBytes)} resident (process ${mb(after.rss)})${serverMemoryBytes === undefined ? "" : `, server ${mb(serverMemoryBytes)}`}; disk ${mb(diskBytes)}`,
    );
    const started = performance.now();
    await system.reopen();
    const startupMs = performance.now() - started;
    const point = (at ?? points[0]) as PointResult;
    const servingMemoryBytes = await servingMemory(
      system,
      {
        system: job.system,
        workDir: job.workDir,
        dim: data.dim,
        k: data.k,
        point: { label: point.label, params: point.params },
      },
      data.queries,
      // The exact scan serves from the raw vectors themselves.
      data.vectors.byteLength,
    );
    log(`serving memory (queried at ${point.label}): ${mb(servingMemoryBytes)}`);
    return {
      system: job.system,
      description,
      dataset: data.name,
      ingest: { ...ingest, rowsPerSecond: loadRate(data.count, ingest.addMs + ingest.buildMs) },
      points,
      startupMs,
      diskBytes,
      memoryBytes,
      rssBytes: after.rss,
      servingMemoryBytes,
      ...(serverMemoryBytes === undefined ? {} : { serverMemoryBytes }),
      filters,
    };
  } finally {
    await system.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const job = JSON.parse(process.argv[2] ?? "{}") as WorkerJob;
  const log = (line: string) => process.stderr.write(`${line}\n`);
  try {
    const result = await runJob(job, log);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } catch (error) {
    process.stderr.write(
      `worker failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  }
}
