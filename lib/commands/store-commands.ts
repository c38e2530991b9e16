/** `:store`, `:ingest`, `:query` and `:dsl`: the commands that work on the capsule store directly. */
import { runDsl } from "../dsl/index.js";
import { ingest } from "../ingest/ingest.js";
import type { SearchMode } from "../store/types.js";
import { checkFlag } from "./parse.js";
import { fileLabel } from "./sample.js";
import type { CommandOptions, DslResult, IngestResult, QueryResult, StoreResult } from "./types.js";
import type { Workbench } from "./workbench.js";

/** `:store [path]`: the open store's stats; with a path, that store is opened (created if new) first. */
export async function storeCommand(bench: Workbench, args: { path?: string } = {}): Promise<StoreResult> {
  const before = bench.store.path;
  if (args.path) await bench.switchStore(args.path);
  return {
    kind: "store",
    stats: await bench.store.stats(),
    embedder: bench.embedder,
    opened: bench.store.path !== before,
  };
}

/**
 * `:ingest <paths…> [--tags a,b] [--strict]`: adds files and folders, one atomic write per file. A file
 * that cannot be read is skipped and listed in `report.skipped` (with `strict`, it fails the ingest
 * instead). Progress counts files; an abort stops between files (or inside a file's write, which then
 * leaves that file out) and rejects with `IngestCancelledError`, whose report lists what was stored.
 */
export async function ingestCommand(
  bench: Workbench,
  args: { paths: string[]; tags?: string[]; strict?: boolean },
  options: CommandOptions = {},
): Promise<IngestResult> {
  const report = await ingest(bench.store, args.paths, {
    tags: args.tags,
    strict: args.strict === true,
    signal: options.signal,
    onProgress: (p) => {
      if (p.phase !== "read") return;
      options.onProgress?.({
        job: "ingest",
        done: p.done,
        total: p.total,
        unit: "files",
        label: fileLabel(p.file),
      });
    },
  });
  return { kind: "ingest", report, count: await bench.store.count() };
}

/** `:query <text> [-k 5] [--tags a,b] [--mode vector|fts|hybrid]`: the closest capsules. */
export async function queryCommand(
  bench: Workbench,
  args: { text: string; k?: number; tags?: string[]; mode?: SearchMode },
): Promise<QueryResult> {
  checkFlag("query", "k", args.k);
  const mode = args.mode ?? "vector";
  const hits = await bench.store.search(args.text, { topK: args.k ?? 5, tags: args.tags, mode });
  return { kind: "query", text: args.text, mode, hits };
}

/** `:dsl <program>`: runs a DSL program over the store. */
export async function dslCommand(bench: Workbench, args: { program: string }): Promise<DslResult> {
  return { kind: "dsl", program: args.program, result: await runDsl(bench.store, args.program) };
}
