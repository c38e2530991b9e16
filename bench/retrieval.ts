/**
 * Retrieval quality on real text: the SAP Fiori documentation of `@sap-ux/fiori-docs-embeddings`
 * (`bench/datasets/fiori.ts`) stored in a fresh SIGLA store, then searched by each document's title
 * (known-item search) in every search mode. Reports MRR@k, recall@k and the mean latency per query.
 */
import { readdir } from "node:fs/promises";
import { resolve } from "node:path";
import type { Embedder, EmbedderSpec } from "../lib/embed/embedder.js";
import { InvalidInputError, throwIfCancelled } from "../lib/errors.js";
import { CapsuleStore } from "../lib/store/capsule-store.js";
import type { SearchMode } from "../lib/store/types.js";
import { checkPositiveInt } from "../lib/store/validate.js";
import { fioriQueries, loadFiori } from "./datasets/fiori.js";
import { measureLatency, recallAtK } from "./measure.js";

/** Options of {@link runRetrieval}. */
export interface RetrievalOptions {
  /** Documents stored: the first `size` records (default all 778). */
  size?: number;
  /** Folder of the new store: must be missing or empty. The store is left there, closed. */
  workDir: string;
  /** Embedder of documents and queries (default `use-lite`, the offline one). */
  embedder?: EmbedderSpec | Embedder;
  /** Rank cut-off of MRR and recall (default 10). */
  k?: number;
  signal?: AbortSignal;
  /** `phase` is `ingest` (documents embedded and stored) or the search mode being measured. */
  onProgress?: (progress: { phase: string; done: number; total: number }) => void;
}

/** One search mode's numbers. */
export interface RetrievalModeResult {
  mode: SearchMode;
  /** Mean reciprocal rank of the first relevant hit in the top k (0 when none is there). */
  mrr: number;
  /** Share of all relevant records (over every query) found in their query's top k. */
  recall: number;
  /** Mean milliseconds per query. */
  meanMs: number;
}

/** What {@link runRetrieval} measured. */
export interface RetrievalReport {
  dataset: { name: "fiori-docs-embeddings"; documents: number; queries: number; embedder: string };
  k: number;
  modes: RetrievalModeResult[];
  /** Milliseconds to embed and store the documents. */
  ingestMs: number;
  notes: string[];
}

const MODES: readonly SearchMode[] = ["vector", "fts", "hybrid"];

/** Mean over queries of 1 / rank of the first relevant id within the top k (0 when none is there). */
export function meanReciprocalRank(
  relevant: readonly (readonly number[])[],
  found: readonly (readonly number[])[],
  k = 10,
): number {
  if (relevant.length === 0) return 0;
  let sum = 0;
  relevant.forEach((truth, i) => {
    const wanted = new Set(truth);
    const rank = found[i].slice(0, k).findIndex((id) => wanted.has(id));
    if (rank >= 0) sum += 1 / (rank + 1);
  });
  return sum / relevant.length;
}

/** Throws `InvalidInputError` unless `dir` is missing or empty, so a benchmark builds a fresh store there. */
export async function checkWorkDir(dir: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw new InvalidInputError(`workDir ${dir} cannot be used: ${String(error)}`, { cause: error });
  }
  if (entries.length > 0) {
    throw new InvalidInputError(`workDir ${dir} must be missing or empty, so the store is a fresh one`);
  }
}

/**
 * Stores the Fiori documents in a new store at `workDir`, then runs every title query in each mode
 * (`vector`, `fts`, `hybrid`) and scores the top k against the records that carry that title.
 *
 * @throws InvalidInputError for a bad `size` or `k`, or a `workDir` that is not missing or empty.
 * @throws CancelledError when `signal` aborts.
 */
