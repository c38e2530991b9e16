/**
 * Issue 14's targets, read off harness reports: each is a measured value against a bound, per suite
 * (clustered, lorem) and size (50k, 1M), every ratio taken between systems of the same run. A target whose
 * systems or size were not in the run is listed as not run. The encoder's targets come from
 * `reports/bench-encoder.json` when `npm run bench:encoder` wrote it.
 */
import type { BenchReport, PointSummary, SystemSummary } from "./harness.js";
import type { Spread } from "./stats.js";

/** The recall the latency comparisons are made at (recall@10 ≥ 0.97). */
export const RECALL_FLOOR = 0.97;
/** The recall of the 1M tail-latency target (p95 ≤ 10 ms at recall@10 ≥ 0.95). */
export const LARGE_RECALL = 0.95;
/** The sizes the targets are stated for: every report lists them, run or not. */
export const TARGET_SIZES: readonly number[] = [50_000, 1_000_000];
/** Sizes from here up are "large": the harness runs them with fewer repetitions and queries. */
export const LARGE_SIZE = 1_000_000;
/** The peers SIGLA is measured against. */
export const PEERS = ["chroma", "lancedb"] as const;

/** One target: a measured value against a bound, met or not. */
export interface Target {
  /** Short name, e.g. `p50 vs peers`. */
  name: string;
  /** `clustered`, `lorem` or `encoder`. */
  suite: string;
  /** Rows, for the vector suites; null for the encoder. */
  size: number | null;
  /** What is measured. */
  what: string;
  /** The measured value in `unit`; null when not run. */
  measured: number | null;
  unit: string;
  /** The bound in `unit`; null when the systems it is read from were not run. */
  bound: number | null;
  /** `≤`: measured must not exceed the bound; `≥`: must reach it. */
  op: "≤" | "≥";
  /** The bound in words, e.g. `≤ 0.5 × lancedb's 2.11 ms`. */
  goal: string;
  /** measured ÷ bound (bound ÷ measured for `≥`): met at ≤ `max`; null when not run. */
  ratio: number | null;
  /** Always 1: the normalised ratio's limit. */
  max: number;
  /** Whether the target is met (false when not run: see `ratio`). */
  met: boolean;
}

/** A system's fastest setting (median p50) whose median recall reaches `recall`. */
export function bestAt(summary: SystemSummary, recall = RECALL_FLOOR): PointSummary | undefined {
  return summary.points
    .filter((p) => p.recall.median >= recall)
    .sort((a, b) => a.p50.median - b.p50.median)[0];
}

/** Builds a target, normalising the ratio so that ≤ 1 is met. */
export function makeTarget(
  fields: Omit<Target, "ratio" | "max" | "met" | "goal"> & { goal?: string },
): Target {
  const { measured, bound, op } = fields;
  let ratio: number | null = null;
  if (measured !== null && bound !== null && Number.isFinite(measured) && Number.isFinite(bound)) {
    if (op === "≤") ratio = bound > 0 ? measured / bound : measured <= bound ? 0 : Number.POSITIVE_INFINITY;
    else ratio = measured > 0 ? bound / measured : Number.POSITIVE_INFINITY;
  }
  const unit = fields.unit ? ` ${fields.unit}` : "";
  const goal = fields.goal ?? (bound === null ? `${op} (not run)` : `${op} ${round(bound)}${unit}`);
  return { ...fields, goal, ratio, max: 1, met: ratio !== null && ratio <= 1 };
}

/** A number for a table: 3 significant digits below 100, whole above. */
export function round(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return Math.abs(x) >= 100 ? x.toFixed(0) : Number(x.toPrecision(3)).toString();
}

/** The suite's name in the targets: `store` runs the clustered vectors. */
export function suiteLabel(suite: string): string {
  return suite === "store" ? "clustered" : suite;
}

/** SIGLA's row: `sigla`, else `sigla-nolink`. */
function siglaOf(rows: readonly SystemSummary[]): SystemSummary | undefined {
  return rows.find((r) => r.system === "sigla") ?? rows.find((r) => r.system === "sigla-nolink");
}

/** The peer with the best value of `pick` at its own best setting (lowest, or highest with `highest`). */
function betterPeer(
  rows: readonly SystemSummary[],
  pick: (p: PointSummary) => number,
  highest = false,
): { system: string; value: number } | undefined {
  const found = PEERS.flatMap((name) => {
    const row = rows.find((r) => r.system === name);
    const best = row ? bestAt(row) : undefined;
    return best ? [{ system: name, value: pick(best) }] : [];
  });
  return found.sort((a, b) => (highest ? b.value - a.value : a.value - b.value))[0];
}

