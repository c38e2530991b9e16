/**
 * `npm run bench:merge -- <report.json> [--out reports]`: merges a vector suite's report written elsewhere
 * (`npm run bench -- --out /tmp/run`) into the report of its suite in --out: its sizes replace theirs (see
 * bench/merge.ts). Rewrites the Markdown report and charts, and the README's benchmark block when --out is
 * reports/. Nothing is rerun.
 */
import { parseArgs } from "node:util";
import { mergeInto } from "../bench/merge.js";
import { updateReadme } from "../bench/readme.js";
import { readReport, writeReport } from "../bench/report.js";
import { REPORTS, reportName } from "../bench/report-name.js";
import { BenchError, toSiglaError } from "../lib/errors.js";

const USAGE = "usage: npm run bench:merge -- <report.json> [--out reports]";

try {
  const { values, positionals } = parseArgs({
    options: { out: { type: "string", default: REPORTS } },
    allowPositionals: true,
  });
  if (positionals.length !== 1) throw new BenchError(`name one report to merge\n${USAGE}`);
  const out = String(values.out);
  const report = await mergeInto(out, await readReport(positionals[0]));
  await writeReport(report, out);
  if (out === REPORTS) await updateReadme("README.md", report);
  console.log(
    `merged ${positionals[0]} into ${out}/${reportName(report.suite)}: ${report.datasets.map((d) => d.name).join(", ")}`,
  );
} catch (error) {
  const e = toSiglaError(error);
  process.stderr.write(`${e.code}: ${e.message}\n`);
  process.exitCode = 1;
}
