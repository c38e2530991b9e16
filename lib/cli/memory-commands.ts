import { type Command, Option } from "commander";
import { answeredBy, answerText, metricsLine, PARTIAL_NOTE, traceLine } from "../commands/text.js";
import { runDsl } from "../dsl/index.js";
import { CancelledError, InvalidInputError, UnknownIdError } from "../errors.js";
import { openModel } from "../llm/models.js";
import { promote, raiseLevel, redactNode } from "../memory/gates.js";
import { memoryCommunities, refreshSummaries } from "../memory/graph-rag.js";
import { Memory } from "../memory/layers.js";
import { ARCHIVE_KINDS, type MemoryNode, type NodeSource, SHADOW_KINDS } from "../memory/types.js";
import { checkConnectors } from "../pipeline/connectors.js";
import { modelSummarizer } from "../pipeline/model-answer.js";
import { Pipeline } from "../pipeline/pipeline.js";
import type { ContextWindow } from "../pipeline/turn.js";
import type { TraceEvent } from "../pipeline/types.js";
import { type Io, intOption, printHits, withInterrupt, withStore } from "./common.js";
import { profileOption } from "./model-commands.js";

/** Digits only: `Number` would take "", "1e3", "0x1f" and " 7 " as ids. */
function idArgument(value: string): number {
  const id = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(id)) {
    throw new InvalidInputError(`id must be a capsule id (digits), got "${value}"`);
  }
  return id;
}

/** The kinds a node of `layer` may have; anything else is named with the valid ones. */
function checkKind(layer: "archive" | "shadow", kind: unknown): void {
  if (kind === undefined) return;
  const kinds: readonly string[] = layer === "archive" ? ARCHIVE_KINDS : SHADOW_KINDS;
  if (!kinds.includes(String(kind))) {
    throw new InvalidInputError(
      `--kind for ${layer === "archive" ? "an archive" : "a shadow"} node must be one of ${kinds.join(", ")}, got "${kind}"`,
    );
  }
}