/** The issue's targets for one suite at one size, from that size's systems (empty rows: all not run). */
export function sizeTargets(
  suite: string,
  size: number,
  rows: readonly SystemSummary[],
  dim = 384,
): Target[] {
  const base = { suite: suiteLabel(suite), size };
  const sigla = siglaOf(rows);
  const best = sigla ? bestAt(sigla) : undefined;
  const exact = rows.find((r) => r.system === "exact");
  const exactBest = exact ? bestAt(exact) : undefined;
  const peerP50 = betterPeer(rows, (p) => p.p50.median);
  const peerP99 = betterPeer(rows, (p) => p.p99.median);
  const peerQps = betterPeer(rows, (p) => p.batchQps.median, true);
  const at = `at recall@10 ≥ ${RECALL_FLOOR}`;
  const of = (v: number | undefined) => v ?? null;
  const targets = [
    makeTarget({
      ...base,
      name: "p50 vs peers",
      what: `SIGLA p50 ${at} (each system at its fastest such setting)`,
      measured: of(best?.p50.median),
      unit: "ms",
      bound: peerP50 ? 0.5 * peerP50.value : null,
      op: "≤",
      goal: peerP50 ? `≤ 0.5 × ${peerP50.system}'s ${round(peerP50.value)} ms` : undefined,
    }),
    makeTarget({
      ...base,
      name: "p50 vs own exact scan",
      what: `SIGLA p50 ${at} against the exact scan's p50`,
      measured: of(best?.p50.median),
      unit: "ms",
      bound: of(exactBest?.p50.median),
      op: "≤",
      goal: exactBest ? `≤ exact scan's ${round(exactBest.p50.median)} ms` : undefined,
    }),
    makeTarget({
      ...base,
      name: "p99 vs peers",
      what: `SIGLA p99 at that setting against the better peer's p99 ${at}`,
      measured: of(best?.p99.median),
      unit: "ms",
      bound: peerP99 ? peerP99.value : null,
      op: "≤",
      goal: peerP99 ? `≤ ${peerP99.system}'s ${round(peerP99.value)} ms` : undefined,
    }),
    makeTarget({
      ...base,
      name: "batched QPS vs peers",
      what: `SIGLA queryBatch QPS ${at}`,
      measured: of(best?.batchQps.median),
      unit: "QPS",
      bound: peerQps ? 1.5 * peerQps.value : null,
      op: "≥",
      goal: peerQps ? `≥ 1.5 × ${peerQps.system}'s ${round(peerQps.value)} QPS` : undefined,
    }),
  ];
  if (size >= LARGE_SIZE) targets.push(...largeTargets(base, sigla, size, dim));
  targets.push(...filterTargets(base, sigla));
  return targets;
}

/** The memory a system serves from: opened by a fresh process where measured, else its server's or its gain. */
export function servingBytes(s: SystemSummary): Spread {
  return s.servingMemoryBytes ?? s.serverMemoryBytes ?? s.memoryBytes;
}

/** 1M: the tail at recall ≥ 0.95 and memory against the raw vectors. */
function largeTargets(
  base: { suite: string; size: number },
  sigla: SystemSummary | undefined,
  size: number,
  dim: number,
): Target[] {
  const tail = sigla?.points
    .filter((p) => p.recall.median >= LARGE_RECALL)
    .sort((a, b) => a.p95.median - b.p95.median)[0];
  const raw = size * dim * 4;
  return [
    makeTarget({
      ...base,
      name: "p95 at 1M",
      what: `SIGLA p95 at its fastest setting with recall@10 ≥ ${LARGE_RECALL}`,
      measured: tail ? tail.p95.median : null,
      unit: "ms",
      bound: 10,
      op: "≤",
    }),
    makeTarget({
      ...base,
      name: "memory vs raw vectors",
      what: `SIGLA serving memory (a fresh process that opened the store and queried it) ÷ the raw float32 vectors (${(raw / 1e6).toFixed(0)} MB)`,
      measured: sigla ? servingBytes(sigla).median / raw : null,
      unit: "×",
      bound: 1.3,
      op: "≤",
    }),
  ];
}

/** Per filter: recall against the exact filtered top-k, and p50 against the unfiltered p50. */
function filterTargets(base: { suite: string; size: number }, sigla: SystemSummary | undefined): Target[] {
  const labels = sigla?.filters?.map((f) => f.label) ?? ["1%", "50%"];
  return labels.flatMap((label) => {
    const f = sigla?.filters?.find((x) => x.label === label);
    return [
      makeTarget({
        ...base,
        name: `filter ${label}: recall`,
        what: `SIGLA recall@10 with a filter keeping ${label} of rows, against the exact filtered top-10`,
        measured: f ? f.recall.median : null,
        unit: "",
        bound: RECALL_FLOOR,
        op: "≥",
      }),
      makeTarget({
        ...base,
        name: `filter ${label}: p50`,
        what: `SIGLA p50 with a filter keeping ${label} of rows ÷ its unfiltered p50 at the same setting`,
        measured: f && f.unfilteredP50.median > 0 ? f.p50.median / f.unfilteredP50.median : null,
        unit: "×",
        bound: 2,
        op: "≤",
      }),
    ];
  });
}

