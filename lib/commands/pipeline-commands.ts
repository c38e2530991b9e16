/**
 * `ask` (and plain text), `trace` and `session`: the ten-step pipeline, what its turns recorded, and the
 * conversation they belong to.
 */
import { UsageError } from "../errors.js";
import { checkConnectors } from "../pipeline/connectors.js";
import type { ContextWindow } from "../pipeline/turn.js";
import { defineCommand, flag } from "./definition.js";
import { usageError } from "./specs.js";
import type { AskResult, CommandOptions, SessionResult, TraceResult } from "./types.js";
import type { Workbench } from "./workbench.js";

/** `ask`'s settings besides the message; each applies from this turn on. */
export interface AskArgs {
  message: string;
  /** Continue (or start) this session. */
  session?: string;
  /** The session is shared by several people (SIBYL speaks). */
  shared?: boolean;
  /** Local folders searched when memory is not enough. */
  connector?: string[];
  /** Context window the turn budgets memory for. */
  window?: string;
  /** Most tokens the model writes per call. */
  maxTokens?: number;
}

/**
 * `:ask <message>`: runs the message through the ten steps in the workbench's session. Trace events reach
 * `options.onTrace` as each step starts and ends, the model's text to `options.onToken` as it writes. An
 * abort while the model writes stops the writing and the turn completes with the partial answer
 * (`turn.partial`); an abort at any other step stops between steps (`SIGLA_CANCELLED`) and the session is
 * not saved.
 */
export async function askCommand(
  bench: Workbench,
  args: AskArgs,
  options: CommandOptions = {},
): Promise<AskResult> {
  const message = args.message.trim();
  if (message === "") throw usageError(ASK, "needs a message");
  await bench.ready();
  if (args.session !== undefined || args.shared !== undefined) {
    await bench.continueSession(args.session ?? bench.session.id, args.shared);
  }
  if (args.connector || args.window || args.maxTokens) {
    await bench.pipeline.configure({
      connectors: args.connector,
      contextWindow: args.window === undefined ? undefined : (Number(args.window) as ContextWindow),
      maxAnswerTokens: args.maxTokens,
    });
  }
  const turn = await bench.pipeline.ask(bench.session, message, {
    signal: options.signal,
    onTrace: options.onTrace,
    onToken: options.onToken,
  });
  return { kind: "ask", turn };
}

/** `:trace [turn]`: the end events of the last turn of the session, or of turn `n`. */
export function traceCommand(bench: Workbench, args: { turn?: number } = {}): TraceResult {
  const traces = bench.session.traces;
  if (traces.length === 0) {
    throw new UsageError(":trace: no turns yet in this session — ask a question first");
  }
  const turn = args.turn ?? traces.length;
  if (!Number.isInteger(turn) || turn < 1 || turn > traces.length) {
    throw usageError(TRACE, `turn must be from 1 to ${traces.length}, got ${args.turn}`);
  }
  return { kind: "trace", turn, events: traces[turn - 1] };
}

/** `:session [id] [--shared]`: the session in use; with an id, continue (or start) that one. */
export async function sessionCommand(
  bench: Workbench,
  args: { id?: string; shared?: boolean } = {},
): Promise<SessionResult> {
  const before = (await bench.ready()).session;
  if (args.id !== undefined || args.shared !== undefined) {
    await bench.continueSession(args.id ?? before.id, args.shared);
  }
  const { session } = bench;
  return {
    kind: "session",
    id: session.id,
    shared: session.shared,
    turns: session.traces.length,
    switched: session !== before,
  };
}

const SESSION_FLAG = {
  name: "session",
  kind: "string",
  value: "<id>",
  help: "continue (or start) this session, saved beside the store",
} as const;
const SHARED_FLAG = {
  name: "shared",
  kind: "boolean",
  help: "a session several people share (SIBYL speaks)",
} as const;

export const ASK = defineCommand({
  name: "ask",
  args: "raw",
  required: true,
  flags: [
    SESSION_FLAG,
    SHARED_FLAG,
    { name: "trace", kind: "boolean", help: "print each step as it finishes (the REPL always shows them)" },
    {
      name: "connector",
      kind: "string",
      repeat: true,
      value: "<folder>",
      help: "a local folder searched when memory is not enough (repeatable)",
    },
    {
      name: "window",
      kind: "choice",
      choices: ["8192", "32768", "131072"],
      value: "<tokens>",
      help: "context window (default 8192)",
    },
    {
      name: "max-tokens",
      kind: "int",
      min: 1,
      max: 32768,
      value: "<n>",
      help: "most tokens the model writes per call (default 384)",
    },
  ],
  usage: ":ask [--session id] [--shared] [--connector dir] [--window n] [--max-tokens n] <message>",
  summary: "run a message through the ten-step pipeline (plain text does the same)",
  long: true,
  positional: "message",
  opens: "new-store",
  input: (parsed) => ({
    message: parsed.text,
    session: flag<string>(parsed, "session"),
    shared: flag<boolean>(parsed, "shared"),
    connector: flag<string[]>(parsed, "connector"),
    window: flag<string>(parsed, "window"),
    maxTokens: flag<number>(parsed, "max-tokens"),
  }),
  async run(context, args: AskArgs, options) {
    // A missing connector is refused before a store is opened or created.
    if (args.connector) await checkConnectors(args.connector);
    return askCommand(await context.workbench(), args, options);
  },
  json: (result) => result.turn,
});

export const TRACE = defineCommand({
  name: "trace",
  args: "word",
  required: false,
  flags: [],
  usage: ":trace [turn]",
  summary: "the ten steps of the last turn (or of turn n) with their timings",
  positional: "turn",
  opens: "store",
  input(parsed) {
    const word = parsed.words[0];
    if (word !== undefined && !/^\d+$/.test(word))
      throw usageError(TRACE, `turn must be a number, got "${word}"`);
    return { turn: word === undefined ? undefined : Number(word) };
  },
  async run(context, args: { turn?: number }) {
    return traceCommand(await (await context.workbench()).ready(), args);
  },
});

export const SESSION = defineCommand({
  name: "session",
  args: "word",
  required: false,
  flags: [SHARED_FLAG],
  usage: ":session [id] [--shared]",
  summary: "the conversation session in use; with an id, continue (or start) that session",
  positional: "id",
  opens: "store",
  input: (parsed) => ({ id: parsed.words[0], shared: flag<boolean>(parsed, "shared") }),
  async run(context, args: { id?: string; shared?: boolean }) {
    return sessionCommand(await context.workbench(), args);
  },
});
