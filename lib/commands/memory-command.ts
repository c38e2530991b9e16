/** `:memory [view] [-n 10]`: the memory layers seen from the workbench. */
import { memoryCommunities } from "../memory/graph-rag.js";
import type { MemoryNode } from "../memory/types.js";
import { checkFlag } from "./parse.js";
import type { MemoryView } from "./specs.js";
import type { MemoryResult, MemoryRow } from "./types.js";
import type { Workbench } from "./workbench.js";

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

/**
 * One view of the memory: `summary` (counts per layer, due reviews, GROWTH version), the newest nodes of
 * `archive`, `shadow` or `growth`, `review` (SHADOW nodes due), `communities` (Louvain over the link
 * graph) or `history` (the newest GROWTH entries).
 */
export async function memoryCommand(
  bench: Workbench,
  args: { view?: MemoryView; n?: number } = {},
): Promise<MemoryResult> {
  checkFlag("memory", "n", args.n);
  const view = args.view ?? "summary";
  const n = args.n ?? 10;
  const memory = bench.pipeline.memory;
  switch (view) {
    case "summary": {
      const [capsules, archive, shadow, growth, review] = await Promise.all([
        bench.store.count(),
        memory.nodes("archive"),
        memory.nodes("shadow"),
        memory.nodes("growth"),
        memory.dueForReview(),
      ]);
      return {
        kind: "memory",
        view,
        counts: {
          capsules,
          archive: archive.length,
          shadow: shadow.length,
          growth: growth.length,
          review: review.length,
          version: memory.currentVersion,
        },
        total: capsules,
      };
    }
    case "archive":
    case "shadow":
    case "growth": {
      const nodes = await memory.nodes(view);
      return {
        kind: "memory",
        view,
        ...newest(
          nodes.map((node) => row(node)),
          n,
        ),
      };
    }
    case "review": {
      const nodes = await memory.dueForReview();
      return {
        kind: "memory",
        view,
        ...newest(
          nodes.map((node) => row(node, `review after ${node.reviewAfter}`)),
          n,
        ),
      };
    }
    case "communities": {
      const found = await memoryCommunities(memory);
      return { kind: "memory", view, communities: found.slice(0, n), total: found.length };
    }
    case "history": {
      const entries = await memory.history();
      const rows = entries.map((entry) => ({
        id: entry.delta?.node ?? -1,
        layer: "growth",
        level: "",
        kind: String(entry.delta?.op ?? "change"),
        title: entry.text,
        note: `v${entry.version} ${entry.at}`,
      }));
      return { kind: "memory", view, rows: rows.slice(-n).reverse(), total: rows.length };
    }
  }
}
