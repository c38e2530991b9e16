/**
 * Plain-text rendering of command results: what the REPL prints in line mode (pipes, scripts) and what a
 * notebook shows as `text/plain`. Full-screen front ends draw the same data their own way.
 */
import { homedir } from "node:os";
import { isAbsolute, relative, sep } from "node:path";
import type { QuickBenchResult } from "../../bench/quick-bench.js";
import { headlineRows, headlineSystems, targetsOf } from "../../bench/report.js";
import { firstLine, MAX_ERROR_LINE, toSiglaError } from "../errors.js";
import type { IngestReport } from "../ingest/ingest.js";
import type { ModelInfo } from "../llm/runner.js";
import type { MemoryNode } from "../memory/types.js";
import type { TurnResult } from "../pipeline/pipeline.js";
import type { Metrics, TraceEvent } from "../pipeline/types.js";
import type { DoctorCheck } from "../store/doctor.js";
import type { IndexDecision } from "../store/index-choice.js";
import type { CapsuleHit } from "../store/types.js";
import { type ArtifactResult, artifactLines } from "./artifact-text.js";
import { flagLabels } from "./specs.js";
import type {
  BenchReportResult,
  BenchResult,
  BenchRetrievalResult,
  CommandResult,
  DoctorResult,
  MemoryNodeResult,
  MemoryResult,
  ModelCacheResult,
  ReindexResult,
  RunResult,
  SessionResult,
} from "./types.js";

/** Collapses whitespace and cuts to `max` characters with an ellipsis. */
export function oneLine(text: string, max = 100): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export { firstLine as shortMessage, MAX_ERROR_LINE } from "../errors.js";

/** The one line every door prints for anything thrown: `SiglaError.toLine` of it. */
export function errorLine(error: unknown, max = MAX_ERROR_LINE): string {
  return toSiglaError(error).toLine(max);
}

/** An ingest's counts: `12 files: 30 capsules added, 2 unchanged, 0 replaced, 1 skipped`. */
export function ingestSummary(r: IngestReport): string {
  return `${r.files} files: ${r.ids.length} capsules added, ${r.unchanged} unchanged, ${r.replaced} replaced${r.empty ? `, ${r.empty} empty` : ""}, ${r.skipped.length} skipped`;
}

/** The warning for a file ingest skipped: `skipped notes/bad.md: not UTF-8 text`. */
export function skippedLine(skip: { path: string; reason: string }): string {
  // Most reasons already name the file; say it once.
  const reason = firstLine(skip.reason);
  return reason.includes(skip.path) ? `skipped: ${reason}` : `skipped ${skip.path}: ${reason}`;
}

/**
 * A path as a person reads it: relative to `cwd` when inside it, `~/…` when inside the home folder, else
 * as it is (a source that is not an absolute path, such as `session:repl`, too).
 */
export function shortPath(path: string, cwd = process.cwd()): string {
  if (!isAbsolute(path)) return path;
  const inCwd = relative(cwd, path);
  if (inCwd !== "" && !inCwd.startsWith("..") && !isAbsolute(inCwd)) return inCwd;
  const home = homedir();
  return path.startsWith(`${home}${sep}`) ? `~${path.slice(home.length)}` : path;
}

/** The mark a front end shows under an answer the model did not finish. */
export const PARTIAL_NOTE = "⏹ partial — the model was stopped before it finished";

/**
 * The formatted answer as a person reads it: each citation's `{source · locator · layer}` with the
 * source's path shortened ({@link shortPath}); the turn's `answer` keeps the full paths.
 */
export function answerText(turn: Pick<TurnResult, "answer" | "citations">, cwd?: string): string {
  let text = turn.answer;
  for (const source of new Set(turn.citations.map((c) => c.source))) {
    if (source === undefined) continue;
    const short = shortPath(source, cwd);
    if (short !== source) text = text.split(`{${source} · `).join(`{${short} · `);
  }
  return text;
}

/** Who wrote an answer: `offline answerer`, or `model <short path>`. */
export function answeredBy(by: string, cwd?: string): string {
  return by.startsWith("model ") ? `model ${shortPath(by.slice("model ".length), cwd)}` : by;
}

