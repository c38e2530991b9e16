/**
 * `npm run bench`: the benchmark harness from the command line.
 *
 *   npm run bench -- --suite store --systems sigla,lancedb,chroma --sizes 10k,50k
 *   npm run bench:store -- --sizes 10k                 # the same as --suite store
 *   npm run bench -- --suite lorem --sizes 50k          # the seed's corpus, embedded once and cached
 *   npm run bench -- --suite store --sizes 50k,200k,1M   # 1M: --large-reps (1) and --large-queries (300)
 *   npm run bench -- --suite store --sizes 1M --merge    # 1M apart, its runs merged into the report
 *   npm run bench -- --suite retrieval                  # MRR@10 / recall@10 on the Fiori documents
 *
 * Writes reports/bench-<suite>.json (one name per suite, see bench/report-name.ts), the Markdown report and
 * its charts (and, for a vector suite written into reports/, the README's benchmark block, from this run
 * and the other suite's report on disk), and prints the tables and the targets. Ctrl-C stops the workers
 * and their servers and removes the run's temporary folder. Lorem at 1M needs 1M embedded paragraphs
 * (about 4 hours on 2 quiet cores): `npm run bench:prepare -- --suite lorem --sizes 1M` makes them first,
 * resumably.
 */

import { mkdir, writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { parseSize, sizeLabel } from "../bench/dataset.js";
import { runBench } from "../bench/harness.js";
import { abortOnInterrupt } from "../bench/interrupt.js";
import { mergeInto } from "../bench/merge.js";
import { updateReadme } from "../bench/readme.js";
import { runSummary, writeReport } from "../bench/report.js";
import { REPORTS, reportName, reportPath, writeJson } from "../bench/report-name.js";
import { retrievalMarkdown, runRetrievalBench } from "../bench/retrieval-report.js";
import { parseSuite } from "../bench/suites.js";
import { parseSystems, SYSTEM_NAMES } from "../bench/systems/index.js";
import { progressBar } from "../lib/cli/progress-bar.js";
import { BenchError, toSiglaError } from "../lib/errors.js";

const USAGE = `usage: npm run bench -- --suite store|lorem|retrieval [--systems ${SYSTEM_NAMES.join(",")}] [--sizes 10k,50k,200k,1M] [--reps 3] [--queries 1000] [--large-reps 1] [--large-queries 300] [--filter-queries 200] [--batch 100] [--out reports] [--merge] [--quiet]
  --large-reps / --large-queries apply to sizes of 1M and more; --filter-queries is per filter (1% and 50% of rows).
  --merge keeps the other sizes of the suite's report in --out: the sizes run now replace theirs (run 1M apart).`;

async function main(): Promise<void> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        suite: { type: "string", default: "store" },
        systems: { type: "string", default: SYSTEM_NAMES.join(",") },
        sizes: { type: "string" },
        reps: { type: "string", default: "3" },
        queries: { type: "string", default: "1000" },
        "large-reps": { type: "string", default: "1" },
        "large-queries": { type: "string", default: "300" },
        "filter-queries": { type: "string", default: "200" },
        batch: { type: "string", default: "100" },
        out: { type: "string", default: REPORTS },
        merge: { type: "boolean", default: false },
        quiet: { type: "boolean", default: false },
        help: { type: "boolean", default: false },
      },
    }));
  } catch (error) {
    throw new BenchError(`${(error as Error).message}\n${USAGE}`);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const int = (name: string) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < 1) throw new BenchError(`--${name} must be a positive integer\n${USAGE}`);
    return n;
  };
  const suite = parseSuite(String(values.suite));
  const out = String(values.out);
  const reps = int("reps");
  const controller = abortOnInterrupt("the workers stop their servers and the temporary folder is removed");
  const bar = progressBar(`bench ${suite}`);
  const log = values.quiet ? () => {} : (line: string) => process.stderr.write(`${line}\n`);
  await mkdir(out, { recursive: true });
  try {
    if (suite === "retrieval") {
      const size = values.sizes ? parseSize(String(values.sizes)) : undefined;
      const report = await runRetrievalBench({
        size,
        reps,
        signal: controller.signal,
        onProgress: bar.update,
      });
      bar.stop();
      await writeJson(reportPath(out, suite), report);
      await writeFile(reportPath(out, suite, "md"), retrievalMarkdown(report));
      console.log(`wrote ${reportPath(out, suite)} and ${reportName(suite, "md")}`);
      return;
    }
    const sizes = String(values.sizes ?? (suite === "lorem" ? "50k" : "10k"))
      .split(",")
      .map(parseSize);
    const ran = await runBench({
      suite,
      systems: parseSystems(String(values.systems)),
      sizes,
      reps,
      queries: int("queries"),
      batch: int("batch"),
      filterQueries: int("filter-queries"),
      large: { reps: int("large-reps"), queries: int("large-queries") },
      log,
      onProgress: bar.update,
      signal: controller.signal,
    });
    bar.stop();
    const report = values.merge ? await mergeInto(out, ran) : ran;
    const files = await writeReport(report, out);
    console.log(runSummary(report));
    console.log(
      `\nwrote ${files.length} files in ${out}/ (${reportName(suite)}, ${reportName(suite, "md")}, charts/) for ${report.settings.sizes.map(sizeLabel).join(", ")}; this run took ${(ran.durationMs / 60_000).toFixed(1)} min`,
    );
    if (out === REPORTS) {
      await updateReadme("README.md", report);
      console.log("updated the benchmark block of README.md");
    }
  } finally {
    bar.stop();
  }
}

try {
  await main();
} catch (error) {
  const e = toSiglaError(error);
  process.stderr.write(`${e.code}: ${e.message}\n`);
  if (process.env.SIGLA_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  process.exitCode = e.code === "SIGLA_CANCELLED" ? 130 : 1;
}