/** The sizes a report's targets are listed for: the target sizes and every size it ran. */
export function targetSizes(report: Pick<BenchReport, "summary"> | undefined): number[] {
  const run = report ? report.summary.map((s) => s.size) : [];
  return [...new Set([...TARGET_SIZES, ...run])].sort((a, b) => a - b);
}

/** Every target of a vector suite's report, per size; `suite` names it when the report is absent. */
export function suiteTargets(report: BenchReport | undefined, suite: string): Target[] {
  return targetSizes(report).flatMap((size) => {
    const rows = report ? report.summary.filter((s) => s.size === size) : [];
    const dim = report?.datasets.find((d) => d.size === size)?.dim ?? 384;
    return sizeTargets(report?.suite ?? suite, size, rows, dim);
  });
}

/** A number at the first key (depth first) whose name matches `key`. */
function findNumber(value: unknown, key: RegExp): number | undefined {
  if (!value || typeof value !== "object") return undefined;
  for (const [k, v] of Object.entries(value)) {
    if (key.test(k) && typeof v === "number" && Number.isFinite(v)) return v;
  }
  for (const v of Object.values(value)) {
    const found = findNumber(v, key);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** One row of `bench-encoder.json`'s `targets`: `npm run bench:encoder` writes `{ name, value, target, met }`. */
function encoderRow(row: unknown): Target[] {
  const r = row as { name?: unknown; value?: unknown; target?: unknown; met?: unknown; unit?: unknown };
  if (typeof r?.name !== "string" || typeof r.target !== "string") return [];
  const parsed = /^\s*(≤|≥|<=|>=)\s*([\d.,_]+)/.exec(r.target);
  const op = parsed?.[1] === "≥" || parsed?.[1] === ">=" ? "≥" : "≤";
  const bound = parsed ? Number(parsed[2].replace(/[,_]/g, "")) : null;
  const target = makeTarget({
    suite: "encoder",
    size: null,
    name: r.name,
    what: r.name,
    measured: typeof r.value === "number" && Number.isFinite(r.value) ? r.value : null,
    unit: typeof r.unit === "string" ? r.unit : "",
    bound,
    op,
    goal: r.target,
  });
  // The encoder report's own verdict wins (its bounds can scale, e.g. "≤ 30 per MiB").
  return [{ ...target, met: target.ratio !== null && (typeof r.met === "boolean" ? r.met : target.met) }];
}

/**
 * The encoder's targets from `bench-encoder.json`: its own `targets` rows when it has them (`{ name, value,
 * target: "≥ 15000", met }`), else the first `charactersPerSecond` (≥ 15,000 on 2 cores) and
 * `docsIngestSeconds` (a 1 MB docs folder, ≤ 30 s) found in it.
 */
export function encoderTargets(json: unknown): Target[] {
  const base = { suite: "encoder", size: null };
  const rows = (json as { targets?: unknown })?.targets;
  if (Array.isArray(rows)) return rows.flatMap(encoderRow);
  return [
    makeTarget({
      ...base,
      name: "encoder speed",
      what: "offline default encoder, characters per second on this machine",
      measured: findNumber(json, /^(characters|chars)PerSecond$/i) ?? null,
      unit: "chars/s",
      bound: 15_000,
      op: "≥",
    }),
    makeTarget({
      ...base,
      name: "1 MB docs ingest",
      what: "a 1 MB documentation folder ingested with embedding",
      measured: findNumber(json, /^(docsIngestSeconds|docsFolderSeconds|ingest1MbSeconds)$/i) ?? null,
      unit: "s",
      bound: 30,
      op: "≤",
    }),
  ];
}

/** The targets as table columns (Markdown in reports, HTML in the kernel). */
export function targetRows(targets: readonly Target[]): { head: string[]; rows: string[][] } {
  const sizeText = (n: number | null) =>
    n === null ? "—" : n % 1e6 === 0 ? `${n / 1e6}M` : n % 1e3 === 0 ? `${n / 1e3}k` : String(n);
  return {
    head: ["suite", "size", "target", "measured", "target value", "met", "what"],
    rows: targets.map((t) => [
      t.suite,
      sizeText(t.size),
      t.name,
      t.measured === null ? "—" : `${round(t.measured)}${t.unit ? ` ${t.unit}` : ""}`,
      t.goal,
      t.ratio === null ? "not run" : t.met ? "yes" : "no",
      t.what,
    ]),
  };
}