/** A loaded model in one line: `tiny.gguf (gguf, llama, 2048-token context, Q8_0, 1.2M parameters, CPU)`. */
export function modelLine(info: ModelInfo, cwd?: string): string {
  const params =
    info.parameters === undefined
      ? []
      : [
          `${info.parameters >= 1e9 ? `${(info.parameters / 1e9).toFixed(1)}B` : `${(info.parameters / 1e6).toFixed(1)}M`} parameters`,
        ];
  const parts = [
    info.backend,
    info.architecture,
    `${info.contextSize}-token context`,
    ...(info.quantization ? [info.quantization] : []),
    ...params,
    info.gpu ? "GPU" : "CPU",
  ];
  return `${shortPath(info.path, cwd)} (${parts.join(", ")})`;
}

/** Columns text tables may take: the terminal's (less one, so a full line never wraps), at most 100. */
export function textWidth(): number {
  const columns = process.stdout.isTTY ? process.stdout.columns : undefined;
  return Math.min(100, columns ? columns - 1 : 100);
}

/**
 * The hits as a table within `width` columns: a header row, then id, score, text and tags per hit. Tags
 * take at most a third of the line (cut with …), so a hit never wraps.
 */
export function hitLines(hits: readonly CapsuleHit[], width = textWidth()): string[] {
  if (hits.length === 0) return ["no results"];
  const fixed = 15; // "   id  score   " before the text
  const tagRoom = Math.max(8, Math.floor((width - fixed) / 3));
  const tagsOf = (hit: CapsuleHit) => (hit.tags.length ? oneLine(hit.tags.join(","), tagRoom) : "");
  const tagWidth = Math.max(4, ...hits.map((hit) => tagsOf(hit).length));
  const textWidth = Math.max(12, width - fixed - tagWidth - 2);
  const row = (id: string, score: string, text: string, tags: string) =>
    `${id.padStart(5)}  ${score.padEnd(6)}  ${text.padEnd(textWidth)}  ${tags}`.trimEnd();
  return [
    row("id", "score", "text", "tags"),
    ...hits.map((hit) =>
      row(String(hit.id), hit.score.toFixed(4), oneLine(hit.text, textWidth), tagsOf(hit)),
    ),
  ];
}

/** One trace step: `  6. memory        82.6 ms  1 evidence …`. */
export function traceLine(event: TraceEvent): string {
  const ms = event.status === "end" ? `${event.ms.toFixed(1).padStart(7)} ms` : "    … ms";
  return `${String(event.index).padStart(3)}. ${event.step.padEnd(10)} ${ms}  ${event.summary}`;
}

/** The quick benchmark as table columns (padded text here, HTML in the kernel). */
export function quickBenchRows(r: QuickBenchResult): { head: string[]; rows: string[][] } {
  return {
    head: ["index", "build ms", "recall", "p50 ms", "p95 ms", "p99 ms", "qps"],
    rows: r.points.map((p) => [
      p.kind,
      p.buildMs.toFixed(0),
      p.recall.toFixed(4),
      p.latency.p50.toFixed(3),
      p.latency.p95.toFixed(3),
      p.latency.p99.toFixed(3),
      p.latency.qps.toFixed(0),
    ]),
  };
}

/** `pain 0.00  trust 0.80  clarity 0.63  drift 0.00`. */
export function metricsLine(metrics: Metrics): string {
  return (["pain", "trust", "clarity", "drift"] as const)
    .map((m) => `${m} ${metrics[m].toFixed(2)}`)
    .join("  ");
}

function memoryLines(result: MemoryResult): string[] {
  if (result.counts) {
    const c = result.counts;
    return [
      `capsules ${c.capsules}  archive ${c.archive}  shadow ${c.shadow}  growth ${c.growth}  (version ${c.version})`,
      `${c.review} SHADOW node${c.review === 1 ? "" : "s"} due for review`,
    ];
  }
  if (result.communities) {
    if (result.communities.length === 0) return ["no communities"];
    return [
      ...result.communities.map(
        (c) =>
          `${String(c.index).padStart(3)}  ${String(c.members.length).padStart(4)} members  ${c.terms?.length ? `${c.terms.join(", ")}: ` : ""}${c.members.slice(0, 12).join(" ")}`,
      ),
      ...(result.total > result.communities.length ? [`… ${result.total} communities in all`] : []),
    ];
  }
  const rows = result.rows ?? [];
  if (rows.length === 0) return [`nothing in ${result.view}`];
  return [
    ...rows.map((r) => {
      const place = [r.layer, r.level].filter(Boolean).join("/");
      return `${String(r.id).padStart(5)}  ${place.padEnd(16)} ${r.kind.padEnd(10)} ${oneLine(r.title, 60)}${r.note ? `  (${r.note})` : ""}`;
    }),
    ...(result.total > rows.length ? [`… ${result.total} in all (-n to show more)`] : []),
  ];
}

