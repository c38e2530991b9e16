/**
 * `npm run report`: rebuilds the Markdown reports, the charts and the README's benchmark section from the
 * raw JSON under reports/ (bench-store.json, bench-lorem.json, bench-retrieval.json), without rerunning.
 */
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { readReport, updateReadme, writeReport } from "../bench/report.js";
import { REPORTS, reportName, reportPath } from "../bench/report-name.js";
import { type RetrievalBench, retrievalMarkdown } from "../bench/retrieval-report.js";
import { VECTOR_SUITES } from "../bench/suites.js";
import { toSiglaError } from "../lib/errors.js";

const out = process.argv[2] ?? REPORTS;
try {
  let found = 0;
  for (const suite of VECTOR_SUITES) {
    const file = reportPath(out, suite);
    if (!existsSync(file)) continue;
    found++;
    const report = await readReport(file);
    const files = await writeReport(report, out, { json: false });
    console.log(`${file}: wrote ${files.length} files`);
    if (suite === "store" && out === REPORTS) {
      await updateReadme("README.md", report);
      console.log("updated the benchmark section of README.md");
    }
  }
  const retrieval = reportPath(out, "retrieval");
  if (existsSync(retrieval)) {
    found++;
    const report = JSON.parse(await readFile(retrieval, "utf8")) as RetrievalBench;
    await writeFile(reportPath(out, "retrieval", "md"), retrievalMarkdown(report));
    console.log(`${retrieval}: wrote ${reportName("retrieval", "md")}`);
  }
  if (found === 0) throw new Error(`no bench-*.json in ${out}/ — run npm run bench first`);
} catch (error) {
  const e = toSiglaError(error);
  process.stderr.write(`${e.code}: ${e.message}\n`);
  process.exitCode = 1;
}
