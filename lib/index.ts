/**
 * SIGLA's public API: everything the CLI, the REPL, the Jupyter kernel and the benchmarks use comes from
 * here. Front ends hold no logic of their own.
 */

export * from "./answer/index.js";
export * from "./charts/index.js";
export { main as runCli } from "./cli/main.js";
export * from "./commands/index.js";
export { config, loadConfig, type SiglaConfig } from "./config.js";
/** The whole DSL as one namespace (`dsl.retrieve`, `dsl.tokenize`, …); its entry points also stand below. */
export * as dsl from "./dsl/index.js";
export {
  checkProgram,
  type DslContext,
  type DslHit,
  type DslProgram,
  type DslRunResult,
  type DslStep,
  parseDsl,
  type RunDslOptions,
  runDsl,
} from "./dsl/index.js";
export * from "./embed/index.js";
export * from "./errors.js";
export { type Community, communities } from "./graph/communities.js";
export { type Adjacency, type BfsNode, bfs, randomWalk } from "./graph/walk.js";
export {
  type IngestOptions,
  type IngestProgress,
  type IngestReport,
  type IngestTarget,
  ingest,
} from "./ingest/index.js";
export * from "./llm/index.js";
export { ANCHOR_TOPIC_MIN, addAnchor, anchorsFor, phaseRecap } from "./memory/anchors.js";
export { type ArchiveNode, archiveId, toArchiveNode } from "./memory/archive-node.js";
export { isArchiveNode, validateArchiveNode } from "./memory/archive-schema.js";
export * from "./memory/conversation.js";
export { contentWords, extractiveSummary, sentences } from "./memory/extractive.js";
export { type GateResult, promote, raiseLevel, redactNode, sift } from "./memory/gates.js";
export {
  expand,
  extractiveSummarizer,
  type GraphHit,
  memoryCommunities,
  refreshSummaries,
  type Summarizer,
  searchMemory,
  summarize,
} from "./memory/graph-rag.js";
export { Memory, type NewNode, nextLevel, nodeMetaOf, toMemoryNode } from "./memory/layers.js";
export { PAIN_TOPIC_MIN, type PainRecord, painFor, recordPain } from "./memory/pain-memory.js";
export * from "./memory/recall.js";
export * from "./memory/redact/index.js";
export * from "./memory/turns.js";
export type * from "./memory/types.js";
export { EDGE_TYPES, LAYERS, LEVELS } from "./memory/types.js";
export * from "./models/index.js";
export { type ConnectorChunk, searchFolders } from "./pipeline/connectors.js";
export * from "./pipeline/format.js";
export * from "./pipeline/metrics/index.js";
export * from "./pipeline/mode.js";
export { generateText, modelSummarizer } from "./pipeline/model-answer.js";
export { type AskOptions, Pipeline, type TurnResult } from "./pipeline/pipeline.js";
export { loadSession, type MetricsPoint, newSession, type Session, saveSession } from "./pipeline/session.js";
export { MEMORY_BUDGET } from "./pipeline/steps/06-memory.js";
export { TraceChannel } from "./pipeline/trace.js";
export type { Answer, ContextWindow, PipelineOptions } from "./pipeline/turn.js";
export * from "./pipeline/types.js";
export * from "./pipeline/voices.js";
export { gaussian, seededRandom } from "./random.js";
export { createServer, type SiglaServer } from "./server/app.js";
export { REFRESH_MS, type RunningServer, type ServeOptions, startServer } from "./server/serve.js";
export { type ServerSettings, serverSettings } from "./server/settings.js";
export { CapsuleStore, sha256 } from "./store/capsule-store.js";
export { type DoctorCheck, type DoctorOptions, type DoctorReport, doctor } from "./store/doctor.js";
export { AUTO_MIN, type IndexDecision, plannedKind, REDECIDE_FACTOR } from "./store/index-choice.js";
export { isRemote, locate, type StoreLocation, storageOptions } from "./store/location.js";
export type * from "./store/types.js";
export { LIMITS } from "./store/validate.js";
export { RECALL_TARGET, type SavedIndex, type VectorIndex } from "./store/vector-index.js";
