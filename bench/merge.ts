/**
 * Folding a run of some sizes into the report of the same suite: a 1M run takes hours, so it runs apart
 * from 50k and 200k and is merged after (`npm run bench -- --merge`, `npm run bench:merge`). Each size's
 * runs still come from one run, so every ratio compares systems measured side by side; the report keeps
 * each run's date, duration, machine and command as its `parts`.
 */
import { join } from "node:path";
import { BenchError } from "../lib/errors.js";
import type { BenchPart, BenchReport } from "./harness.js";
import { readReport, rerunCommand } from "./report.js";
import { reportName } from "./report-name.js";

/** The runs of one `npm run bench`, as a part of a report. */
function asParts(report: BenchReport): BenchPart[] {
  return (
    report.parts ?? [
      {
        sizes: report.settings.sizes,
        createdAt: report.createdAt,
        durationMs: report.durationMs,
        machine: report.machine,
        command: rerunCommand(report),
      },
    ]
  );
}

/** `added`'s sizes folded into `base`: for each size `added` ran, its runs replace `base`'s. */
export function mergeReports(base: BenchReport, added: BenchReport): BenchReport {
  if (base.suite !== added.suite) {
    throw new BenchError(`cannot merge a ${added.suite} report into a ${base.suite} report`);
  }
  const replaced = new Set(added.settings.sizes);
  const kept = (size: number) => !replaced.has(size);
  const sizes = [...base.settings.sizes.filter(kept), ...added.settings.sizes].sort((a, b) => a - b);
  const systems = [...new Set([...base.settings.systems, ...added.settings.systems])];
  const repsOf = (report: BenchReport, size: number) =>
    report.settings.repsBySize?.[size] ?? report.settings.reps;
  const systemsOf = (report: BenchReport, size: number) =>
    report.settings.systemsBySize?.[size] ?? report.settings.systems;
  const from = (size: number) => (kept(size) ? base : added);
  const parts = [
    ...asParts(base)
      .map((part) => ({ ...part, sizes: part.sizes.filter(kept) }))
      .filter((part) => part.sizes.length > 0),
    ...asParts(added),
  ];
  const bySize = <T>(value: (size: number) => T, differs: (v: T) => boolean) =>
    Object.fromEntries(sizes.map((size) => [size, value(size)] as const).filter(([, v]) => differs(v)));
  return {
    ...base,
    createdAt:
      parts
        .map((p) => p.createdAt)
        .sort()
        .at(-1) ?? added.createdAt,
    durationMs: parts.reduce((sum, part) => sum + part.durationMs, 0),
    settings: {
      ...base.settings,
      systems,
      sizes,
      repsBySize: bySize(
        (size) => repsOf(from(size), size),
        (reps) => reps !== base.settings.reps,
      ),
      systemsBySize: bySize(
        (size) => systemsOf(from(size), size),
        (named) => named.length !== systems.length,
      ),
    },
    datasets: [...base.datasets.filter((d) => kept(d.size)), ...added.datasets].sort(
      (a, b) => a.size - b.size,
    ),
    summary: [...base.summary.filter((s) => kept(s.size)), ...added.summary],
    ...((added.embedding ?? base.embedding) ? { embedding: added.embedding ?? base.embedding } : {}),
    runs: [...base.runs.filter((r) => kept(r.size)), ...added.runs],
    parts,
  };
}

/** `added` merged into the report of its suite in `dir`, or `added` itself when `dir` has none yet. */
export async function mergeInto(dir: string, added: BenchReport): Promise<BenchReport> {
  const file = join(dir, reportName(added.suite));
  let base: BenchReport;
  try {
    base = await readReport(file);
  } catch (error) {
    if ((error as { cause?: { code?: string } }).cause?.code === "ENOENT") return added;
    throw error;
  }
  return mergeReports(base, added);
}
