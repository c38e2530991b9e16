/**
 * The bundled sample corpus (`datasets/sample/`): a few dozen short notes about vector search, LanceDB,
 * the memory layers and the pipeline, ingested into an empty store on first start so the first question
 * gets a real answer.
 */
import { fileURLToPath } from "node:url";
import { type IngestReport, ingest } from "../ingest/ingest.js";
import type { CapsuleStore } from "../store/capsule-store.js";
import type { JobProgress } from "./types.js";

/** Absolute path of the bundled sample corpus. */
export const SAMPLE_CORPUS = fileURLToPath(new URL("../../datasets/sample/", import.meta.url));

/** Tag every sample capsule carries (besides its folder's tag). */
export const SAMPLE_TAG = "sample";

/**
 * Ingests the sample corpus when the store is empty and returns the report; returns undefined (and
 * writes nothing) when the store already holds capsules. Cancelling keeps the whole files already stored.
 */
export async function seedSample(
  store: CapsuleStore,
  options: { signal?: AbortSignal; onProgress?: (progress: JobProgress) => void; corpus?: string } = {},
): Promise<IngestReport | undefined> {
  if ((await store.count()) > 0) return undefined;
  return ingest(store, [options.corpus ?? SAMPLE_CORPUS], {
    tags: [SAMPLE_TAG],
    signal: options.signal,
    onProgress: (p) =>
      p.phase === "read" &&
      options.onProgress?.({
        job: "sample corpus",
        done: p.done,
        total: p.total,
        unit: "files",
        label: fileLabel(p.file),
      }),
  });
}

/** The last two parts of a path: `lancedb/versions.md`. */
export function fileLabel(file: string): string {
  return file.split(/[\\/]/).slice(-2).join("/");
}
