/**
 * The retrieval suite across repetitions: answer quality (MRR@10, recall@10) of SIGLA's vector, full-text
 * and hybrid search on the Fiori documents, with the run-to-run spread of the query time, and its Markdown.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { machine } from "./measure.js";
import { table } from "./report.js";
import { type RetrievalReport, runRetrieval } from "./retrieval.js";
import { type Spread, spreadOf, spreadText } from "./stats.js";

export interface RetrievalBench {
  benchmark: "retrieval";
  createdAt: string;
  machine: Record<string, unknown>;
  reps: number;
  dataset: RetrievalReport["dataset"];
  k: number;
  modes: Array<{ mode: string; mrr: Spread; recall: Spread; meanMs: Spread }>;
  ingestMs: Spread;
  notes: string[];
}

export async function runRetrievalBench(options: {
  size?: number;
  reps?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, label: string) => void;
}): Promise<RetrievalBench> {
  const reps = options.reps ?? 3;
  const runs: RetrievalReport[] = [];
  const work = await mkdtemp(join(tmpdir(), "sigla-retrieval-"));
  try {
    for (let rep = 1; rep <= reps; rep++) {
      runs.push(
        await runRetrieval({
          size: options.size,
          workDir: join(work, String(rep)),
          signal: options.signal,
          onProgress: (p) => options.onProgress?.(p.done, p.total, `rep ${rep}/${reps} ${p.phase}`),
        }),
      );
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return {
    benchmark: "retrieval",
    createdAt: new Date().toISOString(),
    machine: machine(),
    reps,
    dataset: runs[0].dataset,
    k: runs[0].k,
    modes: runs[0].modes.map((m, i) => ({
      mode: m.mode,
      mrr: spreadOf(runs.map((r) => r.modes[i].mrr)),
      recall: spreadOf(runs.map((r) => r.modes[i].recall)),
      meanMs: spreadOf(runs.map((r) => r.modes[i].meanMs)),
    })),
    ingestMs: spreadOf(runs.map((r) => r.ingestMs)),
    notes: runs[0].notes,
  };
}

export function retrievalMarkdown(report: RetrievalBench): string {
  const d = report.dataset;
  const rows = table(
    ["mode", "MRR@10", "recall@10", "ms per query"],
    report.modes.map((m) => [m.mode, spreadText(m.mrr, 3), spreadText(m.recall, 3), spreadText(m.meanMs, 2)]),
  );
  return `${[
    "# Benchmark: retrieval suite",
    `Known-item search on ${d.documents} SAP Fiori documents (\`@sap-ux/fiori-docs-embeddings\`), ${d.queries} title queries, embedder ${d.embedder}; median of ${report.reps} runs (min–max). Rerun: \`npm run bench -- --suite retrieval --reps ${report.reps}\`.`,
    rows,
    `Embedding and storing the documents: ${spreadText(report.ingestMs, 0)} ms.`,
    report.notes.map((n) => `- ${n}`).join("\n"),
  ].join("\n\n")}\n`;
}
