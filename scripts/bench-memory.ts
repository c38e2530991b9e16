/**
 * `npm run bench:memory`: evidence recall of memory retrieval over a long multi-session conversation.
 *
 *   npm run bench:memory                              # 24 sessions, tuned on seed 1, reported on seed 2
 *   npm run bench:memory -- --sessions 8              # a quick run
 *   npm run bench:memory -- --embedder transformers:Xenova/all-MiniLM-L6-v2
 *   npm run bench:memory -- --tune                    # also re-tune the recall weights on the tuning seed
 *   npm run bench:memory -- --more-seeds ""           # skip the extra held-out seeds
 *
 * For each seed it stores the fixture's turns (`bench/datasets/conversation.ts`) in a temporary store with the
 * offline use-lite embedder, asks every question through plain vector search, plain BM25 search and
 * `recall`, and measures recall@k: the share of a question's evidence turns in the top k, averaged over
 * questions (overall and per question type). The weights were tuned on the tuning seed; the held-out report
 * seed is the number to quote. On the report seed it also runs `recall` with one part switched off at a
 * time (ablations). Writes reports/bench-memory.json and a Vega-Lite bar chart, reports/bench-memory.vl.json; the
 * benchmark itself is bench/memory.ts.
 */
import { parseArgs } from "node:util";
import { memoryChart, memoryTable, runMemoryBench } from "../bench/memory.js";
import { REPORTS, reportPath, writeJson } from "../bench/report-name.js";
import { createEmbedder } from "../lib/embed/create-embedder.js";
import type { EmbedderSpec } from "../lib/embed/embedder.js";
import { loadUseLite } from "../lib/embed/use-lite.js";

const { values: args } = parseArgs({
  options: {
    sessions: { type: "string", default: "24" },
    seed: { type: "string", default: "2" },
    "tune-seed": { type: "string", default: "1" },
    /** More held-out seeds, reported overall only: how much the gain moves from one conversation to another. */
    "more-seeds": { type: "string", default: "3,4,5" },
    embedder: { type: "string", default: "use-lite" },
    "auto-link-k": { type: "string", default: "5" },
    out: { type: "string", default: REPORTS },
    tune: { type: "boolean", default: false },
  },
});

function log(line: string): void {
  process.stderr.write(`[bench:memory] ${line}\n`);
}

function signed(value: number): string {
  return `${value >= 0 ? "+" : ""}${value.toFixed(3)}`;
}

/** The two seeds' tables, the ablations and the gains, on stdout. */
function printSummary({ json, tuned, report }: Awaited<ReturnType<typeof runMemoryBench>>): void {
  console.log(`${memoryTable(tuned, "tuning")}\n`);
  console.log(`${memoryTable(report, "held out")}\n`);
  for (const [name, values] of Object.entries(json.ablations)) {
    console.log(
      `${name.padEnd(52)} @5 ${values["recall@5"].toFixed(3)}  @10 ${values["recall@10"].toFixed(3)}`,
    );
  }
  const g = json.gainOverBestBaseline.report;
  console.log(
    `\nrecall − best baseline, held-out seed ${report.seed}: @5 ${signed(g["recall@5"])}, @10 ${signed(g["recall@10"])}`,
  );
  for (const m of json.moreHeldOutSeeds) {
    const r = m.recall;
    console.log(
      `seed ${m.seed}: recall@10 vector ${r.vector["recall@10"].toFixed(3)}, fts ${r.fts["recall@10"].toFixed(3)}, recall ${r.recall["recall@10"].toFixed(3)} (${signed(m.gainOverBestBaseline["recall@10"])})`,
    );
  }
}

const spec = args.embedder as string;
const embedder = spec === "use-lite" ? await loadUseLite() : await createEmbedder(spec as EmbedderSpec);
const result = await runMemoryBench(embedder, {
  sessions: Number(args.sessions),
  autoLinkK: Number(args["auto-link-k"]),
  reportSeed: Number(args.seed),
  tuneSeed: Number(args["tune-seed"]),
  moreSeeds: String(args["more-seeds"])
    .split(",")
    .filter((s) => s.trim() !== "")
    .map(Number),
  tune: Boolean(args.tune),
  log,
});
await writeJson(reportPath(args.out as string, "memory"), result.json);
await writeJson(reportPath(args.out as string, "memory", "vl.json"), memoryChart(result.report, embedder.id));
printSummary(result);
