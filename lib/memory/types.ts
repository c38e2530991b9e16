/**
 * The memory model (Iskra §3.2, §3.5.1): nodes are capsules whose `meta.node` says which layer, storage
 * level and kind they are, with typed edges between them. Layers and levels are never mixed: a node has
 * exactly one of each, and moves only through a gate that records why.
 */

/** ARCHIVE: verified knowledge. SHADOW: hypotheses, never cited. GROWTH: the change log. */
export type LayerName = "archive" | "shadow" | "growth";
/** Every layer, ARCHIVE first. */
export const LAYERS: readonly LayerName[] = ["archive", "shadow", "growth"];

/** Storage levels, lowest first; a node moves up one level at a time, through a gate. */
export type StorageLevel = "RAW" | "REDACTED" | "DERIVED" | "GOLD";
/** Every storage level, lowest first. */
export const LEVELS: readonly StorageLevel[] = ["RAW", "REDACTED", "DERIVED", "GOLD"];

/** Typed edges between memory nodes. */
export type EdgeType =
  | "SUPPORTS"
  | "CONTRADICTS"
  | "DERIVED_FROM"
  | "VERSION_OF"
  | "RELATES_TO"
  | "EVIDENCE_OF";
/** Every edge type; an edge of any other type is refused. */
export const EDGE_TYPES: readonly EdgeType[] = [
  "SUPPORTS",
  "CONTRADICTS",
  "DERIVED_FROM",
  "VERSION_OF",
  "RELATES_TO",
  "EVIDENCE_OF",
];

/** Kinds of ARCHIVE nodes (the ArchiveNode schema's enum). */
export type ArchiveKind = "FACT" | "QUOTE" | "SUMMARY" | "SCHEMA" | "POLICY" | "TEST" | "MAP";
/** Every ARCHIVE kind, in the schema's order. */
export const ARCHIVE_KINDS: readonly ArchiveKind[] = [
  "FACT",
  "QUOTE",
  "SUMMARY",
  "SCHEMA",
  "POLICY",
  "TEST",
  "MAP",
];
/** Kinds of SHADOW nodes. */
export type ShadowKind = "HYPOTHESIS" | "DRAFT" | "ERROR" | "SELF_EVAL" | "PAIN";
/** Every SHADOW kind. */
export const SHADOW_KINDS: readonly ShadowKind[] = ["HYPOTHESIS", "DRAFT", "ERROR", "SELF_EVAL", "PAIN"];
/** Kinds of every node. */
export type NodeKind = ArchiveKind | ShadowKind | "GROWTH";

/** Where a node's content came from (ArchiveNode `source`). */
export interface NodeSource {
  type: "file" | "web" | "connector" | "conversation";
  /** A file path, URL, connector name or `session:<id>#<turn>`. */
  ref?: string;
  /** e.g. `notes.md#L10-L40` or a character range. */
  locator?: string;
  /** ISO date-time of retrieval. */
  retrieved_at?: string;
}

/** A typed edge from the node whose meta holds it to another memory node. */
export interface MemoryEdge {
  type: EdgeType;
  /** Capsule id of the target node. */
  to: number;
  /** A CONTRADICTS edge can be marked resolved (it then no longer blocks promotion). */
  resolved?: boolean;
}

/** One entry of a node's gate log: which gate moved it (or refused), when and why. */
export interface GateRecord {
  gate: "redaction" | "sift" | "derive" | "gold" | "create";
  from: string;
  to: string;
  at: string;
  passed: boolean;
  reasons: string[];
}

/** What `meta.node` of a memory capsule holds. */
export interface NodeMeta {
  layer: LayerName;
  level: StorageLevel;
  kind: NodeKind;
  title: string;
  /**
   * `sha256:<hex>` of the content, written with the node and re-checked on every read. The memory layer's
   * own record: a text edited behind SIGLA's back, even with the store's sha256 column updated to match,
   * no longer matches it. Nodes written before this field existed fall back to the store's column.
   */
  hash?: string;
  source?: NodeSource;
  edges: MemoryEdge[];
  gateLog: GateRecord[];
  /** ISO date: when a SHADOW node should be reviewed again. */
  reviewAfter?: string;
  /** GROWTH: the memory version this change produced, and what changed. */
  version?: number;
  delta?: GrowthDelta;
  /** Topic words of an anchor: anchors are injected whenever their topic returns. */
  anchor?: boolean;
  modifiedAt?: string;
  security?: { classification?: "public" | "internal" | "pii" | "shadow"; redacted?: boolean };
  /** Extra fields by kind (pain memory: trigger, context, reflection, resolution; summary: members). */
  extra?: Record<string, unknown>;
}

/** A change recorded in GROWTH, enough to replay the history. */
export interface GrowthDelta {
  op: "add" | "update" | "promote" | "level" | "edge" | "remove" | "summary";
  /** Capsule id the change applied to. */
  node: number;
  /** Fields before and after (only the changed ones). */
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
}

/** A memory node as read back: the capsule's text and id plus its node meta. */
export interface MemoryNode extends NodeMeta {
  id: number;
  content: string;
  tags: string[];
  /** `sha256:<hex>` of the content, re-checked on read. */
  hash: string;
  createdAt: string;
  /** The capsule's untyped auto-links. */
  links: number[];
}

/** A conversation turn stored in the capsule store (RAW level): tags `turn` and `session:<id>`. */
export interface TurnMeta {
  kind: "turn";
  session: string;
  turn: number;
  role: "user" | "assistant";
  /** ISO date-time the turn was said. */
  at: string;
}
