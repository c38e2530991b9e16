/**
 * The server's load test (seed S5: p99 of `/query` under 100 ms): a store of `size` capsules served by a
 * real `sigla serve` process on loopback, `/query` driven by autocannon for a bounded time — by vector,
 * by text (embedding included), and with writers adding capsules at the same time — then every
 * acknowledged write read back. The client runs in this process, the server in its own.
 */
import { rmSync } from "node:fs";
import autocannon from "autocannon";
import { loadUseLite } from "../lib/embed/use-lite.js";
import { BenchError } from "../lib/errors.js";
import { REFRESH_MS } from "../lib/server/serve.js";
import { CapsuleStore } from "../lib/store/capsule-store.js";
import { locate } from "../lib/store/location.js";
import { clusteredMatrix } from "./datasets/clustered.js";
import { machine, percentile } from "./measure.js";
import { startS3 } from "./s3-server.js";
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
  /** Also run two servers on one store on a loopback S3 server (default true). */
  s3?: boolean;
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
  /**
   * Several servers: the reads each one answered. Only finished requests count in the percentiles, so a
   * server whose reads stall shows here as a small share, not in the p99.
   */
  servers?: Array<{ requests: number; p99: number }>;
}

/** The least share of a phase's reads each of its servers must answer (they get the same connections). */
const LEAST_SHARE = 0.25;

