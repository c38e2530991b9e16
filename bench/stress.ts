/**
 * The store under stress: several real writer processes on one store at once, round after round, with
 * stale lock leftovers planted before each round and writers killed (SIGKILL) at random points. After
 * each round the store is opened and every acknowledged write is accounted for.
 *
 * What must hold (the report counts each breach): every acknowledged add is there exactly once unless
 * its acknowledged delete removed it; no unacknowledged row appears except the one operation a kill
 * interrupted (it may have landed or not); ids are unique; every link points to a capsule that links back;
 * the table matches what sigla.json says was committed; `doctor` finds nothing wrong at the end.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { precomputedEmbedder } from "../lib/embed/embedder.js";
import { seededRandom } from "../lib/random.js";
import { CapsuleStore } from "../lib/store/capsule-store.js";
import { doctor } from "../lib/store/doctor.js";
import { LOCK_FILE, QUEUE_DIR } from "../lib/store/write-lock.js";
import type { StressOp, StressWriterJob } from "./stress-writer.js";

/** The writer process's entry, found from here rather than from the working directory. */
const STRESS_WRITER = fileURLToPath(new URL("./stress-writer.ts", import.meta.url));

export interface StressOptions {
  /** An empty or missing folder for the store. */
  path: string;
  writers: number;
  rounds: number;
  /** Capsules each writer adds per round. */
  perWriter: number;
  batch?: number;
  /** Writers killed per round (at most `writers`). */
  killsPerRound: number;
  dim?: number;
  seed?: number;
  /** Longest a round may take before its writers are killed and the run fails (ms). */
  roundTimeoutMs?: number;
  onRound?: (round: StressRound) => void;
}

/** The command-line options of a stress run (`npm run stress`, `npm run report:reliability`). */
export const STRESS_ARGS = {
  writers: { type: "string", default: "4" },
  rounds: { type: "string", default: "6" },
  "per-writer": { type: "string", default: "40" },
  kills: { type: "string", default: "2" },
} as const;

/** The sizes of a stress run from parsed `STRESS_ARGS`. */
export function stressSizes(
  values: Record<string, unknown>,
): Pick<StressOptions, "writers" | "rounds" | "perWriter" | "killsPerRound"> {
  return {
    writers: Number(values.writers),
    rounds: Number(values.rounds),
    perWriter: Number(values["per-writer"]),
    killsPerRound: Number(values.kills),
  };
}

export interface StressRound {
  round: number;
  /** Rows the acknowledged writes leave. */
  expected: number;
  found: number;
  /** Acknowledged adds not in the store, or acknowledged deletes still there. */
  missing: number;
  /** Rows no acknowledged or interrupted write accounts for. */
  unexpected: number;
  duplicateIds: number;
  duplicateTexts: number;
  brokenLinks: number;
  /** Operations a kill interrupted, and how many of them had landed. */
  interrupted: number;
  interruptedLanded: number;
  killed: number;
  failedWriters: number;
  ms: number;
}

export interface StressReport {
  writers: number;
  rounds: number;
  perWriter: number;
  killsPerRound: number;
  totals: Omit<StressRound, "round" | "ms"> & { ms: number };
  rounds_: StressRound[];
  doctorOk: boolean;
}

interface WriterLog {
  acked: StressOp[];
  /** The operation begun and not acknowledged when the writer ended. */
  open?: StressOp;
  killed: boolean;
  code: number | null;
}

