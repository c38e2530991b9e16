/**
 * `npm run bench:prepare`: builds a suite's datasets ahead of `npm run bench` — the vectors, the exact top-10
 * of the queries and of the filtered queries — into bench/datasets/cache/, so a run measures instead of
 * embedding. Meant for lorem at 1M (1M paragraphs through the random MiniLM: about 4 hours on 2 quiet
 * cores), run in the background:
 *
 *   nohup npm run bench:prepare -- --suite lorem --sizes 1M > lorem-1M.log 2>&1 &
 *
 * Progress lines give the rate and the time left. Embeddings are written in chunks of 10k rows, each as it
 * completes: Ctrl-C (or a crash) loses at most the chunk in progress, and running the command again
 * resumes. Takes the same --queries / --large-queries / --filter-queries as `npm run bench`, whose
 * defaults it shares, so the run finds exactly these files.
 */
import { parseArgs } from "node:util";
import { parseSize, sizeLabel } from "../bench/dataset.js";
import { loremRowsMissing } from "../bench/datasets/lorem.js";
import { datasetSpecFor, LARGE_DEFAULTS } from "../bench/harness.js";
import { abortOnInterrupt } from "../bench/interrupt.js";
import { DEFAULT_FILTER_QUERIES, loadSuiteDataset, parseSuite } from "../bench/suites.js";
import { BenchError, toSiglaError } from "../lib/errors.js";

const USAGE =
  "usage: npm run bench:prepare -- --suite store|lorem --sizes 50k,200k,1M [--queries 1000] [--large-queries 300] [--filter-queries 200]";

/** `1h 04m`, `12m 30s`, `40s`. */
function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  if (s >= 3600) return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, "0")}s`;
  return `${s}s`;
}

async function main(): Promise<void> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        suite: { type: "string", default: "lorem" },
        sizes: { type: "string", default: "50k" },
        queries: { type: "string", default: "1000" },
        "large-queries": { type: "string", default: String(LARGE_DEFAULTS.queries) },
        "filter-queries": { type: "string", default: String(DEFAULT_FILTER_QUERIES) },
        help: { type: "boolean", default: false },
      },
    }));
  } catch (error) {
    throw new BenchError(`${(error as Error).message}\n${USAGE}`);
  }
  if (values.help) return console.log(USAGE);
  const int = (name: string) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < 1) throw new BenchError(`--${name} must be a positive integer\n${USAGE}`);
    return n;
  };
  const suite = parseSuite(String(values.suite));
  if (suite === "retrieval") throw new BenchError(`the retrieval suite has nothing to prepare\n${USAGE}`);
  const controller = abortOnInterrupt("the chunk in progress is dropped; run the command again to resume");
  for (const size of String(values.sizes).split(",").map(parseSize)) {
    const spec = datasetSpecFor(suite, size, {
      queries: int("queries"),
      filterQueries: int("filter-queries"),
      large: { reps: LARGE_DEFAULTS.reps, queries: int("large-queries") },
    });
    const label = `${suite} ${sizeLabel(size)}`;
    if (suite === "lorem") {
      const missing = loremRowsMissing(size);
      console.error(`${label}: ${size - missing} rows embedded already, ${missing} to embed`);
    }
    const started = performance.now();
    let lastLine = 0;
    await loadSuiteDataset(spec, {
      texts: false,
      signal: controller.signal,
      onProgress: (done, total) => {
        const now = performance.now();
        if (now - lastLine < 10_000 && done < total) return;
        lastLine = now;
        const rate = done / ((now - started) / 1000);
        console.error(
          `${label}: embedded ${done}/${total} (${((done / total) * 100).toFixed(1)}%), ${rate.toFixed(0)} texts/s, ${duration((total - done) / rate)} left`,
        );
      },
    });
    console.error(
      `${label}: ready (${spec.queries} queries, ${spec.filterQueries} per filter) in ${duration((performance.now() - started) / 1000)}`,
    );
  }
}

try {
  await main();
} catch (error) {
  const e = toSiglaError(error);
  process.stderr.write(`${e.code}: ${e.message}\n`);
  process.exitCode = e.code === "SIGLA_CANCELLED" ? 130 : 1;
}
