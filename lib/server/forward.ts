/**
 * Writes forwarded to the one writer of a shared store. SIGLA hands out capsule ids from a counter and
 * rewrites the rows of a new capsule's neighbours with their new links, under a write lock that holds on
 * one machine; LanceDB's commit protocol keeps each commit whole, but two machines writing at once could
 * hand out one id twice. So servers that share a store on object storage run one writer, and the others
 * send it every write — and read from the table themselves, refreshed by its version.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { ServerError } from "../errors.js";
import type { ServerContext } from "./context.js";
import { API_KEY_HEADER } from "./settings.js";

/** Sends the request to the writer and its answer (a stream too) back to the client. */
export async function forward(
  ctx: ServerContext,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  const writer = ctx.writerUrl as string;
  const key = request.headers[API_KEY_HEADER];
  let answer: Response;
  try {
    answer = await fetch(`${writer}${request.url}`, {
      method: request.method,
      headers: {
        "content-type": "application/json",
        ...(typeof key === "string" ? { [API_KEY_HEADER]: key } : {}),
      },
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
    });
  } catch (error) {
    throw new ServerError(
      "SIGLA_UNAVAILABLE",
      `the writer at ${writer} cannot be reached (${(error as Error).message})`,
    );
  }
  const type = answer.headers.get("content-type") ?? "application/json";
  if (!type.startsWith("text/event-stream") || !answer.body) {
    const body = Buffer.from(await answer.arrayBuffer());
    if (answer.ok) await readBack(ctx);
    return reply.code(answer.status).type(type).send(body);
  }
  reply.hijack();
  reply.raw.writeHead(answer.status, { "content-type": type, "cache-control": "no-cache" });
  for await (const chunk of answer.body) {
    if (reply.raw.destroyed) break; // the client hung up: stop reading the writer's stream
    reply.raw.write(chunk);
  }
  if (reply.raw.destroyed) return;
  await readBack(ctx);
  reply.raw.end();
}

/**
 * Waits until this server's state holds what the writer just acknowledged, so the client that wrote reads
 * it back from here. Should that refresh fail, the write still stands: its answer goes back, and reads see
 * it within the staleness bound as they see every other write.
 */
async function readBack(ctx: ServerContext): Promise<void> {
  await ctx.caughtUp().catch(() => undefined);
}
