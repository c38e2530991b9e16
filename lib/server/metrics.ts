/**
 * The server's Prometheus metrics (seed S5: encode, search, attach), on a registry of its own so two
 * servers in one process (tests) never share counters: requests and latency per route, the durations of
 * the work behind them, and the store's size, index and table version read at each scrape.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { CapsuleStore } from "../store/capsule-store.js";
import type { StoreStats } from "../store/types.js";

/** Seconds, from 0.5 ms to 30 s: a vector query sits at the low end, a generated answer at the top. */
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** The work the server times apart from whole requests. */
export type WorkKind = "encode" | "search" | "generate" | "attach";

export class ServerMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<"method" | "route" | "status">;
  private readonly latency: Histogram<"method" | "route">;
  private readonly work: Record<WorkKind, Histogram<"what">>;

  constructor(store: () => CapsuleStore | undefined) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: "sigla_process_" });
    this.requests = new Counter({
      name: "sigla_http_requests_total",
      help: "HTTP requests answered, by route and status",
      labelNames: ["method", "route", "status"],
      registers,
    });
    this.latency = new Histogram({
      name: "sigla_http_request_duration_seconds",
      help: "HTTP request latency, by route",
      labelNames: ["method", "route"],
      buckets: BUCKETS,
      registers,
    });
    const histogram = (kind: WorkKind, help: string) =>
      new Histogram({
        name: `sigla_${kind}_duration_seconds`,
        help,
        labelNames: ["what"],
        buckets: BUCKETS,
        registers,
      });
    this.work = {
      encode: histogram("encode", "embedding texts, by what asked (add, query)"),
      search: histogram("search", "store searches, by mode"),
      generate: histogram("generate", "pipeline turns and model runs, by command"),
      attach: histogram("attach", "attaching and detaching modules, by command"),
    };
    // Store gauges are read at scrape time, so they can never go stale between writes.
    // One stats() per scrape for the three gauges (it walks the store folder, or asks object storage).
    let stats: { at: number; read: Promise<StoreStats> } | undefined;
    const storeStats = (open: CapsuleStore) => {
      if (!stats || Date.now() - stats.at > 1000) stats = { at: Date.now(), read: open.stats() };
      return stats.read;
    };
    const storeGauge = (name: string, help: string, read: (s: StoreStats) => number) =>
      new Gauge({
        name,
        help,
        registers,
        async collect() {
          const open = store();
          if (open) this.set(read(await storeStats(open)));
        },
      });
    storeGauge("sigla_store_capsules", "capsules in the store", (s) => s.count);
    storeGauge("sigla_store_disk_bytes", "bytes the store folder holds", (s) => s.diskBytes);
    storeGauge(
      "sigla_store_table_version",
      "the LanceDB table version this server has read",
      (s) => s.tableVersion,
    );
    new Gauge({
      name: "sigla_store_index_info",
      help: "the vector index in use (1 on the kind and precision in use)",
      labelNames: ["kind", "precision"],
      registers,
      collect() {
        const open = store();
        this.reset();
        if (open) this.set({ kind: open.indexKind, precision: open.vectorPrecision }, 1);
      },
    });
  }

  /** Counts one answered request. */
  request(method: string, route: string, status: number, seconds: number): void {
    this.requests.inc({ method, route, status: String(status) });
    this.latency.observe({ method, route }, seconds);
  }

  /** Runs `work` and records how long it took under `kind` (whether it succeeded or threw). */
  async time<T>(kind: WorkKind, what: string, work: () => Promise<T>): Promise<T> {
    const stop = this.work[kind].startTimer({ what });
    try {
      return await work();
    } finally {
      stop();
    }
  }

  /** The Prometheus text exposition. */
  async text(): Promise<string> {
    return this.registry.metrics();
  }
}
