/**
 * The `sigla` command line: a thin door over the library. Each command opens a store, calls the public API
 * and prints the result as text or, with `--json`, as one JSON document on stdout. Errors print one line,
 * `code: message`, on stderr and exit non-zero (with the stack too when SIGLA_DEBUG is set).
 */
import { Command, CommanderError, Option } from "commander";
import { errorLine, ingestSummary, skippedLine } from "../commands/text.js";
import { config } from "../config.js";
import { InvalidInputError, StoreError } from "../errors.js";
import { ingest } from "../ingest/index.js";
import { type DoctorCheck, doctor } from "../store/doctor.js";
import type { IndexKind, SearchMode } from "../store/types.js";
import { LIMITS } from "../store/validate.js";
import {
  defaultIo,
  defaultStore,
  type Io,
  intOption,
  printHits,
  tagsOption,
  withInterrupt,
  withStore,
} from "./common.js";
import { addMemoryCommands } from "./memory-commands.js";
import { addModelCommands, profileOption } from "./model-commands.js";
import { progressBar } from "./progress-bar.js";

function program(io: Io): Command {
  const cli = new Command("sigla")
    .description("SIGLA: an offline memory workbench for LLM agents")
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride()
    .showHelpAfterError(false)
    .addHelpText(
      "after",
      "\nWith no command, sigla opens the REPL: sigla [--llm <spec>] [--profile home-cpu|home-gpu].",
    );

  const storeOption = () =>
    new Option("-s, --store <path>", "store folder").default(defaultStore(), "$SIGLA_HOME/store");
  const embedderOption = () =>
    new Option(
      "--embedder <spec>",
      "auto | use-lite | transformers:<model> (default $SIGLA_EMBEDDER or auto)",
    );

  cli
    .command("ingest")
    .description("add files and folders (.txt .md .json .jsonl .csv .html) to a store")
    .argument("<paths...>", "files or folders")
    .addOption(storeOption())
    .option("--tags <a,b>", "tags added to every capsule", tagsOption)
    .option("--strict", "fail on the first unreadable file instead of skipping it with a warning")
    .addOption(embedderOption())
    .option("--json", "print the report as JSON")
    .action(async (paths: string[], opts) => {
      await withStore(opts.store, opts, async (store) => {
        const bar = progressBar("ingest");
        try {
          const report = await withInterrupt(
            (signal) =>
              ingest(store, paths, {
                tags: opts.tags,
                strict: Boolean(opts.strict),
                signal,
                onProgress: (p) => bar.update(p.done, p.total, p.file),
                onWarning: (skip) => {
                  bar.stop();
                  io.err(`${skippedLine(skip)}\n`);
                },
              }),
            () => new InvalidInputError("ingest cancelled"),
          );
          bar.stop();
          if (opts.json) io.out(`${JSON.stringify(report)}\n`);
          else io.out(`${ingestSummary(report)}\n`);
        } finally {
          bar.stop();
        }
      });
    });

  cli
    .command("search")
    .description("find the capsules closest to a text")
    .argument("<query>", "what to look for")
    .addOption(storeOption())
    .option("-k, --top-k <n>", `number of results (at most ${LIMITS.topK})`, intOption("-k", LIMITS.topK), 5)
    .option("--tags <a,b>", "only capsules carrying all these tags", tagsOption)
    .addOption(
      new Option("--mode <mode>", "vector | fts | hybrid")
        .choices(["vector", "fts", "hybrid"])
        .default("vector"),
    )
    .addOption(embedderOption())
    .option("--json", "print the hits as JSON")
    .action(async (query: string, opts) => {
      await withStore(opts.store, { embedder: opts.embedder, create: false }, async (store) => {
        const hits = await store.search(query, {
          topK: opts.topK,
          tags: opts.tags,
          mode: opts.mode as SearchMode,
        });
        if (opts.json) io.out(`${JSON.stringify(hits)}\n`);
        else printHits(io, hits);
      });
    });

  cli
    .command("stats")
    .description("size, embedder, index and links of a store")
    .addOption(storeOption())
    .option("--json", "print as JSON")
    .action(async (opts) => {
      await withStore(opts.store, { create: false }, async (store) => {
        const stats = await store.stats();
        if (opts.json) io.out(`${JSON.stringify(stats)}\n`);
        else for (const [key, value] of Object.entries(stats)) io.out(`${key}: ${value}\n`);
      });
    });

  cli
    .command("rebuild-index")
    .description("rebuild the vector index as a given kind")
    .addOption(storeOption())
    .addOption(
      new Option("--kind <kind>", "flat | ivf | hnsw").choices(["flat", "ivf", "hnsw"]).makeOptionMandatory(),
    )
    .option("--json", "print as JSON")
    .action(async (opts) => {
      await withStore(opts.store, { create: false }, async (store) => {
        const started = performance.now();
        const kind = await store.rebuildIndex({ kind: opts.kind as IndexKind });
        const ms = Math.round(performance.now() - started);
        if (opts.json) io.out(`${JSON.stringify({ kind, count: await store.count(), ms })}\n`);
        else io.out(`index rebuilt as ${kind} in ${ms} ms\n`);
      });
    });

  cli
    .command("doctor")
    .description("check a store row by row; --repair fixes what loses nothing, --accept-loss the rest")
    .addOption(storeOption())
    .option("--repair", "fix what loses nothing: links, the full-text index, compaction, the snapshot")
    .option(
      "--accept-loss",
      "with --repair: also start an empty table for a lost one, roll back to the newest readable version, accept the table and changed texts as they are",
    )
    .option("--json", "print the report as JSON")
    .action(async (opts) => {
      const report = await doctor(opts.store, {
        repair: Boolean(opts.repair),
        acceptLoss: Boolean(opts.acceptLoss),
        onCheck: opts.json ? undefined : (check) => io.out(`${doctorLine(check)}\n`),
      });
      if (opts.json) io.out(`${JSON.stringify(report)}\n`);
      if (!report.ok) {
        const failed = report.checks.filter((c) => !c.ok && !c.repaired).length;
        throw new StoreError(
          "SIGLA_STORE_DAMAGED",
          `${failed} check${failed === 1 ? "" : "s"} failed${opts.repair ? " and could not be repaired without giving something up (see above; --accept-loss)" : "; `sigla doctor --repair` fixes what loses nothing"}`,
        );
      }
    });

  addMemoryCommands(cli, io, { storeOption, embedderOption });
  addModelCommands(cli, io);
  return cli;
}

