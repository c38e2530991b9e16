/**
 * The server's load test (seed S5: p99 of `/query` under 100 ms): a store of `size` capsules served by a
 * real `sigla serve` process on loopback, `/query` driven by autocannon for a bounded time — by vector,
 * by text (embedding included), and with writers adding capsules at the same time — then every
 * acknowledged write read back. The client runs in this process, the server in its own.
 */
import autocannon from "autocannon";
import { loadUseLite } from "../lib/embed/use-lite.js";
import { BenchError } from "../lib/errors.js";
import { CapsuleStore } from "../lib/store/capsule-store.js";
import { clusteredMatrix } from "./datasets/clustered.js";
import { machine } from "./measure.js";
import { type ServerProcess, spawnServer } from "./server-process.js";

export interface LoadOptions {
  /** Capsules in the store (default 50k). */
  size?: number;
  /** Seconds each phase drives the server (default 10). */
  seconds?: number;
  /** Concurrent connections of the query client (default 8). */
  connections?: number;
  /** Concurrent writers in the mixed phase (default 2). */
  writers?: number;
  /** Store folder to build (or reuse, when it already holds `size` capsules). */
  store: string;
  log?: (line: string) => void;
}

/** One phase's figures. */
export interface LoadPhase {
  name: string;
  seconds: number;
  connections: number;
  requests: number;
  qps: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  errors: number;
  non2xx: number;
  timeouts: number;
  /** Mixed phase: capsules acknowledged by the writers, and how many of them could not be read back. */
  writes?: { acknowledged: number; writesPerSecond: number; p99Ms: number; unreadable: number };
}

export interface LoadReport {
  kind: "server-load";
  createdAt: string;
  machine: Record<string, unknown>;
  size: number;
  buildSeconds: number;
  phases: LoadPhase[];
  /** Seed S5: p99 of `/query` under 100 ms, with no errors and nothing acknowledged lost, in every phase. */
  targets: Array<{ target: string; value: string; met: boolean }>;
}

const DIM = 512;
const TOPICS = ["storage", "graphs", "pipelines", "embeddings", "memory", "agents", "search", "modules"];
const textOf = (i: number) =>
  `capsule ${i} on ${TOPICS[i % TOPICS.length]} and ${TOPICS[(i * 7) % TOPICS.length]}`;

/** Builds the store (precomputed clustered vectors in use-lite's dimension; texts for full text). */
async function buildStore(
  options: Required<Pick<LoadOptions, "size" | "store">>,
  log: (line: string) => void,
) {
  const store = await CapsuleStore.open(options.store, { embedder: await loadUseLite() });
  try {
    const have = await store.count();
    // A store left by an earlier run (grown by its writers) is served as it is.
    if (have >= options.size) return 0;
    if (have !== 0) {
      throw new BenchError(
        `${options.store} holds ${have} capsules, fewer than ${options.size}: give an empty folder`,
      );
    }
    const started = performance.now();
    const vectors = clusteredMatrix({ count: options.size, dim: DIM, seed: 11 });
    const batch = 10_000;
    for (let from = 0; from < options.size; from += batch) {
      const to = Math.min(options.size, from + batch);
      await store.addCapsules(
        Array.from({ length: to - from }, (_, j) => ({
          text: textOf(from + j),
          vector: vectors.subarray((from + j) * DIM, (from + j + 1) * DIM),
        })),
      );
      log(`store: ${to}/${options.size} capsules`);
    }
    return (performance.now() - started) / 1000;
  } finally {
    await store.close();
  }
}

function phaseOf(name: string, result: autocannon.Result, connections: number): LoadPhase {
  return {
    name,
    seconds: result.duration,
    connections,
    requests: result.requests.total,
    qps: Math.round(result.requests.average),
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
    },
    errors: result.errors,
    non2xx: result.non2xx,
    timeouts: result.timeouts,
  };
}

/** Drives `POST /query` with bodies from `body(i)` for `seconds`. */
function drive(
  url: string,
  seconds: number,
  connections: number,
  body: (i: number) => unknown,
): Promise<autocannon.Result> {
  let i = 0;
  return autocannon({
    url: `${url}/query`,
    connections,
    duration: seconds,
    requests: [
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        setupRequest: (request) => ({ ...request, body: JSON.stringify(body(i++)) }),
      },
    ],
  });
}

