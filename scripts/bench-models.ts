/**
 * `npm run bench:models`: modules and `.capsulegraph`s against the seed's KPIs (bench/models.ts). Writes
 * reports/bench-models.json and reports/bench-models.png (each KPI as measured / target: below 1 is met).
 *
 *   npm run bench:models                    # everything (~5 minutes on 2 cores)
 *   npm run bench:models -- --quick         # fewer repetitions, no 1M lookup, no MiniLM conversion
 *
 * The npm script runs node with --expose-gc (resident memory is read after a collection) and
 * GLIBC_TUNABLES=glibc.malloc.mmap_threshold=1048576: without it glibc keeps freed megabyte buffers in
 * its heap, and memory released on detach would not show in the resident size.
 */

import { mkdtemp, readFile, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { machine } from "../bench/measure.js";
import { benchConversions, benchModules, lookupAt, MODEL_TARGETS, prepare } from "../bench/models.js";
import { REPORTS, reportPath, writeJson } from "../bench/report-name.js";
import { systemBarsSpec, writeChartPng } from "../lib/charts/index.js";

const { values } = parseArgs({
  options: { quick: { type: "boolean" }, out: { type: "string", default: REPORTS } },
});
const quick = values.quick === true;
const out = values.out as string;
const work = await mkdtemp(join(tmpdir(), "sigla-bench-models-"));
const loadBefore = loadavg()[0];
try {
  await prepare(work);
  console.log("registry.lookup(skill)…");
  const lookup = { "10k": lookupAt(10_000), ...(quick ? {} : { "1M": lookupAt(1_000_000) }) };
  console.log(lookup);
  console.log("module add, attach, detach (writing a ~20 MiB LoRA and its 0.1 GB base model)…");
  const modules = await benchModules(work, { reps: quick ? 5 : 20, cycles: quick ? 10 : 50 });
  console.log(JSON.stringify(modules, null, 1));
  console.log(".capsulegraph conversions…");
  const conversions = quick ? [] : await benchConversions(work);
  console.log(conversions);
  const lookup1M = (lookup as { "1M"?: { p95: number } })["1M"];
  const measured = {
    moduleAddMs: modules.moduleAdd.lora.p95,
    lookupP95Ms10k: lookup["10k"].p95,
    ...(lookup1M ? { lookupP95Ms1M: lookup1M.p95 } : {}),
    attachMs: modules.attach.p95,
    releasedOnDetach: modules.memory.releasedShare.p50,
    cyclesPerSecond: modules.cyclesPerSecond,
  };
  const higherIsBetter = new Set(["releasedOnDetach", "cyclesPerSecond"]);
  const kpis = Object.entries(measured).map(([name, value]) => {
    const target = MODEL_TARGETS[name as keyof typeof MODEL_TARGETS];
    const met = higherIsBetter.has(name) ? value >= target : value <= target;
    return {
      name,
      value: Math.round(value * 1000) / 1000,
      target,
      met,
      better: higherIsBetter.has(name) ? "higher" : "lower",
    };
  });
  const llama = JSON.parse(await readFile("node_modules/node-llama-cpp/package.json", "utf8")).version;
  const report = {
    name: "bench-models",
    date: new Date().toISOString(),
    machine: {
      ...machine(),
      "node-llama-cpp": llama,
      gpu: "none (CPU only: the GPU path — CUDA attach, VRAM LRU, seed S4 — was not run)",
    },
    loadAverage: { before: loadBefore, after: loadavg()[0] },
    quick,
    method:
      "Timings are wall-clock per call, median and tail over the repetitions. module add: LocalModuleRegistry.add of the ~20 MiB LoRA .capsulemod (unpack, sha256 of every file, adapter check, log append with fsync), replacing itself each time. lookup: ModuleIndex.withSkill on random skills (the registry adds a stat of its log per call: registryLookupOverheadMs). attach: ModuleLoader.attach of the LoRA module to the running base model (context recreated with the adapter), detach the reverse; memory is the resident size after a GC around each, released share = (attached − after detach) / (attached − before).",
    targets: MODEL_TARGETS,
    kpis,
    lookup,
    modules,
    conversions,
  };
  await writeJson(reportPath(out, "models"), report);
  const bars = kpis.map((k) => {
    const ratio = k.better === "lower" ? k.value / k.target : k.target / Math.max(k.value, 1e-9);
    return { dataset: k.name, system: "measured / target", value: ratio, min: ratio, max: ratio };
  });
  await writeChartPng(
    systemBarsSpec(
      bars,
      "Models as artefacts: each KPI as measured / target (below 1 is met)",
      "ratio to target",
    ),
    reportPath(out, "models", "png"),
  );
  for (const k of kpis)
    console.log(
      `${k.name}: ${k.value} (target ${k.better === "lower" ? "≤" : "≥"} ${k.target}: ${k.met ? "met" : "NOT met"})`,
    );
  console.log(`wrote ${reportPath(out, "models")} and ${reportPath(out, "models", "png")}`);
} finally {
  await rm(work, { recursive: true, force: true });
}