/** The smallest share of the reads that one server of the phase answered (1 with one server). */
function leastShare(phase: LoadPhase): number {
  if (!phase.servers || phase.requests === 0) return 1;
  return Math.min(...phase.servers.map((server) => server.requests)) / phase.requests;
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

/** Queries the phases send: vectors from the store's clusters, and short texts (embedded by the server). */
function bodies() {
  const queries = clusteredMatrix({ count: 1000, dim: DIM, seed: 99 });
  return {
    vector: (i: number) => ({
      vector: Array.from(queries.subarray((i % 1000) * DIM, ((i % 1000) + 1) * DIM)),
      k: 10,
    }),
    text: (i: number) => ({ text: `${TOPICS[i % TOPICS.length]} in agent memory ${i % 97}`, k: 10 }),
  };
}

/** The writers' figures, once the phase is over and every server has had time to refresh. */
async function writeFigures(
  written: Array<{ ids: number[]; latencies: number[] }>,
  seconds: number,
  readers: string[],
): Promise<NonNullable<LoadPhase["writes"]>> {
  const ids = written.flatMap((w) => w.ids);
  await new Promise((resolve) => setTimeout(resolve, REFRESH_MS + 200));
  let missing = 0;
  for (const url of readers) missing += await unreadable(url, ids);
  return {
    acknowledged: ids.length,
    writesPerSecond: Math.round((ids.length / seconds) * 10) / 10,
    p99Ms: Math.round(
      percentile(
        written.flatMap((w) => w.latencies).sort((a, b) => a - b),
        99,
      ) || 0,
    ),
    unreadable: missing,
  };
}

/** The three phases on one server over a local store. */
async function localPhases(
  options: Required<Omit<LoadOptions, "log" | "store">>,
  store: string,
  log: (line: string) => void,
) {
  const { seconds, connections } = options;
  const body = bodies();
  const server = await spawnServer(store, { SIGLA_RATE_LIMIT: "0" });
  try {
    const url = server.url;
    log(`server at ${url}; ${seconds} s a phase, ${connections} connections`);
    await drive(url, 1, connections, body.vector); // warm-up, not reported
    const phases: LoadPhase[] = [];
    phases.push(phaseOf("query by vector", await drive(url, seconds, connections, body.vector), connections));
    log(`query by vector: ${phases.at(-1)?.qps} QPS`);
    phases.push(
      phaseOf(
        "query by text (embedding included)",
        await drive(url, seconds, connections, body.text),
        connections,
      ),
    );
    log(`query by text: ${phases.at(-1)?.qps} QPS`);
    const until = Date.now() + seconds * 1000;
    const writers = Array.from({ length: options.writers }, (_, w) => write(url, w, until));
    const mixed = phaseOf(
      "query by vector with concurrent writers",
      await drive(url, seconds, connections, body.vector),
      connections,
    );
    mixed.writes = await writeFigures(await Promise.all(writers), seconds, [url]);
    phases.push(mixed);
    log(
      `mixed: ${mixed.qps} QPS, ${mixed.writes.acknowledged} writes acknowledged, ${mixed.writes.unreadable} unreadable`,
    );
    return phases;
  } finally {
    await server.stop();
  }
}

/**
 * Two servers on one store on a loopback S3 server: a writer and a reader that forwards its writes to it,
 * queried and written through both at once; every acknowledged write must be readable from both.
 */
async function sharedPhase(
  options: Required<Omit<LoadOptions, "log" | "store">>,
  log: (line: string) => void,
) {
  const { seconds, connections, size } = options;
  const s3 = await startS3();
  const saved = { ...process.env };
  Object.assign(process.env, s3.env);
  const uri = `s3://${s3.bucket}/load/store`;
  const servers: ServerProcess[] = [];
  try {
    const buildSeconds = await buildStore({ size, store: uri }, log);
    log(`S3 store built in ${Math.round(buildSeconds)} s`);
    const env = { ...s3.env, SIGLA_RATE_LIMIT: "0" };
    servers.push(await spawnServer(uri, env));
    servers.push(await spawnServer(uri, { ...env, SIGLA_WRITER_URL: servers[0].url }));
    const urls = servers.map((server) => server.url);
    const body = bodies();
    const half = Math.max(1, Math.floor(connections / 2));
    await Promise.all(urls.map((url) => drive(url, 1, half, body.vector)));
    const until = Date.now() + seconds * 1000;
    const writers = Array.from({ length: options.writers }, (_, w) => write(urls[w % 2], w, until));
    const results = await Promise.all(urls.map((url) => drive(url, seconds, half, body.vector)));
    const [first, second] = results.map((result) => phaseOf("", result, half));
    // Percentiles of two runs cannot be merged exactly: the phase reports the worse of the two servers.
    const phase: LoadPhase = {
      name: "two servers on one S3 store (writer + forwarding reader), query by vector with concurrent writers",
      seconds,
      connections: half * 2,
      requests: first.requests + second.requests,
      qps: first.qps + second.qps,
      latencyMs: {
        p50: Math.max(first.latencyMs.p50, second.latencyMs.p50),
        p90: Math.max(first.latencyMs.p90, second.latencyMs.p90),
        p99: Math.max(first.latencyMs.p99, second.latencyMs.p99),
        max: Math.max(first.latencyMs.max, second.latencyMs.max),
      },
      errors: first.errors + second.errors,
      non2xx: first.non2xx + second.non2xx,
      timeouts: first.timeouts + second.timeouts,
      servers: [first, second].map((one) => ({ requests: one.requests, p99: one.latencyMs.p99 })),
    };
    phase.writes = await writeFigures(await Promise.all(writers), seconds, urls);
    log(
      `S3: ${phase.qps} QPS over two servers, ${phase.writes.acknowledged} writes, ${phase.writes.unreadable} unreadable`,
    );
    return phase;
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
    rmSync(locate(uri).dir, { recursive: true, force: true });
    process.env = saved;
    await s3.close();
  }
}

export async function runServerLoad(options: LoadOptions): Promise<LoadReport> {
  const log = options.log ?? (() => {});
  const settings = {
    size: options.size ?? 50_000,
    seconds: options.seconds ?? 10,
    connections: options.connections ?? 8,
    writers: options.writers ?? 2,
    s3: options.s3 ?? true,
  };
  const buildSeconds = await buildStore({ size: settings.size, store: options.store }, log);
  const phases = await localPhases(settings, options.store, log);
  if (settings.s3) phases.push(await sharedPhase(settings, log));
  return {
    kind: "server-load",
    createdAt: new Date().toISOString(),
    machine: machine(),
    size: settings.size,
    buildSeconds: Math.round(buildSeconds),
    phases,
    targets: phases.map((phase) => {
      const errors = phase.errors + phase.non2xx + phase.timeouts;
      const lost = phase.writes
        ? `, ${phase.writes.unreadable} of ${phase.writes.acknowledged} unreadable`
        : "";
      const share = leastShare(phase);
      const shares = phase.servers
        ? {
            target: `, each server answers ≥ ${LEAST_SHARE * 100}% of the reads`,
            value: `, least share ${Math.round(share * 100)}%`,
          }
        : { target: "", value: "" };
      return {
        target: `${phase.name}: p99 < 100 ms, no errors${phase.writes ? ", every acknowledged write readable" : ""}${shares.target}`,
        value: `p99 ${phase.latencyMs.p99} ms, ${errors} errors${lost}${shares.value}`,
        met:
          phase.latencyMs.p99 < 100 &&
          errors === 0 &&
          (phase.writes?.unreadable ?? 0) === 0 &&
          share >= LEAST_SHARE,
      };
    }),
  };
}