/** Writers adding one capsule per request until `until`; the ids acknowledged and each request's latency. */
async function write(url: string, writer: number, until: number) {
  const ids: number[] = [];
  const latencies: number[] = [];
  for (let n = 0; Date.now() < until; n++) {
    const started = performance.now();
    const response = await fetch(`${url}/capsules`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        capsules: [{ text: `writer ${writer} capsule ${n} on ${TOPICS[n % TOPICS.length]}` }],
      }),
    });
    const body = (await response.json()) as { ids?: number[] };
    latencies.push(performance.now() - started);
    if (response.status === 201 && body.ids) ids.push(...body.ids);
  }
  return { ids, latencies };
}

/** Ids among `ids` the server cannot return. */
async function unreadable(url: string, ids: number[]): Promise<number> {
  let missing = 0;
  for (let from = 0; from < ids.length; from += 500) {
    const part = ids.slice(from, from + 500);
    const where = encodeURIComponent(`id IN (${part.join(",")})`);
    const response = await fetch(`${url}/capsules?where=${where}&limit=${part.length}`);
    const { capsules } = (await response.json()) as { capsules: Array<{ id: number }> };
    const found = new Set(capsules.map((c) => c.id));
    missing += part.filter((id) => !found.has(id)).length;
  }
  return missing;
}

const p99 = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * 0.99))] ?? 0;

export async function runServerLoad(options: LoadOptions): Promise<LoadReport> {
  const log = options.log ?? (() => {});
  const size = options.size ?? 50_000;
  const seconds = options.seconds ?? 10;
  const connections = options.connections ?? 8;
  const buildSeconds = await buildStore({ size, store: options.store }, log);
  const queries = clusteredMatrix({ count: 1000, dim: DIM, seed: 99 });
  const vectorBody = (i: number) => ({
    vector: Array.from(queries.subarray((i % 1000) * DIM, ((i % 1000) + 1) * DIM)),
    k: 10,
  });
  let server: ServerProcess | undefined;
  try {
    server = await spawnServer(options.store, { SIGLA_RATE_LIMIT: "0" });
    const url = server.url;
    log(`server at ${url}; ${seconds} s a phase, ${connections} connections`);
    await drive(url, 1, connections, vectorBody); // warm-up, not reported
    const phases: LoadPhase[] = [];
    phases.push(phaseOf("query by vector", await drive(url, seconds, connections, vectorBody), connections));
    log(`query by vector: ${phases.at(-1)?.qps} QPS`);
    const textBody = (i: number) => ({
      text: `${TOPICS[i % TOPICS.length]} in agent memory ${i % 97}`,
      k: 10,
    });
    phases.push(
      phaseOf(
        "query by text (embedding included)",
        await drive(url, seconds, connections, textBody),
        connections,
      ),
    );
    log(`query by text: ${phases.at(-1)?.qps} QPS`);
    const until = Date.now() + seconds * 1000;
    const writers = Array.from({ length: options.writers ?? 2 }, (_, w) => write(url, w, until));
    const mixed = phaseOf(
      "query by vector with concurrent writers",
      await drive(url, seconds, connections, vectorBody),
      connections,
    );
    const written = await Promise.all(writers);
    const ids = written.flatMap((w) => w.ids);
    mixed.writes = {
      acknowledged: ids.length,
      writesPerSecond: Math.round((ids.length / seconds) * 10) / 10,
      p99Ms: Math.round(p99(written.flatMap((w) => w.latencies))),
      unreadable: await unreadable(url, ids),
    };
    phases.push(mixed);
    log(`mixed: ${mixed.qps} QPS, ${ids.length} writes acknowledged, ${mixed.writes.unreadable} unreadable`);
    return {
      kind: "server-load",
      createdAt: new Date().toISOString(),
      machine: machine(),
      size,
      buildSeconds: Math.round(buildSeconds),
      phases,
      targets: phases.map((phase) => ({
        target: `${phase.name}: p99 < 100 ms, no errors${phase.writes ? ", every acknowledged write readable" : ""}`,
        value: `p99 ${phase.latencyMs.p99} ms, ${phase.errors + phase.non2xx + phase.timeouts} errors${phase.writes ? `, ${phase.writes.unreadable} of ${phase.writes.acknowledged} unreadable` : ""}`,
        met:
          phase.latencyMs.p99 < 100 &&
          phase.errors + phase.non2xx + phase.timeouts === 0 &&
          (phase.writes?.unreadable ?? 0) === 0,
      })),
    };
  } finally {
    await server?.stop();
  }
}
