/**
 * SIGLA's own store as a benchmark system: precomputed vectors through `addCapsules` (the index policy
 * picks the index), with auto-linking on (`sigla`, k = 5) or off (`sigla-nolink`). The sweep scales the
 * calibrated search width with `effort`. Each row carries a tag per filter that keeps it (`keep1`, `keep50`),
 * and a filtered search is `store.query` with that tag.
 */
import { join } from "node:path";
import { folderBytes } from "../../lib/disk.js";
import { precomputedEmbedder } from "../../lib/embed/embedder.js";
import { CapsuleStore } from "../../lib/store/capsule-store.js";
import { rowTags } from "../filters.js";
import type { BenchRows, BenchSystem, SweepPoint, SystemOptions } from "./types.js";

/**
 * Steps of about 1.25× below the calibrated setting, where recall@10 crosses 0.97, and wider above it; the
 * peers' sweeps are as fine where they cross (Chroma's `ef_search` 80, 100, 120; 240 … 640 from 200k).
 */
const EFFORTS = [0.25, 0.31, 0.4, 0.5, 0.62, 0.8, 1, 1.5, 2, 4];

export async function openSigla(options: SystemOptions & { autoLinkK: number }): Promise<BenchSystem> {
  const name = options.autoLinkK > 0 ? "sigla" : "sigla-nolink";
  const path = join(options.workDir, name);
  const embedder = precomputedEmbedder(options.dim);
  let store = await CapsuleStore.open(path, { embedder, autoLinkK: options.autoLinkK });
  /** Capsule id → row (ids are assigned in insertion order, but the mapping does not assume it). */
  let rowOf = new Map<number, number>();
  const rows = (hits: { id: number }[]) => hits.map((h) => rowOf.get(h.id) ?? -1);

  return {
    name,
    describe: () =>
      `CapsuleStore, index policy auto (now ${store.indexKind} ${JSON.stringify(store.indexParams)}), autoLinkK ${options.autoLinkK}; sweep: effort ${EFFORTS.join(", ")} × the calibrated width`,
    async ingest(data: BenchRows) {
      const inputs = Array.from({ length: data.count }, (_, i) => ({
        text: data.texts?.[i] ?? `row ${i}`,
        tags: rowTags(data.buckets[i]),
        vector: data.vectors.subarray(i * data.dim, (i + 1) * data.dim),
      }));
      // A line per stage as it starts and per tenth of it, with the seconds since the add began.
      let stage = "";
      let logged = 0;
      const started = performance.now();
      const seconds = () => ((performance.now() - started) / 1000).toFixed(1);
      const ids = await store.addCapsules(inputs, {
        onProgress: (done, total, now) => {
          const fresh = now !== stage;
          if (!fresh && (done === logged || (done < total && done - logged < total / 10))) return;
          stage = now;
          logged = done;
          options.log(`${now} ${done}/${total} (${seconds()} s)`);
        },
      });
      rowOf = new Map(ids.map((id, row) => [id, row]));
      // The index is built as part of the add (the policy picks it for the new size).
      return { addMs: performance.now() - started, buildMs: 0 };
    },
    // Labelled by effort alone: under the auto policy repetitions may run on different index kinds, and
    // the report's spread is over every repetition of a setting (params and the description name the kind).
    sweep(): SweepPoint[] {
      const kind = store.indexKind;
      if (kind === "flat") return [{ label: "flat (exact)", params: { effort: 1, kind } }];
      return EFFORTS.map((effort) => ({ label: `effort=${effort}`, params: { effort, kind } }));
    },
    async search(query, k, point, filter) {
      const effort = Number(point.params.effort);
      return rows(await store.query(query, { topK: k, effort, ...(filter ? { tags: [filter.tag] } : {}) }));
    },
    async searchBatch(queries, k, point) {
      return (await store.queryBatch(queries, { topK: k, effort: Number(point.params.effort) })).map(rows);
    },
    async reopen() {
      await store.close();
      store = await CapsuleStore.open(path, { embedder });
      await store.query(new Float32Array(options.dim).fill(1 / Math.sqrt(options.dim)), { topK: 10 });
    },
    // The store at `path` was opened above; a probe only queries it.
    attach: async () => {},
    diskBytes: () => folderBytes(path),
    serverRss: async () => undefined,
    async close() {
      await store.close();
    },
  };
}
