/**
 * The three memory layers over one capsule store (Iskra §3.2): ARCHIVE (verified knowledge), SHADOW
 * (hypotheses, never cited until promoted) and GROWTH (one node per change, with `version` and `delta`, so
 * the history can be replayed). A memory node is a capsule whose `meta.node` holds its layer, storage level,
 * kind and typed edges; tags `layer:*`, `level:*` and `kind:*` mirror them so LanceDB filters can select.
 *
 * GROWTH lives in its own capsule store beside the main one (`<store>/growth`): log lines are searchable
 * but never become link targets, so they cannot crowd the knowledge graph. Every change writes the node
 * first and its GROWTH entry second (two commits): a crash in between loses the log line, never the change.
 * With `lazyGrowth` the log is opened only when it exists and created only by the first change, so a read
 * (or a refused gate) leaves nothing new on disk.
 *
 * Every node carries its own content hash in `meta.node.hash`; every read that hands out a node (or a
 * memory capsule) re-checks it and throws `SIGLA_HASH_MISMATCH` naming the node.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { InvalidInputError, MemoryError, UnknownIdError } from "../errors.js";
import { CapsuleStore, sha256 } from "../store/capsule-store.js";
import { MANIFEST_FILE } from "../store/manifest.js";
import type { Capsule } from "../store/types.js";
import { toArchiveNode } from "./archive-node.js";
import { validateArchiveNode } from "./archive-schema.js";
import { Conversation, hasLegacyConversation, migrateConversation } from "./conversation.js";
import {
  ARCHIVE_KINDS,
  EDGE_TYPES,
  type EdgeType,
  type GateRecord,
  type GrowthDelta,
  type LayerName,
  LEVELS,
  type MemoryEdge,
  type MemoryNode,
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
const SYSTEM_TAG = /^(layer|level|kind):/;

/** The tags that mirror a node's layer, level and kind, followed by the user's own tags. */
function nodeTags(meta: NodeMeta, tags: readonly string[]): string[] {
  const own = tags.filter((t) => !SYSTEM_TAG.test(t));
  return [`layer:${meta.layer}`, `level:${meta.level}`, `kind:${meta.kind}`, ...own];
}

function titleOf(content: string): string {
  const first = content.trim().split(/\n|(?<=[.!?])\s/u)[0] ?? content;
  return first.length > 80 ? `${first.slice(0, 77)}…` : first;
}

/** Reads `meta.node` of a capsule, or undefined when the capsule is not a memory node. */
export function nodeMetaOf(capsule: Capsule): NodeMeta | undefined {
  const node = capsule.meta.node as NodeMeta | undefined;
  return node && typeof node === "object" && typeof node.layer === "string" ? node : undefined;
}

/**
 * Re-checks a memory capsule's content against the hash the node was written with (`meta.node.hash`, or
 * the store's column for nodes older than that field) and against the store's column; throws
 * `MemoryError("SIGLA_HASH_MISMATCH")` naming the node. Capsules that are not memory nodes pass: their
 * column is the store's to check. Returns the capsule, so reads can map through it. The text is hashed
 * here too, although the store checked it on reading: callers may pass capsules they built themselves.
 */
export function verifyNode<T extends Capsule>(capsule: T): T {
  const meta = nodeMetaOf(capsule);
  if (!meta) return capsule;
  const expected = typeof meta.hash === "string" ? meta.hash : capsule.sha256;
  const actual = sha256(capsule.text);
  if (actual !== expected || actual !== capsule.sha256) {
    throw new MemoryError(
      "SIGLA_HASH_MISMATCH",
      `memory node ${capsule.id} (${meta.layer}): its content no longer matches its hash ${expected}; ` +
        "it was changed outside SIGLA — run `sigla doctor` to list damaged nodes",
    );
  }
  return capsule;
}

