/**
 * Sessions persist beside the store as a log: `<store>/sessions/<id>.jsonl`, one JSON line per save (per
 * turn). The first line is a snapshot of the whole session; each later line holds only what the turn added
 * (new messages, timeline points and traces) and the fields it changed (goal, phase, ∆DΩΛ block…). Each
 * line is appended with one write, so a save never rewrites what earlier turns wrote and a killed process
 * leaves at most one unfinished last line, which the reader skips (with a note) and the next save cuts off.
 *
 * Sessions written before the log (`<id>.json`, the whole session rewritten on every turn) still load; the
 * first save writes the session as the log's snapshot and renames the old file to `<id>.json.bak`.
 */
import { randomUUID } from "node:crypto";
import { appendFile, mkdir, open, readFile, rename, truncate } from "node:fs/promises";
import { join } from "node:path";
import { errorMessage, InvalidInputError, SessionError } from "../errors.js";
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

/** One conversation as it is saved after every turn: messages, metrics timeline, traces, goal and phase. */
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

/** The session fields that only grow: a save appends their new items. */
const LISTS = ["messages", "timeline", "traces"] as const;
type ListKey = (typeof LISTS)[number];

/** The log's first line: the whole session (also written when a save cannot be told as an addition). */
interface SnapshotLine {
  kind: "snapshot";
  session: Session;
}

/** A later line: the items appended to each list, the other fields that changed, the ones removed. */
interface TurnLine {
  kind: "turn";
  messages: SessionMessage[];
  timeline: MetricsPoint[];
  traces: TraceEvent[][];
  set: Record<string, unknown>;
  unset: string[];
}

type LogLine = SnapshotLine | TurnLine;

/** What the log on disk holds of a session object, so the next save appends only the difference. */
interface Persisted {
  file: string;
  /** The log holds a snapshot of this session (so a turn line may follow). */
  logged: boolean;
  lengths: Record<ListKey, number>;
  /** Every other field as JSON, to tell which ones a turn changed. */
  fields: Map<string, string>;
}

const persisted = new WeakMap<Session, Persisted>();

const ID = /^[A-Za-z0-9_-]{1,64}$/;

function checkId(id: string): string {
  if (!ID.test(id))
    throw new InvalidInputError(`session id must be 1–64 letters, digits, - or _, got "${id}"`);
  return id;
}

/** A new empty session. */
export function newSession(options: { id?: string; shared?: boolean } = {}): Session {
  const id = checkId(options.id ?? randomUUID().slice(0, 8));
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

/** The session's log and the whole-session file older versions wrote. */
function sessionFiles(storePath: string, id: string): { log: string; legacy: string } {
  const base = join(storePath, "sessions", checkId(id));
  return { log: `${base}.jsonl`, legacy: `${base}.json` };
}

function fieldsOf(session: Session): Map<string, string> {
  const fields = new Map<string, string>();
  for (const [key, value] of Object.entries(session)) {
    if (!(LISTS as readonly string[]).includes(key) && value !== undefined)
      fields.set(key, JSON.stringify(value));
  }
  return fields;
}

function remember(session: Session, file: string, logged: boolean): void {
  const lengths = {
    messages: session.messages.length,
    timeline: session.timeline.length,
    traces: session.traces.length,
  };
  persisted.set(session, { file, logged, lengths, fields: fieldsOf(session) });
}

/** The line that brings the log from what it holds to `session`: a turn when it can, else a snapshot. */
function nextLine(session: Session, file: string): LogLine | undefined {
  const known = persisted.get(session);
  const grown = known && LISTS.every((key) => session[key].length >= known.lengths[key]);
  if (!known || known.file !== file || !known.logged || !grown) {
    return { kind: "snapshot", session };
  }
  const fields = fieldsOf(session);
  const set: Record<string, unknown> = {};
  for (const [key, json] of fields) {
    if (known.fields.get(key) !== json) set[key] = session[key as keyof Session];
  }
  const unset = [...known.fields.keys()].filter((key) => !fields.has(key));
  const line: TurnLine = {
    kind: "turn",
    messages: session.messages.slice(known.lengths.messages),
    timeline: session.timeline.slice(known.lengths.timeline),
    traces: session.traces.slice(known.lengths.traces),
    set,
    unset,
  };
  const empty = LISTS.every((key) => line[key].length === 0) && unset.length === 0;
  return empty && Object.keys(set).length === 0 ? undefined : line;
}

/**
 * Cuts an unfinished last line (a write killed half-way) off the log, so the next line starts on a line
 * of its own. Reads only the last byte unless there is something to cut.
 */
async function cutUnfinishedLine(file: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, "r");
  } catch {
    return;
  }
  let whole: boolean;
  try {
    const { size } = await handle.stat();
    if (size === 0) return;
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    whole = last[0] === 0x0a;
  } finally {
    await handle.close();
  }
  if (whole) return;
  const bytes = await readFile(file);
  await truncate(file, bytes.lastIndexOf(0x0a) + 1);
}

