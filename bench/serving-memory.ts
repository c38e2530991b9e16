/**
 * Serving memory: what a system holds once it is opened from disk by a fresh process and answers queries,
 * the memory a server built on it would keep. The worker's "memory gained" also counts what ingest left
 * behind (allocator pages freed but not returned, build buffers); Chroma's figure was always its server's
 * after a restart, so without this the in-process systems were charged for their ingest and Chroma was not.
 *
 * In-process systems that store to disk (`attach`) are measured in a child process:
 * `node --expose-gc --import tsx bench/serving-memory.ts '<probe JSON>' <queries file>`, which settles,
 * opens the stored data, runs the queries at the operating point, settles again and prints the gain.
 */
import { spawn } from "node:child_process";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { settledMemory } from "./measure.js";
import { openSystem, type SystemName } from "./systems/index.js";
import type { BenchSystem, SweepPoint } from "./systems/types.js";

/** What the child opens and how it queries. */
interface Probe {
  system: SystemName;
  workDir: string;
  dim: number;
  k: number;
  point: SweepPoint;
}

const SELF = fileURLToPath(import.meta.url);

/**
 * The serving memory of `system` at `point`: measured in a fresh process for a system that can `attach` to
 * its stored data, the server's resident memory after a restart and the queries for one with a server, and
 * `heldBytes`, the vectors it holds, for one that keeps nothing but them (exact).
 */
export async function servingMemory(
  system: BenchSystem,
  probe: Omit<Probe, "system"> & { system: SystemName },
  queries: Float32Array,
  heldBytes: number,
): Promise<number> {
  if (system.attach) return probeInChild(probe, queries);
  const server = await system.serverRss();
  if (server !== undefined) {
    for (let i = 0; i < queries.length / probe.dim; i++) {
      await system.search(queries.subarray(i * probe.dim, (i + 1) * probe.dim), probe.k, probe.point);
    }
    return (await system.serverRss()) ?? server;
  }
  return heldBytes;
}

async function probeInChild(probe: Probe, queries: Float32Array): Promise<number> {
  const file = join(probe.workDir, "serving-queries.f32");
  await writeFile(file, queries);
  try {
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        ["--expose-gc", "--import", "tsx", SELF, JSON.stringify(probe), file],
        {
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk) => {
        stdout += chunk;
      });
      child.stderr.on("data", (chunk) => {
        stderr += chunk;
      });
      child.on("error", reject);
      child.on("close", (code) =>
        code === 0
          ? resolve(stdout)
          : reject(new Error(`serving-memory probe exited ${code}: ${stderr.slice(-2000)}`)),
      );
    });
    const bytes = Number(JSON.parse(out.trim().split("\n").at(-1) ?? "{}").servingBytes);
    if (!Number.isFinite(bytes))
      throw new Error(`serving-memory probe printed no figure: ${out.slice(-500)}`);
    return bytes;
  } finally {
    await rm(file, { force: true });
  }
}

/** The child: settle, open, query, settle; prints `{"servingBytes": n}`. */
async function runProbe(probe: Probe, queriesFile: string): Promise<number> {
  const raw = await readFile(queriesFile);
  const queries = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
  const before = await settledMemory();
  const system = await openSystem(probe.system, {
    workDir: probe.workDir,
    dim: probe.dim,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  try {
    await system.attach?.();
    for (let i = 0; i < queries.length / probe.dim; i++) {
      await system.search(queries.subarray(i * probe.dim, (i + 1) * probe.dim), probe.k, probe.point);
    }
    const after = await settledMemory();
    return Math.max(0, after.rss - before.rss);
  } finally {
    await system.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const probe = JSON.parse(process.argv[2] ?? "{}") as Probe;
  runProbe(probe, process.argv[3] ?? "").then(
    (servingBytes) => process.stdout.write(`${JSON.stringify({ servingBytes })}\n`),
    (error: unknown) => {
      process.stderr.write(`${(error as Error).stack ?? error}\n`);
      process.exitCode = 1;
    },
  );
}
