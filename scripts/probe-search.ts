/**
 * Probe of the store's search paths on its own (no LanceDB): flat and ivf over clustered (or lorem) vectors,
 * single queries (p50/p95/p99, GC pauses seen meanwhile, recall@10) at each effort, and batches of 100 (QPS)
 * beside the bench's exact batched scan, all in one run so the ratios hold on a shared machine.
 *
 *   node --import tsx scripts/probe-search.ts [size=50000] [queries=500] [dataset=clustered|lorem] [kinds=flat,ivf]
 */
import { PerformanceObserver } from "node:perf_hooks";
import { exactTopK as benchExact, type VectorDataset } from "../bench/dataset.js";
import { loadClustered } from "../bench/datasets/clustered.js";
import { HotVectors } from "../lib/store/hot-vectors.js";
import { createIndex } from "../lib/store/vector-index.js";

const [sizeArg = "50000", queryArg = "500", dataset = "clustered", kindArg = "flat,ivf"] =
  process.argv.slice(2);
const size = Number(sizeArg);
const queryCount = Number(queryArg);
const K = 10;

async function load(): Promise<VectorDataset> {
  if (dataset === "lorem") {
    // The bench's cached embeddings (`npm run bench:prepare`); embedding them here would take minutes.
    const { loadLorem } = await import("../bench/datasets/lorem.js");
    return loadLorem({ size, queries: queryCount, texts: false });
  }
  return loadClustered({ size, queries: queryCount, cacheDir: "/tmp/probe-cache" });
}

let gcMs = 0;
let gcCount = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gcMs += e.duration;
    gcCount++;
  }
}).observe({ entryTypes: ["gc"] });

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
const fmt = (x: number) => x.toFixed(3);

function recall(truth: Int32Array, found: number[][]): number {
  let hit = 0;
  for (let q = 0; q < found.length; q++) {
    const want = new Set(truth.subarray(q * K, (q + 1) * K));
    for (const r of found[q]) if (want.has(r)) hit++;
  }
  return hit / (found.length * K);
}

async function main(): Promise<void> {
  const data = await load();
  const { dim, count } = data;
  const hot = HotVectors.adopt(
    dim,
    Int32Array.from({ length: count }, (_, i) => i),
    data.vectors,
  );
  const query = (q: number) => data.queries.subarray(q * dim, (q + 1) * dim);
  console.log(`${data.name}: ${count} × ${dim}, ${data.queryCount} queries`);

  const batchQps = async (run: (block: Float32Array) => Promise<unknown>) => {
    const B = 100;
    await run(data.queries.subarray(0, B * dim));
    const t0 = performance.now();
    for (let s = 0; s + B <= data.queryCount; s += B)
      await run(data.queries.subarray(s * dim, (s + B) * dim));
    return (Math.floor(data.queryCount / B) * B) / ((performance.now() - t0) / 1000);
  };
  const exactQps = await batchQps((block) => benchExact(data.vectors, block, dim, K));
  console.log(`exact (bench) batch QPS ${exactQps.toFixed(0)}`);

  for (const kind of kindArg.split(",")) {
    const index = createIndex(kind as "flat" | "ivf", hot);
    const t0 = performance.now();
    await index.build();
    console.log(
      `${kind}: built in ${(performance.now() - t0).toFixed(0)} ms ${JSON.stringify(index.params)}`,
    );
    for (const effort of kind === "flat" ? [1] : [0.5, 1, 2, 4]) {
      for (let q = 0; q < 50; q++) await index.search(query(q), K, effort);
      const times: number[] = [];
      const found: number[][] = [];
      gcMs = 0;
      gcCount = 0;
      for (let q = 0; q < data.queryCount; q++) {
        const t = performance.now();
        const r = await index.search(query(q), K, effort);
        times.push(performance.now() - t);
        found.push(Array.from(r.rows));
      }
      // Let the GC observer's entries arrive.
      await new Promise((resolve) => setTimeout(resolve, 10));
      times.sort((a, b) => a - b);
      const p50 = pct(times, 0.5);
      const p99 = pct(times, 0.99);
      const qps = await batchQps((block) => index.search(block, K, effort));
      console.log(
        `${kind} effort=${effort}: recall ${recall(data.truth, found).toFixed(4)} p50 ${fmt(p50)} p95 ${fmt(pct(times, 0.95))} p99 ${fmt(p99)} max ${fmt(times[times.length - 1])} ms (p99/p50 ${(p99 / p50).toFixed(1)}); gc ${gcCount}× ${gcMs.toFixed(1)} ms; batch QPS ${qps.toFixed(0)} (${(qps / exactQps).toFixed(2)}× exact)`,
      );
    }
  }
}

await main();
