/**
 * A real Chroma server (Chroma 1.0 from the `chromadb` package's CLI) driven through the official JS client
 * (`chromadb` 3.5), as a user would run it: one collection, HNSW with cosine distance, parameters set
 * explicitly, our own embeddings (no embedding function, so the client never imports one).
 *
 * Chroma 1.0 reads `ef_search` when it loads a collection's HNSW index and keeps the loaded index
 * cached: `collection.modify({ configuration: { hnsw: { ef_search } } })` is stored at once but answers
 * only change after a server restart. So the first search at a new sweep point stores the new value and
 * restarts the server (the worker's untimed first query per point absorbs that).
 *
 * Each record carries its filter bucket as metadata (`{ bucket }`), and a filtered search passes
 * `where: { bucket: { $lt: keep } }`.
 */
import { join } from "node:path";
import { ChromaClient, type Collection } from "chromadb";
import { folderBytes } from "../../lib/disk.js";
import { BenchError } from "../../lib/errors.js";
import type { RowFilter } from "../filters.js";
import { type ChromaServer, startChroma } from "./chroma-server.js";
import type { BenchRows, BenchSystem, SweepPoint, SystemOptions } from "./types.js";

const COLLECTION = "bench";
const EF_CONSTRUCTION = 100;
const MAX_NEIGHBORS = 16;
/** Doublings, with steps of about 1.25× from 80 to 160, where recall@10 crosses 0.97 on the 50k datasets. */
const EF_SWEEP = [10, 20, 40, 80, 100, 120, 160];
/**
 * Wider settings from `LARGE_FROM` rows, as fine where recall@10 crosses 0.97: ef_search 160 stops at 0.86
 * on clustered 1M, 320 at 0.94 and 640 reaches 0.973 (lorem 200k crosses between 160 and 320).
 */
const LARGE_EF = [240, 320, 400, 480, 640];
const LARGE_FROM = 200_000;
/**
 * Request bodies stay under this: besides its max batch size (5461 records), the server refuses bodies
 * of roughly 40 MB with "413 Payload Too Large" (an add of 5461 rows of dim 1536 is 43 MB).
 */
const BODY_BUDGET = 32 * 1024 * 1024;

function connect(server: ChromaServer): ChromaClient {
  return new ChromaClient({ host: server.host, port: server.port, ssl: false });
}

function efOf(point: SweepPoint): number {
  const ef = Number(point.params.ef_search);
  if (!Number.isInteger(ef) || ef < 1)
    throw new BenchError(`chroma: sweep point ${point.label} has no ef_search`);
  return ef;
}

