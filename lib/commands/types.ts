/**
 * What the workbench commands return: plain data that each door (the REPL, the Jupyter magics) renders
 * its own way, and the options long commands take (cancellation, progress, live trace).
 */

import type { BenchReport } from "../../bench/harness.js";
import type { QuickBenchResult } from "../../bench/quick-bench.js";
import type { RetrievalBench } from "../../bench/retrieval-report.js";
import type { ChartResult } from "../charts/chart.js";
import type { DslRunResult } from "../dsl/types.js";
import type { Community } from "../graph/communities.js";
import type { IngestReport } from "../ingest/ingest.js";
import type { ModelFileInfo, ResolvedModel } from "../llm/models.js";
import type { ModelInfo } from "../llm/runner.js";
import type { refreshSummaries } from "../memory/graph-rag.js";
import type { Memory } from "../memory/layers.js";
import type { MemoryNode } from "../memory/types.js";
import type { CapsuleGraphMeta } from "../models/capsulegraph.js";
import type { AttachedModule } from "../models/loader.js";
import type { ModuleMeta } from "../models/module-meta.js";
import type { RouterDecision } from "../models/router.js";
import type { CapsuleGraphRun } from "../models/run-capsulegraph.js";
import type { TurnResult } from "../pipeline/pipeline.js";
import type { TraceEvent } from "../pipeline/types.js";
import type { DoctorReport } from "../store/doctor.js";
import type { CapsuleHit, IndexKind, SearchMode, StoreStats } from "../store/types.js";
import type { CommandSpec, MemoryView } from "./specs.js";

/** Progress of long work: `done` of `total` units, and what is being worked on. */
export interface JobProgress {
  /** What the job is (`ingest`, `bench`, `sample corpus`). */
  job: string;
  done: number;
  total: number;
  /** Unit of `done`/`total` (`files`, `vectors`, `queries`). */
  unit: string;
  /** The item in work (a file name, a phase). */
  label: string;
}

/** Options every command accepts; quick commands ignore what they do not need. */
export interface CommandOptions {
  /** Aborts long work; the library writes nothing half-done. */
  signal?: AbortSignal;
  onProgress?: (progress: JobProgress) => void;
  /** Pipeline trace events, live (`:ask` and plain text). */
  onTrace?: (event: TraceEvent) => void;
  /** The model's text pieces as it writes them (`:ask` with a model loaded, `:run`). */
  onToken?: (piece: string) => void;
  /** A warning that does not stop the command (a file ingest skipped, a doctor check as it finishes). */
  onNote?: (line: string) => void;
}

/** `:store`: the store in use (after opening another one, when a path was given). */
export interface StoreResult {
  kind: "store";
  stats: StoreStats;
  /** The embedder in use, with how `auto` chose it when it said so. */
  embedder: string;
  /** A store was opened by this command. */
  opened: boolean;
}

/** `:ingest`: what was added, and the store's size after. */
export interface IngestResult {
  kind: "ingest";
  report: IngestReport;
  count: number;
  /** Skipped files were already told to `onNote` as they happened (the text leaves them out). */
  warned?: boolean;
}

/** `:query`: the hits. */
export interface QueryResult {
  kind: "query";
  text: string;
  mode: SearchMode;
  hits: CapsuleHit[];
}

/** `:dsl`: the run's hits, prompt and step timings. */
export interface DslResult {
  kind: "dsl";
  program: string;
  result: DslRunResult;
}

/** `:ask` and plain text: the pipeline's turn. */
export interface AskResult {
  kind: "ask";
  turn: TurnResult;
}

/** `:model`: the language model that writes the answers, or none (the offline answerer). */
export interface ModelResult {
  kind: "model";
  /** What the loaded model is; undefined while the offline answerer answers. */
  info?: ModelInfo;
  /** The profile it was loaded with. */
  profile?: string;
  /** This command loaded or unloaded a model. */
  changed: boolean;
}

/** `:trace`: one turn's end events, in step order. */
export interface TraceResult {
  kind: "trace";
  turn: number;
  events: TraceEvent[];
}

/** `:bench` / `:bench quick`: the quick store benchmark. */
export interface BenchResult {
  kind: "bench";
  result: QuickBenchResult;
}

/** `:bench store|lorem`: the harness's report and the files written. */
export interface BenchReportResult {
  kind: "bench-report";
  report: BenchReport;
  files: string[];
}

/** `:bench retrieval`: answer quality of the search modes. */
export interface BenchRetrievalResult {
  kind: "bench-retrieval";
  report: RetrievalBench;
}

/** What `:bench` returns, by suite. */
export type BenchCommandResult = BenchResult | BenchReportResult | BenchRetrievalResult;

/** `:chart`: the spec, the PNG written and the terminal drawing. */
export interface ChartCommandResult {
  kind: "chart";
  chart: ChartResult;
}

/** One row of a `:memory` node listing. */
export interface MemoryRow {
  id: number;
  layer: string;
  level: string;
  kind: string;
  title: string;
  /** Extra information: review date, version. */
  note?: string;
}

