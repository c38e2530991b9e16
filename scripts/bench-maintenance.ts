/**
 * `npm run bench:maintenance`: what thousands of single writes leave behind, with the compaction policy
 * (every 50 versions) and without it, side by side in one run: files in the table folder, table versions,
 * open time (close and reopen, which reads the snapshot) and write latency (p50/p99, so the compactions
 * show in the tail). Writes reports/bench-maintenance.json.
 *
 *   npm run bench:maintenance -- --writes 10000 --every 1000 --baseline 3000
 *   npm run bench:maintenance -- --chart-only      # redraw reports/bench-maintenance.png
 *
 * The store that never compacts gets slower with every version (each write lists and reads more), so it
 * stops after `--baseline` writes; its last checkpoint is compared with the compacting store's at the
 * same count, and the compacting store goes on to `--writes`.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { machine, summarizeLatency } from "../bench/measure.js";
import { REPORTS, reportPath, writeJson } from "../bench/report-name.js";
import { maintenanceSpec, writeChartPng } from "../lib/charts/index.js";
import { precomputedEmbedder } from "../lib/embed/embedder.js";
import { CapsuleStore } from "../lib/store/capsule-store.js";
import { tempDir } from "../test/helpers/temp.js";
import { clusteredVectors } from "../test/helpers/vectors.js";

const { values } = parseArgs({
  options: {
    writes: { type: "string", default: "10000" },
    every: { type: "string", default: "1000" },
    baseline: { type: "string", default: "3000" },
    out: { type: "string", default: reportPath(REPORTS, "maintenance") },
    "chart-only": { type: "boolean", default: false },
  },
});
/** The chart of a report: its checkpoints per policy. */
async function writeChart(report: {
  policies: Array<{ name: string; checkpoints: Array<{ writes: number; files: number; openMs: number }> }>;
}): Promise<string> {
  const png = (values.out as string).replace(/\.json$/, ".png");
  const points = report.policies.flatMap((p) => p.checkpoints.map((c) => ({ policy: p.name, ...c })));
  await writeChartPng(maintenanceSpec(points), png);
  return png;
}

if (values["chart-only"]) {
  // Draws the chart of an existing report again, without running the benchmark.
  const png = await writeChart(JSON.parse(await readFile(values.out as string, "utf8")));
  process.stderr.write(`wrote ${png}\n`);
  process.exit(0);
}

const writes = Number(values.writes);
const every = Number(values.every);
const baseline = Math.min(writes, Number(values.baseline));
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
  { name: "compact every 50 versions", compactEvery: 50, until: writes },
  { name: "never compact", compactEvery: 0, until: baseline },
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
    if (i >= s.until) continue;
    const t = performance.now();
    await s.store.addCapsules([{ text: `single write ${i}`, vector: vectors[i] }]);
    s.times.push(performance.now() - t);
  }
  if ((i + 1) % every === 0) {
    for (const s of stores) {
      if (i >= s.until) continue;
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
const sameCount = on.checkpoints.find((c) => c.writes === lastOff.writes) ?? lastOn;
const report = {
  benchmark: "maintenance",
  description:
    "Single-capsule writes (64-dim precomputed vectors, auto-linked to 3 neighbours) into two stores side by side, interleaved: one compacting every 50 table versions (the default), one never (stopped after `baseline` writes, as it slows down with every version). Each checkpoint closes and reopens the store; write latencies are of the writes since the previous checkpoint.",
  baseline,
  date: new Date().toISOString(),
  machine: machine(),
  writes,
  policies: stores.map((s) => ({
    name: s.name,
    compactEvery: s.compactEvery,
    writes: s.until,
    checkpoints: s.checkpoints,
  })),
  summary: {
    comparedAtWrites: lastOff.writes,
    filesRatio: Math.round((lastOff.files / sameCount.files) * 10) / 10,
    openRatio: Math.round((lastOff.openMs / sameCount.openMs) * 10) / 10,
    writeP50Ratio: Math.round((lastOff.writeP50 / sameCount.writeP50) * 10) / 10,
    compactedFilesFirstToLast: [on.checkpoints[0].files, lastOn.files],
    compactedOpenMsFirstToLast: [on.checkpoints[0].openMs, lastOn.openMs],
  },
};
await writeJson(values.out as string, report);
const png = await writeChart(report);
process.stderr.write(`wrote ${values.out} and ${png}\n`);
