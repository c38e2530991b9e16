/**
 * Encoder throughput on real documentation (issue 14, item 7): the offline use-lite encoder on ONNX Runtime
 * against the TF.js graph it replaced, in calls of 1, 32 and 256 sentences; their agreement (cosine); a
 * ~1 MB documentation folder through the real ingest path into a CapsuleStore, with the time split between
 * embedding, the store and the rest; and the transformers path (a MiniLM-shaped model) at batch 1 and 32.
 *
 * Text: the SAP Fiori documents of `@sap-ux/fiori-docs-embeddings` (bench/datasets/fiori.ts). Sentences are
 * their prose lines split at sentence ends, 30–300 characters, shuffled with a fixed seed.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { loadavg } from "node:os";
import { join } from "node:path";
import type { Embedder } from "../lib/embed/embedder.js";
import { type IngestTarget, ingest } from "../lib/ingest/ingest.js";
import { seededRandom } from "../lib/random.js";
import { CapsuleStore } from "../lib/store/capsule-store.js";
import type { FioriDocument } from "./datasets/fiori.js";
import { percentile } from "./measure.js";

/** One runtime at one call size. */
export interface EncoderRun {
  runtime: string;
  /** Texts per `embed` call. */
  batch: number;
  calls: number;
  texts: number;
  characters: number;
  seconds: number;
  charactersPerSecond: number;
  sentencesPerSecond: number;
  /** Latency of one call, median and 99th percentile (the slowest call when there are fewer than 100). */
  p50Ms: number;
  p99Ms: number;
  /** Process CPU time over wall time: about 1 on one core, about 2 on both. */
  cpuPerWall: number;
  /** Characters per second of the slowest and fastest call (the chart's range). */
  minCharactersPerSecond: number;
  maxCharactersPerSecond: number;
  /** 1-minute load average when the run ended (above 2, other work shared the 2 cores). */
  loadAverage: number;
}

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Prose sentences of the documents, 30–300 characters, deduplicated, in a seeded order. */
export function docSentences(documents: readonly FioriDocument[], count: number, seed = 14): string[] {
  const seen = new Set<string>();
  for (const document of documents) {
    for (const line of document.text.split("\n")) {
      const trimmed = line.trim();
      // Prose only: no code fences, tables, headings or link lists.
      if (/^(```|\||#|!\[|<)/.test(trimmed)) continue;
      for (const sentence of trimmed.split(/(?<=[.!?])\s+/)) {
        const letters = sentence.replace(/[^\p{L} ]/gu, "").length;
        if (sentence.length >= 30 && sentence.length <= 300 && letters >= sentence.length * 0.7)
          seen.add(sentence);
      }
    }
  }
  const all = [...seen];
  const random = seededRandom(seed);
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [all[i], all[j]] = [all[j], all[i]];
  }
  return all.slice(0, count);
}

/**
 * Calls `embedder.embed` with `batch` sentences at a time (cycling through `sentences`) after one warm-up
 * call, until `seconds` have passed and at least `minCalls` calls were made.
 */
export async function benchCalls(
  runtime: string,
  embedder: Embedder,
  sentences: readonly string[],
  options: { batch: number; seconds: number; minCalls?: number },
): Promise<EncoderRun> {
  const { batch, seconds } = options;
  let offset = 0;
  const next = () => {
    const texts = Array.from({ length: batch }, (_, i) => sentences[(offset + i) % sentences.length]);
    offset = (offset + batch) % sentences.length;
    return texts;
  };
  await embedder.embed(next());
  const times: number[] = [];
  const rates: number[] = [];
  let characters = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  while (performance.now() - started < seconds * 1000 || times.length < (options.minCalls ?? 3)) {
    const texts = next();
    const chars = texts.reduce((sum, text) => sum + text.length, 0);
    const t0 = performance.now();
    await embedder.embed(texts);
    const ms = performance.now() - t0;
    times.push(ms);
    rates.push(chars / (ms / 1000));
    characters += chars;
  }
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const sorted = [...times].sort((a, b) => a - b);
  const texts = times.length * batch;
  return {
    runtime,
    batch,
    calls: times.length,
    texts,
    characters,
    seconds: round(wallMs / 1000, 2),
    charactersPerSecond: Math.round(characters / (wallMs / 1000)),
    sentencesPerSecond: round(texts / (wallMs / 1000)),
    p50Ms: round(percentile(sorted, 50), 2),
    p99Ms: round(percentile(sorted, 99), 2),
    cpuPerWall: round((used.user + used.system) / 1000 / wallMs, 2),
    minCharactersPerSecond: Math.round(Math.min(...rates)),
    maxCharactersPerSecond: Math.round(Math.max(...rates)),
    loadAverage: round(loadavg()[0], 2),
  };
}

/** Cosine of each pair of unit vectors: the smallest, the mean and how many pairs there were. */
export function agreement(a: readonly Float32Array[], b: readonly Float32Array[]) {
  const cosines = a.map((v, i) => v.reduce((sum, x, k) => sum + x * b[i][k], 0));
  return {
    texts: cosines.length,
    minCosine: round(Math.min(...cosines), 6),
    meanCosine: round(cosines.reduce((s, c) => s + c, 0) / cosines.length, 6),
  };
}

/** Writes documents as Markdown files (`# title`, blank line, text), every k-th one, until `bytes` is reached. */
export async function writeDocsFolder(
  dir: string,
  documents: readonly FioriDocument[],
  bytes: number,
): Promise<{ files: number; bytes: number }> {
  await mkdir(dir, { recursive: true });
  const step = 5; // spread over the package's categories instead of its first folder only
  let written = 0;
  let files = 0;
  for (let start = 0; start < step && written < bytes; start++) {
    for (let i = start; i < documents.length && written < bytes; i += step) {
      const body = `# ${documents[i].title}\n\n${documents[i].text}\n`;
      await writeFile(join(dir, `doc-${String(i).padStart(3, "0")}.md`), body);
      written += Buffer.byteLength(body);
      files++;
    }
  }
  return { files, bytes: written };
}

/** An ingest of a folder into a new store, with the time split by where it went. */
export interface IngestRun {
  files: number;
  bytes: number;
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  /** Inside `embed` calls (tokenizing and the model). */
  embedSeconds: number;
  /** Texts and characters embedded (chunks overlap, so more than the folder holds). */
  embeddedTexts: number;
  embeddedCharacters: number;
  /** In `addCapsules` outside embedding: the LanceDB write, auto-links, index upkeep, the write lock. */
  storeWriteSeconds: number;
  /** In `list` (ingest's per-file "already stored?" query). */
  storeListSeconds: number;
  /** Everything else: reading, hashing, parsing and chunking files. */
  otherSeconds: number;
  loadAverage: number;
}

/**
 * Ingests `folder` into a new CapsuleStore at `storeDir` through `lib/ingest`, timing the embedder's calls
 * and the store's methods by wrapping them (each wrapper only measures and passes the call on).
 */
export async function benchIngest(embedder: Embedder, folder: string, storeDir: string): Promise<IngestRun> {
  const spent = { embed: 0, add: 0, list: 0, texts: 0, chars: 0 };
  const timedEmbedder: Embedder = {
    id: embedder.id,
    dim: embedder.dim,
    async embed(texts) {
      const t0 = performance.now();
      const out = await embedder.embed(texts);
      spent.embed += performance.now() - t0;
      spent.texts += texts.length;
      spent.chars += texts.reduce((sum, text) => sum + text.length, 0);
      return out;
    },
  };
  const store = await CapsuleStore.open(storeDir, { embedder: timedEmbedder });
  try {
    const target: IngestTarget = {
      async list(options) {
        const t0 = performance.now();
        const rows = await store.list(options);
        spent.list += performance.now() - t0;
        return rows;
      },
      async addCapsules(inputs, options) {
        const t0 = performance.now();
        const ids = await store.addCapsules(inputs, options);
        spent.add += performance.now() - t0;
        return ids;
      },
    };
    const started = performance.now();
    const report = await ingest(target, [folder]);
    const ms = performance.now() - started;
    if (report.skipped.length > 0)
      throw new Error(`ingest skipped ${report.skipped[0].path}: ${report.skipped[0].reason}`);
    return {
      files: report.files,
      bytes: 0,
      rows: report.ids.length,
      seconds: round(ms / 1000, 2),
      rowsPerSecond: round(report.ids.length / (ms / 1000)),
      embedSeconds: round(spent.embed / 1000, 2),
      embeddedTexts: spent.texts,
      embeddedCharacters: spent.chars,
      storeWriteSeconds: round((spent.add - spent.embed) / 1000, 2),
      storeListSeconds: round(spent.list / 1000, 2),
      otherSeconds: round((ms - spent.add - spent.list) / 1000, 2),
      loadAverage: round(loadavg()[0], 2),
    };
  } finally {
    await store.close();
  }
}
