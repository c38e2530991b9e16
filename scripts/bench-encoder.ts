/**
 * `npm run bench:encoder`: the offline encoder (bench/encoder.ts). use-lite on ONNX Runtime and on TF.js in
 * one run — characters/s, sentences/s and call latency (p50/p99) in calls of 1, 32 and 256 sentences, and
 * their cosine agreement — then a ~1 MB documentation folder ingested into a new store with use-lite on ONNX
 * Runtime, and the transformers path on a MiniLM-shaped model at batch 1 and 32. Writes
 * reports/bench-encoder.json and reports/bench-encoder.png (~1.5 minutes on 2 cores).
 *
 *   npm run bench:encoder -- [--seconds 4] [--ingest-bytes 1048576] [--no-tfjs] [--no-transformers]
 *
 * Targets (issue 14): ≥ 15,000 characters/s (ONNX Runtime, calls of 32 sentences) on 2 cores; the 1 MB
 * folder ingested in ≤ 30 s; cosine to the TF.js vectors ≥ 0.999.
 */
import { mkdir, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { loadFiori } from "../bench/datasets/fiori.js";
import { agreement, benchCalls, benchIngest, docSentences, writeDocsFolder } from "../bench/encoder.js";
import { ensureMiniLmRandom } from "../bench/fixtures/minilm-random.js";
import { machine } from "../bench/measure.js";
import { REPORTS, reportPath } from "../bench/report-name.js";
import { systemBarsSpec, writeChartPng } from "../lib/charts/index.js";
import { ortThreads } from "../lib/embed/ort-threads.js";
import { loadTransformersEmbedder } from "../lib/embed/transformers.js";
import { loadUseLite } from "../lib/embed/use-lite.js";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "4" },
    "ingest-bytes": { type: "string", default: String(1 << 20) },
    "no-tfjs": { type: "boolean" },
    "no-transformers": { type: "boolean" },
    out: { type: "string", default: REPORTS },
  },
});
const seconds = Number(values.seconds);
const ingestBytes = Number(values["ingest-bytes"]);
const out = values.out as string;
const BATCHES = [1, 32, 256];
const TARGETS = { charactersPerSecond: 15_000, ingestSeconds: 30, minCosine: 0.999 };