/** One doctor check as a line: ✓ or ✗, what was found, and what the repair did. */
function doctorLine(check: DoctorCheck): string {
  const mark = check.ok ? "✓" : check.repaired ? "✗ → repaired" : "✗";
  return `${mark} ${check.name}: ${check.detail}${check.repaired ? ` (${check.repaired})` : ""}`;
}

/** What the REPL takes on the command line: `sigla [--llm <spec>] [--profile <name>]`. */
export interface InteractiveOptions {
  llm?: string;
  profile?: string;
}

/** What `sigla` does with no command: the REPL, supplied by `bin/sigla.js` (lib/ never imports a front end). */
export interface MainOptions {
  /** Runs the interactive front end and resolves with its exit code. Without it, no arguments print help. */
  interactive?: (options: InteractiveOptions) => Promise<number>;
}

/** The REPL's own flags, parsed (and refused) by commander like any command's. */
function interactiveProgram(io: Io): Command {
  return new Command("sigla")
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride()
    .option("--llm <spec>", "model that writes the answers (default $SIGLA_LLM)")
    .addOption(profileOption())
    .allowExcessArguments(false);
}

/**
 * Runs the CLI with `argv` (without node and script) and returns the exit code. With no command — no
 * arguments, or only `--llm`/`--profile` — it runs `options.interactive` (the REPL) when given, and prints
 * the help otherwise.
 */
export async function main(argv: string[], io: Io = defaultIo, options: MainOptions = {}): Promise<number> {
  const cli = program(io);
  const replFlags = argv.length === 0 || /^--(llm|profile)(=|$)/.test(argv[0]);
  if (replFlags && !options.interactive) {
    cli.outputHelp();
    return 0;
  }
  try {
    if (replFlags && options.interactive) {
      const repl = interactiveProgram(io).parse(argv, { from: "user" });
      return await options.interactive(repl.opts<InteractiveOptions>());
    }
    await cli.parseAsync(argv, { from: "user" });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander already printed its message (usage errors) or the help/version text.
      return error.exitCode === 0 ? 0 : 2;
    }
    io.err(`${errorLine(error)}\n`);
    if (config().debug && error instanceof Error && error.stack) io.err(`${error.stack}\n`);
    return 1;
  }
}
