/**
 * The harness end to end, as CI runs it: `npm run bench`'s script at 2k for SIGLA, bare LanceDB, a real
 * Chroma server and the exact scan, three repetitions; the report's structure, filters, memory and disk,
 * its targets, Markdown and charts, what it prints; and an interrupted run that leaves no worker, server or
 * temporary folder behind.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { tempDir } from "../test/helpers/temp.js";
import type { BenchReport } from "./harness.js";
import { reportProblems } from "./report.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const BENCH = ["--import", "tsx", join(ROOT, "scripts/bench.ts")];

/** Temporary run folders of the harness. */
const runFolders = () => new Set(readdirSync(tmpdir()).filter((n) => n.startsWith("sigla-bench-")));

/** Processes whose command line names one of the harness's run folders (workers, Chroma servers). */
function processesUnder(folders: Iterable<string>): string[] {
  const names = [...folders];
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
      if (names.some((n) => cmd.includes(n))) found.push(`${pid}: ${cmd}`);
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

test("npm run bench at 2k: sigla, lancedb, chroma and exact, 3 repetitions, filters, a whole report", () => {
  const out = tempDir("sigla-report-out-");
  const before = runFolders();
  const run = spawnSync(
    process.execPath,
    [
      ...BENCH,
      "--suite",
      "store",
      "--systems",
      "sigla,lancedb,chroma,exact",
      "--sizes",
      "2k",
      "--queries",
      "50",
      "--filter-queries",
      "20",
      "--out",
      out,
      "--quiet",
    ],
    { cwd: ROOT, encoding: "utf8", env: { ...process.env, LANCEDB_LOG: "error" } },
  );
  assert.is(run.status, 0, run.stderr);
  assert.equal(
    [...runFolders()].filter((n) => !before.has(n)),
    [],
    "the run folder is removed",
  );

  const report = JSON.parse(readFileSync(join(out, "bench-store.json"), "utf8")) as BenchReport;
  assert.equal(reportProblems(report), []);
  assert.equal(report.settings.reps, 3);
  assert.equal(report.summary.map((s) => s.system).sort(), ["chroma", "exact", "lancedb", "sigla"]);
  const chroma = report.summary.find((s) => s.system === "chroma");
  assert.ok((chroma?.serverMemoryBytes?.median ?? 0) > 0, "Chroma's server memory is measured");
  const load = (report.machine as { loadAverage?: { start: number[]; end: number[] } }).loadAverage;
  assert.is(load?.start.length, 3, "load average at start");
  assert.is(load?.end.length, 3, "load average at end");
  for (const s of report.summary) {
    assert.ok(
      s.points.some((p) => p.recall.median >= 0.9),
      `${s.system} finds the neighbours`,
    );
    assert.ok(s.startupMs.median >= 0 && (s.rssBytes?.median ?? 0) > 0, `${s.system}: start-up and RSS`);
    if (s.system !== "exact") assert.ok(s.diskBytes.median > 0, `${s.system}: disk`);
    // Measured in a fresh process for SIGLA and LanceDB: more than nothing, and not more than the whole
    // ingesting process held.
    const serving = s.servingMemoryBytes?.median ?? 0;
    assert.ok(serving > 0 && serving < (s.rssBytes?.median ?? 0), `${s.system}: serving memory ${serving}`);
    assert.equal(
      s.filters?.map((f) => [f.label, f.queries]),
      [
        ["1%", 20],
        ["50%", 20],
      ],
      `${s.system}: both filters`,
    );
    for (const f of s.filters ?? []) {
      assert.ok(f.rows > 0 && f.p50.median > 0 && f.unfilteredP50.median > 0, `${s.system} ${f.label}`);
      assert.ok(f.recall.median >= (s.system === "exact" ? 1 : 0.5), `${s.system} ${f.label}: recall`);
    }
  }
  assert.ok(report.summary.find((s) => s.system === "lancedb")?.points.length ?? 0 > 1, "LanceDB's sweep");

  const markdown = readFileSync(join(out, "bench-store.md"), "utf8");
  assert.match(markdown, /## Targets/);
  assert.match(markdown, /\| clustered +\| 2k +\| p50 vs peers +\| \d/);
  assert.match(markdown, /\| clustered +\| 1M +\| memory vs raw vectors +\| — +\| ≤ 1\.3 × +\| not run +\|/);
  assert.match(markdown, /## clustered-2k: 2000 × 384, 50 queries/);
  assert.match(markdown, /\| sigla +\| 1% \(\d+ rows\) +\|/);
  assert.match(markdown, /load average \(1, 5, 15 min\)/);
  // What the run prints: the tables with memory and disk, and the targets.
  assert.match(
    run.stdout,
    /gained in ingest MB +\| process RSS MB +\| server RSS MB +\| serving MB +\| disk MB/,
  );
  assert.match(run.stdout, /targets\n\n\| suite/);
  for (const chart of ["recall-qps", "latency", "ingest", "memory"]) {
    const png = readFileSync(join(out, "charts", `bench-store-${chart}.png`));
    assert.equal([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], `${chart}: a PNG`);
    assert.ok(existsSync(join(out, "charts", `bench-store-${chart}.svg`)));
    const spec = JSON.parse(readFileSync(join(out, "charts", `bench-store-${chart}.vl.json`), "utf8"));
    assert.match(spec.$schema, /vega-lite/);
  }
});

test("Ctrl-C during a run stops the workers and the Chroma server and removes the run folder", async () => {
  const before = runFolders();
  const child = spawn(
    process.execPath,
    [
      ...BENCH,
      "--suite",
      "store",
      "--systems",
      "chroma",
      "--sizes",
      "2k",
      "--queries",
      "50",
      "--out",
      tempDir("sigla-report-int-"),
    ],
    { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, LANCEDB_LOG: "error" } },
  );
  let stderr = "";
  const exited = new Promise<number | null>((done) => child.on("close", (code) => done(code)));
  await new Promise<void>((ready, failed) => {
    const timer = setTimeout(() => failed(new Error(`Chroma never started ingesting:\n${stderr}`)), 120_000);
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
      if (/chroma\] (added|ingesting)/.test(stderr)) {
        clearTimeout(timer);
        ready();
      }
    });
  });
  const mine = [...runFolders()].filter((n) => !before.has(n));
  assert.is(mine.length, 1, "one run folder while running");
  assert.ok(processesUnder(mine).length > 0, "a worker and a server run under it");
  child.kill("SIGINT");
  assert.is(await exited, 130, stderr);
  // The server is stopped by the worker before it exits; give the kernel a moment to reap it.
  for (let i = 0; i < 50 && processesUnder(mine).length > 0; i++)
    await new Promise((r) => setTimeout(r, 100));
  assert.equal(processesUnder(mine), [], "no worker or server left");
  assert.not.ok(existsSync(join(tmpdir(), mine[0])), "the run folder is gone");
});

test.run();
