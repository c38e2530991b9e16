/**
 * The ArchiveNode view of a memory node (Iskra §3.8.2): what validators, exports and regressions see.
 * Capsule ids become `arch_<id>` strings; EVIDENCE_OF edges, which the canonical schema does not list,
 * stay in the store's typed edges and are left out of this view.
 */
import type { MemoryNode } from "./types.js";

/** The JSON shape of §3.8.2. */
export interface ArchiveNode {
  id: string;
  layer: "archive";
  kind: string;
  title: string;
  content: string;
  source: { type: string; ref?: string; locator?: string; retrieved_at?: string };
  hash: string;
  created_at: string;
  modified_at?: string;
  tags?: string[];
  edges?: Array<{ type: string; to: string }>;
  security?: { classification?: string; redacted?: boolean };
}

const SCHEMA_EDGES = new Set(["SUPPORTS", "CONTRADICTS", "DERIVED_FROM", "VERSION_OF", "RELATES_TO"]);

/** `arch_000042` for capsule 42. */
export function archiveId(id: number): string {
  return `arch_${String(id).padStart(6, "0")}`;
}

/** The ArchiveNode JSON of a node (layer is taken as is, so a non-archive node fails validation). */
export function toArchiveNode(node: MemoryNode): ArchiveNode {
  return {
    id: archiveId(node.id),
    layer: node.layer as "archive",
    kind: node.kind,
    title: node.title,
    content: node.content,
    source: node.source ?? ({} as ArchiveNode["source"]),
    hash: node.hash,
    created_at: node.createdAt,
    ...(node.modifiedAt ? { modified_at: node.modifiedAt } : {}),
    tags: node.tags,
    edges: node.edges
      .filter((e) => SCHEMA_EDGES.has(e.type))
      .map((e) => ({ type: e.type, to: archiveId(e.to) })),
    ...(node.security ? { security: node.security } : {}),
  };
}
