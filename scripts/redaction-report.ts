/**
 * `npm run report:redaction`: redacts the regression corpus (lib/memory/redaction-corpus.json) and writes
 * reports/redaction.json — recall over the sensitive items, false-positive rate over the harmless ones, per
 * kind and language, how the gate's independent residual check does, every miss and false positive, and
 * the machine and date it ran on. Exits 1 when recall < 0.95 or the false-positive rate > 0.05.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { machine } from "../bench/measure.js";
import { scoreCorpus } from "../lib/memory/redaction-eval.js";

const MIN_RECALL = 0.95;
const MAX_FALSE_POSITIVE_RATE = 0.05;

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const started = performance.now();
const score = scoreCorpus();
const ms = performance.now() - started;
const round = (x: number) => Math.round(x * 10_000) / 10_000;
const brief = (r: (typeof score.misses)[number]) => ({
  id: r.id,
  kind: r.kind,
  found: r.found,
  redacted: r.redacted,
});

const report = {
  generatedAt: new Date().toISOString(),
  machine: machine(),
  corpus: "lib/memory/redaction-corpus.json",
  thresholds: { minRecall: MIN_RECALL, maxFalsePositiveRate: MAX_FALSE_POSITIVE_RATE },
  items: score.items,
  sensitive: score.sensitive,
  harmless: score.harmless,
  recall: round(score.recall),
  falsePositiveRate: round(score.falsePositiveRate),
  exactKindRate: round(score.exactKindRate),
  perLanguage: Object.fromEntries(
    Object.entries(score.perLanguage).map(([k, v]) => [
      k,
      { recall: round(v.recall), falsePositiveRate: round(v.falsePositiveRate) },
    ]),
  ),
  perKind: Object.fromEntries(
    Object.entries(score.perKind).map(([k, v]) => [k, { ...v, rate: round(v.rate) }]),
  ),
  falsePositivesByLook: Object.fromEntries(
    Object.entries(score.falsePositivesByLook).map(([k, v]) => [
      k,
      { items: v.items, flagged: v.caught, rate: round(v.rate) },
    ]),
  ),
  gate: { ...score.gate, independentRecall: round(score.gate.independentRecall) },
  misses: score.misses.map(brief),
  falsePositives: score.falsePositives.map(brief),
  ms: Math.round(ms),
};

mkdirSync(join(root, "reports"), { recursive: true });
writeFileSync(join(root, "reports", "redaction.json"), `${JSON.stringify(report, null, 2)}\n`);
console.log(
  `redaction: ${score.items} items (${score.sensitive} sensitive, ${score.harmless} harmless): recall ${report.recall}, ` +
    `false-positive rate ${report.falsePositiveRate}, gate refused ${score.gate.refusedCleanCopies} clean copies, ` +
    `residual check alone catches ${report.gate.independentRecall} → reports/redaction.json`,
);
if (score.recall < MIN_RECALL || score.falsePositiveRate > MAX_FALSE_POSITIVE_RATE) process.exitCode = 1;
