/**
 * `npm run bench:maintenance`: what thousands of single writes leave behind, with the compaction policy
 * (every 50 versions) and without it, side by side in one run: files in the table folder, table versions,
 * open time (close and reopen, which reads the snapshot) and write latency (p50/p99, so the compactions
 * show in the tail). Writes reports/maintenance-bench.json.
 *
 *   npm run bench:maintenance -- --writes 10000 --every 1000
 */
import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { machine, summarizeLatency } from "../lib/bench/measure.js";
import { precomputedEmbedder } from "../lib/embed/embedder.js";
import { CapsuleStore } from "../lib/store/capsule-store.js";
import { tempDir } from "../test/helpers/temp.js";
import { clusteredVectors } from "../test/helpers/vectors.js";

const { values } = parseArgs({
  options: {
    writes: { type: "string", default: "10000" },
    every: { type: "string", default: "1000" },
    out: { type: "string", default: "reports/maintenance-bench.json" },
  },
});
const writes = Number(values.writes);
const every = Number(values.every);
const DIM = 64;
const embedder = precomputedEmbedder(DIM);
const vectors = clusteredVectors(writes, DIM, 50, 7);

async function countFiles(dir: string): Promise<number> {
  let n = 0;
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    n += entry.isDirectory() ? await countFiles(join(dir, entry.name)) : 1;
  }
  return n;
}

interface Checkpoint {
  writes: number;
  files: number;
  versions: number;
  openMs: number;
  writeP50: number;
  writeP99: number;
}

const policies = [
  { name: "compact every 50 versions", compactEvery: 50 },
  { name: "never compact", compactEvery: 0 },
];
const stores = await Promise.all(
  policies.map(async (p) => {
    const path = join(tempDir("sigla-maint-"), "store");
    return {
      ...p,
      path,
      store: await CapsuleStore.open(path, { embedder, compactEvery: p.compactEvery, autoLinkK: 3 }),
      times: [] as number[],
      checkpoints: [] as Checkpoint[],
    };
  }),
);

for (let i = 0; i < writes; i++) {
  // Interleaved, so both policies see the same machine state at each point of the run.
  for (const s of stores) {
    const t = performance.now();
    await s.store.addCapsules([{ text: `single write ${i}`, vector: vectors[i] }]);
    s.times.push(performance.now() - t);
  }
  if ((i + 1) % every === 0) {
    for (const s of stores) {
      await s.store.close();
      const t = performance.now();
      s.store = await CapsuleStore.open(s.path, { embedder, compactEvery: s.compactEvery, autoLinkK: 3 });
      const openMs = performance.now() - t;
      const lat = summarizeLatency(s.times, 1);
      s.checkpoints.push({
        writes: i + 1,
        files: await countFiles(join(s.path, "capsules.lance")),
        versions: (await readdir(join(s.path, "capsules.lance", "_versions"))).length,
        openMs: Math.round(openMs * 10) / 10,
        writeP50: Math.round(lat.p50 * 100) / 100,
        writeP99: Math.round(lat.p99 * 100) / 100,
      });
      s.times = [];
      const c = s.checkpoints[s.checkpoints.length - 1];
      process.stderr.write(
        `${s.name}: ${c.writes} writes, ${c.files} files, ${c.versions} versions, open ${c.openMs} ms, write p50 ${c.writeP50} ms p99 ${c.writeP99} ms\n`,
      );
    }
  }
}
for (const s of stores) await s.store.close();

const [on, off] = stores;
const lastOn = on.checkpoints[on.checkpoints.length - 1];
const lastOff = off.checkpoints[off.checkpoints.length - 1];
const report = {
  benchmark: "maintenance",
  description:
    "Single-capsule writes (64-dim precomputed vectors, auto-linked to 3 neighbours) into two stores side by side: one compacting every 50 table versions (the default), one never. Each checkpoint closes and reopens the store.",
  date: new Date().toISOString(),
  machine: machine(),
  writes,
  policies: stores.map((s) => ({ name: s.name, compactEvery: s.compactEvery, checkpoints: s.checkpoints })),
  summary: {
    filesRatio: Math.round((lastOff.files / lastOn.files) * 10) / 10,
    openRatio: Math.round((lastOff.openMs / lastOn.openMs) * 10) / 10,
    compactedFilesFirstToLast: [on.checkpoints[0].files, lastOn.files],
    compactedOpenMsFirstToLast: [on.checkpoints[0].openMs, lastOn.openMs],
  },
};
await writeFile(values.out as string, `${JSON.stringify(report, null, 2)}\n`);
process.stderr.write(`wrote ${values.out}\n`);
