/**
 * `:memory`: the memory layers seen from the workbench (`summary`, `archive`, `shadow`, `growth`,
 * `review`, `communities`, `history`) and what changes them (`add`, `promote`, `redact`, `raise`, `link`,
 * `anchor`). Checks run before anything is written: a bad value never reaches the disk.
 */
import { InvalidInputError, UnknownIdError } from "../errors.js";
import type { Community } from "../graph/communities.js";
import { topTerms } from "../graph/top-terms.js";
import { addAnchor } from "../memory/anchors.js";
import { promote, raiseLevel, redactNode } from "../memory/gates.js";
import { memoryCommunities, refreshSummaries } from "../memory/graph-rag.js";
import type { NewNode } from "../memory/layers.js";
import {
  ARCHIVE_KINDS,
  EDGE_TYPES,
  type EdgeType,
  type MemoryNode,
  type NodeSource,
  SHADOW_KINDS,
} from "../memory/types.js";
import { modelSummarizer } from "../pipeline/model-answer.js";
import { defineCommand, flag } from "./definition.js";
import {
  checkFlag,
  MEMORY_ACTIONS,
  MEMORY_VIEWS,
  type MemoryAction,
  type MemoryView,
  usageError,
} from "./specs.js";
import type { MemoryNodeResult, MemoryResult, MemoryRow } from "./types.js";
import type { Workbench } from "./workbench.js";

/** `:memory`'s typed arguments: a view or an action, and the flags they take. */
export interface MemoryArgs {
  view?: MemoryView | MemoryAction;
  /** Rows shown (views). */
  n?: number;
  /** add / anchor: the node's text; link: `<from> <type> <to>`; promote, redact, raise: the node id. */
  target?: string;
  layer?: "archive" | "shadow";
  title?: string;
  /** The node kind (add). */
  nodeKind?: string;
  sourceType?: NodeSource["type"];
  source?: string;
  reason?: string;
  approvedBy?: string;
  /** review: every SHADOW node, not only those due. */
  all?: boolean;
  /** communities: write or refresh the SUMMARY nodes. */
  refresh?: boolean;
  /** history: only changes of this node. */
  node?: string;
}

function row(node: MemoryNode, note?: string): MemoryRow {
  return {
    id: node.id,
    layer: node.layer,
    level: node.level,
    kind: node.kind,
    title: node.title,
    ...(note !== undefined && { note }),
  };
}

/** Newest first, cut to `n`; `total` keeps the count before the cut. */
function newest(rows: MemoryRow[], n: number): { rows: MemoryRow[]; total: number } {
  const sorted = [...rows].sort((a, b) => b.id - a.id);
  return { rows: sorted.slice(0, n), total: rows.length };
}

/** Digits only: `Number` would take "", "1e3", "0x1f" and " 7 " as ids. */
function nodeId(value: string | undefined, what = "id"): number {
  const id = Number(value);
  if (value === undefined || !/^\d+$/.test(value) || !Number.isSafeInteger(id)) {
    throw new InvalidInputError(`${what} must be a capsule id (digits), got "${value ?? ""}"`);
  }
  return id;
}

async function summary(bench: Workbench): Promise<MemoryResult> {
  const memory = await bench.layers();
  const [capsules, archive, shadow, growth, review] = await Promise.all([
    bench.store.count(),
    memory.nodes("archive"),
    memory.nodes("shadow"),
    memory.nodes("growth"),
    memory.dueForReview(),
  ]);
  const counts = {
    capsules,
    archive: archive.length,
    shadow: shadow.length,
    growth: growth.length,
    review: review.length,
    version: memory.currentVersion,
  };
  return { kind: "memory", view: "summary", counts, total: capsules };
}

/** One view of the memory: counts, the newest nodes of a layer, due reviews, communities, the GROWTH log. */
async function memoryView(bench: Workbench, view: MemoryView, args: MemoryArgs): Promise<MemoryResult> {
  const n = args.n ?? 10;
  const memory = await bench.layers();
  switch (view) {
    case "summary":
      return summary(bench);
    case "archive":
    case "shadow":
    case "growth": {
      const nodes = await memory.nodes(view);
      return {
        kind: "memory",
        view,
        nodes,
        ...newest(
          nodes.map((node) => row(node)),
          n,
        ),
      };
    }
    case "review": {
      const nodes = args.all ? await memory.nodes("shadow") : await memory.dueForReview();
      const rows = nodes.map((node) => row(node, `review after ${node.reviewAfter}`));
      return { kind: "memory", view, nodes, ...newest(rows, n) };
    }
    case "communities": {
      if (args.refresh) {
        const summarizer = bench.runner ? { summarizer: modelSummarizer(bench.runner) } : {};
        const refreshed = await refreshSummaries(memory, summarizer);
        const rows = refreshed.summaries.map((node) => row(node));
        return { kind: "memory", view, refreshed, rows, total: rows.length };
      }
      const found = await memoryCommunities(memory);
      const shown = await Promise.all(
        found
          .slice(0, n)
          .map(async (community) => ({ ...community, terms: await communityTerms(bench, community) })),
      );
      return { kind: "memory", view, communities: shown, total: found.length };
    }
    case "history": {
      const node = args.node === undefined ? undefined : nodeId(args.node);
      const entries = await memory.history({ node });
      // A node that never existed has no history; one that was removed still has its log.
      if (node !== undefined && entries.length === 0 && !(await memory.store.get(node))) {
        throw new UnknownIdError(node, "memory node");
      }
      const rows = entries.map((entry) => ({
        id: entry.delta?.node ?? -1,
        layer: "growth",
        level: "",
        kind: String(entry.delta?.op ?? "change"),
        title: entry.text,
        note: `v${entry.version} ${entry.at}`,
      }));
      return { kind: "memory", view, entries, rows: rows.slice(-n).reverse(), total: rows.length };
    }
  }
}

