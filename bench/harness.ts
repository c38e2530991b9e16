/**
 * The benchmark harness: every system on the same vectors and queries, each (size, repetition, system) in
 * a worker process of its own, repetitions interleaved so drift hits every system alike. The run's folder
 * lives under the OS temp folder and is removed at the end, on failure and on interrupt (Ctrl-C stops the
 * workers, which stop their servers, before the harness exits).
 */
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BenchError, CancelledError } from "../lib/errors.js";
import { sizeLabel } from "./dataset.js";
import { machine } from "./measure.js";
import { type Spread, spread, spreadOf } from "./stats.js";
import {
  type DatasetSpec,
  DEFAULT_FILTER_QUERIES,
  loadSuiteDataset,
  loremEmbeddingRates,
  type VectorSuite,
} from "./suites.js";
import type { SystemName } from "./systems/index.js";
import { LARGE_SIZE } from "./targets.js";
import type { PointResult, WorkerJob, WorkerResult } from "./worker.js";

export interface BenchOptions {
  suite: VectorSuite;
  systems: SystemName[];
  sizes: number[];
  /** Repetitions of every (size, system); at least 3 for a report. Default 3. */
  reps?: number;
  /** Queries per dataset (default 1000). */
  queries?: number;
  /** Queries per call in the batched measure (default 100). */
  batch?: number;
  /** Queries under each filter (default 200; at most the size's queries). */
  filterQueries?: number;
  /** Repetitions and queries at sizes ≥ `LARGE_SIZE` (default: 1 repetition, 300 queries). */
  large?: { reps: number; queries: number };
  log?: (line: string) => void;
  onProgress?: (done: number, total: number, label: string) => void;
  signal?: AbortSignal;
}

/** One sweep point across repetitions. */
export interface PointSummary {
  label: string;
  params: PointResult["params"];
  recall: Spread;
  p50: Spread;
  p95: Spread;
  p99: Spread;
  qps: Spread;
  batchQps: Spread;
}

/** One filter across repetitions, at the system's operating point. */
export interface FilterSummary {
  label: string;
  rows: number;
  queries: number;
  point: string;
  recall: Spread;
  p50: Spread;
  p95: Spread;
  p99: Spread;
  unfilteredP50: Spread;
}

/** One system on one dataset across repetitions. */
export interface SystemSummary {
  dataset: string;
  size: number;
  system: SystemName;
  description: string;
  addMs: Spread;
  buildMs: Spread;
  rowsPerSecond?: Spread;
  startupMs: Spread;
  diskBytes: Spread;
  memoryBytes: Spread;
  /** The worker's whole resident memory (dataset included), where recorded. */
  rssBytes?: Spread;
  serverMemoryBytes?: Spread;
  /** Opened by a fresh process and queried (`serving-memory.ts`), where recorded. */
  servingMemoryBytes?: Spread;
  points: PointSummary[];
  /** Queries under each filter, where recorded. */
  filters?: FilterSummary[];
}

export interface BenchReport {
  benchmark: "systems";
  suite: VectorSuite;
  createdAt: string;
  durationMs: number;
  machine: Record<string, unknown>;
  settings: {
    systems: SystemName[];
    sizes: number[];
    reps: number;
    queries: number;
    k: number;
    batch: number;
    filterQueries?: number;
    /** Repetitions per size, where a size ran fewer than `reps` (the large sizes). */
    repsBySize?: Record<string, number>;
    /** Systems per size, where a size ran fewer than `systems` (a merged run, `merge.ts`). */
    systemsBySize?: Record<string, SystemName[]>;
  };
  datasets: Array<{
    name: string;
    size: number;
    dim: number;
    queries: number;
    source: Record<string, unknown>;
  }>;
  summary: SystemSummary[];
  /** lorem suite: the embedder's throughput, measured once per repetition (one model load) in the harness process. */
  embedding?: { embedder: string; textsPerSecond: Spread };
  runs: Array<WorkerResult & { rep: number; size: number }>;
  /** The runs merged into this report, each with its sizes (`merge.ts`); absent: one run. */
  parts?: BenchPart[];
}

/** One `npm run bench` of a merged report: its sizes, when, how long, on what and how to run it again. */
export interface BenchPart {
  sizes: number[];
  createdAt: string;
  durationMs: number;
  machine: Record<string, unknown>;
  command: string;
}

const WORKER = fileURLToPath(new URL("./worker.ts", import.meta.url));

