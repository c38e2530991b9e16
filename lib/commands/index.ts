/** The workbench commands shared by the REPL and the Jupyter magics: parse, run, complete, render as text. */
export {
  type BenchArgs,
  type BenchSuite,
  benchCommand,
  chartCommand,
  REPO_REPORTS,
} from "./bench-commands.js";
export {
  applyCompletion,
  type Completion,
  type CompletionSources,
  commonPrefix,
  complete,
} from "./complete.js";
export { memoryCommand } from "./memory-command.js";
export {
  checkFlag,
  type FlagValue,
  type ParsedCommand,
  parseCommand,
  splitCommand,
  type Token,
  tokenize,
  usageError,
} from "./parse.js";
export { askCommand, modelCommand, traceCommand } from "./pipeline-commands.js";
export { helpCommand, runCommand } from "./run.js";
export { fileLabel, SAMPLE_CORPUS, SAMPLE_TAG, seedSample } from "./sample.js";
export {
  type ArgumentKind,
  BENCH_SUITES,
  COMMANDS,
  type CommandSpec,
  commandSpec,
  type FlagKind,
  type FlagSpec,
  MEMORY_VIEWS,
  type MemoryView,
} from "./specs.js";
export { dslCommand, ingestCommand, queryCommand, storeCommand } from "./store-commands.js";
export {
  answeredBy,
  answerText,
  errorLine,
  formatResult,
  hitLines,
  ingestSummary,
  MAX_ERROR_LINE,
  metricsLine,
  modelLine,
  oneLine,
  PARTIAL_NOTE,
  quickBenchRows,
  resultLines,
  shortMessage,
  shortPath,
  skippedLine,
  traceLine,
} from "./text.js";
export { type Throttle, throttle } from "./throttle.js";
export type * from "./types.js";
export {
  answererName,
  defaultStorePath,
  embedderChoice,
  expandPath,
  Workbench,
  type WorkbenchOptions,
} from "./workbench.js";
