/**
 * `npm run bench:repl`: how fast the REPL comes up and reacts.
 *
 *   npm run bench:repl                 # 3 runs (medians), writes reports/bench-repl.json
 *   npm run bench:repl -- --runs 5
 *
 * Each run uses a new SIGLA_HOME and two fresh processes, each rendering the real REPL app (repl/app.tsx
 * with the default start, repl/start.ts) into a virtual terminal:
 *   1. first start: empty store, so the sample corpus is ingested before the first prompt;
 *   2. usual start: the store exists; then a question is typed and Enter pressed.
 * Times are measured inside the child from the process's own start (`performance.now()`, whose origin is
 * the process start), so they include Node's boot, loading the TypeScript sources, the embedder and the
 * store:
 *   - firstStartMs / startupMs: process start → first prompt drawn with its status line;
 *   - enterToFirstTraceMs: Enter → the pipeline's first trace event;
 *   - enterToTraceDrawnMs: Enter → a frame showing the running turn in the trace panel;
 *   - enterToAnswerMs: Enter → the turn's last trace event.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { render } from "ink-testing-library";
import { createElement } from "react";
import { machine, median } from "../bench/measure.js";
import { REPORTS, reportPath, writeJson } from "../bench/report-name.js";
import type { Workbench } from "../lib/commands/workbench.js";
import { App } from "../repl/app.js";
import { openDefault } from "../repl/start.js";

const QUESTION = "What is the SIFT gate?";
const ROOT = fileURLToPath(new URL("..", import.meta.url));

const { values: args } = parseArgs({
  options: {
    runs: { type: "string", default: "3" },
    out: { type: "string", default: REPORTS },
    child: { type: "string" },
  },
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > end) throw new Error(`bench:repl: timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: strips the ANSI colours Ink writes.
const plain = (frame: string | undefined) => (frame ?? "").replace(/\u001b\[[0-9;]*m/g, "");

/** One process: start the REPL, optionally ask the question, quit; prints its times as JSON. */
async function child(mode: string): Promise<void> {
  const times: Record<string, number> = {};
  let firstTrace = 0;
  let lastTrace = 0;
  let traces = 0;
  let exited: Workbench | undefined;
  let quit = false;
  const app = render(
    createElement(App, {
      start: (options) => openDefault({ ...options, reports: join(tmpdir(), "sigla-bench-repl-reports") }),
      onReady: () => {
        times.startupMs = performance.now();
      },
      onTrace: () => {
        traces++;
        const now = performance.now();
        if (traces === 1) firstTrace = now;
        if (traces === 20) lastTrace = now;
      },
      onExit: (bench) => {
        exited = bench;
        quit = true;
      },
    }),
  );
  await until(() => times.startupMs !== undefined, "the first prompt");
  if (mode === "ask") {
    await sleep(200);
    const enter = performance.now();
    app.stdin.write(`${QUESTION}\r`);
    let drawn = 0;
    await until(() => {
      if (!drawn && /trace · turn 1\b/.test(plain(app.lastFrame()))) drawn = performance.now();
      return traces === 20;
    }, "the answer");
    times.enterToFirstTraceMs = firstTrace - enter;
    times.enterToTraceDrawnMs = drawn - enter;
    times.enterToAnswerMs = lastTrace - enter;
    // The prompt takes keys again once the turn's result is in the transcript.
    await until(() => /trace · turn 1 · \d+ ms/.test(plain(app.lastFrame())), "the prompt after the answer");
  }
  app.stdin.write(":quit\r");
  await until(() => quit, "the exit");
  await (exited as Workbench | undefined)?.close();
  app.unmount();
  process.stdout.write(`${JSON.stringify(times)}\n`);
  process.exit(0);
}

function runChild(home: string, mode: string): Record<string, number> {
  const run = spawnSync(process.execPath, ["--import", "tsx", "scripts/bench-repl.ts", "--child", mode], {
    cwd: ROOT,
    env: { ...process.env, SIGLA_HOME: home, LANCEDB_LOG: "error" },
    encoding: "utf8",
  });
  if (run.status !== 0) throw new Error(`bench:repl child failed:\n${run.stderr}`);
  const line = run.stdout.trim().split("\n").at(-1) ?? "{}";
  return JSON.parse(line);
}

async function parent(): Promise<void> {
  const runs = Number(args.runs);
  if (!Number.isInteger(runs) || runs < 3)
    throw new Error("--runs must be an integer ≥ 3 (a median of at least 3)");
  const samples: Array<Record<string, number>> = [];
  for (let i = 0; i < runs; i++) {
    const home = mkdtempSync(join(tmpdir(), "sigla-bench-repl-"));
    try {
      const first = runChild(home, "start");
      const usual = runChild(home, "ask");
      const sample = { firstStartMs: first.startupMs, ...usual };
      samples.push(sample);
      process.stderr.write(`[bench:repl] run ${i + 1}/${runs}: ${JSON.stringify(sample)}\n`);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }
  const keys = ["firstStartMs", "startupMs", "enterToFirstTraceMs", "enterToTraceDrawnMs", "enterToAnswerMs"];
  const medians = Object.fromEntries(
    keys.map((key) => [key, Math.round(median(samples.map((s) => s[key])) * 10) / 10]),
  );
  const report = {
    benchmark: "repl",
    createdAt: new Date().toISOString(),
    machine: machine(),
    runs,
    question: QUESTION,
    embedder: "auto (use-lite offline fallback where the hub is unreachable)",
    medians,
    samples,
    notes: {
      firstStartMs: "process start → first prompt, empty SIGLA_HOME (sample corpus ingested first)",
      startupMs: "process start → first prompt, existing store",
      enterToFirstTraceMs: "Enter → first pipeline trace event (perception start)",
      enterToTraceDrawnMs: "Enter → first frame showing the running turn in the trace panel",
      enterToAnswerMs: "Enter → last trace event (feedback end) of the turn",
    },
  };
  const file = reportPath(args.out as string, "repl");
  await writeJson(file, report);
  process.stderr.write(`[bench:repl] medians ${JSON.stringify(medians)} → ${file}\n`);
}

if (args.child) await child(args.child);
else await parent();
