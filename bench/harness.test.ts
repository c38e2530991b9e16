/**
 * The harness end to end, as CI runs it: `npm run bench`'s script at 10k for SIGLA, bare LanceDB and a real
 * Chroma server, three repetitions; the report's structure, its Markdown and charts; and an interrupted
 * run that leaves no worker, server or temporary folder behind.
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

test("npm run bench at 10k: sigla, lancedb and chroma, 3 repetitions, a whole report", () => {
  const out = tempDir("sigla-report-out-");
  const before = runFolders();
  const run = spawnSync(
    process.execPath,
    [
      ...BENCH,
      "--suite",
      "store",
      "--systems",
      "sigla,lancedb,chroma",
      "--sizes",
      "10k",
      "--queries",
      "100",
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
  assert.equal(report.summary.map((s) => s.system).sort(), ["chroma", "lancedb", "sigla"]);
  const chroma = report.summary.find((s) => s.system === "chroma");
  assert.ok((chroma?.serverMemoryBytes?.median ?? 0) > 0, "Chroma's server memory is measured");
  for (const s of report.summary) {
    assert.ok(
      s.points.some((p) => p.recall.median >= 0.9),
      `${s.system} finds the neighbours`,
    );
    assert.ok(s.diskBytes.median > 0 && s.startupMs.median > 0, `${s.system}: disk and start-up`);
  }
  assert.ok(report.summary.find((s) => s.system === "lancedb")?.points.length ?? 0 > 1, "LanceDB's sweep");

  const markdown = readFileSync(join(out, "bench-store.md"), "utf8");
  assert.match(markdown, /## Targets/);
  assert.match(markdown, /\| latency vs Chroma +\| \d\.\d{3} +\|/);
  assert.match(markdown, /## clustered-10k: 10000 × 384, 100 queries/);
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
      "10k",
      "--queries",
      "100",
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
