/**
 * The command layer every door shares: each command declared once (`registry.ts`), parsed, run, completed
 * and rendered as text (`text.ts`) or HTML (`html.ts`).
 */
export {
  type BenchArgs,
  type BenchSuite,
  benchCommand,
  type ChartArgs,
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
export { type CommandContext, type CommandDefinition, defineCommand } from "./definition.js";
export { type MemoryArgs, memoryCommand } from "./memory-command.js";
export { modelCacheCommand, modelCommand, type RunArgs, runModelCommand } from "./model-commands.js";
export {
  checkFlag,
  type FlagValue,
  type ParsedCommand,
  parseCommand,
  readFlag,
  splitCommand,
  type Token,
  tokenize,
  usageError,
} from "./parse.js";
export { type AskArgs, askCommand, sessionCommand, traceCommand } from "./pipeline-commands.js";
export {
  BATCH_COMMANDS,
  COMMANDS,
  callCommand,
  commandSpec,
  findCommand,
  helpCommand,
  runCommand,
  runParsed,
  workbenchContext,
} from "./registry.js";
export { fileLabel, SAMPLE_CORPUS, SAMPLE_TAG, seedSample } from "./sample.js";
export {
  type ArgumentKind,
  BENCH_SUITES,
  type CommandSpec,
  type FlagKind,
  type FlagSpec,
  flagLabels,
  MEMORY_ACTIONS,
  MEMORY_VIEWS,
  type MemoryAction,
  type MemoryView,
} from "./specs.js";
export {
  dslCommand,
  ingestCommand,
  queryCommand,
  reindexCommand,
  storeCommand,
} from "./store-commands.js";
export {
  answeredBy,
  answerText,
  doctorLine,
  errorLine,
  formatResult,
  hitLines,
  ingestSummary,
  MAX_ERROR_LINE,
  metricsLine,
  modelLine,
  nodeLine,
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