function nodeLine(node: MemoryNode): string {
  return `${node.id}\t${node.layer}/${node.level}\t${node.kind}\t${node.title}\n`;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function addMemoryCommands(
  cli: Command,
  io: Io,
  options: { storeOption: () => Option; embedderOption: () => Option },
): void {
  const { storeOption, embedderOption } = options;
  const print = (json: boolean, value: unknown, text: () => string) =>
    io.out(json ? `${JSON.stringify(value)}\n` : text());

  cli
    .command("ask")
    .description("run a message through the ten-step pipeline")
    .argument("<message>", "what to ask")
    .addOption(storeOption())
    .option("--session <id>", "session to continue (saved beside the store)", "default")
    .option("--trace", "print each step as it finishes")
    .option("--shared", "a session several people share (SIBYL speaks)")
    .option("--connector <folder>", "a local folder searched when memory is not enough (repeatable)", collect)
    .addOption(
      new Option("--window <tokens>", "context window").choices(["8192", "32768", "131072"]).default("8192"),
    )
    .addOption(embedderOption())
    .option(
      "--llm <spec>",
      "model that writes the answer: a .gguf file, a model folder or a cached hub id (default $SIGLA_LLM; none: the offline answerer)",
    )
    .addOption(profileOption())
    .option(
      "--max-tokens <n>",
      "most tokens the model writes per call (default 384)",
      intOption("--max-tokens", 32768),
    )
    .option("--json", "print the turn (answer, summary, citations, by, partial, metrics, trace) as JSON")
    .action(async (message: string, opts) => {
      // A missing connector or model is refused before anything is opened or created.
      await checkConnectors(opts.connector ?? []);
      const runner = await openModel(opts.llm, opts.profile);
      // Ctrl-C while the model writes stops it and the partial answer is printed; earlier it cancels the turn.
      try {
        await withInterrupt(
          (signal) =>
            withStore(opts.store, opts, async (store) => {
              const pipeline = await Pipeline.open(store, {
                contextWindow: Number(opts.window) as ContextWindow,
                connectors: opts.connector ?? [],
                runner,
                maxAnswerTokens: opts.maxTokens,
              });
              try {
                const session = await pipeline.session(opts.session, { shared: Boolean(opts.shared) });
                // The model's text streams to stdout as it comes; whatever prints next starts on a line of its own.
                let streamed = false;
                let lineOpen = false;
                const line = (text: string) => {
                  io.out(`${lineOpen ? "\n" : ""}${text}\n`);
                  lineOpen = false;
                };
                const onTrace =
                  opts.trace && !opts.json
                    ? (e: TraceEvent) => e.status === "end" && line(traceLine(e))
                    : undefined;
                const onToken = opts.json
                  ? undefined
                  : (piece: string) => {
                      streamed = true;
                      lineOpen = !piece.endsWith("\n");
                      io.out(piece);
                    };
                const result = await pipeline.ask(session, message, {
                  onTrace,
                  onToken,
                  signal,
                });
                if (result.partial) io.err(`sigla: ${PARTIAL_NOTE} (interrupted)\n`);
                if (opts.json) io.out(`${JSON.stringify(result)}\n`);
                else {
                  if (streamed) line("");
                  line(
                    `${answerText(result)}\n\n${metricsLine(result.metrics)}  (session ${result.session}, turn ${result.turn}, ${answeredBy(result.by)})`,
                  );
                }
              } finally {
                await pipeline.close();
              }
            }),
          () => new CancelledError("ask"),
        );
      } finally {
        await runner?.close();
      }
    });

  cli
    .command("dsl")
    .description(
      'run a DSL program, e.g. INTENT "index types" | RETRIEVE k=8 | EXPAND depth=1 | MERGE | INJECT "{{context}}"',
    )
    .argument("<program>", "the program")
    .addOption(storeOption())
    .addOption(embedderOption())
    .option("--json", "print the result as JSON")
    .action(async (program: string, opts) => {
      await withStore(opts.store, { ...opts, create: false }, async (store) => {
        const result = await runDsl(store, program);
        print(opts.json, result, () => {
          printHits(io, result.hits);
          return result.prompt ? `\n${result.prompt}\n` : "";
        });
      });
    });

  const memory = cli.command("memory").description("the ARCHIVE / SHADOW / GROWTH layers of a store");
  /**
   * Opens the memory of an existing store (only `memory add` may create one). The GROWTH log is lazy, so
   * a read or a refused gate leaves nothing new on disk.
   */
  const withMemory = <T>(
    opts: { store: string },
    work: (memory: Memory) => Promise<T>,
    options: { create?: boolean } = {},
  ) => {
    return withStore(opts.store, { create: options.create === true }, async (store) => {
      const memory = await Memory.open(store, { lazyGrowth: true });
      try {
        return await work(memory);
      } finally {
        await memory.close();
      }
    });
  };

  memory
    .command("add")
    .description("add a node to ARCHIVE or SHADOW")
    .argument("<content>", "the node's text")
    .addOption(storeOption())
    .addOption(
      new Option("--layer <layer>", "archive | shadow").choices(["archive", "shadow"]).default("shadow"),
    )
    .option("--title <title>", "a title (default: the first sentence)")
    .option("--kind <kind>", `${ARCHIVE_KINDS.join(", ")} (archive) or ${SHADOW_KINDS.join(", ")} (shadow)`)
    .addOption(
      new Option("--source-type <type>", "file | web | connector | conversation").choices([
        "file",
        "web",
        "connector",
        "conversation",
      ]),
    )
    .option("--source <ref>", "where it comes from (a path, URL, capsule:<id>, session:<id>#<turn>)")
    .option("--json", "print the node as JSON")
    .action(async (content: string, opts) => {
      // Checked before the store opens: a bad value never reaches the disk.
      checkKind(opts.layer, opts.kind);
      if (opts.sourceType && !opts.source) {
        throw new InvalidInputError("--source-type needs --source (the path, URL or id it describes)");
      }
      if (opts.title !== undefined && opts.title.trim() === "")
        throw new InvalidInputError("--title is empty");
      if (opts.source !== undefined && opts.source.trim() === "")
        throw new InvalidInputError("--source is empty");
      await withMemory(
        opts,
        async (mem) => {
          const source: NodeSource | undefined = opts.source
            ? { type: opts.sourceType ?? "file", ref: opts.source, retrieved_at: new Date().toISOString() }
            : undefined;
          const input = { content, title: opts.title, kind: opts.kind, source };
          const node = opts.layer === "archive" ? await mem.archive(input) : await mem.shadow(input);
          print(opts.json, node, () => nodeLine(node));
        },
        { create: true },
      );
    });

  memory
    .command("promote")
    .description("move a SHADOW node to ARCHIVE through the SIFT gate")
    .argument("<id>", "node id", idArgument)
    .addOption(storeOption())
    .option("--json", "print the node as JSON")
    .action(async (id: number, opts) => {
      await withMemory(opts, async (mem) => {
        const node = await promote(mem, id);
        print(opts.json, node, () => `promoted: ${nodeLine(node)}`);
      });
    });

  memory
    .command("redact")
    .description("RAW → REDACTED: write a redacted copy of a node (PII, secrets, prompt injections)")
    .argument("<id>", "node id", idArgument)
    .addOption(storeOption())
    .option("--json", "print the copy as JSON")
    .action(async (id: number, opts) => {
      await withMemory(opts, async (mem) => {
        const node = await redactNode(mem, id);
        print(opts.json, node, () => `redacted copy: ${nodeLine(node)}${node.content}\n`);
      });
    });

  memory
    .command("raise")
    .description("REDACTED → DERIVED → GOLD through the level gates")
    .argument("<id>", "node id", idArgument)
    .addOption(storeOption())
    .requiredOption("--reason <text>", "why the node moves up")
    .option("--approved-by <name>", "who checked it (needed for GOLD)")
    .option("--json", "print the node as JSON")
    .action(async (id: number, opts) => {
      await withMemory(opts, async (mem) => {
        const node = await raiseLevel(mem, id, { reason: opts.reason, approvedBy: opts.approvedBy });
        print(opts.json, node, () => `raised: ${nodeLine(node)}`);
      });
    });

  memory
    .command("review")
    .description("SHADOW nodes due for review (or every SHADOW node with --all)")
    .addOption(storeOption())
    .option("--all", "list every SHADOW node")
    .option("--json", "print as JSON")
    .action(async (opts) => {
      await withMemory(opts, async (mem) => {
        const nodes = opts.all ? await mem.nodes("shadow") : await mem.dueForReview();
        print(opts.json, nodes, () =>
          nodes.length
            ? nodes.map((n) => `${nodeLine(n).trimEnd()}\treview after ${n.reviewAfter}\n`).join("")
            : "nothing to review\n",
        );
      });
    });

  memory
    .command("communities")
    .description("communities of the link graph, with --refresh their SUMMARY nodes")
    .addOption(storeOption())
    .option("--refresh", "write or refresh the community summaries")
    .option("--llm <spec>", "model that writes the summaries (default $SIGLA_LLM; none: extractive)")
    .addOption(profileOption())
    .option("--json", "print as JSON")
    .action(async (opts) => {
      // Only a refresh writes summaries: only then is a model opened (and refused before the store opens).
      const runner = opts.refresh ? await openModel(opts.llm, opts.profile) : undefined;
      try {
        await withMemory(opts, async (mem) => {
          if (opts.refresh) {
            const report = await refreshSummaries(mem, runner ? { summarizer: modelSummarizer(runner) } : {});
            print(
              opts.json,
              report,
              () =>
                `${report.written} summaries written, ${report.kept} kept, ${report.removed} removed\n${report.summaries.map(nodeLine).join("")}`,
            );
            return;
          }
          const found = await memoryCommunities(mem);
          print(opts.json, found, () =>
            found.length
              ? found
                  .map(
                    (c) => `${c.index}\t${c.members.length} members\t${c.members.slice(0, 12).join(" ")}\n`,
                  )
                  .join("")
              : "no communities\n",
          );
        });
      } finally {
        await runner?.close();
      }
    });

  memory
    .command("history")
    .description("the GROWTH log: every change of memory, in order")
    .addOption(storeOption())
    .option("--node <id>", "only changes of this node", idArgument)
    .option("--json", "print as JSON")
    .action(async (opts) => {
      await withMemory(opts, async (mem) => {
        const entries = await mem.history({ node: opts.node });
        // A node that never existed has no history; one that was removed still has its log.
        if (opts.node !== undefined && entries.length === 0 && !(await mem.store.get(opts.node))) {
          throw new UnknownIdError(opts.node, "memory node");
        }
        print(
          opts.json,
          entries,
          () => entries.map((e) => `v${e.version}\t${e.at}\t${e.text}\n`).join("") || "no history\n",
        );
      });
    });
}
