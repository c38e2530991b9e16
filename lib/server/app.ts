/**
 * The HTTP server over one open workbench: Fastify with its CORS, rate-limit and OpenAPI plugins, the
 * API key checked before anything else runs, every body validated against its schema, errors as
 * `SiglaError` codes, and Prometheus metrics. `createServer` builds it; `sigla serve` (`serve.ts`) runs it.
 */
import cors from "@fastify/cors";
import rateLimit from "@fastify/rate-limit";
import swagger from "@fastify/swagger";
import Fastify, { type FastifyError, type FastifyInstance } from "fastify";
import type { Workbench } from "../commands/workbench.js";
import { InvalidInputError, isSiglaError, ServerError, type SiglaError, toSiglaError } from "../errors.js";
import { keyChecker } from "./auth.js";
import { commandRoutes } from "./command-routes.js";
import { ServerContext } from "./context.js";
import { errorBody, statusOf } from "./http-errors.js";
import { ServerMetrics } from "./metrics.js";
import {
  API_KEY_HEADER,
  HEALTH_PATH,
  LIVE_PATH,
  METRICS_PATH,
  OPENAPI_PATH,
  type ServerSettings,
} from "./settings.js";
import { storeRoutes } from "./store-routes.js";

/** Paths that never need the key: what an orchestrator probes. */
const OPEN_PATHS = new Set([HEALTH_PATH, LIVE_PATH]);

/** A built server: the Fastify app, its metrics and routes, and whether it is ready. */
export interface SiglaServer {
  app: FastifyInstance;
  /** Every route as `METHOD path`, as registered (the OpenAPI test holds the document to it). */
  routes: string[];
  metrics: ServerMetrics;
  /** Whether `/health` answers 200: the store is open and the server is not shutting down. */
  ready: boolean;
}

/** A validation failure as the one line a caller can act on: which field, and what is wrong with it. */
function validationError(error: FastifyError): SiglaError {
  const first = error.validation?.[0];
  if (!first) return new InvalidInputError(error.message);
  const where = `${error.validationContext ?? "body"}${first.instancePath}`;
  const params = first.params as Record<string, unknown>;
  if (first.keyword === "additionalProperties") {
    return new InvalidInputError(`${where}/${params.additionalProperty} is not a known field`);
  }
  if (first.keyword === "required")
    return new InvalidInputError(`${where}/${params.missingProperty} is required`);
  return new InvalidInputError(`${where} ${first.message}`);
}

/** What a thrown error becomes on the wire. */
function asSiglaError(error: unknown): SiglaError {
  const fastify = error as FastifyError;
  if (fastify?.validation) return validationError(fastify);
  if (fastify?.code === "FST_ERR_CTP_BODY_TOO_LARGE")
    return new ServerError("SIGLA_TOO_LARGE", fastify.message);
  if (typeof fastify?.code === "string" && fastify.code.startsWith("FST_ERR_CTP")) {
    return new InvalidInputError(fastify.message);
  }
  // Anything else Fastify refuses as the caller's fault (a malformed URL, an empty JSON body).
  if (!isSiglaError(error) && fastify?.statusCode === 400) return new InvalidInputError(fastify.message);
  return toSiglaError(error);
}

