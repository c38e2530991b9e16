/**
 * `npm run bench:models`: models as artefacts against the seed's KPIs (§11 S2–S4, §13.6 "KPI уточнения"):
 * `module add` (≤ 300 ms), `registry.lookup(skill)` p95 at 10k modules (< 2 ms) and at 1M (< 15 ms),
 * attach of a ~20 MB LoRA adapter to a running llama model (≤ 150 ms), the share of its memory released on
 * detach (≥ 96 %), attach/detach cycles per second without growth (≥ 5), and `.capsulegraph` conversion
 * time and size ratio. Every model is random-weight and written here (no download). Each measurement
 * reports the median and the tail (p95, p99, max).
 */
import { mkdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { createEmbedder } from "../lib/embed/create-embedder.js";
import { openRunner } from "../lib/llm/models.js";
import { convertToCapsuleGraph } from "../lib/models/capsulegraph.js";
import { convertModule } from "../lib/models/convert-module.js";
import { ModuleIndex } from "../lib/models/module-index.js";
import { MODULE_FORMAT } from "../lib/models/module-meta.js";
import { openModules } from "../lib/models/modules.js";
import { encodeSafetensors } from "../lib/models/safetensors.js";
import { seededRandom } from "../lib/random.js";
import { ensureMiniLmRandom } from "./fixtures/minilm-random.js";
import { writeBenchLora } from "./fixtures/random-lora.js";
import { writeTinyOnnxModel } from "./fixtures/random-onnx.js";
import { percentile } from "./measure.js";

/** The seed's targets, in milliseconds, shares and cycles per second. */
export const MODEL_TARGETS = {
  moduleAddMs: 300,
  lookupP95Ms10k: 2,
  lookupP95Ms1M: 15,
  attachMs: 150,
  releasedOnDetach: 0.96,
  cyclesPerSecond: 5,
} as const;

/** Median and tail of a set of timings (ms). */
export interface Tail {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** The median and tail of `values`. */
export function tail(values: readonly number[]): Tail {
  const sorted = [...values].sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    count: sorted.length,
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.at(-1) ?? Number.NaN),
  };
}

async function time<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

/** Resident memory in MiB, after a collection when the process runs with --expose-gc. */
function rssMiB(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().rss / 2 ** 20;
}

/**
 * `registry.lookup(skill)` on an index of `size` modules (two skills each, from a pool of size/5 skills),
 * timed over `queries` random skills. Capability vectors are 8-d here: lookup never reads them, and a
 * million 384-d vectors would only measure this machine's memory.
 */
export function lookupAt(size: number, queries = 20_000, seed = 1): Tail & { buildSeconds: number } {
  const random = seededRandom(seed);
  const pool = Math.max(10, Math.floor(size / 5));
  const skill = () => `skill_${Math.floor(random() * pool)}`;
  const index = new ModuleIndex();
  const started = performance.now();
  for (let i = 0; i < size; i++) {
    index.put({
      meta: {
        format: MODULE_FORMAT,
        module_id: `m${i}`,
        type: "lora",
        skills: [skill(), skill()],
        description: "",
        dtype: "int8",
        device_constraint: "any",
        depends_on: [],
        weights: "adapter.gguf",
        sha256: {},
        embed: Array.from({ length: 8 }, () => random() - 0.5),
        embed_model: "bench",
        bytes: 0,
        source: "",
        created: "",
      },
      dir: "",
      addedAt: "",
    });
  }
  const buildSeconds = (performance.now() - started) / 1000;
  const times: number[] = [];
  for (let q = 0; q < queries; q++) {
    const name = skill();
    const t0 = performance.now();
    index.withSkill(name);
    times.push(performance.now() - t0);
  }
  return { ...tail(times), buildSeconds: Math.round(buildSeconds * 10) / 10 };
}

/** A state-dict module of `rows`×256 float32 weights (int8 in the module), for `module add`. */
async function stateModule(dir: string, rows: number): Promise<string> {
  const random = seededRandom(rows);
  const values = Float32Array.from({ length: rows * 256 }, () => random() - 0.5);
  const file = join(dir, `state-${rows}.safetensors`);
  const { writeFile } = await import("node:fs/promises");
  await writeFile(
    file,
    encodeSafetensors([{ name: "w", dtype: "F32", shape: [rows, 256], data: new Uint8Array(values.buffer) }]),
  );
  const out = join(dir, `state-${rows}.capsulemod`);
  await convertModule(file, out, {
    type: "state",
    skills: ["bench_state"],
    dtype: "int8",
    embedder: "use-lite",
  });
  return out;
}

/** What {@link benchModules} measured. */
export interface ModulesBench {
  adapter: { bytes: number; convertMs: Record<string, number>; archiveBytes: number };
  moduleAdd: { lora: Tail; state: Tail & { weightsBytes: number } };
  registryLookupOverheadMs: Tail;
  attach: Tail;
  detach: Tail;
  memory: { attachedMiB: Tail; releasedShare: Tail; growthMiBPerCycle: number };
  cyclesPerSecond: number;
}

/**
 * Module add, attach and detach on a real registry in `work`: the benchmark LoRA (BENCH_LORA_SHAPE, rank
 * 64 on q/k/v/o, ~20 MiB F32) converted with converter-mod, added `reps` times, then attached to and
 * detached from the base model `cycles` times through the loader.
 */
