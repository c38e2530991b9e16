/**
 * `npm run report:answers`: answer quality on the SAP Fiori documents (issue 11), see bench/answers.ts.
 *
 *   npm run report:answers                     # all 778 documents, every question (25–30 minutes on 2 cores)
 *   npm run report:answers -- --size 100       # the first 100 documents and the questions they answer
 *
 * Writes reports/answers.json (every answer, the rates, the targets, latency, the machine) and
 * reports/answers.md (the rates and one row per question). The documents and the store are built in a
 * temporary folder, removed at the end; Ctrl-C stops the run there.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type AnswerPhase, answersMarkdown, runAnswerQuality } from "../bench/answers.js";
import { abortOnInterrupt } from "../bench/interrupt.js";
import { progressBar } from "../lib/cli/progress-bar.js";
import { toSiglaError } from "../lib/errors.js";

const controller = abortOnInterrupt("the temporary folder is removed");
const bar = progressBar("answers");
const work = await mkdtemp(join(tmpdir(), "sigla-answers-"));
try {
  const { values } = parseArgs({
    options: { size: { type: "string" }, out: { type: "string", default: "reports" } },
  });
  let phase: AnswerPhase | undefined;
  const report = await runAnswerQuality({
    size: values.size === undefined ? undefined : Number(values.size),
    workDir: join(work, "run"),
    signal: controller.signal,
    onProgress: (p) => {
      if (p.phase !== phase) {
        bar.stop();
        process.stderr.write(`${p.phase} (${p.total})…\n`);
        phase = p.phase;
      }
      bar.update(p.done, p.total, p.phase);
      // Without a terminal there is no bar: a line every 100 items instead.
      if (!process.stderr.isTTY && p.done % 100 === 0 && p.done > 0) {
        process.stderr.write(`${p.phase} ${p.done}/${p.total}\n`);
      }
    },
  });
  bar.stop();
  await mkdir(values.out, { recursive: true });
  await writeFile(join(values.out, "answers.json"), `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(join(values.out, "answers.md"), answersMarkdown(report));
  for (const [name, s] of [
    ["first pass", report.before.score],
    ["after conversation", report.after.score],
  ] as const) {
    console.log(
      `${name}: document in top ${report.topK} ${s.found.toFixed(2)}, cited when found ${s.citedWhenFound?.toFixed(2) ?? "–"}, ` +
        `key in Summary ${s.keyStated.toFixed(2)}, cites conversation ${s.citesConversation.toFixed(2)}`,
    );
  }
  for (const t of report.targets) {
    console.log(
      `target ${t.name} (${t.pass}): ${t.value?.toFixed(2) ?? "–"} ≥ ${t.min}: ${t.met ? "met" : "NOT met"}`,
    );
  }
  console.log(
    `turn p50 ${report.latency.p50.toFixed(0)} ms, p99 ${report.latency.p99.toFixed(0)} ms; ` +
      `${(report.ms / 60_000).toFixed(1)} min → ${join(values.out, "answers.json")}, answers.md`,
  );
} catch (error) {
  process.stderr.write(`${toSiglaError(error).toLine()}\n`);
  process.exitCode = controller.signal.aborted ? 130 : 1;
} finally {
  bar.stop();
  await rm(work, { recursive: true, force: true });
}
