/**
 * The conversation, kept apart from knowledge. Turns, phase recaps, self-evaluations and shadow-protocol
 * drafts live in a capsule store of their own inside the main one (`<store>/conversation`), as GROWTH does:
 * they are never auto-linked to documents or ARCHIVE, never come back from a search of the knowledge and
 * are never cited as evidence for a question about it. A question about the conversation itself ("what did
 * I ask about X last week?") searches here, and its citations name the session and the time.
 *
 * Stores written before the split held these rows in the main table; `migrateConversation` moves them on
 * open (copy here first, then delete there, so a crash in between repeats the move instead of losing rows).
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { InvalidInputError } from "../errors.js";
import { CapsuleStore } from "../store/capsule-store.js";
import { nestedPath } from "../store/location.js";
import type { Capsule, CapsuleInput } from "../store/types.js";
import { withWriteLock } from "../store/write-lock.js";
import { type RecallHit, recall } from "./recall.js";
import { checkSessionId, sessionTag, TURN_TAG, turnSource } from "./turns.js";

/** What a conversation record is. */
export type ConversationKind = "turn" | "recap" | "self-eval" | "draft";
/** Every conversation record kind. */
export const CONVERSATION_KINDS: readonly ConversationKind[] = ["turn", "recap", "self-eval", "draft"];

/** The meta every conversation record carries: whose session, which turn, when. */
export interface ConversationMeta {
  kind: ConversationKind;
  session: string;
  /** Index of the turn (of the first turn, for a recap). */
  turn: number;
  /** A recap's last turn. */
  to?: number;
  /** Who spoke (turns only). */
  role?: "user" | "assistant";
  /** ISO date-time. */
  at: string;
  /** The id the record had in the main table of a store written before the split. */
  migratedFrom?: number;
}

/** One record to write. */
export interface ConversationRecord {
  kind: ConversationKind;
  text: string;
  turn: number;
  to?: number;
  role?: "user" | "assistant";
  at: string;
  title?: string;
  /** The text's embedding, when the caller has it (the pipeline embedded the message already). */
  vector?: Float32Array;
}

/** A record found by {@link Conversation.recall}: the capsule, its score and its meta. */
export interface ConversationHit extends RecallHit {
  conversation: ConversationMeta;
}

/** The folder (or, on object storage, the prefix) of a store's conversation. */
export function conversationPath(storePath: string): string {
  return nestedPath(storePath, "conversation");
}

/** The tags of a record: `turn` for turns (as the conversation benchmarks expect), the kind otherwise. */
function tagsOf(kind: ConversationKind, session: string): string[] {
  return [kind === "turn" ? TURN_TAG : kind, sessionTag(session)];
}

/** The conversation meta of a capsule, or undefined when it has none. */
export function conversationMetaOf(capsule: Pick<Capsule, "meta">): ConversationMeta | undefined {
  const meta = capsule.meta as Partial<ConversationMeta>;
  if (!CONVERSATION_KINDS.includes(meta.kind as ConversationKind)) return undefined;
  if (typeof meta.session !== "string" || typeof meta.at !== "string") return undefined;
  return meta as ConversationMeta;
}

/** One store's conversation. */
export class Conversation {
  private constructor(readonly store: CapsuleStore) {}

  /** Opens (creating unless `create` is false and it does not exist: then undefined) the conversation. */
  static async open(
    main: CapsuleStore,
    options: { create?: boolean } = {},
  ): Promise<Conversation | undefined> {
    const path = conversationPath(main.path);
    const exists = await CapsuleStore.exists(path);
    if (!exists && options.create === false) return undefined;
    // Records link to their neighbours among themselves (recall follows them), never to documents.
    const store = await CapsuleStore.open(path, { embedder: main.embedder, create: !exists });
    return new Conversation(store);
  }

  /** Writes records of one session in one commit; returns their ids in order. */
  async add(session: string, records: ConversationRecord[], signal?: AbortSignal): Promise<number[]> {
    checkSessionId(session);
    const inputs: CapsuleInput[] = records.map((r, i) => {
      if (!CONVERSATION_KINDS.includes(r.kind)) {
        throw new InvalidInputError(`records[${i}].kind must be one of ${CONVERSATION_KINDS.join(", ")}`);
      }
      if (typeof r.text !== "string" || r.text.trim() === "") {
        throw new InvalidInputError(`records[${i}].text must be non-empty`);
      }
      const meta: ConversationMeta = {
        kind: r.kind,
        session,
        turn: r.turn,
        at: r.at,
        ...(r.to !== undefined ? { to: r.to } : {}),
        ...(r.role ? { role: r.role } : {}),
      };
      return {
        text: r.text,
        tags: tagsOf(r.kind, session),
        source: turnSource(session, r.turn),
        meta: { ...meta, ...(r.title ? { title: r.title } : {}) },
        ...(r.vector ? { vector: r.vector } : {}),
      };
    });
    return this.store.addCapsules(inputs, { signal });
  }

