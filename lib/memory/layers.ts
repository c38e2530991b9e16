/**
 * The three memory layers over one capsule store (Iskra §3.2): ARCHIVE (verified knowledge), SHADOW
 * (hypotheses, never cited until promoted) and GROWTH (one node per change, with `version` and `delta`, so
 * the history can be replayed). A memory node is a capsule whose `meta.node` holds its layer, storage level,
 * kind and typed edges; tags `layer:*`, `level:*` and `kind:*` mirror them so LanceDB filters can select.
 *
 * GROWTH lives in its own capsule store beside the main one (`growth-log.ts`). Every change writes the node
 * first and its GROWTH entry second (two commits): a crash in between loses the log line, never the change.
 *
 * Every node carries its own content hash in `meta.node.hash`; every read that hands out a node (or a
 * memory capsule) re-checks it and throws `SIGLA_HASH_MISMATCH` naming the node (`node-meta.ts`). New nodes
 * are checked and built in `new-node.ts`. This module is the entry: it re-exports those modules' public
 * functions.
 */
import { InvalidInputError, UnknownIdError } from "../errors.js";
import type { CapsuleStore } from "../store/capsule-store.js";
import { toArchiveNode } from "./archive-node.js";
import { validateArchiveNode } from "./archive-schema.js";
import { Conversation, hasLegacyConversation, migrateConversation } from "./conversation.js";
import { type GrowthEntry, GrowthLog } from "./growth-log.js";
import { checkArchiveSchema, type NewNode, newNodeMeta } from "./new-node.js";
import { nodeMetaOf, nodeTags, toMemoryNode, verifyNode } from "./node-meta.js";
import {
  EDGE_TYPES,
  type EdgeType,
  type GateRecord,
  type GrowthDelta,
  type LayerName,
  type MemoryEdge,
  type MemoryNode,
  type NodeKind,
  type NodeMeta,
  type StorageLevel,
} from "./types.js";

export type { GrowthEntry } from "./growth-log.js";
export type { NewNode } from "./new-node.js";
export { nextLevel, nodeMetaOf, toMemoryNode, verifyNode } from "./node-meta.js";

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
  private constructor(
    readonly store: CapsuleStore,
    /** The GROWTH log: a capsule store of its own inside the main store's folder, no auto-links. */
    private readonly log: GrowthLog,
    private talk: Conversation | undefined,
  ) {}

  /**
   * Memory over an open store (opening its GROWTH log and conversation unless `lazyGrowth`); reads the
   * current version. A store written before the conversation had its own table is migrated here, once.
   */
  static async open(store: CapsuleStore, options: MemoryOptions = {}): Promise<Memory> {
    const log = await GrowthLog.open(store, options.lazyGrowth === true);
    const legacy = await hasLegacyConversation(store);
    const talk = await Conversation.open(store, { create: legacy || !options.lazyGrowth });
    if (talk && legacy) await migrateConversation(store, talk);
    return new Memory(store, log, talk);
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
    return this.log.required();
  }

  /** Whether the GROWTH log is open (it always is unless opened with `lazyGrowth` and nothing changed). */
  get hasGrowth(): boolean {
    return this.log.store !== undefined;
  }

  /** Closes the GROWTH log and the conversation (the main store stays open: it belongs to the caller). */
  async close(): Promise<void> {
    await this.log.close();
    await this.talk?.close();
  }

  /** The number of changes recorded so far. */
  get currentVersion(): number {
    return this.log.currentVersion;
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
    const now = new Date();
    const meta = newNodeMeta(layer, input, now);
    for (const edge of meta.edges)
      if (!(await this.store.get(edge.to))) throw new UnknownIdError(edge.to, "edge target");
    if (layer === "archive") checkArchiveSchema(meta, input, now);
    const [id] = await this.store.addCapsules([
      {
        text: input.content,
        tags: nodeTags(meta, input.tags ?? []),
        meta: { node: meta },
        links: meta.edges.map((e) => e.to),
        source: input.source?.ref,
      },
    ]);
    const node = await this.node(id);
    await this.grow(
      { op: "add", node: id, after: { layer, level: meta.level, kind: meta.kind, title: meta.title } },
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
    if (layer === "growth") return this.log.nodes(where.join(" AND "), options.limit);
    const capsules = await this.store.list({ where: where.join(" AND "), limit: options.limit });
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
    return this.log.append(delta, text);
  }

  /** GROWTH entries in version order, optionally only those about one node. */
  async history(options: { node?: number } = {}): Promise<GrowthEntry[]> {
    return this.log.history(options);
  }

  /**
   * Replays the history up to `version`: the layer, level and kind of every node as it was then, and the
   * typed edges it had.
   */
  async replay(version = this.log.currentVersion): Promise<Map<number, Record<string, unknown>>> {
    return this.log.replay(version);
  }

  /** SHADOW nodes whose `reviewAfter` has passed (or all, with `all`). */
  async dueForReview(now = new Date()): Promise<MemoryNode[]> {
    const shadow = await this.nodes("shadow");
    return shadow.filter((n) => n.reviewAfter !== undefined && Date.parse(n.reviewAfter) <= now.getTime());
  }
}
