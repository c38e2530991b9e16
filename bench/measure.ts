/** Small measuring tools shared by the benchmarks: latency percentiles, the machine, package versions. */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus, freemem, release, totalmem, type } from "node:os";
import { dirname, join } from "node:path";

export interface LatencySummary {
  count: number;
  qps: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
}

/** Percentile (0–100) of sorted numbers, by nearest rank. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/** The nearest-rank median of numbers in any order (the middle run of three). */
export function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

/** Runs `run` once per item, one at a time, and summarises the latencies (ms). */
export async function measureLatency<T>(
  items: readonly T[],
  run: (item: T) => Promise<unknown>,
): Promise<LatencySummary> {
  const times: number[] = [];
  const started = performance.now();
  for (const item of items) {
    const t = performance.now();
    await run(item);
    times.push(performance.now() - t);
  }
  return summarizeLatency(times, performance.now() - started);
}

/** Count, throughput and p50/p95/p99/mean of latencies (ms) measured over `totalMs`. */
export function summarizeLatency(times: readonly number[], totalMs: number): LatencySummary {
  const sorted = [...times].sort((a, b) => a - b);
  return {
    count: sorted.length,
    qps: (sorted.length / totalMs) * 1000,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    mean: sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length),
  };
}

/** Milliseconds taken by `work`, with its result. */
export async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t = performance.now();
  const value = await work();
  return { ms: performance.now() - t, value };
}

/** Share of each exact top-k list found in the matching result list. */
export function recallAtK(
  exact: readonly (readonly number[])[],
  found: readonly (readonly number[])[],
  k = 10,
): number {
  let hit = 0;
  let total = 0;
  exact.forEach((truth, i) => {
    const got = new Set(found[i].slice(0, k));
    for (const id of truth.slice(0, k)) {
      total++;
      if (got.has(id)) hit++;
    }
  });
  return total === 0 ? 1 : hit / total;
}

const require = createRequire(import.meta.url);

/**
 * The installed version of a package. Packages whose `exports` hide `package.json` are found by resolving
 * the package itself and walking up to the folder that holds its `package.json`.
 */
function version(name: string): string {
  try {
    let dir = dirname(require.resolve(name));
    while (dir !== dirname(dir)) {
      const file = join(dir, "package.json");
      if (existsSync(file)) {
        const pkg = JSON.parse(readFileSync(file, "utf8"));
        if (pkg.name === name) return pkg.version;
      }
      dir = dirname(dir);
    }
  } catch {
    // Not installed, or not resolvable from here.
  }
  return "unknown";
}

/** What the numbers were measured on. */
export function machine(): Record<string, unknown> {
  const cpu = cpus();
  return {
    cpu: cpu[0]?.model ?? "unknown",
    cores: cpu.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    freeMemoryGiB: Math.round((freemem() / 2 ** 30) * 10) / 10,
    os: `${type()} ${release()}`,
    node: process.version,
    packages: Object.fromEntries(
      [
        "@lancedb/lancedb",
        "apache-arrow",
        "onnxruntime-node",
        "@huggingface/transformers",
        "chromadb",
        "chromadb-js-bindings-linux-x64-gnu",
      ].map((p) => [p, version(p)]),
    ),
  };
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/**
 * Resident memory once the process is quiet: full GCs (with `--expose-gc`), 250 ms apart, until resident
 * and external memory move less than 1 MB between two readings (at least 1 s, at most 10 s). Without this a
 * reading can land while freed buffers are still being released, which moves it by tens of MB either way.
 */
export async function settledMemory(): Promise<NodeJS.MemoryUsage> {
  let last = process.memoryUsage();
  let still = 0;
  for (let round = 0; round < 40 && still < 4; round++) {
    global.gc?.();
    await sleep(250);
    const now = process.memoryUsage();
    const quiet = Math.abs(now.rss - last.rss) < 1e6 && Math.abs(now.external - last.external) < 1e6;
    still = quiet ? still + 1 : 0;
    last = now;
  }
  return last;
}
