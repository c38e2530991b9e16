/**
 * `npm run bench:readme`: rewrites the benchmark block of README.md (between `<!-- bench:start … -->` and
 * `<!-- bench:end -->`) from reports/bench-store.json, reports/bench-lorem.json and, when present,
 * reports/bench-encoder.json. Nothing else in the README changes; nothing is rerun.
 */
import { readReadmeReports, updateReadme } from "../bench/readme.js";
import { REPORTS } from "../bench/report-name.js";
import { toSiglaError } from "../lib/errors.js";

const readme = process.argv[2] ?? "README.md";
try {
  const found = await readReadmeReports(REPORTS);
  await updateReadme(readme, undefined, REPORTS);
  const names = Object.keys(found).join(", ") || "none (every target reads not run)";
  console.log(`updated the benchmark block of ${readme} from ${REPORTS}/: ${names}`);
} catch (error) {
  const e = toSiglaError(error);
  process.stderr.write(`${e.code}: ${e.message}\n`);
  process.exitCode = 1;
}
