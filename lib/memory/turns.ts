/**
 * Conversation turns as capsules: one capsule per turn, tagged `turn` and `session:<id>`, with provenance
 * `session:<id>#<turn>` and a `TurnMeta` that says who spoke and when. Recall uses the meta to reach the
 * neighbouring turns of a hit and to match dates; the auto-links are the store's own (k nearest).
 */
import { InvalidInputError } from "../errors.js";
import type { CapsuleStore } from "../store/capsule-store.js";
import type { Capsule } from "../store/types.js";
import type { TurnMeta } from "./types.js";

/** Tag every turn capsule carries. */
export const TURN_TAG = "turn";

/** One turn to store. */
export interface TurnInput {
  role: "user" | "assistant";
  text: string;
  /** ISO date-time the turn was said; by default the session date plus one minute per turn index. */
  at?: string;
  /** The text's embedding when the caller already has it (the pipeline embeds the message in step 2). */
  vector?: Float32Array;
}

/** Options of {@link addTurns}. */
export interface AddTurnsOptions {
  /** Index of the first turn (default 0), to append to a session stored earlier. */
  startTurn?: number;
  /** Auto-linking for this batch (the store's `autoLinkK` by default; 0 turns it off). */
  autoLinkK?: number;
  signal?: AbortSignal;
}

/** The tag naming a session. */
export function sessionTag(session: string): string {
  return `session:${session}`;
}

/** The provenance key of a turn, `session:<id>#<turn>`. */
export function turnSource(session: string, turn: number): string {
  return `session:${session}#${turn}`;
}

/** Session ids become tags and SQL string literals; keep them to plain characters. */
const SESSION_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

/** Throws `InvalidInputError` unless `sessionId` is 1–128 plain characters. */
export function checkSessionId(sessionId: unknown): asserts sessionId is string {
  if (typeof sessionId !== "string" || !SESSION_ID.test(sessionId)) {
    throw new InvalidInputError(
      `session id must be 1–128 letters, digits or _ . : -, got ${JSON.stringify(sessionId)}`,
    );
  }
}

function checkDate(value: unknown, what: string): number {
  const ms = typeof value === "string" ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms))
    throw new InvalidInputError(`${what} must be an ISO date, got ${JSON.stringify(value)}`);
  return ms;
}

/**
 * Stores the turns of one session, in order, in one atomic write, and returns their capsule ids. Turn `i`
 * gets index `startTurn + i`, the tags `["turn", "session:<id>"]`, the source `session:<id>#<index>` and a
 * `TurnMeta` whose `at` is the turn's own time or the session date plus one minute per index (so turns sort
 * in the order they were said).
 *
 * @throws InvalidInputError for an empty or odd session id, a date that does not parse, a bad `startTurn`,
 *   or a turn whose role is not user/assistant or whose text is empty.
 */
export async function addTurns(
  store: CapsuleStore,
  sessionId: string,
  date: string,
  turns: TurnInput[],
  options: AddTurnsOptions = {},
): Promise<number[]> {
  checkSessionId(sessionId);
  const start = checkDate(date, "session date");
  const startTurn = options.startTurn ?? 0;
  if (!Number.isInteger(startTurn) || startTurn < 0) {
    throw new InvalidInputError(`startTurn must be an integer ≥ 0, got ${startTurn}`);
  }
  if (!Array.isArray(turns)) throw new InvalidInputError("turns must be an array of { role, text }");
  const inputs = turns.map((turn, i) => {
    if (turn?.role !== "user" && turn?.role !== "assistant") {
      throw new InvalidInputError(
        `turns[${i}].role must be "user" or "assistant", got ${JSON.stringify(turn?.role)}`,
      );
    }
    if (typeof turn.text !== "string" || turn.text.trim() === "") {
      throw new InvalidInputError(`turns[${i}].text must be a non-empty string`);
    }
    const index = startTurn + i;
    const at =
      turn.at === undefined
        ? new Date(start + index * 60_000).toISOString()
        : new Date(checkDate(turn.at, `turns[${i}].at`)).toISOString();
    const meta: TurnMeta = { kind: "turn", session: sessionId, turn: index, role: turn.role, at };
    return {
      text: turn.text,
      tags: [TURN_TAG, sessionTag(sessionId)],
      source: turnSource(sessionId, index),
      meta: { ...meta },
      ...(turn.vector ? { vector: turn.vector } : {}),
    };
  });
  return store.addCapsules(inputs, { autoLinkK: options.autoLinkK, signal: options.signal });
}

/** The `TurnMeta` of a capsule, or undefined when it is not a stored turn. */
export function turnMetaOf(capsule: Pick<Capsule, "meta">): TurnMeta | undefined {
  const meta = capsule.meta as Partial<TurnMeta> | undefined;
  if (meta?.kind !== "turn" || typeof meta.session !== "string" || !Number.isInteger(meta.turn))
    return undefined;
  if (meta.role !== "user" && meta.role !== "assistant") return undefined;
  if (typeof meta.at !== "string") return undefined;
  return meta as TurnMeta;
}

/** `"<session>#<turn>"` of a turn capsule (the fixture's evidence id), or undefined for any other capsule. */
export function turnKey(capsule: Pick<Capsule, "meta">): string | undefined {
  const meta = turnMetaOf(capsule);
  return meta ? `${meta.session}#${meta.turn}` : undefined;
}