/** `:memory`: one view of the memory layers. */
export interface MemoryResult {
  kind: "memory";
  view: MemoryView;
  /** `summary`: counts per layer and of due reviews. */
  counts?: {
    capsules: number;
    archive: number;
    shadow: number;
    growth: number;
    review: number;
    version: number;
  };
  /** Node listings (archive, shadow, growth, review, history). */
  rows?: MemoryRow[];
  /** `communities`, each named by the top terms of its members' texts. */
  communities?: Array<Community & { terms?: string[] }>;
  /** The nodes listed, whole and uncut (what `--json` prints). */
  nodes?: MemoryNode[];
  /** `history`: the GROWTH entries, whole. */
  entries?: Awaited<ReturnType<Memory["history"]>>;
  /** `communities --refresh`: what the refresh wrote. */
  refreshed?: Awaited<ReturnType<typeof refreshSummaries>>;
  /** Rows there were before `-n` cut the list. */
  total: number;
}

/** `:rebuild-index --kind k`: the index now in use and how long the rebuild took. */
export interface ReindexResult {
  kind: "reindex";
  index: IndexKind;
  count: number;
  ms: number;
}

/** `:doctor [--repair] [--accept-loss]`: every check, and what a repair did. */
export interface DoctorResult {
  kind: "doctor";
  report: DoctorReport;
  repair: boolean;
}

/** `:session [id] [--shared]`: the conversation session in use. */
export interface SessionResult {
  kind: "session";
  id: string;
  shared: boolean;
  turns: number;
  /** This command switched to it. */
  switched: boolean;
}

/** `:memory add|promote|redact|raise|link|anchor`: the node written, and what was done. */
export interface MemoryNodeResult {
  kind: "memory-node";
  action: "added" | "promoted" | "redacted copy" | "raised" | "linked" | "anchored";
  node: MemoryNode;
}

/** `:model list|info|pull`: the model cache. */
export interface ModelCacheResult {
  kind: "model-cache";
  action: "list" | "info" | "pull";
  models?: ResolvedModel[];
  info?: ModelFileInfo;
  pulled?: ResolvedModel;
}

/** `:run [model] -p <prompt>`: what the model wrote (streamed to `onToken` as it came). */
export interface RunResult {
  kind: "run";
  text: string;
  partial: boolean;
}

/** `:convert`: the `.capsulegraph` written. */
export interface ConvertResult {
  kind: "convert";
  path: string;
  bytes: number;
  meta: CapsuleGraphMeta;
}

/** `:run-cg`: what the `.capsulegraph` produced. */
export interface RunCgResult {
  kind: "run-cg";
  run: CapsuleGraphRun;
}

/** `:converter-mod`: the `.capsulemod` written. */
export interface ModuleConvertedResult {
  kind: "module-converted";
  path: string;
  bytes: number;
  meta: ModuleMeta;
}

/** One registered module, as the doors show it. */
export interface ModuleSummary {
  id: string;
  type: string;
  skills: string[];
  dtype: string;
  device: string;
  /** Bytes of its weights file. */
  bytes: number;
  dependsOn: string[];
  description: string;
  /** Where it is unpacked. */
  dir: string;
}

/** `:module …`: modules added, listed, removed, looked up, or routed to. */
export interface ModulesResult {
  kind: "modules";
  action: "add" | "list" | "remove" | "lookup" | "info" | "route";
  modules: ModuleSummary[];
  /** `route`: the router's decision (scores and reasons). */
  decision?: RouterDecision;
}

/** `:attach` / `:detach`: what changed and what is attached now, with the memory it holds. */
export interface AttachedResult {
  kind: "attached";
  action: "attach" | "detach" | "list";
  /** Modules attached (dependencies first) or detached by this command. */
  changed: string[];
  /** Least recently used modules detached to make room. */
  evicted: string[];
  attached: AttachedModule[];
  usage: { ram: number; vram: number };
  budget: { ram: number; vram: number };
  ms: number;
}

/** `:help`: every command, or one. */
export interface HelpResult {
  kind: "help";
  commands: CommandSpec[];
  /** Set when one command was asked about. */
  detail?: CommandSpec;
}

/** `:quit`. */
export interface QuitResult {
  kind: "quit";
}

/** Whatever a command returns. */
export type CommandResult =
  | StoreResult
  | IngestResult
  | QueryResult
  | DslResult
  | AskResult
  | ModelResult
  | TraceResult
  | BenchResult
  | BenchReportResult
  | BenchRetrievalResult
  | ChartCommandResult
  | MemoryResult
  | HelpResult
  | QuitResult
  | ReindexResult
  | DoctorResult
  | SessionResult
  | MemoryNodeResult
  | ModelCacheResult
  | RunResult
  | ConvertResult
  | RunCgResult
  | ModuleConvertedResult
  | ModulesResult
  | AttachedResult;
