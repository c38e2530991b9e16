/**
 * Every served command of the registry as `POST /commands/<name>`: the body (checked against the schema
 * made from the command's spec) becomes the same parsed command a typed line would, and the answer is
 * the command's `--json`. `POST /commands/ask?stream=1` streams the turn as Server-Sent Events.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { CommandDefinition } from "../commands/definition.js";
import { checkParsed, type FlagValue, type ParsedCommand } from "../commands/parse.js";
import { findCommand } from "../commands/registry.js";
import { MEMORY_ACTIONS } from "../commands/specs.js";
import type { CommandOptions, CommandResult } from "../commands/types.js";
import { toSiglaError } from "../errors.js";
import type { ServerContext } from "./context.js";
import { forward } from "./forward.js";
import { ERROR_SCHEMA, errorBody } from "./http-errors.js";
import type { WorkKind } from "./metrics.js";
import { argumentField, commandBodySchema, OBJECT_SCHEMA, STREAM_QUERY_SCHEMA } from "./schemas.js";

/**
 * The commands a server runs. Left out: `store` (one server serves one store), `ingest`, `convert` and
 * `converter-mod` (they read paths on the server's disk: clients add capsules with `POST /capsules`),
 * `bench`, `chart` and `doctor` (local tools that write files or need the store to themselves), `quit`.
 */
export const SERVED_COMMANDS = [
  "query",
  "dsl",
  "ask",
  "session",
  "trace",
  "memory",
  "model",
  "run",
  "run-cg",
  "module",
  "attach",
  "detach",
  "rebuild-index",
  "help",
] as const;

/** Commands that read without touching the session; the rest take turns (`ServerContext.serial`). */
const CONCURRENT = new Set(["query", "help"]);

/** What each command's duration is recorded as, besides its request latency. */
const WORK: Record<string, WorkKind> = {
  ask: "generate",
  run: "generate",
  "run-cg": "generate",
  attach: "attach",
  detach: "attach",
  query: "search",
};

/** Whether a command writes to the store (a reader forwards it to the writer): a turn, a memory action. */
function writes(name: string, body: Record<string, unknown>): boolean {
  if (name === "ask") return true;
  const action = typeof body.view === "string" ? body.view.trim().split(/\s+/)[0] : "";
  return name === "memory" && (MEMORY_ACTIONS as readonly string[]).includes(action);
}

/** The parsed command a validated body stands for (flags already typed by the schema). */
export function bodyToCommand(command: CommandDefinition, body: Record<string, unknown>): ParsedCommand {
  const value = command.args === "none" ? undefined : body[argumentField(command)];
  const words = Array.isArray(value)
    ? value.map(String)
    : typeof value === "string" && value.trim() !== ""
      ? command.args === "text"
        ? value.trim().split(/\s+/)
        : [value]
      : [];
  const flags: Record<string, FlagValue> = {};
  for (const flag of command.flags) {
    if (body[flag.name] !== undefined) flags[flag.name] = body[flag.name] as FlagValue;
  }
  checkParsed(command, words, flags);
  const text = typeof value === "string" ? value : words.join(" ");
  return { name: command.name, text, words, flags };
}

function sse(reply: FastifyReply, event: string, data: unknown): void {
  // A client that hung up gets nothing more (its turn is being cancelled through the signal).
  if (reply.raw.destroyed || reply.raw.writableEnded) return;
  reply.raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

/** An abort for work whose client hung up before the answer was written. */
function hangUp(request: FastifyRequest, reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.on("close", () => {
    if (!reply.raw.writableFinished) controller.abort(new Error(`the client of ${request.url} hung up`));
  });
  return controller.signal;
}

export function commandRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const context = {
    workbench: async () => ctx.bench.ready(),
    storePath: () => ctx.store.path,
    interactive: true,
  };
  for (const name of SERVED_COMMANDS) {
    const command = findCommand(name) as CommandDefinition;
    const run = async (parsed: ParsedCommand, options: CommandOptions): Promise<CommandResult> => {
      const args = command.input(parsed);
      const work = async () => {
        const call = () => command.run(context, args, options);
        const timed = () => (WORK[name] ? ctx.metrics.time(WORK[name], name, call) : call());
        return command.opens === "nothing" ? timed() : ctx.read(timed);
      };
      return CONCURRENT.has(name) ? work() : ctx.serial(work);
    };
    const json = (result: CommandResult) => {
      const failure = command.failure?.(result);
      if (failure) throw failure;
      return command.json ? command.json(result) : result;
    };
    app.post(
      `/commands/${name}`,
      {
        schema: {
          tags: ["commands"],
          summary: `${command.summary} (${command.usage})`,
          body: commandBodySchema(command),
          ...(name === "ask" ? { querystring: STREAM_QUERY_SCHEMA } : {}),
          response: {
            200: { anyOf: [OBJECT_SCHEMA, { type: "array" }] },
            400: ERROR_SCHEMA,
            404: ERROR_SCHEMA,
          },
        },
      },
      async (request, reply) => {
        const body = (request.body ?? {}) as Record<string, unknown>;
        // Parsed first: a bad body is this server's 400 (not the writer's), and never an opened stream.
        const parsed = bodyToCommand(command, body);
        if (ctx.writerUrl && writes(name, body)) return forward(ctx, request, reply);
        const signal = hangUp(request, reply);
        if (name !== "ask" || (request.query as { stream?: string }).stream !== "1") {
          return json(await run(parsed, { signal }));
        }
        reply.hijack();
        reply.raw.writeHead(200, {
          ...(reply.getHeaders() as Record<string, string>),
          "content-type": "text/event-stream; charset=utf-8",
          "cache-control": "no-cache",
          connection: "keep-alive",
        });
        try {
          const result = await run(parsed, {
            signal,
            onTrace: (event) => sse(reply, "trace", event),
            onToken: (piece) => sse(reply, "token", piece),
          });
          sse(reply, "result", json(result));
        } catch (error) {
          sse(reply, "error", errorBody(toSiglaError(error)).error);
        }
        if (!reply.raw.destroyed) reply.raw.end();
      },
    );
  }
}
