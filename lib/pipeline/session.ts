/**
 * Sessions persist beside the store (`<store>/sessions/<id>.json`): messages, the metrics timeline, each
 * turn's trace, the goal vector, the phase and what the next turn must inject. Written atomically (a
 * temporary file renamed over the old one), so a crash never leaves half a session.
 */
import { randomUUID } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { InvalidInputError, SiglaError } from "../errors.js";
import type { DeltaBlock, Metrics, Phase, ReasoningMode, TraceEvent, Voice } from "./types.js";

export interface SessionMessage {
  role: "user" | "assistant";
  text: string;
  at: string;
  /** The capsule the message was stored as. */
  capsuleId?: number;
}

/** One point of the metrics timeline. */
export interface MetricsPoint extends Metrics {
  turn: number;
  phase: Phase;
  voice: Voice;
  mode: ReasoningMode;
  at: string;
}

export interface Session {
  id: string;
  createdAt: string;
  /** Several people share it (activates SIBYL). */
  shared: boolean;
  messages: SessionMessage[];
  timeline: MetricsPoint[];
  /** Each turn's trace events (end events only). */
  traces: TraceEvent[][];
  /** The session goal as a unit vector, when one is known. */
  goal?: number[];
  telos?: string;
  phase: Phase;
  /** The turn the current phase started at, and how many turns it has had. */
  phaseStart: number;
  turnsOnTopic: number;
  /** The last ∆DΩΛ block. */
  delta?: DeltaBlock;
  /** ARCHIVE nodes a RAG refresh put into the next turn's context. */
  refresh: number[];
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** A new empty session. */
export function newSession(options: { id?: string; shared?: boolean } = {}): Session {
  const id = options.id ?? randomUUID().slice(0, 8);
  if (!ID.test(id))
    throw new InvalidInputError(`session id must be 1–64 letters, digits, - or _, got "${id}"`);
  return {
    id,
    createdAt: new Date().toISOString(),
    shared: options.shared ?? false,
    messages: [],
    timeline: [],
    traces: [],
    phase: "opening",
    phaseStart: 0,
    turnsOnTopic: 0,
    refresh: [],
  };
}

function sessionFile(storePath: string, id: string): string {
  if (!ID.test(id))
    throw new InvalidInputError(`session id must be 1–64 letters, digits, - or _, got "${id}"`);
  return join(storePath, "sessions", `${id}.json`);
}

/** Writes the session beside the store, atomically. */
export async function saveSession(storePath: string, session: Session): Promise<void> {
  const file = sessionFile(storePath, session.id);
  await mkdir(join(storePath, "sessions"), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(session));
  await rename(tmp, file);
}

/** The saved session, a new one with this id when none is saved, or a typed error when it is damaged. */
export async function loadSession(
  storePath: string,
  id: string,
  options: { shared?: boolean } = {},
): Promise<Session> {
  const file = sessionFile(storePath, id);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    return newSession({ id, shared: options.shared });
  }
  try {
    const session = JSON.parse(text) as Session;
    if (session.id !== id || !Array.isArray(session.messages)) throw new Error("missing fields");
    if (options.shared) session.shared = true;
    return session;
  } catch (error) {
    throw new SiglaError("SIGLA_SESSION", `session file ${file} is damaged: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
