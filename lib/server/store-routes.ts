/**
 * The capsule routes: add, get, patch, delete, list, query (vector, fts, hybrid, tags, where), graph
 * neighbours and walks, and the store's stats. Each is one library call on the open store.
 */
import type { FastifyInstance } from "fastify";
import { InvalidInputError, UnknownIdError } from "../errors.js";
import type { CapsuleInput, CapsulePatch, SearchMode } from "../store/types.js";
import type { ServerContext } from "./context.js";
import { forward } from "./forward.js";
import { ERROR_SCHEMA } from "./http-errors.js";
import {
  ADD_BODY_SCHEMA,
  CAPSULE_SCHEMA,
  HIT_SCHEMA,
  ID_PARAMS_SCHEMA,
  LIST_QUERY_SCHEMA,
  OBJECT_SCHEMA,
  PATCH_BODY_SCHEMA,
  QUERY_BODY_SCHEMA,
  WALK_QUERY_SCHEMA,
} from "./schemas.js";

const CAPSULES = {
  type: "object",
  required: ["capsules"],
  properties: { capsules: { type: "array", items: CAPSULE_SCHEMA } },
};
const errors = { 400: ERROR_SCHEMA, 404: ERROR_SCHEMA };

interface QueryBody {
  text?: string;
  vector?: number[];
  k: number;
  mode: SearchMode;
  tags?: string[];
  where?: string;
  effort?: number;
}

function capsuleOr404(capsule: unknown, id: number) {
  if (!capsule) throw new UnknownIdError(id);
  return capsule;
}

/** Routes that write: add, patch, delete. */
function writeRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post(
    "/capsules",
    {
      schema: {
        tags: ["capsules"],
        summary: "add capsules in one atomic write (embedded unless a vector is given; auto-linked)",
        body: ADD_BODY_SCHEMA,
        response: {
          201: {
            type: "object",
            required: ["ids"],
            properties: { ids: { type: "array", items: { type: "integer" } } },
          },
          ...errors,
        },
      },
    },
    async (request, reply) => {
      if (ctx.writerUrl) return forward(ctx, request, reply);
      const { capsules } = request.body as { capsules: CapsuleInput[] };
      const texts = capsules.filter((c) => !c.vector).map((c) => c.text);
      // Embedded here rather than inside the add, so encode time is measured apart from the write.
      const vectors = texts.length
        ? await ctx.metrics.time("encode", "add", () => ctx.store.embedder.embed(texts))
        : [];
      let next = 0;
      const inputs = capsules.map((c) => (c.vector ? c : { ...c, vector: vectors[next++] }));
      const ids = await ctx.store.addCapsules(inputs);
      return reply.code(201).send({ ids });
    },
  );

  app.patch(
    "/capsules/:id",
    {
      schema: {
        tags: ["capsules"],
        summary: "change a capsule's tags, meta or links",
        params: ID_PARAMS_SCHEMA,
        body: PATCH_BODY_SCHEMA,
        response: { 200: CAPSULE_SCHEMA, ...errors },
      },
    },
    async (request, reply) => {
      if (ctx.writerUrl) return forward(ctx, request, reply);
      const { id } = request.params as { id: number };
      return ctx.store.updateCapsule(id, request.body as Omit<CapsulePatch, "id">);
    },
  );

  app.delete(
    "/capsules/:id",
    {
      schema: {
        tags: ["capsules"],
        summary: "delete a capsule and the links to it",
        params: ID_PARAMS_SCHEMA,
        response: {
          200: { type: "object", required: ["deleted"], properties: { deleted: { type: "integer" } } },
          ...errors,
        },
      },
    },
    async (request, reply) => {
      if (ctx.writerUrl) return forward(ctx, request, reply);
      const { id } = request.params as { id: number };
      if (!(await ctx.store.delete(id))) throw new UnknownIdError(id);
      return { deleted: id };
    },
  );
}

