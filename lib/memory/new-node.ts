/**
 * What a new ARCHIVE or SHADOW node is made of: the caller's input, checked, and the node meta it becomes
 * (kind and title defaulted, content hash, a `create` gate record, SHADOW's review date). ARCHIVE meta is
 * validated against the ArchiveNode schema before anything is written.
 */
import { InvalidInputError } from "../errors.js";
import { sha256 } from "../store/capsule-store.js";
import { toArchiveNode } from "./archive-node.js";
import { validateArchiveNode } from "./archive-schema.js";
import {
  ARCHIVE_KINDS,
  EDGE_TYPES,
  LEVELS,
  type MemoryEdge,
  type NodeKind,
  type NodeMeta,
  type NodeSource,
  SHADOW_KINDS,
  type StorageLevel,
} from "./types.js";

/** What a new ARCHIVE or SHADOW node needs; the rest defaults. */
export interface NewNode {
  content: string;
  title?: string;
  kind?: NodeKind;
  tags?: string[];
  source?: NodeSource;
  edges?: MemoryEdge[];
  level?: StorageLevel;
  /** SHADOW: when to review (ISO date); default a week from now. */
  reviewAfter?: string;
  anchor?: boolean;
  security?: NodeMeta["security"];
  extra?: Record<string, unknown>;
}

const DAY_MS = 86_400_000;

/** A title from the content's first sentence or line, cut to 80 characters. */
function titleOf(content: string): string {
  const first = content.trim().split(/\n|(?<=[.!?])\s/u)[0] ?? content;
  return first.length > 80 ? `${first.slice(0, 77)}…` : first;
}

/**
 * The fields of a new node that the ArchiveNode schema does not check for SHADOW nodes (and that would
 * otherwise be stored as given): the kind must suit the layer, tags be strings, the title non-empty, the
 * review date a date. ARCHIVE kinds are left to the schema, which lists the allowed ones (`SIGLA_SCHEMA`).
 */
function checkNewNode(layer: "archive" | "shadow", input: NewNode): void {
  if (layer === "shadow" && input.kind !== undefined && !SHADOW_KINDS.includes(input.kind as never)) {
    throw new InvalidInputError(
      `kind of a shadow node must be one of ${SHADOW_KINDS.join(", ")} (archive: ${ARCHIVE_KINDS.join(", ")}), got ${JSON.stringify(input.kind)}`,
    );
  }
  if (
    input.tags !== undefined &&
    (!Array.isArray(input.tags) || input.tags.some((t) => typeof t !== "string"))
  ) {
    throw new InvalidInputError("tags must be an array of strings");
  }
  if (input.title !== undefined && (typeof input.title !== "string" || input.title.trim() === "")) {
    throw new InvalidInputError("a title, when given, must be non-empty text");
  }
  if (input.reviewAfter !== undefined && Number.isNaN(Date.parse(String(input.reviewAfter)))) {
    throw new InvalidInputError(`reviewAfter must be an ISO date, got ${JSON.stringify(input.reviewAfter)}`);
  }
}

/** Typed edges as given, checked: a known type and a capsule id each. */
export function checkEdges(edges: unknown): MemoryEdge[] {
  if (edges === undefined) return [];
  if (!Array.isArray(edges)) throw new InvalidInputError("edges must be an array of { type, to }");
  return edges.map((edge, i) => {
    if (!EDGE_TYPES.includes(edge?.type)) {
      throw new InvalidInputError(`edges[${i}].type must be one of ${EDGE_TYPES.join(", ")}`);
    }
    if (!Number.isInteger(edge.to) || edge.to < 0) {
      throw new InvalidInputError(`edges[${i}].to must be a capsule id`);
    }
    return { type: edge.type, to: edge.to, ...(edge.resolved ? { resolved: true } : {}) };
  });
}

/**
 * Checks a new node's input and builds its meta, as of `now`; throws `InvalidInputError` for bad input. Edge
 * targets (they need the store) and, for ARCHIVE, the schema ({@link checkArchiveSchema}) are checked after.
 */
export function newNodeMeta(layer: "archive" | "shadow", input: NewNode, now: Date): NodeMeta {
  if (typeof input !== "object" || input === null) throw new InvalidInputError("a node must be an object");
  if (typeof input.content !== "string" || input.content.trim() === "") {
    throw new InvalidInputError("a memory node needs non-empty content");
  }
  const level = input.level ?? "RAW";
  if (!LEVELS.includes(level)) throw new InvalidInputError(`level must be one of ${LEVELS.join(", ")}`);
  checkNewNode(layer, input);
  return {
    layer,
    level,
    kind: input.kind ?? (layer === "archive" ? "FACT" : "HYPOTHESIS"),
    title: input.title ?? titleOf(input.content),
    hash: sha256(input.content),
    edges: checkEdges(input.edges),
    gateLog: [
      {
        gate: "create",
        from: "-",
        to: `${layer}/${level}`,
        at: now.toISOString(),
        passed: true,
        reasons: [],
      },
    ],
    ...(input.source ? { source: input.source } : {}),
    ...(layer === "shadow"
      ? { reviewAfter: input.reviewAfter ?? new Date(now.getTime() + 7 * DAY_MS).toISOString() }
      : {}),
    ...(input.anchor ? { anchor: true } : {}),
    ...(input.security ? { security: input.security } : {}),
    ...(input.extra ? { extra: input.extra } : {}),
  };
}

/** Validates a new ARCHIVE node against the ArchiveNode schema (`SIGLA_SCHEMA`), before it is written. */
export function checkArchiveSchema(meta: NodeMeta, input: NewNode, now: Date): void {
  validateArchiveNode(
    toArchiveNode({
      ...meta,
      id: 0,
      content: input.content,
      tags: input.tags ?? [],
      hash: meta.hash as string,
      createdAt: now.toISOString(),
      links: [],
    }),
  );
}
