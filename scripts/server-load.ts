/**
 * `npm run bench:server -- [--size 50k] [--seconds 10] [--connections 8] [--writers 2] [--store dir] [--out reports] [--skip-s3]`:
 * the server load test; writes `<out>/server-load.json`. The store is built in a temporary folder unless
 * `--store` names one (kept, and reused when it already holds `--size` capsules).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { parseSize } from "../bench/dataset.js";
import { runServerLoad } from "../bench/server-load.js";
import { errorText } from "../lib/errors.js";

const { values } = parseArgs({
  options: {
    size: { type: "string", default: "50k" },
    seconds: { type: "string", default: "10" },
    connections: { type: "string", default: "8" },
    writers: { type: "string", default: "2" },
    store: { type: "string" },
    out: { type: "string", default: "reports" },
    "skip-s3": { type: "boolean", default: false },
  },
});
const temporary = values.store ? undefined : mkdtempSync(join(tmpdir(), "sigla-load-"));
try {
  const report = await runServerLoad({
    size: parseSize(values.size),
    seconds: Number(values.seconds),
    connections: Number(values.connections),
    writers: Number(values.writers),
    s3: !values["skip-s3"],
    store: values.store ? resolve(values.store) : join(temporary as string, "store"),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  mkdirSync(values.out, { recursive: true });
  const file = join(values.out, "server-load.json");
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  for (const t of report.targets)
    process.stderr.write(`${t.met ? "met" : "NOT MET"}: ${t.target} — ${t.value}\n`);
  process.stderr.write(`wrote ${file}\n`);
} catch (error) {
  process.stderr.write(`${errorText(error)}\n`);
  process.exitCode = 1;
} finally {
  if (temporary) rmSync(temporary, { recursive: true, force: true });
}