  /**
   * What was said that answers `query`, best first: the dated recall over turns and recaps (so "last
   * week" or "in March" narrow it), with `vector` the query's embedding when the caller has it.
   */
  async recall(
    query: string,
    options: { k?: number; now?: string; vector?: Float32Array; kinds?: ConversationKind[] } = {},
  ): Promise<ConversationHit[]> {
    if ((await this.store.count()) === 0) return [];
    const kinds = options.kinds ?? ["turn", "recap"];
    const where = kinds.map((k) => `array_has(tags, '${k === "turn" ? TURN_TAG : k}')`).join(" OR ");
    const hits = await recall(this.store, query, {
      k: options.k,
      now: options.now,
      vector: options.vector,
      where: `(${where})`,
    });
    return hits.flatMap((hit) => {
      const meta = conversationMetaOf(hit);
      return meta ? [{ ...hit, conversation: meta }] : [];
    });
  }

  /** Every record of one session, in turn order. */
  async session(session: string): Promise<Capsule[]> {
    checkSessionId(session);
    const rows = await this.store.list({ where: `array_has(tags, '${sessionTag(session)}')` });
    return rows.sort((a, b) => Number(a.meta.turn) - Number(b.meta.turn) || a.id - b.id);
  }

  /** Closes the conversation's own store; the main store stays open. */
  async close(): Promise<void> {
    await this.store.close();
  }
}

/** Main-table rows that are conversation: turns, recaps, self-evaluations and shadow-protocol drafts. */
const LEGACY =
  "array_has(tags, 'turn') OR array_has(tags, 'recap') OR array_has(tags, 'self-eval') OR array_has(tags, 'shadow-protocol')";

/** Whether the main table still holds conversation rows (a store written before the split). */
export async function hasLegacyConversation(main: CapsuleStore): Promise<boolean> {
  return (await main.count()) > 0 && (await main.list({ where: LEGACY, limit: 1 })).length > 0;
}

/** The conversation record a legacy main-table row becomes. */
function fromLegacy(capsule: Capsule): { kind: ConversationKind; meta: ConversationMeta } | undefined {
  const meta = capsule.meta as Record<string, unknown>;
  const node = meta.node as { extra?: unknown; source?: { ref?: string; locator?: string } } | undefined;
  const kind: ConversationKind | undefined = capsule.tags.includes(TURN_TAG)
    ? "turn"
    : capsule.tags.includes("recap")
      ? "recap"
      : capsule.tags.includes("self-eval")
        ? "self-eval"
        : capsule.tags.includes("shadow-protocol")
          ? "draft"
          : undefined;
  const session = capsule.tags.find((t) => t.startsWith("session:"))?.slice("session:".length);
  if (!kind || !session) return undefined;
  const ref = node?.source?.ref ?? capsule.source ?? "";
  const turn = Number(meta.turn ?? /#(\d+)$/.exec(ref)?.[1] ?? 0);
  const to = /turns \d+-(\d+)/.exec(node?.source?.locator ?? "")?.[1];
  return {
    kind,
    meta: {
      kind,
      session,
      turn,
      at: typeof meta.at === "string" ? meta.at : new Date(capsule.createdAt).toISOString(),
      ...(meta.role === "user" || meta.role === "assistant" ? { role: meta.role } : {}),
      ...(to !== undefined ? { to: Number(to) } : {}),
      migratedFrom: capsule.id,
    },
  };
}

/**
 * Moves the conversation rows of a store written before the split out of its main table; returns how many
 * moved. Copy first, delete second, both idempotent: rows already copied (by `migratedFrom`) are not copied
 * again, so a process killed between the two commits finishes the move on the next open. One process at a
 * time (a lock of its own: each store's write lock is taken inside).
 */
export async function migrateConversation(main: CapsuleStore, conversation: Conversation): Promise<number> {
  if (!(await hasLegacyConversation(main))) return 0;
  const lockDir = join(main.localDir, ".conversation-migration");
  await mkdir(lockDir, { recursive: true });
  return withWriteLock(lockDir, async () => {
    const legacy = await main.list({ where: LEGACY });
    const done = new Set(
      (await conversation.store.list())
        .map((c) => conversationMetaOf(c)?.migratedFrom)
        .filter((id) => id !== undefined),
    );
    const moves = legacy.flatMap((capsule) => {
      const record = fromLegacy(capsule);
      return record ? [{ capsule, ...record }] : [];
    });
    const copies: CapsuleInput[] = moves
      .filter((m) => !done.has(m.capsule.id))
      .map((m) => ({
        text: m.capsule.text,
        tags: tagsOf(m.kind, m.meta.session),
        source: turnSource(m.meta.session, m.meta.turn),
        meta: { ...m.meta },
        vector: main.vectorOf(m.capsule.id),
      }));
    await conversation.store.addCapsules(copies, { autoLinkK: 0 });
    // Deleting drops the links documents had to these rows too (the store cleans incoming links).
    await main.addCapsules([], { replace: moves.map((m) => m.capsule.id) });
    return moves.length;
  });
}