/** What a community is about: the top terms of its first members' texts (a name better than its index). */
async function communityTerms(bench: Workbench, community: Community): Promise<string[]> {
  const texts: string[] = [];
  for (const id of community.members.slice(0, 40)) {
    const capsule = await bench.store.get(id);
    if (capsule) texts.push(capsule.text);
  }
  return topTerms(texts, 3);
}

/** The kinds a node of `layer` may have; anything else is named with the valid ones. */
function checkKind(layer: "archive" | "shadow", kind: string | undefined): void {
  if (kind === undefined) return;
  const kinds: readonly string[] = layer === "archive" ? ARCHIVE_KINDS : SHADOW_KINDS;
  if (!kinds.includes(kind)) {
    throw new InvalidInputError(
      `--kind for ${layer === "archive" ? "an archive" : "a shadow"} node must be one of ${kinds.join(", ")}, got "${kind}"`,
    );
  }
}

/** The node's source from `--source` and `--source-type`, checked. */
function sourceOf(args: MemoryArgs): NodeSource | undefined {
  if (args.sourceType && !args.source) {
    throw new InvalidInputError("--source-type needs --source (the path, URL or id it describes)");
  }
  if (args.source === undefined) return undefined;
  if (args.source.trim() === "") throw new InvalidInputError("--source is empty");
  return { type: args.sourceType ?? "file", ref: args.source, retrieved_at: new Date().toISOString() };
}

/** Checks an add's values before the store is touched. */
function checkAdd(args: MemoryArgs): void {
  if (!args.target?.trim()) throw usageError(MEMORY, `${args.view} needs the node's text`);
  checkKind(args.layer ?? "shadow", args.nodeKind);
  if (args.title !== undefined && args.title.trim() === "") throw new InvalidInputError("--title is empty");
  sourceOf(args);
}

/** `link <from> <type> <to>`, checked. */
function linkOf(target: string | undefined): { from: number; type: EdgeType; to: number } {
  const [from, type, to, ...extra] = (target ?? "").split(/\s+/).filter(Boolean);
  if (to === undefined || extra.length > 0) throw usageError(MEMORY, "link takes <from> <type> <to>");
  if (!EDGE_TYPES.includes(type as EdgeType)) {
    throw new InvalidInputError(`edge type must be one of ${EDGE_TYPES.join(", ")}, got "${type}"`);
  }
  return { from: nodeId(from, "from"), type: type as EdgeType, to: nodeId(to, "to") };
}

/** A change of memory: a node added, moved through a gate, linked or anchored. */
async function memoryAction(
  bench: Workbench,
  action: MemoryAction,
  args: MemoryArgs,
): Promise<MemoryNodeResult> {
  const memory = await bench.layers();
  const done = (action: MemoryNodeResult["action"], node: MemoryNode): MemoryNodeResult => ({
    kind: "memory-node",
    action,
    node,
  });
  switch (action) {
    case "add": {
      const input = {
        content: args.target as string,
        title: args.title,
        kind: args.nodeKind as NewNode["kind"],
        source: sourceOf(args),
      };
      return done(
        "added",
        args.layer === "archive" ? await memory.archive(input) : await memory.shadow(input),
      );
    }
    case "anchor": {
      const source = sourceOf(args);
      if (!source) throw usageError(MEMORY, "anchor needs --source (where the fact comes from)");
      return done("anchored", await addAnchor(memory, { content: args.target as string, source }));
    }
    case "promote":
      return done("promoted", await promote(memory, nodeId(args.target)));
    case "redact":
      return done("redacted copy", await redactNode(memory, nodeId(args.target)));
    case "raise": {
      if (!args.reason?.trim()) throw usageError(MEMORY, "raise needs --reason (why the node moves up)");
      const id = nodeId(args.target);
      return done(
        "raised",
        await raiseLevel(memory, id, { reason: args.reason, approvedBy: args.approvedBy }),
      );
    }
    case "link": {
      const { from, type, to } = linkOf(args.target);
      return done("linked", await memory.link(from, type, to));
    }
  }
}