/** A capsule as a memory node, after re-checking its hash (see {@link verifyNode}). */
export function toMemoryNode(capsule: Capsule): MemoryNode {
  const meta = nodeMetaOf(capsule);
  if (!meta) throw new InvalidInputError(`capsule ${capsule.id} is not a memory node`);
  verifyNode(capsule);
  return {
    ...meta,
    id: capsule.id,
    content: capsule.text,
    tags: capsule.tags.filter((t) => !SYSTEM_TAG.test(t)),
    hash: meta.hash ?? capsule.sha256,
    createdAt: new Date(capsule.createdAt).toISOString(),
    links: capsule.links,
  };
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

function checkEdges(edges: unknown): MemoryEdge[] {
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

/** Options of {@link Memory.open}. */
export interface MemoryOptions {
  /**
   * Open the GROWTH log only when it already exists and create it on the first change, instead of at open.
   * Read-only doors (the CLI) use it so a read or a refused write creates nothing.
   */
  lazyGrowth?: boolean;
}

/** The layered memory of one store. */
export class Memory {
  private opening?: Promise<CapsuleStore>;

  private constructor(
    readonly store: CapsuleStore,
    /** The GROWTH log, when open: a capsule store of its own inside the main store's folder, no auto-links. */
    private log: CapsuleStore | undefined,
    private version: number,
    private talk: Conversation | undefined,
  ) {}

  /**
   * Memory over an open store (opening its GROWTH log and conversation unless `lazyGrowth`); reads the
   * current version. A store written before the conversation had its own table is migrated here, once.
   */
  static async open(store: CapsuleStore, options: MemoryOptions = {}): Promise<Memory> {
    const path = join(store.path, "growth");
    const exists = existsSync(join(path, MANIFEST_FILE));
    const log =
      exists || !options.lazyGrowth
        ? await CapsuleStore.open(path, { embedder: store.embedder, autoLinkK: 0, create: !exists })
        : undefined;
    const entries = log ? await log.list() : [];
    const version = entries.reduce((max, c) => Math.max(max, Number(nodeMetaOf(c)?.version ?? 0)), 0);
    const legacy = await hasLegacyConversation(store);
    const talk = await Conversation.open(store, { create: legacy || !options.lazyGrowth });
    if (talk && legacy) await migrateConversation(store, talk);
    return new Memory(store, log, version, talk);
  }

  /** The conversation (turns, recaps, self-evaluations, drafts), apart from the knowledge. */
  get conversation(): Conversation {
    if (!this.talk) {
      throw new InvalidInputError("this memory has no conversation yet (nothing was said)");
    }
    return this.talk;
  }

  /** Whether the conversation is open (it always is unless opened with `lazyGrowth` and none exists). */
  get hasConversation(): boolean {
    return this.talk !== undefined;
  }

  /** The GROWTH log; with `lazyGrowth` it exists only after the first change (`MemoryError` before). */
  get growth(): CapsuleStore {
    if (!this.log) {
      throw new InvalidInputError("this memory has no GROWTH log yet (nothing has changed)");
    }
    return this.log;
  }

  /** Whether the GROWTH log is open (it always is unless opened with `lazyGrowth` and nothing changed). */
  get hasGrowth(): boolean {
    return this.log !== undefined;
  }

  /** The GROWTH log, created on the first call when it does not exist yet. */
  private async growthForWrite(): Promise<CapsuleStore> {
    if (this.log) return this.log;
    this.opening ??= CapsuleStore.open(join(this.store.path, "growth"), {
      embedder: this.store.embedder,
      autoLinkK: 0,
    });
    this.log = await this.opening;
    return this.log;
  }

  /** Closes the GROWTH log (the main store stays open: it belongs to the caller). */
  async close(): Promise<void> {
    if (this.opening) await this.opening.catch(() => undefined);
    await this.log?.close();
    await this.talk?.close();
  }

  /** The number of changes recorded so far. */
  get currentVersion(): number {
    return this.version;
  }

  /** Adds a verified node to ARCHIVE; it must validate against the ArchiveNode schema. */
  async archive(input: NewNode): Promise<MemoryNode> {
    return this.add("archive", input);
  }

  /** Adds a hypothesis, draft or error-to-check to SHADOW, with a `reviewAfter` date. */
  async shadow(input: NewNode): Promise<MemoryNode> {
    return this.add("shadow", input);
  }

  private async add(layer: "archive" | "shadow", input: NewNode): Promise<MemoryNode> {
    if (typeof input !== "object" || input === null) throw new InvalidInputError("a node must be an object");
    if (typeof input.content !== "string" || input.content.trim() === "") {
      throw new InvalidInputError("a memory node needs non-empty content");
    }
    const level = input.level ?? "RAW";
    if (!LEVELS.includes(level)) throw new InvalidInputError(`level must be one of ${LEVELS.join(", ")}`);
    checkNewNode(layer, input);
    const edges = checkEdges(input.edges);
    for (const edge of edges)
      if (!(await this.store.get(edge.to))) throw new UnknownIdError(edge.to, "edge target");
    const now = new Date();
    const meta: NodeMeta = {
      layer,
      level,
      kind: input.kind ?? (layer === "archive" ? "FACT" : "HYPOTHESIS"),
      title: input.title ?? titleOf(input.content),
      hash: sha256(input.content),
      edges,
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
    if (layer === "archive") {
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
    const tags = nodeTags(meta, input.tags ?? []);
    const [id] = await this.store.addCapsules([
      {
        text: input.content,
        tags,
        meta: { node: meta },
        links: edges.map((e) => e.to),
        source: input.source?.ref,
      },
    ]);
    const node = await this.node(id);
    await this.grow(
      { op: "add", node: id, after: { layer, level, kind: meta.kind, title: meta.title } },
      `added ${layer} node ${id}: ${meta.title}`,
    );
    return node;
  }

  /** The memory node with this id (hash re-checked); `UnknownIdError` when there is none. */
  async node(id: number): Promise<MemoryNode> {
    const capsule = await this.store.get(id);
    if (!capsule) throw new UnknownIdError(id, "memory node");
    return toMemoryNode(capsule);
  }

  /** The nodes of a layer, optionally of one level or kind, in id order. */
  async nodes(
    layer: LayerName,
    options: { level?: StorageLevel; kind?: NodeKind; limit?: number } = {},
  ): Promise<MemoryNode[]> {
    const where = [`array_has(tags, 'layer:${layer}')`];
    if (options.level) where.push(`array_has(tags, 'level:${options.level}')`);
    if (options.kind) where.push(`array_has(tags, 'kind:${options.kind}')`);
    const from = layer === "growth" ? this.log : this.store;
    if (!from) return [];
    const capsules = await from.list({ where: where.join(" AND "), limit: options.limit });
    return capsules.map(toMemoryNode);
  }

  /**
   * Adds a typed edge `from —type→ to` (kept in `from`'s node) and an untyped link both ways, so graph
   * walks follow it.
   */
  async link(from: number, type: EdgeType, to: number): Promise<MemoryNode> {
    if (!EDGE_TYPES.includes(type))
      throw new InvalidInputError(`edge type must be one of ${EDGE_TYPES.join(", ")}`);
    if (from === to) throw new InvalidInputError(`node ${from} cannot have an edge to itself`);
    const node = await this.node(from);
    if (!(await this.store.get(to))) throw new UnknownIdError(to, "edge target");
    if (node.edges.some((e) => e.type === type && e.to === to)) return node;
    const edges = [...node.edges, { type, to }];
    await this.write(node, { edges }, { link: [to] });
    await this.grow({ op: "edge", node: from, after: { type, to } }, `edge ${from} ${type} ${to}`);
    return this.node(from);
  }

  /** Marks the CONTRADICTS edge between two nodes (either direction) resolved, with the reason. */
  async resolveContradiction(a: number, b: number, reason: string): Promise<void> {
    for (const [from, to] of [
      [a, b],
      [b, a],
    ]) {
      const node = await this.node(from);
      if (!node.edges.some((e) => e.type === "CONTRADICTS" && e.to === to && !e.resolved)) continue;
      const edges = node.edges.map((e) =>
        e.type === "CONTRADICTS" && e.to === to ? { ...e, resolved: true } : e,
      );
      await this.write(node, { edges });
      await this.grow(
        { op: "edge", node: from, after: { type: "CONTRADICTS", to, resolved: true, reason } },
        `contradiction ${from}–${to} resolved: ${reason}`,
      );
    }
  }

  /** Typed edges pointing at `id` from other nodes. */
  async incoming(id: number): Promise<Array<{ from: MemoryNode; edge: MemoryEdge }>> {
    const capsule = await this.store.get(id);
    if (!capsule) throw new UnknownIdError(id, "memory node");
    const out: Array<{ from: MemoryNode; edge: MemoryEdge }> = [];
    for (const other of await this.store.neighbours(id)) {
      if (!nodeMetaOf(other)) continue;
      const from = toMemoryNode(other);
      for (const edge of from.edges) if (edge.to === id) out.push({ from, edge });
    }
    return out;
  }

  /**
   * Rewrites a node's meta (layer, level, kind, edges, gate log) in one commit; text and vector stay, so
   * the hash stays valid.
   */
  async write(
    node: MemoryNode,
    change: Partial<NodeMeta>,
    links: { link?: number[] } = {},
  ): Promise<MemoryNode> {
    const capsule = await this.store.get(node.id);
    if (!capsule) throw new UnknownIdError(node.id, "memory node");
    verifyNode(capsule);
    const before = nodeMetaOf(capsule) as NodeMeta;
    const meta: NodeMeta = { ...before, ...change, modifiedAt: new Date().toISOString() };
    if (meta.layer === "archive") validateArchiveNode(toArchiveNode({ ...node, ...meta }));
    await this.store.updateCapsule(node.id, {
      meta: { ...capsule.meta, node: meta },
      tags: nodeTags(meta, capsule.tags),
      ...links,
    });
    return this.node(node.id);
  }

  /** Appends a gate record to a node's log (passed or refused). */
  async logGate(node: MemoryNode, record: GateRecord, change: Partial<NodeMeta> = {}): Promise<MemoryNode> {
    return this.write(node, { ...change, gateLog: [...node.gateLog, record] });
  }

  /** Records one change in GROWTH and returns its version. */
  async grow(delta: GrowthDelta, text: string): Promise<number> {
    const version = this.version + 1;
    const meta: NodeMeta = {
      layer: "growth",
      level: "DERIVED",
      kind: "GROWTH",
      title: text.slice(0, 80),
      hash: sha256(text),
      edges: [],
      gateLog: [],
      version,
      delta,
    };
    const growth = await this.growthForWrite();
    await growth.addCapsules([{ text, tags: nodeTags(meta, []), meta: { node: meta } }], {
      autoLinkK: 0,
    });
    this.version = version;
    return version;
  }

  /** GROWTH entries in version order, optionally only those about one node. */
  async history(
    options: { node?: number } = {},
  ): Promise<Array<{ version: number; delta: GrowthDelta; text: string; at: string }>> {
    const growth = await this.nodes("growth");
    return growth
      .filter((g) => options.node === undefined || g.delta?.node === options.node)
      .map((g) => ({
        version: g.version ?? 0,
        delta: g.delta as GrowthDelta,
        text: g.content,
        at: g.createdAt,
      }))
      .sort((a, b) => a.version - b.version);
  }

  /**
   * Replays the history up to `version`: the layer, level and kind of every node as it was then, and the
   * typed edges it had.
   */
  async replay(version = this.version): Promise<Map<number, Record<string, unknown>>> {
    const state = new Map<number, Record<string, unknown>>();
    for (const entry of await this.history()) {
      if (entry.version > version) break;
      const { op, node, after } = entry.delta;
      const current = state.get(node) ?? {};
      if (op === "remove") state.delete(node);
      else if (op === "edge")
        state.set(node, { ...current, edges: [...((current.edges as unknown[]) ?? []), after] });
      else state.set(node, { ...current, ...after });
    }
    return state;
  }

  /** SHADOW nodes whose `reviewAfter` has passed (or all, with `all`). */
  async dueForReview(now = new Date()): Promise<MemoryNode[]> {
    const shadow = await this.nodes("shadow");
    return shadow.filter((n) => n.reviewAfter !== undefined && Date.parse(n.reviewAfter) <= now.getTime());
  }
}

/** The next storage level, or undefined at GOLD. */
export function nextLevel(level: StorageLevel): StorageLevel | undefined {
  return LEVELS[LEVELS.indexOf(level) + 1];
}
