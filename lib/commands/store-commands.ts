/**
 * The commands that work on the capsule store directly: `store` (`stats`), `ingest`, `query` (`search`),
 * `dsl`, `rebuild-index` and `doctor`.
 */
import { runDsl } from "../dsl/index.js";
import { StoreError } from "../errors.js";
import { ingest } from "../ingest/ingest.js";
import { doctor } from "../store/doctor.js";
import { INDEX_KINDS } from "../store/index-policy.js";
import type { IndexKind, SearchMode } from "../store/types.js";
import { defineCommand, flag } from "./definition.js";
import { fileLabel } from "./sample.js";
import { checkFlag, K_FLAG, TAGS_FLAG, usageError } from "./specs.js";
import { skippedLine } from "./text.js";
import type {
  CommandOptions,
  DoctorResult,
  DslResult,
  IngestResult,
  QueryResult,
  ReindexResult,
  StoreResult,
} from "./types.js";
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
 * that cannot be read is skipped, listed in `report.skipped` and told to `options.onNote` (with `strict`, it
 * fails the ingest instead). Progress counts files; an abort stops between files (or inside a file's write,
 * which then leaves that file out) with `SIGLA_CANCELLED`.
 */
export async function ingestCommand(
  bench: Workbench,
  args: { paths: string[]; tags?: string[]; strict?: boolean },
  options: CommandOptions = {},
): Promise<IngestResult> {
  let files = { done: 0, total: 0 };
  const report = await ingest(bench.store, args.paths, {
    tags: args.tags,
    strict: args.strict === true,
    signal: options.signal,
    onWarning: (skip) => options.onNote?.(skippedLine(skip)),
    onProgress: (p) => {
      // Files are the count; a file's vectors entering the index (a rebuild now and then as the store
      // grows, minutes at a million capsules) shows in the label until the next file.
      if (p.phase === "read") files = { done: p.done, total: p.total };
      else if (p.phase !== "index" || p.done > 0) return;
      options.onProgress?.({
        job: "ingest",
        ...files,
        unit: "files",
        label: p.phase === "index" ? `${fileLabel(p.file)}: indexing` : fileLabel(p.file),
      });
    },
  });
  return { kind: "ingest", report, count: await bench.store.count(), warned: options.onNote !== undefined };
}

/** `:query <text> [-k 5] [--tags a,b] [--mode vector|fts|hybrid]`: the closest capsules. */
export async function queryCommand(
  bench: Workbench,
  args: { text: string; k?: number; tags?: string[]; mode?: SearchMode },
): Promise<QueryResult> {
  checkFlag(QUERY, "k", args.k);
  const mode = args.mode ?? "vector";
  const hits = await bench.store.search(args.text, { topK: args.k ?? 5, tags: args.tags, mode });
  return { kind: "query", text: args.text, mode, hits };
}

/** `:dsl <program>`: runs a DSL program over the store. */
export async function dslCommand(bench: Workbench, args: { program: string }): Promise<DslResult> {
  return { kind: "dsl", program: args.program, result: await runDsl(bench.store, args.program) };
}

/** `:rebuild-index --kind flat|ivf|hnsw`: rebuilds the vector index as that kind. */
export async function reindexCommand(bench: Workbench, args: { kind: IndexKind }): Promise<ReindexResult> {
  const started = performance.now();
  const index = await bench.store.rebuildIndex({ kind: args.kind });
  const ms = Math.round(performance.now() - started);
  return { kind: "reindex", index, count: await bench.store.count(), ms };
}

export const STORE = defineCommand({
  name: "store",
  aliases: ["stats"],
  args: "path",
  required: false,
  flags: [],
  usage: ":store [path]",
  summary: "show the open store (count, embedder, index, links); with a path, open that store instead",
  positional: "path",
  opens: "store",
  input: (parsed) => ({ path: parsed.words[0] }),
  async run(context, args: { path?: string }) {
    return storeCommand(await context.workbench(), args);
  },
  json: (result) => result.stats,
});

export const INGEST = defineCommand({
  name: "ingest",
  args: "paths",
  required: true,
  flags: [
    { ...TAGS_FLAG, help: "tags added to every capsule" },
    {
      name: "strict",
      kind: "boolean",
      help: "fail on the first unreadable file (default: skip it with a warning)",
    },
  ],
  usage: ":ingest <paths…> [--tags a,b] [--strict]",
  summary:
    "add files and folders (.txt .md .json .jsonl .csv .html); unreadable files are skipped and listed (--strict: fail instead); Ctrl-C stops between files",
  long: true,
  positional: "paths",
  opens: "new-store",
  input(parsed) {
    return {
      paths: parsed.words,
      tags: flag<string[]>(parsed, "tags"),
      strict: parsed.flags.strict === true,
    };
  },
  async run(context, args: { paths: string[] | string; tags?: string[]; strict?: boolean }, options) {
    const paths = typeof args.paths === "string" ? [args.paths] : args.paths;
    return ingestCommand(await context.workbench(), { ...args, paths }, options);
  },
  json: (result) => result.report,
});

