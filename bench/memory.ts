/**
 * The memory benchmark (`npm run bench:memory`): evidence recall of memory retrieval over a long
 * multi-session conversation (`bench/datasets/conversation.ts`). For each seed the fixture's turns go into a
 * temporary store; every question is asked through plain vector search, plain BM25 search and `recall`, and
 * recall@k is the share of a question's evidence turns in the top k, averaged over questions (overall and per
 * question type). The weights were tuned on the tuning seed; the held-out report seed is the number to quote.
 * On the report seed `recall` also runs with one part switched off at a time (ablations).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Embedder } from "../lib/embed/embedder.js";
import { DEFAULT_RECALL_WEIGHTS, type RecallWeights, recall } from "../lib/memory/recall.js";
import { addTurns, TURN_TAG, turnKey } from "../lib/memory/turns.js";
import { CapsuleStore } from "../lib/store/capsule-store.js";
import { type ConversationQuestion, conversationFixture } from "./datasets/conversation.js";
import { machine, percentile } from "./measure.js";

/** How each seed's store is built, and where progress goes. */
interface StoreOptions {
  /** Sessions of the conversation fixture. */
  sessions: number;
  autoLinkK: number;
  log: (line: string) => void;
}

/** Options of {@link runMemoryBench}. */
export interface MemoryBenchOptions extends StoreOptions {
  /** The held-out seed the report quotes. */
  reportSeed: number;
  /** The seed the weights were tuned on. */
  tuneSeed: number;
  /** More held-out seeds, reported overall only: how much the gain moves from one conversation to another. */
  moreSeeds: number[];
  /** Re-run the weight search on the tuning seed. */
  tune: boolean;
}

/** Cut-offs measured; the table and chart show @5 and @10, the JSON also @1 (does the answer come first?). */
export const KS = [1, 5, 10] as const;
const SHOWN = [5, 10] as const;
const DEPTH = 10;
export const METHODS = ["vector", "fts", "recall"] as const;
type Method = (typeof METHODS)[number];

/** Every part but the weighted fusion switched off. */
const FUSION_ONLY: Partial<RecallWeights> = {
  neighbour1: 0,
  neighbour2: 0,
  link: 0,
  date: 0,
  dateSearch: 0,
  bridge: 0,
  superseded: 1,
  recency: 0,
};

/** `recall` with one part switched off, to show what each part brings. */
const ABLATIONS: Record<string, Partial<RecallWeights>> = {
  "no neighbour turns": { neighbour1: 0, neighbour2: 0 },
  "no links": { link: 0 },
  "no dates": { date: 0, dateSearch: 0 },
  "no bridge names": { bridge: 0 },
  "no version preference": { superseded: 1, recency: 0 },
  "fusion only": FUSION_ONLY,
  "fusion only, unweighted (fts 1, rrfK 60)": { ...FUSION_ONLY, fts: 1, rrfK: 60 },
};

/** The values `--tune` tries, one weight at a time from the defaults (coordinate search, two passes). */
const TUNING_SPACE: Partial<Record<keyof RecallWeights, number[]>> = {
  fts: [0.5, 0.75, 1, 1.5],
  rrfK: [1, 3, 5, 10, 30],
  neighbour1: [0.4, 0.6, 0.8],
  neighbour2: [0.1, 0.25, 0.4],
  link: [0, 0.05, 0.1, 0.2],
  seeds: [3, 5, 8],
  bridge: [0, 0.25, 0.5, 1],
  date: [0.5, 1, 2],
  dateSearch: [0.5, 1, 2],
  duplicateCosine: [0.5, 0.6, 0.7],
  superseded: [0.3, 0.5, 0.7],
  recency: [0, 0.2, 0.5],
};

/** Recall@k of one method, overall (`recall@k`) and per question type (`recall@kByType`). */
export type MethodScores = Record<string, number | Record<string, number>>;

interface QuestionResult {
  question: string;
  type: string;
  evidence: string[];
  /** Evidence turns found in the top 10, per method. */
  found: Record<string, number>;
  /** Rank (1-based) of the first evidence turn in the top 10, per method; 0 when none. */
  firstRank: Record<string, number>;
}

