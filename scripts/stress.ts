/**
 * `npm run stress`: the store stress from the command line (several writer processes, stale locks,
 * random kills), printing each round and ending non-zero when any row is lost, torn, duplicated or
 * badly linked.
 *
 *   npm run stress -- --writers 4 --rounds 6 --per-writer 40 --kills 2
 */
import { parseArgs } from "node:util";
import { runStress, STRESS_ARGS, stressSizes } from "../bench/stress.js";
import { toSiglaError } from "../lib/errors.js";
import { tempDir } from "../test/helpers/temp.js";

const { values } = parseArgs({
  options: {
    ...STRESS_ARGS,
    json: { type: "boolean", default: false },
  },
});
try {
  const report = await runStress({
    path: `${tempDir("sigla-stress-")}/store`,
    ...stressSizes(values),
    onRound: (r) =>
      process.stderr.write(
        `round ${r.round}: expected ${r.expected}, found ${r.found}, missing ${r.missing}, unexpected ${r.unexpected}, duplicate ids ${r.duplicateIds}, broken links ${r.brokenLinks}, killed ${r.killed} (${r.interruptedLanded}/${r.interrupted} interrupted writes landed), ${r.ms} ms\n`,
      ),
  });
  if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  const t = report.totals;
  const bad = t.missing + t.unexpected + t.duplicateIds + t.duplicateTexts + t.brokenLinks + t.failedWriters;
  process.stderr.write(`${bad === 0 && report.doctorOk ? "ok" : "FAILED"}: ${JSON.stringify(t)}\n`);
  process.exitCode = bad === 0 && report.doctorOk ? 0 : 1;
} catch (error) {
  process.stderr.write(`${toSiglaError(error).toLine()}\n`);
  process.exitCode = 1;
}