/**
 * Saves the session beside the store by appending one line to its log: what changed since it was loaded
 * or last saved (the whole session the first time, or when this object was not loaded from this store).
 */
export async function saveSession(storePath: string, session: Session): Promise<void> {
  const { log, legacy } = sessionFiles(storePath, session.id);
  const line = nextLine(session, log);
  if (!line) return;
  await mkdir(join(storePath, "sessions"), { recursive: true });
  await cutUnfinishedLine(log);
  // One write of the whole line: a crash leaves it whole or unfinished, never interleaved.
  await appendFile(log, `${JSON.stringify(line)}\n`);
  remember(session, log, true);
  if (line.kind === "snapshot") await retireLegacy(legacy);
}

/** The old whole-session file is kept as `.bak` once the log holds its contents. */
async function retireLegacy(legacy: string): Promise<void> {
  try {
    await rename(legacy, `${legacy}.bak`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new SessionError(`cannot read the session file ${file}: ${errorMessage(error)}`, { cause: error });
  }
}

function checkSession(value: unknown, id: string): Session {
  const session = value as Session;
  if (typeof session !== "object" || session === null || session.id !== id) throw new Error("missing fields");
  for (const key of LISTS) if (!Array.isArray(session[key])) throw new Error(`no ${key} list`);
  return session;
}

/** Applies one log line to the session read so far. */
function applyLine(current: Session | undefined, line: LogLine, id: string): Session {
  if (line?.kind === "snapshot") return checkSession(line.session, id);
  if (line?.kind !== "turn") throw new Error("neither a snapshot nor a turn");
  if (!current) throw new Error("a turn before any snapshot");
  for (const key of LISTS) {
    if (!Array.isArray(line[key])) throw new Error(`no ${key} list`);
    (current[key] as unknown[]).push(...line[key]);
  }
  Object.assign(current, line.set);
  for (const key of line.unset) delete (current as unknown as Record<string, unknown>)[key];
  return current;
}

/**
 * Reads the log's lines over `base`; an unfinished last line is left out and reported to `onNote`.
 * `snapshot`: the log starts with one (so it stands alone, and a save may append a turn to it).
 */
function replayLog(
  text: string,
  file: string,
  id: string,
  base: Session | undefined,
  onNote: (note: string) => void,
): { session: Session | undefined; snapshot: boolean } {
  const lines = text.split("\n");
  const unfinished = lines.pop() ?? "";
  if (unfinished !== "") {
    onNote(`session file ${file}: its last line was not finished (a save was interrupted); it is left out`);
  }
  let session = base;
  let snapshot = false;
  for (const [index, line] of lines.entries()) {
    try {
      const parsed = JSON.parse(line) as LogLine;
      if (index === 0) snapshot = parsed?.kind === "snapshot";
      session = applyLine(session, parsed, id);
    } catch (error) {
      throw new SessionError(`session file ${file} is damaged at line ${index + 1}: ${errorMessage(error)}`, {
        cause: error,
      });
    }
  }
  return { session, snapshot };
}

/** Where `loadSession` reports what it left out: Node's process warnings unless the caller listens. */
function warn(note: string): void {
  process.emitWarning(note, { code: "SIGLA_SESSION" });
}

/**
 * The saved session, a new one with this id when none is saved, or a `SessionError` (`SIGLA_SESSION`)
 * when a file is damaged. Reads the log and, when present, the whole-session file older versions wrote
 * (the log's lines apply over it). An unfinished last line is left out and reported to `onNote`.
 */
export async function loadSession(
  storePath: string,
  id: string,
  options: { shared?: boolean; onNote?: (note: string) => void } = {},
): Promise<Session> {
  const { log, legacy } = sessionFiles(storePath, id);
  const [legacyText, logText] = await Promise.all([readText(legacy), readText(log)]);
  let session: Session | undefined;
  if (legacyText !== undefined) {
    try {
      session = checkSession(JSON.parse(legacyText), id);
    } catch (error) {
      throw new SessionError(`session file ${legacy} is damaged: ${errorMessage(error)}`, { cause: error });
    }
  }
  let logged = false;
  if (logText !== undefined) {
    ({ session, snapshot: logged } = replayLog(logText, log, id, session, options.onNote ?? warn));
  }
  const loaded = session ?? newSession({ id, shared: options.shared });
  remember(loaded, log, logged);
  if (options.shared) loaded.shared = true;
  return loaded;
}