export async function openChroma(options: SystemOptions): Promise<BenchSystem> {
  const dataDir = join(options.workDir, "chroma");
  const log = options.log;
  let server: ChromaServer | undefined = await startChroma({ dataDir, log });
  let client = connect(server);
  let collection: Collection | undefined;
  /** Records per `add` and queries per `query` call: the server's max batch size, within BODY_BUDGET. */
  let addRows: number;
  let queryRows: number;
  const limitBatches = async () => {
    const maxBatch = await client.getMaxBatchSize();
    // The client sends added embeddings as base64 float32 when the server takes it, else as JSON numbers
    // (up to ~22 characters each, as are query embeddings, which are always JSON).
    const addBytes = (await client.supportsBase64Encoding())
      ? Math.ceil((options.dim * 4) / 3) * 4
      : options.dim * 22;
    addRows = Math.max(1, Math.min(maxBatch, Math.floor(BODY_BUDGET / (addBytes + 64))));
    queryRows = Math.max(1, Math.min(maxBatch, Math.floor(BODY_BUDGET / (options.dim * 22 + 64))));
  };
  try {
    await limitBatches();
  } catch (error) {
    await server.stop();
    throw error;
  }
  /** The ef_search of the index as the running server loaded it. */
  let loadedEf = EF_SWEEP[0];
  let efSweep = EF_SWEEP;

  const opened = (): Collection => {
    if (!collection || !server) throw new BenchError("chroma: search before ingest, or after close");
    return collection;
  };

  const query = async (queries: Float32Array[], k: number, filter?: RowFilter): Promise<number[][]> => {
    const result = await opened().query({
      queryEmbeddings: queries.map((q) => Array.from(q)),
      nResults: k,
      include: [], // ids only (they always come back)
      ...(filter ? { where: { bucket: { $lt: filter.keep } } } : {}),
    });
    return result.ids.map((ids) => ids.map(Number));
  };

  const restart = async () => {
    await server?.stop();
    server = undefined;
    server = await startChroma({ dataDir, log });
    client = connect(server);
    await limitBatches();
    collection = await client.getCollection({ name: COLLECTION });
  };

  const warmUp = () => query([new Float32Array(options.dim).fill(1 / Math.sqrt(options.dim))], 10);

  const switchEf = async (ef: number) => {
    await opened().modify({ configuration: { hnsw: { ef_search: ef } } });
    log(`ef_search ${loadedEf} → ${ef}: restarting the server, which reads it when it loads the index`);
    await restart();
    loadedEf = ef;
    await warmUp(); // loads the index before the measured queries
  };

  /** Makes the running server search with `ef`; concurrent callers share one switch. */
  let switching: Promise<void> | undefined;
  const applyEf = async (ef: number) => {
    while (switching) await switching;
    if (ef === loadedEf) return;
    switching = switchEf(ef).finally(() => {
      switching = undefined;
    });
    await switching;
  };

  return {
    name: "chroma",
    describe: () =>
      `Chroma ${server?.version ?? "1.0"} server (chromadb JS client), HNSW cosine, ef_construction ${EF_CONSTRUCTION}, ` +
      `max_neighbors ${MAX_NEIGHBORS}, bucket as metadata; sweep: ef_search ${efSweep.join(", ")} (each applied by a server restart)`,

    async ingest(rows: BenchRows) {
      const { count, dim, vectors } = rows;
      if (count >= LARGE_FROM) efSweep = [...EF_SWEEP, ...LARGE_EF];
      collection = await client.createCollection({
        name: COLLECTION,
        embeddingFunction: null,
        configuration: {
          hnsw: {
            space: "cosine",
            ef_construction: EF_CONSTRUCTION,
            max_neighbors: MAX_NEIGHBORS,
            ef_search: EF_SWEEP[0],
          },
        },
      });
      loadedEf = EF_SWEEP[0];
      // Chroma indexes while it adds (no separate build step), so the whole load is addMs. The client
      // only takes number[][], so the conversion from Float32Array is part of using it.
      const started = performance.now();
      let reported = 0; // tenths of the rows already reported
      for (let start = 0; start < count; start += addRows) {
        const end = Math.min(count, start + addRows);
        const ids: string[] = [];
        const embeddings: number[][] = [];
        const metadatas: Array<{ bucket: number }> = [];
        for (let i = start; i < end; i++) {
          ids.push(String(i));
          embeddings.push(Array.from(vectors.subarray(i * dim, (i + 1) * dim)));
          metadatas.push({ bucket: rows.buckets[i] });
        }
        await collection.add({ ids, embeddings, metadatas });
        const tenths = Math.floor((end * 10) / count);
        if (tenths > reported) {
          reported = tenths;
          log(`added ${end} / ${count} rows (${((performance.now() - started) / 1000).toFixed(1)} s)`);
        }
      }
      return { addMs: performance.now() - started, buildMs: 0 };
    },

    sweep: () => efSweep.map((ef) => ({ label: `ef_search=${ef}`, params: { ef_search: ef } })),

    async search(q, k, point, filter) {
      await applyEf(efOf(point));
      return (await query([q], k, filter))[0];
    },

    async searchBatch(queries, k, point) {
      await applyEf(efOf(point));
      const out: number[][] = [];
      for (let start = 0; start < queries.length; start += queryRows) {
        out.push(...(await query(queries.slice(start, start + queryRows), k)));
      }
      return out;
    },

    async reopen() {
      opened();
      await restart();
      await warmUp();
    },

    diskBytes: () => folderBytes(dataDir),
    // After a sweep this is the server started for its last point: the loaded index and what the
    // queries since then touched, not what ingest left behind.
    serverRss: async () => server?.rss(),

    async close() {
      const running = server;
      server = undefined;
      collection = undefined;
      await running?.stop();
    },
  };
}
