/**
 * Reading memory nodes out of capsules: a memory node is a capsule whose `meta.node` holds its layer,
 * storage level, kind and typed edges, with tags `layer:*`, `level:*` and `kind:*` mirroring them so LanceDB
 * filters can select. Every read that hands out a node re-checks its content hash (`SIGLA_HASH_MISMATCH`).
 */
import { InvalidInputError, MemoryError } from "../errors.js";
import { sha256 } from "../store/capsule-store.js";
import type { Capsule } from "../store/types.js";
import { LEVELS, type MemoryNode, type NodeMeta, type StorageLevel } from "./types.js";

const SYSTEM_TAG = /^(layer|level|kind):/;

/** The tags that mirror a node's layer, level and kind, followed by the user's own tags. */
export function nodeTags(meta: NodeMeta, tags: readonly string[]): string[] {
  const own = tags.filter((t) => !SYSTEM_TAG.test(t));
  return [`layer:${meta.layer}`, `level:${meta.level}`, `kind:${meta.kind}`, ...own];
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

/** The next storage level, or undefined at GOLD. */
export function nextLevel(level: StorageLevel): StorageLevel | undefined {
  return LEVELS[LEVELS.indexOf(level) + 1];
}
