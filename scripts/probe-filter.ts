/**
 * Probe of filtered search through a real store: clustered vectors with a tag on 1% of the capsules and
 * another on 50% (drawn at random), queried unfiltered and with each tag; p50/p99 and recall@10 against the
 * exact filtered top-10, in one run so the ratios hold on a shared machine.
 *
 *   node --import tsx scripts/probe-filter.ts [size=20000] [queries=300] [policy=ivf]
 */
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadClustered } from "../bench/datasets/clustered.js";
import { precomputedEmbedder } from "../lib/embed/embedder.js";
import { gatherTopK } from "../lib/kernels/ort-kernels.js";
import { seededRandom } from "../lib/random.js";
import { CapsuleStore } from "../lib/store/capsule-store.js";
import type { IndexPolicy } from "../lib/store/index-policy.js";

const [sizeArg = "20000", queryArg = "300", policy = "ivf"] = process.argv.slice(2);
const size = Number(sizeArg);
const queryCount = Number(queryArg);
const K = 10;

async function main(): Promise<void> {
  const data = await loadClustered({ size, queries: queryCount, cacheDir: "/tmp/probe-cache" });
  const { dim } = data;
  const random = seededRandom(5);
  const tags = Array.from({ length: size }, () => {
    const t: string[] = [];
    if (random() < 0.01) t.push("rare");
    if (random() < 0.5) t.push("half");
    return t;
  });
  const path = join(tmpdir(), `probe-filter-${process.pid}`);
  const store = await CapsuleStore.open(path, {
    embedder: precomputedEmbedder(dim),
    autoLinkK: 0,
    indexPolicy: policy as IndexPolicy,
  });
  try {
    const t0 = performance.now();
    const ids = await store.addCapsules(
      tags.map((t, i) => ({
        text: `row ${i}`,
        tags: t,
        vector: data.vectors.subarray(i * dim, (i + 1) * dim),
      })),
    );
    console.log(
      `${data.name}: stored in ${(performance.now() - t0).toFixed(0)} ms, index ${store.indexKind} ${JSON.stringify(store.indexParams)}`,
    );
    const query = (q: number) => data.queries.subarray(q * dim, (q + 1) * dim);
    const runs: Array<[string, string[] | undefined]> = [
      ["unfiltered", undefined],
      ["tag 1%", ["rare"]],
      ["tag 50%", ["half"]],
    ];
    let unfilteredP50 = 0;
    for (const [label, tagList] of runs) {
      const rows = tags.flatMap((t, i) => (!tagList || tagList.every((x) => t.includes(x)) ? [i] : []));
      const first = performance.now();
      await store.query(query(0), { topK: K, tags: tagList });
      const firstMs = performance.now() - first;
      const times: number[] = [];
      let hit = 0;
      for (let q = 0; q < queryCount; q++) {
        const t = performance.now();
        const hits = await store.query(query(q), { topK: K, tags: tagList });
        times.push(performance.now() - t);
        const truth = await gatherTopK(query(q), data.vectors, dim, Int32Array.from(rows), K);
        const want = new Set(Array.from(truth.rows, (r) => ids[r]));
        for (const h of hits) if (want.has(h.id)) hit++;
      }
      times.sort((a, b) => a - b);
      const p50 = times[Math.floor(times.length / 2)];
      const p99 = times[Math.floor(times.length * 0.99)];
      if (!tagList) unfilteredP50 = p50;
      console.log(
        `${label.padEnd(10)} (${rows.length} rows): recall ${(hit / (queryCount * K)).toFixed(4)} p50 ${p50.toFixed(3)} p99 ${p99.toFixed(3)} ms, p50 ${(p50 / unfilteredP50).toFixed(2)}× unfiltered; first query ${firstMs.toFixed(1)} ms`,
      );
    }
  } finally {
    await store.close();
    await rm(path, { recursive: true, force: true });
  }
}

await main();