/** One doctor check as a line: ✓ or ✗, what was found, and what the repair did. */
export function doctorLine(check: DoctorCheck): string {
  const mark = check.ok ? "✓" : check.repaired ? "✗ → repaired" : "✗";
  return `${mark} ${check.name}: ${check.detail}${check.repaired ? ` (${check.repaired})` : ""}`;
}

/** `auto`'s last choice: each kind's measured time per query, the chosen one first. */
function decisionLine(decision: IndexDecision): string {
  const costs = Object.entries(decision.costs)
    .sort((a, b) => (a[1] ?? 0) - (b[1] ?? 0))
    .map(([kind, ms]) => `${kind} ${ms} ms`);
  return `index chosen at ${decision.at} capsules by time per query: ${costs.join(", ")}`;
}

/** The whole result as text lines. */
export function resultLines(result: CommandResult): string[] {
  switch (result.kind) {
    case "store": {
      const s = result.stats;
      return [
        `${result.opened ? "opened " : ""}${s.path}`,
        `${s.count} capsules, ${s.dim}-d, embedder ${result.embedder}, index ${s.indexKind} (policy ${s.indexPolicy}, vectors in memory ${s.vectorPrecision}), ${s.links} links, version ${s.tableVersion}, ${(s.diskBytes / 1e6).toFixed(1)} MB`,
        ...(s.indexDecision ? [decisionLine(s.indexDecision)] : []),
      ];
    }
    case "ingest": {
      const r = result.report;
      // A door that told the skipped files as they happened (the CLI) prints the bare summary.
      if (result.warned) return [ingestSummary(r)];
      return [`${ingestSummary(r)} — store holds ${result.count}`, ...r.skipped.map(skippedLine)];
    }
    case "query":
      return hitLines(result.hits);
    case "dsl": {
      const { hits, prompt, steps } = result.result;
      return [
        ...hitLines(hits),
        `steps: ${steps.map((s) => `${s.op} ${s.ms} ms → ${s.count}`).join(" | ")}`,
        ...(prompt ? ["", prompt] : []),
      ];
    }
    case "ask": {
      const t = result.turn;
      return [
        answerText(t),
        ...(t.partial ? [PARTIAL_NOTE] : []),
        "",
        `${metricsLine(t.metrics)}  voice ${t.voice}  phase ${t.phase}  mode ${t.mode}  (session ${t.session}, turn ${t.turn}, ${answeredBy(t.by)})`,
      ];
    }
    case "model":
      if (!result.info) {
        return [
          `${result.changed ? "unloaded the model: " : ""}offline answerer (no model) — :model <file.gguf> loads one`,
        ];
      }
      return [
        `${result.changed ? "loaded " : "model "}${modelLine(result.info)} · profile ${result.profile}`,
      ];
    case "trace": {
      const total = result.events.reduce((sum, e) => sum + e.ms, 0);
      return [`turn ${result.turn}, ${total.toFixed(1)} ms`, ...result.events.map(traceLine)];
    }
    case "bench":
    case "bench-report":
    case "bench-retrieval":
      return benchLines(result);
    case "chart":
      return [
        `${result.chart.title} (${result.chart.source})`,
        ...result.chart.lines,
        `PNG: ${result.chart.png} (${result.chart.bytes} bytes)`,
      ];
    case "memory":
      return memoryLines(result);
    case "help":
      if (result.detail) {
        const d = result.detail;
        return [
          d.usage,
          `  ${d.summary}`,
          ...d.flags.map((f) => `  ${flagLabels(f).join(", ")} ${f.value ?? ""}  ${f.help}`),
        ];
      }
      return [
        "Plain text asks the pipeline. Commands:",
        ...result.commands.map((c) => `  ${c.usage}\n      ${c.summary}`),
        "Keys: ↑/↓ history, Tab completes, Ctrl-C cancels a running job (twice at the prompt: quit).",
      ];
    case "quit":
      return ["bye"];
    default:
      return moreLines(result);
  }
}

