/**
 * `npm run report:reliability`: the figures of issue 10's checks at a larger size than the tests run,
 * in one report (reports/reliability.json): the store stress (writers × rounds × kills, with stale locks
 * planted each round), the fuzz of DSL programs and store calls, and the redaction corpus's recall and
 * false-positive rate (from reports/redaction.json, written by `npm run report:redaction`).
 *
 *   npm run report:reliability -- --writers 4 --rounds 6 --per-writer 40 --kills 2 --fuzz 4000
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { fuzzStore } from "../bench/fuzz.js";
import { machine } from "../bench/measure.js";
import { runStress, STRESS_ARGS, stressSizes } from "../bench/stress.js";
import { loadUseLite } from "../lib/embed/use-lite.js";
import { CapsuleStore } from "../lib/store/capsule-store.js";
import { tempDir } from "../test/helpers/temp.js";

const { values } = parseArgs({
  options: {
    ...STRESS_ARGS,
    fuzz: { type: "string", default: "4000" },
    out: { type: "string", default: "reports/reliability.json" },
  },
});
const log = (line: string) => process.stderr.write(`${line}\n`);

const started = Date.now();
const stress = await runStress({
  path: join(tempDir("sigla-reliability-"), "store"),
  ...stressSizes(values),
  onRound: (r) =>
    log(`stress round ${r.round}: expected ${r.expected}, found ${r.found}, killed ${r.killed}`),
});

const store = await CapsuleStore.open(join(tempDir("sigla-fuzz-"), "store"), {
  embedder: await loadUseLite(),
});
await store.addCapsules(
  Array.from({ length: 40 }, (_, i) => ({ text: `notes on things ${i}`, tags: i % 2 ? ["a"] : ["b"] })),
);
const fuzz = await fuzzStore(store, { cases: Number(values.fuzz), seed: 2026 });
await store.close();
log(`fuzz: dsl ${JSON.stringify(fuzz.dsl)}, api ${JSON.stringify(fuzz.api)}`);

const redaction = await readFile("reports/redaction.json", "utf8")
  .then((text) => JSON.parse(text) as Record<string, unknown>)
  .catch(() => undefined);

const report = {
  report: "reliability",
  date: new Date().toISOString(),
  machine: machine(),
  stress: {
    writers: stress.writers,
    rounds: stress.rounds,
    capsulesPerWriterPerRound: stress.perWriter,
    killsPerRound: stress.killsPerRound,
    staleLocksPlantedPerRound: 2,
    ...stress.totals,
    doctorOk: stress.doctorOk,
    rounds_: stress.rounds_,
  },
  fuzz,
  redaction: redaction
    ? {
        source: "reports/redaction.json",
        ...Object.fromEntries(
          Object.entries(redaction).filter(([key]) => !["machine", "items", "cases", "misses"].includes(key)),
        ),
      }
    : "run `npm run report:redaction` first",
  ms: Date.now() - started,
};
await writeFile(values.out as string, `${JSON.stringify(report, null, 2)}\n`);
log(`wrote ${values.out}`);