/** Runs `:memory`: a view, or an action once its values are checked. */
export async function memoryCommand(
  bench: Workbench,
  args: MemoryArgs = {},
): Promise<MemoryResult | MemoryNodeResult> {
  checkFlag(MEMORY, "n", args.n);
  const view = args.view ?? "summary";
  if ((MEMORY_ACTIONS as readonly string[]).includes(view)) {
    return memoryAction(bench, view as MemoryAction, args);
  }
  return memoryView(bench, view as MemoryView, args);
}

const str = { kind: "string" } as const;

export const MEMORY = defineCommand({
  name: "memory",
  args: "text",
  required: false,
  words: [...MEMORY_VIEWS, ...MEMORY_ACTIONS],
  flags: [
    { name: "n", short: "n", kind: "int", min: 1, max: 1000, value: "<n>", help: "rows (default 10)" },
    {
      name: "layer",
      kind: "choice",
      choices: ["archive", "shadow"],
      value: "<archive|shadow>",
      help: "add: the layer (default shadow)",
    },
    { ...str, name: "title", value: "<title>", help: "add: a title (default: the first sentence)" },
    {
      ...str,
      name: "kind",
      value: "<kind>",
      help: `add: ${ARCHIVE_KINDS.join(", ")} (archive) or ${SHADOW_KINDS.join(", ")} (shadow)`,
    },
    {
      name: "source-type",
      kind: "choice",
      choices: ["file", "web", "connector", "conversation"],
      value: "<type>",
      help: "add/anchor: file | web | connector | conversation",
    },
    {
      ...str,
      name: "source",
      value: "<ref>",
      help: "add/anchor: where it comes from (a path, URL, capsule:<id>, session:<id>#<turn>)",
    },
    { ...str, name: "reason", value: "<text>", help: "raise: why the node moves up" },
    { ...str, name: "approved-by", value: "<name>", help: "raise: who checked it (needed for GOLD)" },
    { name: "all", kind: "boolean", help: "review: every SHADOW node, not only those due" },
    { name: "refresh", kind: "boolean", help: "communities: write or refresh their SUMMARY nodes" },
    { ...str, name: "node", value: "<id>", help: "history: only changes of this node" },
  ],
  usage:
    ":memory [summary|archive|shadow|growth|review|communities|history] [-n 10] | :memory add|anchor <text> [--layer …] [--source …] | :memory promote|redact|raise <id> | :memory link <from> <type> <to>",
  summary:
    "the memory layers (counts, nodes, due reviews, communities, the GROWTH log) and what changes them: add, anchor, promote (SIFT gate), redact, raise (level gates), link (typed edges)",
  positional: "view",
  opens: "store",
  input(parsed): MemoryArgs {
    const [view, ...rest] = parsed.words;
    const known = [...MEMORY_VIEWS, ...MEMORY_ACTIONS] as readonly string[];
    if (view !== undefined && !known.includes(view)) {
      throw usageError(MEMORY, `"${view}" is not one of ${known.join(", ")}`);
    }
    if (!(MEMORY_ACTIONS as readonly string[]).includes(view ?? "") && rest.length > 0) {
      throw usageError(MEMORY, `takes one argument, got ${parsed.words.length}: ${parsed.words.join(" ")}`);
    }
    const args: MemoryArgs = {
      view: view as MemoryArgs["view"],
      n: flag<number>(parsed, "n"),
      target: rest.length > 0 ? rest.join(" ") : undefined,
      layer: flag<"archive" | "shadow">(parsed, "layer"),
      title: flag<string>(parsed, "title"),
      nodeKind: flag<string>(parsed, "kind"),
      sourceType: flag<NodeSource["type"]>(parsed, "source-type"),
      source: flag<string>(parsed, "source"),
      reason: flag<string>(parsed, "reason"),
      approvedBy: flag<string>(parsed, "approved-by"),
      all: flag<boolean>(parsed, "all"),
      refresh: flag<boolean>(parsed, "refresh"),
      node: flag<string>(parsed, "node"),
    };
    return args;
  },
  async run(context, args: MemoryArgs) {
    // Checked here, once, for parsed lines and typed calls alike, before the store is touched.
    if (args.view === "add" || args.view === "anchor") checkAdd(args);
    // Only adding may create a store; everything else reads or changes an existing one.
    return memoryCommand(await context.workbench(), args);
  },
  json(result) {
    if (result.kind === "memory-node") return result.node;
    return result.refreshed ?? result.entries ?? result.nodes ?? result.communities ?? result.counts;
  },
});