export const QUERY = defineCommand({
  name: "query",
  aliases: ["search"],
  args: "text",
  required: true,
  flags: [
    { ...K_FLAG, aliases: ["top-k"] },
    TAGS_FLAG,
    {
      name: "mode",
      kind: "choice",
      choices: ["vector", "fts", "hybrid"],
      value: "<vector|fts|hybrid>",
      help: "search by meaning, words or both (default vector)",
    },
  ],
  usage: ':query "<text>" [-k 5] [--tags a,b] [--mode vector|fts|hybrid]',
  summary: "find the capsules closest to a text",
  positional: "text",
  opens: "store",
  input(parsed) {
    return {
      text: parsed.text,
      k: flag<number>(parsed, "k"),
      tags: flag<string[]>(parsed, "tags"),
      mode: flag<SearchMode>(parsed, "mode"),
    };
  },
  async run(context, args: { text: string; k?: number; tags?: string[]; mode?: SearchMode }) {
    return queryCommand(await context.workbench(), args);
  },
  json: (result) => result.hits,
});

export const DSL = defineCommand({
  name: "dsl",
  args: "raw",
  required: true,
  flags: [],
  usage: ':dsl INTENT "<text>" | RETRIEVE k=5 | EXPAND depth=1 | MERGE | INJECT "<template>"',
  summary: "run a DSL program and show its hits and prompt",
  positional: "program",
  opens: "store",
  input: (parsed) => ({ program: parsed.text }),
  async run(context, args: { program: string }) {
    return dslCommand(await context.workbench(), args);
  },
  json: (result) => result.result,
});

export const REINDEX = defineCommand({
  name: "rebuild-index",
  aliases: ["reindex"],
  args: "none",
  required: false,
  flags: [
    {
      name: "kind",
      kind: "choice",
      choices: INDEX_KINDS,
      required: true,
      value: `<${INDEX_KINDS.join("|")}>`,
      help: "the index kind to build",
    },
  ],
  usage: `:rebuild-index --kind ${INDEX_KINDS.join("|")}`,
  summary: "rebuild the vector index as a given kind",
  long: true,
  positional: "kind",
  opens: "store",
  input: (parsed) => ({ kind: flag<IndexKind>(parsed, "kind") as IndexKind }),
  async run(context, args: { kind: IndexKind }) {
    if (!INDEX_KINDS.includes(args.kind))
      throw usageError(REINDEX, `--kind must be one of ${INDEX_KINDS.join(", ")}`);
    return reindexCommand(await context.workbench(), args);
  },
  json: (result) => ({ kind: result.index, count: result.count, ms: result.ms }),
});

export const DOCTOR = defineCommand({
  name: "doctor",
  args: "none",
  required: false,
  flags: [
    {
      name: "repair",
      kind: "boolean",
      help: "fix what loses nothing: links, the full-text index, compaction, the snapshot",
    },
    {
      name: "accept-loss",
      kind: "boolean",
      help: "with --repair: also start an empty table for a lost one, roll back to the newest readable version, accept changed texts",
    },
  ],
  usage: ":doctor [--repair] [--accept-loss]",
  summary: "check the store row by row; --repair fixes what loses nothing, --accept-loss the rest",
  long: true,
  opens: "path",
  input: (parsed) => ({
    repair: parsed.flags.repair === true,
    acceptLoss: parsed.flags["accept-loss"] === true,
  }),
  async run(context, args: { repair?: boolean; acceptLoss?: boolean }) {
    if (args.repair && context.interactive) {
      throw usageError(DOCTOR, "--repair needs the store closed: run `sigla doctor --repair` from a shell");
    }
    const report = await doctor(context.storePath(), {
      repair: args.repair === true,
      acceptLoss: args.acceptLoss === true,
    });
    return { kind: "doctor", report, repair: args.repair === true } satisfies DoctorResult;
  },
  json: (result) => result.report,
  failure(result) {
    if (result.report.ok) return undefined;
    const failed = result.report.checks.filter((c) => !c.ok && !c.repaired).length;
    return new StoreError(
      "SIGLA_STORE_DAMAGED",
      `${failed} check${failed === 1 ? "" : "s"} failed${result.repair ? " and could not be repaired without giving something up (see above; --accept-loss)" : "; `sigla doctor --repair` fixes what loses nothing"}`,
    );
  },
});