interface Evaluation {
  scores: Record<string, MethodScores>;
  latencyMs: Record<string, { p50: number; p95: number }>;
  perQuestion: QuestionResult[];
}

export interface SeedRun extends Evaluation {
  seed: number;
  sessions: number;
  turns: number;
  questions: number;
  byType: Record<string, number>;
  storeMs: number;
}

type Ranker = (q: ConversationQuestion) => Promise<Array<string | undefined>>;

/** Share of `evidence` among the first k keys. */
function evidenceRecall(keys: Array<string | undefined>, evidence: string[], k: number): number {
  const top = new Set(keys.slice(0, k));
  return evidence.filter((e) => top.has(e)).length / evidence.length;
}

function mean(values: number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

/** Recall@k of one method. */
export function at(scores: MethodScores, k: number): number {
  return scores[`recall@${k}`] as number;
}

/** A store holding the fixture's turns, in a fresh temp folder. */
async function buildStore(seed: number, embedder: Embedder, options: StoreOptions) {
  const fixture = conversationFixture({ sessions: options.sessions, seed });
  const dir = await mkdtemp(join(tmpdir(), "sigla-bench-memory-"));
  const store = await CapsuleStore.open(join(dir, "store"), { embedder, autoLinkK: options.autoLinkK });
  const started = performance.now();
  for (const session of fixture.sessions) await addTurns(store, session.id, session.date, session.turns);
  const storeMs = performance.now() - started;
  const dispose = async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  };
  return { fixture, store, storeMs, dispose };
}

/** The baselines search the turns with the raw question; recall also gets the date it is asked. */
function baselines(store: CapsuleStore): Record<"vector" | "fts", Ranker> {
  const search = (mode: "vector" | "fts"): Ranker => {
    return async (q) =>
      (await store.search(q.question, { mode, topK: DEPTH, tags: [TURN_TAG] })).map(turnKey);
  };
  return { vector: search("vector"), fts: search("fts") };
}

function recaller(store: CapsuleStore, weights?: Partial<RecallWeights>): Ranker {
  return async (q) =>
    (await recall(store, q.question, { k: DEPTH, now: q.askedAt, weights, tags: [TURN_TAG] })).map(turnKey);
}

/** Asks every question through each ranker and scores them. */
async function evaluate(
  questions: ConversationQuestion[],
  rankers: Record<string, Ranker>,
): Promise<Evaluation> {
  const perQuestion: QuestionResult[] = questions.map((q) => ({
    question: q.question,
    type: q.type,
    evidence: q.evidence,
    found: {},
    firstRank: {},
  }));
  const scores: Evaluation["scores"] = {};
  const latencyMs: Evaluation["latencyMs"] = {};
  const types = [...new Set(questions.map((q) => q.type))];
  for (const [method, rank] of Object.entries(rankers)) {
    const atK: Record<number, number[]> = Object.fromEntries(KS.map((k) => [k, []]));
    const times: number[] = [];
    for (const [i, q] of questions.entries()) {
      const t = performance.now();
      const keys = await rank(q);
      times.push(performance.now() - t);
      for (const k of KS) atK[k].push(evidenceRecall(keys, q.evidence, k));
      perQuestion[i].found[method] = q.evidence.filter((e) => keys.includes(e)).length;
      perQuestion[i].firstRank[method] =
        keys.findIndex((key) => key !== undefined && q.evidence.includes(key)) + 1;
    }
    const entry: MethodScores = {};
    for (const k of KS) {
      entry[`recall@${k}`] = mean(atK[k]);
      entry[`recall@${k}ByType`] = Object.fromEntries(
        types.map((type) => [type, mean(atK[k].filter((_, i) => questions[i].type === type))]),
      );
    }
    scores[method] = entry;
    times.sort((a, b) => a - b);
    latencyMs[method] = { p50: percentile(times, 50), p95: percentile(times, 95) };
  }
  return { scores, latencyMs, perQuestion };
}