/** Runs a worker; its stderr lines go to `log`; an abort stops it with SIGINT (it then stops its servers). */
function runWorker(job: WorkerJob, log: (line: string) => void, signal?: AbortSignal): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--expose-gc", "--import", "tsx", WORKER, JSON.stringify(job)], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, LANCEDB_LOG: process.env.LANCEDB_LOG ?? "error" },
    });
    let out = "";
    const tail: string[] = [];
    child.stdout.on("data", (chunk) => {
      out += chunk;
    });
    let partial = "";
    child.stderr.on("data", (chunk) => {
      const lines = (partial + chunk).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) {
        tail.push(line);
        if (tail.length > 20) tail.shift();
        log(line);
      }
    });
    const stop = () => child.kill("SIGINT");
    signal?.addEventListener("abort", stop, { once: true });
    child.on("error", reject);
    child.on("close", (code) => {
      signal?.removeEventListener("abort", stop);
      if (signal?.aborted) return reject(new CancelledError("benchmark run"));
      if (code !== 0) {
        return reject(new BenchError(`${job.system} worker failed (exit ${code}):\n${tail.join("\n")}`));
      }
      try {
        resolve(JSON.parse(out.trim().split("\n").pop() ?? "") as WorkerResult);
      } catch (error) {
        reject(new BenchError(`${job.system} worker gave no result`, { cause: error }));
      }
    });
  });
}

/** Each (size, system) across its repetitions: medians with min–max, every sweep point and filter. */
export function summarize(runs: BenchReport["runs"]): SystemSummary[] {
  const groups = new Map<string, BenchReport["runs"]>();
  for (const run of runs) {
    const key = `${run.size}\u0000${run.system}`;
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  return [...groups.values()].map((group) => {
    const first = group[0];
    const servers = spread(group.map((r) => r.serverMemoryBytes));
    const rates = spread(group.map((r) => r.ingest.rowsPerSecond));
    const rss = spread(group.map((r) => r.rssBytes));
    const serving = spread(group.map((r) => r.servingMemoryBytes));
    return {
      dataset: first.dataset,
      size: first.size,
      system: first.system,
      description: [...new Set(group.map((r) => r.description))].join(" / "),
      addMs: spreadOf(group.map((r) => r.ingest.addMs)),
      buildMs: spreadOf(group.map((r) => r.ingest.buildMs)),
      ...(rates ? { rowsPerSecond: rates } : {}),
      startupMs: spreadOf(group.map((r) => r.startupMs)),
      diskBytes: spreadOf(group.map((r) => r.diskBytes)),
      memoryBytes: spreadOf(group.map((r) => r.memoryBytes)),
      ...(rss ? { rssBytes: rss } : {}),
      ...(servers ? { serverMemoryBytes: servers } : {}),
      ...(serving ? { servingMemoryBytes: serving } : {}),
      ...(first.filters ? { filters: summarizeFilters(group) } : {}),
      // Sweep points by label, every label of any repetition (SIGLA's auto index may pick another kind).
      points: uniqueBy(
        group.flatMap((r) => r.points),
        (p) => p.label,
      ).map((point) => {
        const same = group
          .map((r) => r.points.find((p) => p.label === point.label))
          .filter((p) => p !== undefined);
        return {
          label: point.label,
          params: point.params,
          recall: spreadOf(same.map((p) => p.recall)),
          p50: spreadOf(same.map((p) => p.latency.p50)),
          p95: spreadOf(same.map((p) => p.latency.p95)),
          p99: spreadOf(same.map((p) => p.latency.p99)),
          qps: spreadOf(same.map((p) => p.latency.qps)),
          batchQps: spreadOf(same.map((p) => p.batchQps)),
        };
      }),
    };
  });
}

/** The first item of each key, in order. */
function uniqueBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const item of items) if (!seen.has(key(item))) seen.set(key(item), item);
  return [...seen.values()];
}

/** Each filter of the first run, across the group's runs. */
function summarizeFilters(group: BenchReport["runs"]): FilterSummary[] {
  return (group[0].filters ?? []).map((filter) => {
    const same = group.flatMap((r) => r.filters?.filter((f) => f.label === filter.label) ?? []);
    return {
      label: filter.label,
      rows: filter.rows,
      queries: filter.queries,
      point: filter.point,
      recall: spreadOf(same.map((f) => f.recall)),
      p50: spreadOf(same.map((f) => f.latency.p50)),
      p95: spreadOf(same.map((f) => f.latency.p95)),
      p99: spreadOf(same.map((f) => f.latency.p99)),
      unfilteredP50: spreadOf(same.map((f) => f.unfilteredP50)),
    };
  });
}

