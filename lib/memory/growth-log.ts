/**
 * The GROWTH layer: one node per change, with `version` and `delta`, so the history can be replayed. It lives
 * in its own capsule store beside the main one (`<store>/growth`, no auto-links): log lines are searchable but
 * never become link targets, so they cannot crowd the knowledge graph. With `lazy` the log is opened only
 * when it exists and created only by the first change, so a read (or a refused gate) leaves nothing on disk.
 */
import { InvalidInputError } from "../errors.js";
import { CapsuleStore, sha256 } from "../store/capsule-store.js";
import { nestedPath } from "../store/location.js";
import { nodeMetaOf, nodeTags, toMemoryNode } from "./node-meta.js";
import type { GrowthDelta, MemoryNode, NodeMeta } from "./types.js";

/** One recorded change. */
export interface GrowthEntry {
  version: number;
  delta: GrowthDelta;
  text: string;
  at: string;
}

/** The GROWTH log of one store and its current version. */
export class GrowthLog {
  private opening?: Promise<CapsuleStore>;

  private constructor(
    private readonly main: CapsuleStore,
    private log: CapsuleStore | undefined,
    private version: number,
  ) {}

  /** Opens (or, unless `lazy`, creates) the log of `main` and reads the current version. */
  static async open(main: CapsuleStore, lazy: boolean): Promise<GrowthLog> {
    const path = nestedPath(main.path, "growth");
    const exists = await CapsuleStore.exists(path);
    const log =
      exists || !lazy
        ? await CapsuleStore.open(path, { embedder: main.embedder, autoLinkK: 0, create: !exists })
        : undefined;
    const entries = log ? await log.list() : [];
    const version = entries.reduce((max, c) => Math.max(max, Number(nodeMetaOf(c)?.version ?? 0)), 0);
    return new GrowthLog(main, log, version);
  }

  /** The log's store, when open (undefined while a lazy log has no change yet). */
  get store(): CapsuleStore | undefined {
    return this.log;
  }

  /** The number of changes recorded so far. */
  get currentVersion(): number {
    return this.version;
  }

  /** The log's store, created on the first call when it does not exist yet. */
  private async forWrite(): Promise<CapsuleStore> {
    if (this.log) return this.log;
    this.opening ??= CapsuleStore.open(nestedPath(this.main.path, "growth"), {
      embedder: this.main.embedder,
      autoLinkK: 0,
    });
    this.log = await this.opening;
    return this.log;
  }

  /** Records one change and returns its version. */
  async append(delta: GrowthDelta, text: string): Promise<number> {
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
    const growth = await this.forWrite();
    await growth.addCapsules([{ text, tags: nodeTags(meta, []), meta: { node: meta } }], {
      autoLinkK: 0,
    });
    this.version = version;
    return version;
  }

  /** The GROWTH nodes (hashes re-checked) in id order; none while a lazy log has no change yet. */
  async nodes(where: string, limit?: number): Promise<MemoryNode[]> {
    if (!this.log) return [];
    return (await this.log.list({ where, limit })).map(toMemoryNode);
  }

  /** Entries in version order, optionally only those about one node. */
  async history(options: { node?: number } = {}): Promise<GrowthEntry[]> {
    const growth = await this.nodes("array_has(tags, 'layer:growth')");
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

  /** The layer, level, kind and typed edges of every node as they were at `version`. */
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

  /** Closes the log (waiting for a first-change open in flight). */
  async close(): Promise<void> {
    if (this.opening) await this.opening.catch(() => undefined);
    await this.log?.close();
  }

  /** The log's store; `InvalidInputError` while a lazy log has no change yet. */
  required(): CapsuleStore {
    if (!this.log) throw new InvalidInputError("this memory has no GROWTH log yet (nothing has changed)");
    return this.log;
  }
}