/** One seed's conversation stored and every question asked through each method (and `extra` weightings). */
async function runSeed(
  seed: number,
  embedder: Embedder,
  options: StoreOptions,
  extra: Record<string, Partial<RecallWeights>> = {},
): Promise<SeedRun> {
  const { fixture, store, storeMs, dispose } = await buildStore(seed, embedder, options);
  try {
    const turns = fixture.sessions.reduce((n, s) => n + s.turns.length, 0);
    options.log(
      `seed ${seed}: ${fixture.sessions.length} sessions, ${turns} turns stored in ${(storeMs / 1000).toFixed(1)} s`,
    );
    const byType: Record<string, number> = {};
    for (const q of fixture.questions) byType[q.type] = (byType[q.type] ?? 0) + 1;
    const rankers: Record<string, Ranker> = { ...baselines(store), recall: recaller(store) };
    for (const [name, weights] of Object.entries(extra))
      rankers[`recall (${name})`] = recaller(store, weights);
    const evaluation = await evaluate(fixture.questions, rankers);
    return {
      seed,
      sessions: fixture.sessions.length,
      turns,
      questions: fixture.questions.length,
      byType,
      storeMs,
      ...evaluation,
    };
  } finally {
    await dispose();
  }
}

/**
 * Coordinate search on the tuning seed: each weight in turn takes the value of `TUNING_SPACE` that most
 * improves recall@10 + recall@5 / 2, the others held; two passes.
 */
async function tune(seed: number, embedder: Embedder, options: StoreOptions) {
  const { fixture, store, dispose } = await buildStore(seed, embedder, options);
  try {
    const objective = async (weights: RecallWeights) => {
      const { scores } = await evaluate(fixture.questions, { recall: recaller(store, weights) });
      const r5 = at(scores.recall, 5);
      const r10 = at(scores.recall, 10);
      return { r5, r10, value: r10 + r5 / 2 };
    };
    let best: RecallWeights = { ...DEFAULT_RECALL_WEIGHTS };
    let bestScore = await objective(best);
    const start = bestScore;
    let tried = 1;
    for (let pass = 0; pass < 2; pass++) {
      let changed = false;
      for (const [key, values] of Object.entries(TUNING_SPACE) as Array<[keyof RecallWeights, number[]]>) {
        for (const value of values) {
          if (best[key] === value) continue;
          const weights = { ...best, [key]: value };
          const score = await objective(weights);
          tried++;
          if (score.value > bestScore.value + 1e-9) {
            best = weights;
            bestScore = score;
            changed = true;
            options.log(
              `tuning: ${key} = ${value} → recall@5 ${score.r5.toFixed(3)}, recall@10 ${score.r10.toFixed(3)}`,
            );
          }
        }
      }
      if (!changed) break;
    }
    return { seed, tried, defaults: start, best, bestScore };
  } finally {
    await dispose();
  }
}

/** A Vega-Lite bar chart of one seed's recall@5 and @10 per method and question type. */
export function memoryChart(run: SeedRun, embedderId: string) {
  const values: Array<{ method: string; type: string; k: string; recall: number }> = [];
  for (const method of METHODS) {
    for (const k of SHOWN) {
      const entry = run.scores[method];
      values.push({ method, type: "all", k: `recall@${k}`, recall: at(entry, k) });
      for (const [type, value] of Object.entries(entry[`recall@${k}ByType`] as Record<string, number>)) {
        values.push({ method, type, k: `recall@${k}`, recall: value });
      }
    }
  }
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: `Evidence recall by question type: seed ${run.seed}, ${run.turns} turns, ${run.questions} questions, ${embedderId}`,
    data: { values },
    mark: "bar",
    encoding: {
      row: { field: "k", type: "nominal", title: null },
      x: { field: "type", type: "nominal", title: "question type", sort: ["all"] },
      xOffset: { field: "method", type: "nominal", sort: [...METHODS] },
      y: { field: "recall", type: "quantitative", title: "evidence recall", scale: { domain: [0, 1] } },
      color: { field: "method", type: "nominal", sort: [...METHODS] },
      tooltip: [{ field: "method" }, { field: "type" }, { field: "k" }, { field: "recall", format: ".3f" }],
    },
  };
}