/** The default repetitions and queries at sizes ≥ `LARGE_SIZE`. */
export const LARGE_DEFAULTS = { reps: 1, queries: 300 } as const;

/** The dataset a size runs on: its queries (fewer at large sizes) and the filtered queries. */
export function datasetSpecFor(
  suite: VectorSuite,
  size: number,
  options: Pick<BenchOptions, "queries" | "filterQueries" | "large"> = {},
): DatasetSpec {
  const { queries = 1000, filterQueries = DEFAULT_FILTER_QUERIES, large = LARGE_DEFAULTS } = options;
  return {
    suite,
    size,
    queries: size >= LARGE_SIZE ? Math.min(queries, large.queries) : queries,
    filterQueries,
  };
}

/** Runs the suite and returns the report (nothing is written: see `writeReport`). */
export async function runBench(options: BenchOptions): Promise<BenchReport> {
  const { suite, systems, sizes, reps = 3, queries = 1000, batch = 100, signal } = options;
  const filterQueries = options.filterQueries ?? DEFAULT_FILTER_QUERIES;
  const large = options.large ?? LARGE_DEFAULTS;
  const log = options.log ?? (() => {});
  for (const [name, value] of [
    ["reps", reps],
    ["queries", queries],
    ["batch", batch],
    ["filter queries", filterQueries],
    ["large reps", large.reps],
    ["large queries", large.queries],
  ] as const) {
    if (!Number.isInteger(value) || value < 1)
      throw new BenchError(`${name} must be a positive integer, got ${value}`);
  }
  if (systems.length === 0 || sizes.length === 0)
    throw new BenchError("name at least one system and one size");
  const repsOf = (size: number) => (size >= LARGE_SIZE ? Math.min(reps, large.reps) : reps);
  const started = performance.now();
  const loadStart = loadavg();
  const work = await mkdtemp(join(tmpdir(), "sigla-bench-"));
  const runs: BenchReport["runs"] = [];
  const datasets: BenchReport["datasets"] = [];
  const total = sizes.reduce((n, size) => n + repsOf(size) * systems.length, 0);
  let embedding: BenchReport["embedding"];
  try {
    if (suite === "lorem") {
      const rates = await loremEmbeddingRates(reps);
      embedding = { embedder: rates.embedder, textsPerSecond: spread(rates.textsPerSecond) as Spread };
      log(`embedding: ${embedding.textsPerSecond.median.toFixed(0)} texts/s with ${rates.embedder}`);
    }
    for (const size of sizes) {
      const spec = datasetSpecFor(suite, size, { queries, filterQueries, large });
      log(`dataset ${suite} ${sizeLabel(size)}: loading (built and cached on first use)`);
      // Only what the report needs is kept: the vectors (1.5 GB at 1M) are the workers' to load.
      const { name, dim, queryCount, source } = await loadSuiteDataset(spec, {
        texts: false,
        signal,
        onProgress: (done, all) => options.onProgress?.(done, all, `embedding ${suite} ${sizeLabel(size)}`),
      });
      datasets.push({ name, size, dim, queries: queryCount, source });
      const sizeReps = repsOf(size);
      for (let rep = 1; rep <= sizeReps; rep++) {
        // Rotate the order per repetition: no system always runs first (cold caches) or last.
        const order = systems.map((_, i) => systems[(i + rep - 1) % systems.length]);
        for (const system of order) {
          if (signal?.aborted) throw new CancelledError("benchmark run");
          const label = `${name} rep ${rep}/${sizeReps} ${system}`;
          options.onProgress?.(runs.length, total, label);
          const workDir = join(work, `${sizeLabel(size)}-${rep}-${system}`);
          await mkdir(workDir, { recursive: true });
          const job: WorkerJob = { system, dataset: spec, workDir, batch };
          const result = await runWorker(job, (line) => log(`[${label}] ${line}`), signal);
          runs.push({ ...result, rep, size });
          await rm(workDir, { recursive: true, force: true });
        }
      }
    }
    options.onProgress?.(total, total, "done");
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return {
    benchmark: "systems",
    suite,
    createdAt: new Date().toISOString(),
    durationMs: performance.now() - started,
    machine: { ...machine(), loadAverage: { start: loadStart, end: loadavg() } },
    settings: {
      systems,
      sizes,
      reps,
      queries,
      k: 10,
      batch,
      filterQueries,
      repsBySize: Object.fromEntries(sizes.filter((s) => repsOf(s) !== reps).map((s) => [s, repsOf(s)])),
    },
    datasets,
    summary: summarize(runs),
    ...(embedding ? { embedding } : {}),
    runs,
  };
}
