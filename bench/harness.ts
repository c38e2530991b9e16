/**
 * The benchmark harness: every system on the same vectors and queries, each (size, repetition, system) in
 * a worker process of its own, repetitions interleaved so drift hits every system alike. The run's folder
 * lives under the OS temp folder and is removed at the end, on failure and on interrupt (Ctrl-C stops the
 * workers, which stop their servers, before the harness exits).
 */
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BenchError, CancelledError } from "../lib/errors.js";
import { sizeLabel } from "./dataset.js";
import { machine } from "./measure.js";
import { type Spread, spread, spreadOf } from "./stats.js";
import { loadSuiteDataset, loremEmbeddingRates, type VectorSuite } from "./suites.js";
import type { SystemName } from "./systems/index.js";
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
  serverMemoryBytes?: Spread;
  points: PointSummary[];
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

function summarize(runs: BenchReport["runs"]): SystemSummary[] {
  const groups = new Map<string, BenchReport["runs"]>();
  for (const run of runs) {
    const key = `${run.size}\u0000${run.system}`;
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  return [...groups.values()].map((group) => {
    const first = group[0];
    const servers = spread(group.map((r) => r.serverMemoryBytes));
    const rates = spread(group.map((r) => r.ingest.rowsPerSecond));
    return {
      dataset: first.dataset,
      size: first.size,
      system: first.system,
      description: first.description,
      addMs: spreadOf(group.map((r) => r.ingest.addMs)),
      buildMs: spreadOf(group.map((r) => r.ingest.buildMs)),
      ...(rates ? { rowsPerSecond: rates } : {}),
      startupMs: spreadOf(group.map((r) => r.startupMs)),
      diskBytes: spreadOf(group.map((r) => r.diskBytes)),
      memoryBytes: spreadOf(group.map((r) => r.memoryBytes)),
      ...(servers ? { serverMemoryBytes: servers } : {}),
      // Sweep points by label: a system's sweep is the same in every repetition.
      points: first.points.map((point) => {
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

/** Runs the suite and returns the report (nothing is written: see `writeReport`). */
export async function runBench(options: BenchOptions): Promise<BenchReport> {
  const { suite, systems, sizes, reps = 3, queries = 1000, batch = 100, signal } = options;
  const log = options.log ?? (() => {});
  if (!Number.isInteger(reps) || reps < 1)
    throw new BenchError(`reps must be a positive integer, got ${reps}`);
  if (systems.length === 0 || sizes.length === 0)
    throw new BenchError("name at least one system and one size");
  const started = performance.now();
  const work = await mkdtemp(join(tmpdir(), "sigla-bench-"));
  const runs: BenchReport["runs"] = [];
  const datasets: BenchReport["datasets"] = [];
  const total = sizes.length * reps * systems.length;
  let embedding: BenchReport["embedding"];
  try {
    if (suite === "lorem") {
      const rates = await loremEmbeddingRates(reps);
      embedding = { embedder: rates.embedder, textsPerSecond: spread(rates.textsPerSecond) as Spread };
      log(`embedding: ${embedding.textsPerSecond.median.toFixed(0)} texts/s with ${rates.embedder}`);
    }
    for (const size of sizes) {
      log(`dataset ${suite} ${sizeLabel(size)}: loading (built and cached on first use)`);
      const data = await loadSuiteDataset({ suite, size, queries }, (done, all) =>
        options.onProgress?.(done, all, `embedding ${suite} ${sizeLabel(size)}`),
      );
      datasets.push({ name: data.name, size, dim: data.dim, queries: data.queryCount, source: data.source });
      for (let rep = 1; rep <= reps; rep++) {
        // Rotate the order per repetition: no system always runs first (cold caches) or last.
        const order = systems.map((_, i) => systems[(i + rep - 1) % systems.length]);
        for (const system of order) {
          if (signal?.aborted) throw new CancelledError("benchmark run");
          const label = `${data.name} rep ${rep}/${reps} ${system}`;
          options.onProgress?.(runs.length, total, label);
          const workDir = join(work, `${sizeLabel(size)}-${rep}-${system}`);
          await mkdir(workDir, { recursive: true });
          const job: WorkerJob = { system, dataset: { suite, size, queries }, workDir, batch };
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
    machine: machine(),
    settings: { systems, sizes, reps, queries, k: 10, batch },
    datasets,
    summary: summarize(runs),
    ...(embedding ? { embedding } : {}),
    runs,
  };
}
