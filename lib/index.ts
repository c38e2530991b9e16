/**
 * SIGLA's public API: everything the CLI, the REPL, the Jupyter kernel and the benchmarks use comes from
 * here. Front ends hold no logic of their own.
 */
export { main as runCli } from "./cli/main.js";
export { config, loadConfig, type SiglaConfig } from "./config.js";
export * from "./embed/index.js";
export * from "./errors.js";
export { type Adjacency, type BfsNode, bfs, randomWalk } from "./graph/walk.js";
export {
  type IngestOptions,
  type IngestProgress,
  type IngestReport,
  type IngestTarget,
  ingest,
} from "./ingest/index.js";
export { gaussian, seededRandom } from "./random.js";
export { CapsuleStore, sha256 } from "./store/capsule-store.js";
export { chooseIndexKind, FLAT_MAX, IVF_MAX } from "./store/index-policy.js";
export type * from "./store/types.js";
export { RECALL_TARGET } from "./store/vector-index.js";