/** A benchmark result: the quick benchmark's table, a harness report's headline, or retrieval quality. */
function benchLines(result: BenchResult | BenchReportResult | BenchRetrievalResult): string[] {
  switch (result.kind) {
    case "bench": {
      const r = result.result;
      const t = quickBenchRows(r);
      const widths = [6, 9, 7, 8, 8, 8, 7];
      const line = (cells: string[]) =>
        cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" ");
      return [
        `${r.size} clustered ${r.dim}-d vectors stored in ${r.storeMs.toFixed(0)} ms; ${r.queries} queries, recall@${r.k} against exact`,
        line(t.head),
        ...t.rows.map(line),
      ];
    }
    case "bench-report": {
      const { report } = result;
      const t = headlineRows(headlineSystems(report));
      const widths = t.head.map((h, i) => Math.max(h.length, ...t.rows.map((r) => r[i].length)));
      const line = (cells: string[]) =>
        cells
          .map((c, i) => c.padEnd(widths[i]))
          .join("  ")
          .trimEnd();
      return [
        `${report.suite}: ${report.settings.systems.join(", ")} on ${report.datasets.map((d) => d.name).join(", ")}, median of ${report.settings.reps} runs (min–max)`,
        line(t.head),
        ...t.rows.map(line),
        ...targetsOf(report).map(
          (x) =>
            `target ${x.name}: ${x.ratio === null ? "not run" : `${x.ratio.toFixed(3)} (below ${x.max}: ${x.met ? "met" : "not met"})`}`,
        ),
        `report: ${result.files.find((f) => f.endsWith(".md")) ?? ""}`,
      ];
    }
    case "bench-retrieval": {
      const r = result.report;
      return [
        `retrieval: ${r.dataset.documents} Fiori documents, ${r.dataset.queries} title queries, embedder ${r.dataset.embedder}, median of ${r.reps} runs`,
        ...r.modes.map(
          (m) =>
            `${m.mode.padEnd(7)} MRR@${r.k} ${m.mrr.median.toFixed(3)}  recall@${r.k} ${m.recall.median.toFixed(3)}  ${m.meanMs.median.toFixed(2)} ms/query`,
        ),
      ];
    }
  }
}

/** A memory node as one line: `12  archive/RAW  FACT  IVF splits vectors…`. */
export function nodeLine(node: MemoryNode): string {
  return `${node.id}\t${node.layer}/${node.level}\t${node.kind}\t${node.title}`;
}

/** The commands added with the registry: reindex, doctor, session, memory changes, the model cache, run. */
function moreLines(
  result:
    | ReindexResult
    | DoctorResult
    | SessionResult
    | MemoryNodeResult
    | ModelCacheResult
    | RunResult
    | ArtifactResult,
): string[] {
  switch (result.kind) {
    case "reindex":
      return [`index rebuilt as ${result.index} in ${result.ms} ms (${result.count} capsules)`];
    case "doctor":
      return result.report.checks.map(doctorLine);
    case "session":
      return [
        `${result.switched ? "now in " : ""}session ${result.id}${result.shared ? " (shared)" : ""}, ${result.turns} turn${result.turns === 1 ? "" : "s"}`,
      ];
    case "memory-node":
      return [
        `${result.action === "added" ? "" : `${result.action}: `}${nodeLine(result.node)}`,
        ...(result.action === "redacted copy" ? [result.node.content] : []),
      ];
    case "model-cache":
      return modelCacheLines(result);
    case "run":
      return result.text ? [] : ["(the model wrote nothing)"];
    default:
      return artifactLines(result);
  }
}

function modelCacheLines(result: ModelCacheResult): string[] {
  if (result.pulled) return [`${result.pulled.spec} → ${result.pulled.path}`];
  if (result.info) {
    const info = result.info;
    const rows: [string, unknown][] = [
      ["path", info.path],
      ["backend", info.backend],
      ["architecture", info.architecture],
      ["name", info.name],
      ["context length", info.contextLength],
      ["chat template", info.chatTemplate ? "yes" : "no"],
      ["parameters", info.parameters],
      ["quantization", info.quantization],
      ["bytes", info.bytes],
    ];
    return rows.filter(([, value]) => value !== undefined).map(([key, value]) => `${key}: ${value}`);
  }
  const models = result.models ?? [];
  if (models.length === 0) return ["no models in the cache; `:model pull <uri>` adds one"];
  return models.map((m) => `${m.spec}\t${m.backend}\t${m.path}`);
}

/** The whole result as one text. */
export function formatResult(result: CommandResult): string {
  return resultLines(result).join("\n");
}