export async function benchModules(
  work: string,
  options: { reps: number; cycles: number },
): Promise<ModulesBench> {
  const files = await writeBenchLora(join(work, "lora"));
  const convertMs: Record<string, number> = {};
  let archive = "";
  for (const dtype of ["int8", "fp16"] as const) {
    const out = join(work, `bench-lora-${dtype}.capsulemod`);
    const made = await time(() =>
      convertModule(files.peft, out, {
        type: "lora",
        skills: ["bench_sql"],
        dtype,
        base: files.base,
        embedder: "use-lite",
      }),
    );
    convertMs[`peft→${dtype}`] = Math.round(made.ms);
  }
  const gguf = await time(() =>
    convertModule(files.adapter, join(work, "bench-lora.capsulemod"), {
      type: "lora",
      skills: ["bench_sql"],
      dtype: "int8",
      embedder: "use-lite",
    }),
  );
  convertMs["gguf (kept)"] = Math.round(gguf.ms);
  archive = join(work, "bench-lora.capsulemod");
  const system = await openModules({ dir: join(work, "registry") });
  const addLora: number[] = [];
  for (let i = 0; i < options.reps; i++)
    addLora.push((await time(() => system.registry.add(archive, { replace: true }))).ms);
  const state = await stateModule(work, 8192);
  const addState: number[] = [];
  for (let i = 0; i < options.reps; i++)
    addState.push((await time(() => system.registry.add(state, { replace: true }))).ms);
  const overhead: number[] = [];
  for (let i = 0; i < 2000; i++) overhead.push((await time(() => system.registry.lookup("bench_sql"))).ms);
  const cycles = await attachCycles(system, files.base, "bench-lora", options.cycles);
  await system.close();
  return {
    adapter: { bytes: files.info.bytes, convertMs, archiveBytes: (await stat(archive)).size },
    moduleAdd: { lora: tail(addLora), state: { ...tail(addState), weightsBytes: (await stat(state)).size } },
    registryLookupOverheadMs: tail(overhead),
    ...cycles,
  };
}

/** Attach/detach cycles of `id` on a runner of `base`, with resident memory around each. */
async function attachCycles(
  system: Awaited<ReturnType<typeof openModules>>,
  base: string,
  id: string,
  cycles: number,
): Promise<Pick<ModulesBench, "attach" | "detach" | "memory" | "cyclesPerSecond">> {
  const runner = await openRunner(base, { settings: { contextSize: 512, gpu: false } });
  await system.loader.setRunner(runner);
  try {
    // One cycle first: the allocator and llama.cpp's buffers settle before anything is counted.
    await system.loader.attach(id);
    await system.loader.detach(id);
    const attach: number[] = [];
    const detach: number[] = [];
    const attachedMiB: number[] = [];
    const released: number[] = [];
    const before = rssMiB();
    for (let i = 0; i < cycles; i++) {
      const idle = rssMiB();
      attach.push((await time(() => system.loader.attach(id))).ms);
      const held = rssMiB();
      detach.push((await time(() => system.loader.detach(id))).ms);
      const after = rssMiB();
      attachedMiB.push(held - idle);
      if (held - idle > 1) released.push((held - after) / (held - idle));
    }
    const growth = (rssMiB() - before) / cycles;
    // Throughput apart: the collections above are part of measuring, not of a cycle.
    const started = performance.now();
    for (let i = 0; i < cycles; i++) {
      await system.loader.attach(id);
      await system.loader.detach(id);
    }
    return {
      attach: tail(attach),
      detach: tail(detach),
      memory: { attachedMiB: tail(attachedMiB), releasedShare: tail(released), growthMiBPerCycle: growth },
      cyclesPerSecond: cycles / ((performance.now() - started) / 1000),
    };
  } finally {
    await system.loader.setRunner(undefined);
    await runner.close();
  }
}

/** One `.capsulegraph` conversion. */
export interface ConversionBench {
  model: string;
  bits: 8 | 16;
  seconds: number;
  originalBytes: number;
  quantizedBytes: number;
  ratio: number;
  archiveBytes: number;
  tokens: number;
  fidelity: { measure: string; value: number };
}

/** Converts the random-weight MiniLM (real shape, 30522 tokens) and the tiny causal LM at 8 and 16 bits. */
export async function benchConversions(work: string): Promise<ConversionBench[]> {
  const minilm = await ensureMiniLmRandom();
  const tiny = join(work, "tiny-lm");
  await writeTinyOnnxModel(tiny);
  const out: ConversionBench[] = [];
  for (const [name, dir] of [
    ["all-MiniLM-L6-v2 shape (random)", minilm],
    ["tiny llama-style causal LM", tiny],
  ] as const) {
    for (const bits of [8, 16] as const) {
      const file = join(work, `convert-${bits}.capsulegraph`);
      const { ms, value } = await time(() => convertToCapsuleGraph(dir, file, { quantBits: bits }));
      const m = value.meta;
      out.push({
        model: name,
        bits,
        seconds: Math.round(ms / 100) / 10,
        originalBytes: m.sizes.original,
        quantizedBytes: m.sizes.quantized,
        ratio: Math.round(m.sizes.ratio * 1000) / 1000,
        archiveBytes: value.bytes,
        tokens: m.tokens,
        fidelity: m.fidelity,
      });
      await rm(file, { force: true });
    }
  }
  return out;
}

/** Makes sure the folder exists and the use-lite embedder is loaded once (it is part of no timing). */
export async function prepare(work: string): Promise<void> {
  await mkdir(work, { recursive: true });
  await createEmbedder("use-lite");
}