function writer(job: StressWriterJob): { child: ChildProcess; log: Promise<WriterLog> } {
  const child = spawn(process.execPath, ["--import", "tsx", STRESS_WRITER, JSON.stringify(job)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const state: WriterLog = { acked: [], killed: false, code: null };
  let buffer = "";
  let stderr = "";
  child.stdout?.on("data", (chunk) => {
    buffer += chunk;
    for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      const space = line.indexOf(" ");
      const op = JSON.parse(line.slice(space + 1)) as StressOp;
      if (line.startsWith("begin")) state.open = op;
      else {
        state.acked.push(op);
        state.open = undefined;
        child.emit("ack");
      }
    }
  });
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  const log = new Promise<WriterLog>((resolve) => {
    child.on("close", (code, signal) => {
      state.code = code;
      state.killed = signal === "SIGKILL";
      if (!state.killed && code !== 0) process.stderr.write(stderr.slice(-2000));
      resolve(state);
    });
  });
  return { child, log };
}

/** What a killed writer leaves in the lock's place: planted before every round. */
async function plantStaleLocks(path: string, round: number): Promise<void> {
  const leftovers = ["999999", "", "garbage\u0000\u0001", `${process.pid + 100000}`];
  await writeFile(join(path, LOCK_FILE), leftovers[round % leftovers.length]);
  await mkdir(join(path, QUEUE_DIR), { recursive: true });
  await writeFile(join(path, QUEUE_DIR, `000000000000${round}-09999999-dead`), "");
}

/** Accounts for every row after a round. */
async function audit(
  path: string,
  dim: number,
  expectedTexts: Map<string, number | undefined>,
  interrupted: StressOp[],
): Promise<Omit<StressRound, "round" | "ms" | "killed" | "failedWriters" | "interrupted">> {
  const store = await CapsuleStore.open(path, { embedder: precomputedEmbedder(dim), create: false });
  try {
    const rows = await store.list();
    const ids = new Map<number, (typeof rows)[number]>();
    let duplicateIds = 0;
    for (const row of rows) {
      if (ids.has(row.id)) duplicateIds++;
      ids.set(row.id, row);
    }
    const texts = new Map<string, number>();
    for (const row of rows) texts.set(row.text, (texts.get(row.text) ?? 0) + 1);
    const duplicateTexts = [...texts.values()].filter((n) => n > 1).length;
    let brokenLinks = 0;
    for (const row of rows) {
      for (const other of row.links) if (!ids.get(other)?.links.includes(row.id)) brokenLinks++;
    }
    // An interrupted op may or may not have landed; either is fine, but only whole. Settle it first, so
    // that from here on the expected rows are exactly what the store must hold.
    let interruptedLanded = 0;
    for (const op of interrupted.splice(0)) {
      if (op.kind === "add") {
        const landed = op.texts.filter((t) => texts.has(t)).length;
        if (landed === op.texts.length) {
          interruptedLanded++;
          for (const t of op.texts) expectedTexts.set(t, 1);
        }
      } else if (op.kind === "delete" && expectedTexts.get(op.text) && !texts.has(op.text)) {
        interruptedLanded++;
        expectedTexts.set(op.text, undefined);
      }
    }
    let missing = 0;
    for (const [text, present] of expectedTexts) {
      if ((present === undefined) === texts.has(text)) missing++;
    }
    // Rows of a torn (partly landed) batch are unexpected here too.
    let unexpected = 0;
    for (const text of texts.keys()) if (!expectedTexts.has(text)) unexpected++;
    const expected = [...expectedTexts.values()].filter((v) => v !== undefined).length;
    return {
      expected,
      found: rows.length,
      missing,
      unexpected,
      duplicateIds,
      duplicateTexts,
      brokenLinks,
      interruptedLanded,
    };
  } finally {
    await store.close();
  }
}

export async function runStress(options: StressOptions): Promise<StressReport> {
  const { path, writers, rounds, perWriter, killsPerRound } = options;
  const dim = options.dim ?? 32;
  const batch = options.batch ?? 5;
  const seed = options.seed ?? 1;
  const next = seededRandom(seed);
  await (await CapsuleStore.open(path, { embedder: precomputedEmbedder(dim) })).close();
  /** Text → 1 while it should be there, undefined once deleted (acknowledged). */
  const expectedTexts = new Map<string, number | undefined>();
  const results: StressRound[] = [];
  for (let round = 0; round < rounds; round++) {
    const started = Date.now();
    await plantStaleLocks(path, round);
    const jobs = Array.from({ length: writers }, (_, w) =>
      writer({
        path,
        name: `w${w}r${round}`,
        count: perWriter,
        batch,
        dim,
        seed: seed * 1000 + round * 10 + w,
      }),
    );
    const victims = new Set<number>();
    while (victims.size < Math.min(killsPerRound, writers)) victims.add(Math.floor(next() * writers));
    for (const v of victims) {
      // Killed after a random number of its own acknowledged writes, at a random point of the next one
      // (before, during or after its commit; a write takes some tens of milliseconds).
      const after = 1 + Math.floor(next() * Math.max(1, perWriter / batch - 3));
      const delay = Math.floor(next() * 120);
      let acks = 0;
      jobs[v].child.on("ack", () => {
        if (++acks === after) setTimeout(() => jobs[v].child.kill("SIGKILL"), delay);
      });
    }
    const timer = setTimeout(() => {
      for (const job of jobs) job.child.kill("SIGKILL");
    }, options.roundTimeoutMs ?? 300_000);
    const logs = await Promise.all(jobs.map((job) => job.log));
    clearTimeout(timer);
    const roundInterrupted: StressOp[] = [];
    for (const log of logs) {
      for (const op of log.acked) {
        if (op.kind === "add") for (const t of op.texts) expectedTexts.set(t, 1);
        if (op.kind === "delete") expectedTexts.set(op.text, undefined);
      }
      if (log.open) roundInterrupted.push(log.open);
    }
    const audited = await audit(path, dim, expectedTexts, [...roundInterrupted]);
    const result: StressRound = {
      round,
      ...audited,
      interrupted: roundInterrupted.length,
      killed: logs.filter((l) => l.killed).length,
      failedWriters: logs.filter((l) => !l.killed && l.code !== 0).length,
      ms: Date.now() - started,
    };
    results.push(result);
    options.onRound?.(result);
  }
  const sum = (key: keyof StressRound) => results.reduce((s, r) => s + (r[key] as number), 0);
  const last = results[results.length - 1];
  const report = await doctor(path, { embedder: precomputedEmbedder(dim) });
  return {
    writers,
    rounds,
    perWriter,
    killsPerRound,
    totals: {
      expected: last?.expected ?? 0,
      found: last?.found ?? 0,
      missing: sum("missing"),
      unexpected: sum("unexpected"),
      duplicateIds: sum("duplicateIds"),
      duplicateTexts: sum("duplicateTexts"),
      brokenLinks: sum("brokenLinks"),
      interrupted: sum("interrupted"),
      interruptedLanded: sum("interruptedLanded"),
      killed: sum("killed"),
      failedWriters: sum("failedWriters"),
      ms: sum("ms"),
    },
    rounds_: results,
    doctorOk: report.ok,
  };
}