/** Routes that read capsules: list, get, query. */
function readRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get(
    "/capsules",
    {
      schema: {
        tags: ["capsules"],
        summary: "capsules matching a SQL filter, in id order",
        querystring: LIST_QUERY_SCHEMA,
        response: { 200: CAPSULES, ...errors },
      },
    },
    async (request) =>
      ctx.read(async () => {
        const { where, limit } = request.query as { where?: string; limit: number };
        return { capsules: await ctx.store.list({ where, limit }) };
      }),
  );

  app.get(
    "/capsules/:id",
    {
      schema: {
        tags: ["capsules"],
        summary: "one capsule",
        params: ID_PARAMS_SCHEMA,
        response: { 200: CAPSULE_SCHEMA, ...errors },
      },
    },
    async (request) =>
      ctx.read(async () => {
        const { id } = request.params as { id: number };
        return capsuleOr404(await ctx.store.get(id), id);
      }),
  );

  app.post(
    "/query",
    {
      schema: {
        tags: ["capsules"],
        summary: "search by vector, full text or both, with tag and SQL filters",
        body: QUERY_BODY_SCHEMA,
        response: {
          200: {
            type: "object",
            required: ["hits"],
            properties: { hits: { type: "array", items: HIT_SCHEMA } },
          },
          ...errors,
        },
      },
    },
    async (request) => {
      const body = request.body as QueryBody;
      if (body.text === undefined && body.vector === undefined) {
        throw new InvalidInputError("body must have text or vector");
      }
      if (body.vector && body.mode !== "vector") {
        throw new InvalidInputError(`body/vector: a vector query has mode vector, not ${body.mode}`);
      }
      // Embedding needs no store state: only the search waits for (and holds off) a refresh.
      const vector =
        body.vector ??
        (body.mode === "fts"
          ? undefined
          : (
              await ctx.metrics.time("encode", "query", () => ctx.store.embedder.embed([body.text as string]))
            )[0]);
      const options = { topK: body.k, tags: body.tags, where: body.where, effort: body.effort };
      const hits = await ctx.read(() =>
        ctx.metrics.time("search", body.mode, () =>
          body.text === undefined
            ? ctx.store.query(vector as number[], options)
            : ctx.store.search(body.text, {
                ...options,
                mode: body.mode,
                vector: vector && Float32Array.from(vector),
              }),
        ),
      );
      return { hits };
    },
  );
}

/** Graph walks over links, and the store's stats. */
function graphRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get(
    "/capsules/:id/neighbours",
    {
      schema: {
        tags: ["capsules"],
        summary: "the capsules linked to one",
        params: ID_PARAMS_SCHEMA,
        response: { 200: CAPSULES, ...errors },
      },
    },
    async (request) =>
      ctx.read(async () => {
        const { id } = request.params as { id: number };
        return { capsules: await ctx.store.neighbours(id) };
      }),
  );

  app.get(
    "/capsules/:id/walk",
    {
      schema: {
        tags: ["capsules"],
        summary: "a breadth-first walk over links (depth), or a seeded random walk (steps, seed)",
        params: ID_PARAMS_SCHEMA,
        querystring: WALK_QUERY_SCHEMA,
        response: { 200: OBJECT_SCHEMA, ...errors },
      },
    },
    async (request) =>
      ctx.read(async () => {
        const { id } = request.params as { id: number };
        const { depth, steps, seed } = request.query as { depth?: number; steps?: number; seed?: number };
        if (steps !== undefined) return { walk: await ctx.store.randomWalk(id, { steps, seed }) };
        if (seed !== undefined)
          throw new InvalidInputError("querystring/seed goes with steps (a random walk)");
        return { nodes: await ctx.store.bfs(id, { depth }) };
      }),
  );

  app.get(
    "/stats",
    {
      schema: {
        tags: ["capsules"],
        summary: "the store's size, index and table version",
        response: { 200: OBJECT_SCHEMA },
      },
    },
    async () => ctx.read(() => ctx.store.stats()),
  );
}

export function storeRoutes(app: FastifyInstance, ctx: ServerContext): void {
  writeRoutes(app, ctx);
  readRoutes(app, ctx);
  graphRoutes(app, ctx);
}