export async function runRetrieval(options: RetrievalOptions): Promise<RetrievalReport> {
  const { signal, onProgress } = options;
  if (typeof options.workDir !== "string" || options.workDir.trim() === "") {
    throw new InvalidInputError("workDir must name a folder for the store");
  }
  const k = checkPositiveInt(options.k ?? 10, "k");
  const dataset = await loadFiori({ size: options.size });
  const queries = fioriQueries(dataset);
  const dir = resolve(options.workDir);
  await checkWorkDir(dir);

  const store = await CapsuleStore.open(dir, {
    embedder: options.embedder ?? "use-lite",
    // Exact search: the vector numbers then measure the embedder, not an approximate index.
    indexPolicy: "flat",
    autoLinkK: 0,
  });
  try {
    const total = dataset.documents.length;
    const started = performance.now();
    const ids = await store.addCapsules(
      dataset.documents.map((doc, i) => ({
        text: doc.text,
        meta: { fioriId: doc.id, title: doc.title, index: i },
        source: `fiori:${doc.id}`,
      })),
      { signal, onProgress: (done) => onProgress?.({ phase: "ingest", done, total }) },
    );
    const ingestMs = performance.now() - started;
    // Capsule id → dataset index, from what the store returned (ids follow the input order).
    const indexOf = new Map(ids.map((id, i) => [id, i]));
    const relevant = queries.map((q) => q.relevant);

    const modes: RetrievalModeResult[] = [];
    for (const mode of MODES) {
      throwIfCancelled(signal, "retrieval benchmark");
      // One untimed search first: the first full-text search builds the FTS index.
      await store.search(queries[0].query, { mode, topK: k });
      const found: number[][] = [];
      const latency = await measureLatency(queries, async (q) => {
        throwIfCancelled(signal, "retrieval benchmark");
        const hits = await store.search(q.query, { mode, topK: k });
        found.push(hits.map((hit) => indexOf.get(hit.id) ?? -1));
        onProgress?.({ phase: mode, done: found.length, total: queries.length });
      });
      modes.push({
        mode,
        mrr: meanReciprocalRank(relevant, found, k),
        recall: recallAtK(relevant, found, k),
        meanMs: latency.mean,
      });
    }

    const lengths = dataset.documents.map((d) => d.text.length).sort((a, b) => a - b);
    const fromMetadata = dataset.documents.filter((d) => d.titleSource === "metadata").length;
    const embedder = store.embedder.id;
    const notes = [
      `Vector search embeds both the documents and the title queries with ${embedder}. The package's own ` +
        `${dataset.model} vectors are not used: a title query has to be embedded by the document vectors' ` +
        "model, and only that model's config and tokenizer are available offline, not its weights.",
      "Queries are the distinct document titles (known-item search); a title shared by several records " +
        "counts all of them as relevant.",
      "The indexed text is each record's content without the line its title came from (the **TITLE** line, " +
        "or the first heading when there is none), so full-text search has to match the body.",
      `${fromMetadata} of ${total} records have no title in their content; their query is the package's ` +
        "file-name title (e.g. 'btp-fiori-tools.md - Chunk 93'), which their text does not contain.",
      `Document texts are long (median ${lengths[Math.floor(lengths.length / 2)]} characters, longest ` +
        `${lengths[lengths.length - 1]}); full-text search indexes all of it, but the embedder reads only the ` +
        `start of each${embedder === "use-lite" ? " (use-lite keeps the first 128 tokens)" : ""}.`,
      "The vector index is flat (exact search) and auto-linking is off; hybrid fuses the vector and " +
        "full-text rankings by reciprocal rank.",
      `MRR@${k} scores the first relevant hit (0 when none is in the top ${k}); recall@${k} is the share ` +
        "of all relevant records found, pooled over queries. Latency is the mean per query, after one " +
        "untimed warm-up search per mode.",
    ];
    return {
      dataset: { name: "fiori-docs-embeddings", documents: total, queries: queries.length, embedder },
      k,
      modes,
      ingestMs,
      notes,
    };
  } finally {
    await store.close();
  }
}
