/** The benchmark harness's public face: run a suite, read and write its report, the datasets it uses. */

export { parseSize, sizeLabel, type VectorDataset } from "./dataset.js";
export { FILTERS, type RowFilter } from "./filters.js";
export { type BenchOptions, type BenchReport, runBench, type SystemSummary } from "./harness.js";
export { type ReadmeReports, readmeSection, replaceMarkedBlock } from "./readme.js";
export {
  bestAt,
  chartValues,
  headlineRows,
  headlineSystems,
  readReport,
  reportMarkdown,
  reportProblems,
  targetRows,
  targetsOf,
  updateReadme,
  writeReport,
} from "./report.js";
export { type RetrievalBench, retrievalMarkdown, runRetrievalBench } from "./retrieval-report.js";
export { type Spread, spread } from "./stats.js";
export { parseSuite, SUITES, type Suite } from "./suites.js";
export { parseSystems, SYSTEM_NAMES, type SystemName } from "./systems/index.js";
export type { BenchRows, BenchSystem, SweepPoint } from "./systems/types.js";
export { encoderTargets, suiteTargets, type Target } from "./targets.js";