/** One seed's recall@5 and @10 per method and question type, as aligned text. */
export function memoryTable(run: SeedRun, label: string): string {
  const types = ["all", ...Object.keys(run.byType).sort()];
  const cell = (method: Method, k: number, type: string) => {
    const entry = run.scores[method];
    const value =
      type === "all" ? at(entry, k) : (entry[`recall@${k}ByType`] as Record<string, number>)[type];
    return value.toFixed(3);
  };
  const header = METHODS.flatMap((m) => SHOWN.map((k) => `${m}@${k}`.padStart(10))).join("");
  const lines = [
    `seed ${run.seed} (${label}): ${run.turns} turns, ${run.questions} questions`,
    `${"".padEnd(20)}${header}`,
  ];
  for (const type of types) {
    const count = type === "all" ? run.questions : run.byType[type];
    const cells = METHODS.flatMap((m) => SHOWN.map((k) => cell(m, k, type).padStart(10))).join("");
    lines.push(`${`${type} (${count})`.padEnd(20)}${cells}`);
  }
  return lines.join("\n");
}

/** Recall@k of `recall` minus the better of the two baselines, per k. */
function gainOverBestBaseline(scores: Record<string, MethodScores>): Record<string, number> {
  return Object.fromEntries(
    KS.map((k) => [`recall@${k}`, at(scores.recall, k) - Math.max(at(scores.vector, k), at(scores.fts, k))]),
  );
}

/** Recall@k per k of each method. */
function recallByK(scores: Record<string, MethodScores>, methods: readonly string[]) {
  return Object.fromEntries(
    methods.map((m) => [m, Object.fromEntries(KS.map((k) => [`recall@${k}`, at(scores[m], k)]))]),
  );
}

/** The extra held-out seeds, overall recall only. */
async function moreHeldOutSeeds(embedder: Embedder, options: MemoryBenchOptions) {
  const more = [];
  for (const seed of options.moreSeeds) {
    const run = await runSeed(seed, embedder, options);
    more.push({
      seed,
      turns: run.turns,
      questions: run.questions,
      recall: recallByK(run.scores, METHODS),
      gainOverBestBaseline: gainOverBestBaseline(run.scores),
    });
  }
  return more;
}

/**
 * Runs the benchmark: the tuning seed, the held-out report seed with the ablations (and re-tuned weights
 * with `tune`), then the extra held-out seeds. Returns the report and the two seeds' runs (for the tables).
 */
export async function runMemoryBench(embedder: Embedder, options: MemoryBenchOptions) {
  const { reportSeed, tuneSeed } = options;
  if (reportSeed === tuneSeed)
    options.log("warning: the report seed is the tuning seed; the numbers are not held out");
  const tuning = options.tune ? await tune(tuneSeed, embedder, options) : undefined;
  if (tuning) options.log(`tuned weights on seed ${tuneSeed}: ${JSON.stringify(tuning.best)}`);
  const tuned = await runSeed(tuneSeed, embedder, options);
  const report = await runSeed(reportSeed, embedder, options, {
    ...ABLATIONS,
    ...(tuning ? { "re-tuned weights": tuning.best } : {}),
  });
  const more = await moreHeldOutSeeds(embedder, options);
  const ablations = recallByK(
    report.scores,
    Object.keys(report.scores).filter((name) => name.startsWith("recall (")),
  );
  const json = {
    benchmark: "memory",
    createdAt: new Date().toISOString(),
    machine: machine(),
    embedder: embedder.id,
    autoLinkK: options.autoLinkK,
    seeds: { tune: tuneSeed, report: reportSeed },
    note:
      "recall@k = share of a question's evidence turns found in the top k, averaged over questions. The " +
      "baselines search the turns with the raw question; recall gets the question and its askedAt. The " +
      "weights were tuned on the tune seed; quote the report seed.",
    weights: DEFAULT_RECALL_WEIGHTS,
    gainOverBestBaseline: {
      report: gainOverBestBaseline(report.scores),
      tune: gainOverBestBaseline(tuned.scores),
    },
    report: { ...report, perQuestion: undefined },
    tune: { ...tuned, perQuestion: undefined },
    ablations,
    moreHeldOutSeeds: more,
    tuning,
    perQuestion: report.perQuestion,
  };
  return { json, tuned, report };
}