/** Writes beside the target and renames, so a report is never half written. */
async function writeAtomic(file: string, write: (temp: string) => Promise<unknown>): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  await mkdir(dirname(file), { recursive: true });
  try {
    await write(temp);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

const work = await mkdtemp(join(tmpdir(), "sigla-bench-encoder-"));
const loadBefore = loadavg()[0];
try {
  const { documents } = await loadFiori();
  const sentences = docSentences(documents, 4096);
  const meanChars = sentences.reduce((s, t) => s + t.length, 0) / sentences.length;
  console.log(`${sentences.length} sentences, ${meanChars.toFixed(0)} characters on average`);

  const runs = [];
  const onnx = await loadUseLite({ batch: 256 });
  for (const batch of BATCHES) {
    runs.push(await benchCalls("use-lite ONNX Runtime", onnx, sentences, { batch, seconds }));
    console.log(runs.at(-1));
  }
  let agree: ReturnType<typeof agreement> | undefined;
  if (!values["no-tfjs"]) {
    const tfjs = await loadUseLite({ batch: 256, runtime: "tfjs" });
    for (const batch of BATCHES) {
      runs.push(await benchCalls("use-lite TF.js", tfjs, sentences, { batch, seconds }));
      console.log(runs.at(-1));
    }
    const sample = sentences.slice(0, 512);
    agree = agreement(await onnx.embed(sample), await tfjs.embed(sample));
    console.log("agreement", agree);
  }

  const folder = join(work, "docs");
  const written = await writeDocsFolder(folder, documents, ingestBytes);
  console.log(`ingesting ${written.files} files, ${written.bytes} bytes…`);
  const ingestRun = { ...(await benchIngest(onnx, folder, join(work, "store"))), bytes: written.bytes };
  console.log(ingestRun);

  const transformers = [];
  if (!values["no-transformers"]) {
    const dir = await ensureMiniLmRandom();
    for (const batch of [1, 32]) {
      const embedder = await loadTransformersEmbedder("minilm-random", {
        modelDir: dir,
        cacheDir: dir,
        dtype: "q8",
        batch,
        allowRemote: false,
      });
      transformers.push(
        await benchCalls("transformers MiniLM-shape q8", embedder, sentences, { batch, seconds }),
      );
      console.log(transformers.at(-1));
      await embedder.close?.();
    }
  }

  const at32 = runs.find((r) => r.runtime.includes("ONNX") && r.batch === 32);
  const tf32 = runs.find((r) => r.runtime.includes("TF.js") && r.batch === 32);
  const targets = [
    {
      name: "use-lite characters/s (ONNX Runtime, calls of 32 sentences)",
      value: at32?.charactersPerSecond,
      unit: "chars/s",
      target: `≥ ${TARGETS.charactersPerSecond}`,
      met: (at32?.charactersPerSecond ?? 0) >= TARGETS.charactersPerSecond,
    },
    {
      name: `ingest of ${(written.bytes / 2 ** 20).toFixed(2)} MiB of documentation, seconds`,
      value: ingestRun.seconds,
      unit: "s",
      target: `≤ ${TARGETS.ingestSeconds} per MiB`,
      met: ingestRun.seconds <= TARGETS.ingestSeconds * (written.bytes / 2 ** 20),
    },
    ...(agree
      ? [
          {
            name: "cosine to the TF.js vectors (smallest of 512 sentences)",
            value: agree.minCosine,
            unit: "cosine",
            target: `≥ ${TARGETS.minCosine}`,
            met: agree.minCosine >= TARGETS.minCosine,
          },
        ]
      : []),
  ];
  const report = {
    name: "bench-encoder",
    date: new Date().toISOString(),
    machine: { ...machine(), ortThreads: ortThreads() },
    loadAverage: { before: loadBefore, after: loadavg()[0] },
    method:
      `Sentences: ${sentences.length} prose sentences (30–300 characters, mean ${meanChars.toFixed(0)}) of the SAP Fiori documents of @sap-ux/fiori-docs-embeddings, seeded order. Each cell calls embed() with \`batch\` sentences at a time for ${seconds} s (at least 3 calls) after one warm-up call; characters/s and sentences/s are totals over wall time, p50/p99 per call, cpuPerWall = process CPU time / wall time. ` +
      "Ingest: the documents written as Markdown files (every 5th first, until the byte budget), ingested by lib/ingest into a new CapsuleStore with use-lite on ONNX Runtime (1024-character chunks, 200 overlap, auto-links on); the embedder and the store's list/addCapsules are wrapped to time where the ingest spends its time. Transformers: a random-weight all-MiniLM-L6-v2-shaped model (bench/fixtures/minilm-random.ts), q8, through lib/embed/transformers.ts.",
    targets,
    speedupAt32:
      at32 && tf32 ? Math.round((at32.charactersPerSecond / tf32.charactersPerSecond) * 10) / 10 : null,
    agreement: agree ?? null,
    runs,
    ingest: ingestRun,
    transformers,
  };
  const json = reportPath(out, "encoder");
  await writeAtomic(json, (temp) => writeFile(temp, `${JSON.stringify(report, null, 2)}\n`));
  const short: Record<string, string> = {
    "use-lite ONNX Runtime": "use-lite ORT",
    "use-lite TF.js": "use-lite TF.js",
    "transformers MiniLM-shape q8": "MiniLM q8",
  };
  const bars = [...runs, ...transformers].map((r) => ({
    dataset: `${r.batch}`,
    system: short[r.runtime] ?? r.runtime,
    value: r.charactersPerSecond,
    min: r.minCharactersPerSecond,
    max: r.maxCharactersPerSecond,
  }));
  const spec = systemBarsSpec(
    bars,
    "Offline encoder: characters per second (higher is better)",
    "characters / s",
  );
  // Call sizes in numeric order, not alphabetical ("1, 256, 32").
  for (const layer of (spec as unknown as { layer: { encoding: { x: Record<string, unknown> } }[] }).layer) {
    layer.encoding.x = { ...layer.encoding.x, title: "sentences per call", sort: BATCHES.map(String) };
  }
  const png = reportPath(out, "encoder", "png");
  await writeAtomic(png, (temp) => writeChartPng(spec, temp));
  for (const t of targets)
    console.log(`${t.name}: ${t.value} (target ${t.target}: ${t.met ? "met" : "NOT met"})`);
  console.log(`wrote ${json} and ${png}; load average ${loadBefore.toFixed(2)} → ${loadavg()[0].toFixed(2)}`);
} finally {
  await rm(work, { recursive: true, force: true });
}
