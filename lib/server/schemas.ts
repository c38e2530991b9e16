/**
 * The JSON schemas of the server's bodies and answers. Command bodies are made from the command specs —
 * the same names and kinds the CLI's flags have — so a command's HTTP body and its command line can
 * never disagree; capsule routes have schemas of their own.
 */
import type { CommandDefinition } from "../commands/definition.js";
import type { FlagSpec } from "../commands/specs.js";
import { LIMITS } from "../store/validate.js";

/** A JSON schema, as Fastify and the OpenAPI document take it. */
export type Schema = Record<string, unknown>;

/** The body field that holds a command's argument: its typed positional name, else `text`. */
export function argumentField(command: CommandDefinition): string {
  return command.positional ?? "text";
}

function flagSchema(flag: FlagSpec): Schema {
  const described = { description: flag.help };
  switch (flag.kind) {
    case "boolean":
      return { type: "boolean", ...described };
    case "int":
    case "number":
      return {
        type: flag.kind === "int" ? "integer" : "number",
        ...(flag.min !== undefined ? { minimum: flag.min } : {}),
        ...(flag.max !== undefined ? { maximum: flag.max } : {}),
        ...described,
      };
    case "choice":
      return { type: "string", enum: [...(flag.choices ?? [])], ...described };
    case "list":
      return { type: "array", items: { type: "string" }, ...described };
    case "string":
      return flag.repeat
        ? { type: "array", items: { type: "string" }, ...described }
        : { type: "string", ...described };
  }
}

/** The body of `POST /commands/<name>`: the argument under `argumentField`, each flag under its long name. */
export function commandBodySchema(command: CommandDefinition): Schema {
  const properties: Record<string, Schema> = {};
  const required: string[] = [];
  if (command.args !== "none") {
    const field = argumentField(command);
    properties[field] =
      command.args === "paths"
        ? { type: "array", items: { type: "string", minLength: 1 }, minItems: 1 }
        : command.words && command.args === "word"
          ? { type: "string", enum: [...command.words] }
          : { type: "string", minLength: command.required ? 1 : 0 };
    if (command.required) required.push(field);
  }
  for (const flag of command.flags) {
    properties[flag.name] = flagSchema(flag);
    if (flag.required) required.push(flag.name);
  }
  return {
    type: "object",
    additionalProperties: false,
    properties,
    ...(required.length ? { required } : {}),
  };
}

/** Any JSON object: what a command answers (its `--json`), documented by the command's summary. */
export const OBJECT_SCHEMA: Schema = { type: "object", additionalProperties: true };

const META: Schema = { type: "object", additionalProperties: true };

export const CAPSULE_SCHEMA: Schema = {
  type: "object",
  required: ["id", "text", "tags", "links", "meta", "source", "sha256", "createdAt"],
  properties: {
    id: { type: "integer" },
    text: { type: "string" },
    tags: { type: "array", items: { type: "string" } },
    links: { type: "array", items: { type: "integer" } },
    meta: META,
    source: { type: ["string", "null"] },
    sha256: { type: "string" },
    createdAt: { type: "number" },
  },
};

export const HIT_SCHEMA: Schema = {
  ...CAPSULE_SCHEMA,
  required: [...(CAPSULE_SCHEMA.required as string[]), "score"],
  properties: { ...(CAPSULE_SCHEMA.properties as Schema), score: { type: "number" } },
};

const VECTOR: Schema = { type: "array", items: { type: "number" }, minItems: 1, maxItems: 65_536 };
const TAGS: Schema = { type: "array", items: { type: "string", minLength: 1 }, maxItems: 256 };

/** One capsule to add: as `CapsuleInput`, with the vector as a plain array. */
export const CAPSULE_INPUT_SCHEMA: Schema = {
  type: "object",
  additionalProperties: false,
  required: ["text"],
  properties: {
    text: { type: "string", minLength: 1 },
    tags: TAGS,
    links: { type: "array", items: { type: "integer", minimum: 0 } },
    meta: META,
    vector: VECTOR,
    source: { type: "string" },
  },
};

/** Largest number of capsules one `POST /capsules` adds (one atomic write). */
export const MAX_BATCH = 10_000;

export const ADD_BODY_SCHEMA: Schema = {
  type: "object",
  additionalProperties: false,
  required: ["capsules"],
  properties: { capsules: { type: "array", items: CAPSULE_INPUT_SCHEMA, minItems: 1, maxItems: MAX_BATCH } },
};

export const PATCH_BODY_SCHEMA: Schema = {
  type: "object",
  additionalProperties: false,
  properties: {
    tags: TAGS,
    meta: META,
    link: { type: "array", items: { type: "integer", minimum: 0 } },
    unlink: { type: "array", items: { type: "integer", minimum: 0 } },
  },
};

export const QUERY_BODY_SCHEMA: Schema = {
  type: "object",
  additionalProperties: false,
  properties: {
    text: { type: "string", minLength: 1, description: "the query text (needed by fts and hybrid)" },
    vector: {
      ...VECTOR,
      description: "a query vector of the store's dimension, instead of text (vector mode)",
    },
    k: { type: "integer", minimum: 1, maximum: LIMITS.topK, default: 5 },
    mode: { type: "string", enum: ["vector", "fts", "hybrid"], default: "vector" },
    tags: { ...TAGS, description: "hits carry all of these tags" },
    where: {
      type: "string",
      minLength: 1,
      description: "a LanceDB SQL filter over id, text, tags, source, sha256, meta, created_at",
    },
    effort: {
      type: "number",
      exclusiveMinimum: 0,
      maximum: 64,
      description: "search width relative to the calibrated one",
    },
  },
};

export const ID_PARAMS_SCHEMA: Schema = {
  type: "object",
  required: ["id"],
  properties: { id: { type: "integer", minimum: 0 } },
};

export const LIST_QUERY_SCHEMA: Schema = {
  type: "object",
  additionalProperties: false,
  properties: {
    where: { type: "string", minLength: 1 },
    limit: { type: "integer", minimum: 1, maximum: LIMITS.list, default: 100 },
  },
};

export const WALK_QUERY_SCHEMA: Schema = {
  type: "object",
  additionalProperties: false,
  properties: {
    depth: {
      type: "integer",
      minimum: 0,
      maximum: LIMITS.depth,
      description: "breadth-first: hops (default 2)",
    },
    steps: {
      type: "integer",
      minimum: 0,
      maximum: LIMITS.walkSteps,
      description: "random walk: steps instead of a breadth-first walk",
    },
    seed: { type: "integer", description: "random walk: seed (default 0)" },
  },
};

export const STREAM_QUERY_SCHEMA: Schema = {
  type: "object",
  additionalProperties: false,
  properties: {
    stream: { type: "string", enum: ["0", "1"], description: "1: Server-Sent Events (trace, token, result)" },
  },
};