/** The OpenAPI document, then CORS, the key and the rate limit, in the order a request meets them. */
async function guard(app: FastifyInstance, settings: ServerSettings): Promise<void> {
  const checkKey = keyChecker(settings.apiKey);
  await app.register(swagger, {
    openapi: {
      openapi: "3.0.3",
      info: {
        title: "SIGLA",
        version: "1",
        description: "Capsule memory, the pipeline, models and modules over HTTP",
      },
      components: settings.apiKey
        ? { securitySchemes: { apiKey: { type: "apiKey", name: "X-API-Key", in: "header" } } }
        : undefined,
      security: settings.apiKey ? [{ apiKey: [] }] : undefined,
    },
  });
  if (settings.corsOrigins.length) {
    await app.register(cors, {
      origin: settings.corsOrigins.includes("*") ? "*" : settings.corsOrigins,
      methods: ["GET", "POST", "PATCH", "DELETE"],
      allowedHeaders: ["content-type", API_KEY_HEADER],
      maxAge: 600,
    });
  }

  // The key first: a wrong key learns nothing, not even whether a route exists or is rate limited.
  app.addHook("onRequest", async (request) => {
    if (!checkKey || OPEN_PATHS.has(request.url.split("?")[0]) || request.method === "OPTIONS") return;
    if (!checkKey(request.headers[API_KEY_HEADER])) {
      throw new ServerError("SIGLA_UNAUTHORIZED", "a valid X-API-Key header is required");
    }
  });
  if (settings.rateLimit > 0) {
    await app.register(rateLimit, {
      max: settings.rateLimit,
      timeWindow: 60_000,
      // Per key when a key is in use (every request that got here carries the valid one), else per address.
      keyGenerator: (request) => (checkKey ? "key" : request.ip),
      allowList: (request) => OPEN_PATHS.has(request.url.split("?")[0]),
      errorResponseBuilder: (_request, context) =>
        new ServerError(
          "SIGLA_RATE_LIMITED",
          `more than ${context.max} requests a minute; retry in ${context.after}`,
        ),
    });
  }
}

/** Health, liveness, metrics and the OpenAPI document. */
function probes(app: FastifyInstance, server: SiglaServer, bench: Workbench): void {
  const { metrics } = server;
  app.get(
    HEALTH_PATH,
    { schema: { summary: "readiness: 200 once the store is open, 503 while opening or shutting down" } },
    async (_request, reply) => {
      if (!server.ready)
        return reply.code(503).send(errorBody(new ServerError("SIGLA_UNAVAILABLE", "not ready")));
      return { status: "ok", store: bench.store.path, capsules: await bench.store.count() };
    },
  );
  app.get(LIVE_PATH, { schema: { summary: "liveness: 200 while the process answers" } }, async () => ({
    status: "ok",
  }));
  app.get(
    METRICS_PATH,
    { schema: { summary: "Prometheus metrics (text exposition)" } },
    async (_request, reply) => {
      reply.type(metrics.registry.contentType);
      return metrics.text();
    },
  );
  app.get(OPENAPI_PATH, { schema: { summary: "this API's OpenAPI document" } }, async () => app.swagger());
}

/**
 * The HTTP app over an open workbench, ready to `listen` (not listening yet). `startServer` opens the
 * workbench, listens and shuts down gracefully; this is for embedding the routes in a process of one's own.
 */
export async function createServer(
  bench: Workbench,
  settings: ServerSettings & { refreshMs: number },
): Promise<SiglaServer> {
  const app = Fastify({
    logger: false,
    bodyLimit: settings.bodyLimit,
    forceCloseConnections: "idle",
    // Unknown fields are refused, not dropped; path and query strings are read as the numbers they hold.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: "array", allErrors: false } },
  });
  const metrics = new ServerMetrics(() => (server.ready ? bench.store : undefined));
  const server: SiglaServer = { app, metrics, ready: false, routes: [] };
  app.addHook("onRoute", (route) => {
    for (const method of [route.method].flat())
      if (method !== "HEAD") server.routes.push(`${method} ${route.url}`);
  });
  const ctx = new ServerContext(bench, metrics, settings.refreshMs, settings.writerUrl);
  // A refresh started in the background finishes before the store can close.
  app.addHook("onClose", () => ctx.settled());
  await guard(app, settings);

  app.addHook("onResponse", async (request, reply) => {
    metrics.request(
      request.method,
      request.routeOptions.url ?? "unknown",
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
  });
  app.setErrorHandler(async (error, _request, reply) => {
    const sigla = asSiglaError(error);
    return reply.code(statusOf(sigla.code)).send(errorBody(sigla));
  });
  app.setNotFoundHandler(async (request, reply) => {
    const sigla = new ServerError(
      "SIGLA_NOT_FOUND",
      `no route ${request.method} ${request.url.split("?")[0]}`,
    );
    return reply.code(404).send(errorBody(sigla));
  });

  probes(app, server, bench);
  storeRoutes(app, ctx);
  commandRoutes(app, ctx);
  await app.ready();
  server.ready = true;
  return server;
}
