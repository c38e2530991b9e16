/**
 * The ArchiveNode JSON Schema (Iskra §3.8.2) and its validator. The schema lives verbatim in
 * `archive-node.schema.json`; it is compiled once, on first use, with Ajv's draft 2020-12 dialect and the
 * `date-time` format from ajv-formats (RFC 3339: a time zone is required).
 */
import { readFileSync } from "node:fs";
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import formatsModule from "ajv-formats";
import { MemoryError } from "../errors.js";
import type { ArchiveNode } from "./archive-node.js";

/** The schema document itself, parsed from `archive-node.schema.json`. */
export const ARCHIVE_NODE_SCHEMA: Readonly<Record<string, unknown>> = JSON.parse(
  readFileSync(new URL("./archive-node.schema.json", import.meta.url), "utf8"),
);

let compiled: ValidateFunction<ArchiveNode> | undefined;

/** The compiled validator, built on first use and kept for the life of the process. */
function validator(): ValidateFunction<ArchiveNode> {
  if (!compiled) {
    const ajv = new Ajv2020({ allErrors: true, strict: true, verbose: true });
    // ajv-formats is CommonJS: under NodeNext its default import is the module object, whose `default` is
    // the plugin (at run time both are the same function).
    formatsModule.default(ajv, ["date-time"]);
    compiled = ajv.compile<ArchiveNode>(ARCHIVE_NODE_SCHEMA);
  }
  return compiled;
}

/** True when `node` satisfies the ArchiveNode schema. */
export function isArchiveNode(node: unknown): node is ArchiveNode {
  return validator()(node);
}

/**
 * Throws `MemoryError("SIGLA_SCHEMA", "<node id>: <violations>")` unless `node` satisfies the ArchiveNode
 * schema. Every violation is listed, `; `-separated, each as a JSON pointer to the offending field and what
 * is wrong with it (e.g. `/hash must match pattern "^sha256:[0-9a-f]{64}$"`, `/title is required`).
 */
export function validateArchiveNode(node: unknown): asserts node is ArchiveNode {
  const validate = validator();
  if (validate(node)) return;
  const problems = (validate.errors ?? []).map(describeError);
  throw new MemoryError("SIGLA_SCHEMA", `${nodeLabel(node)}: ${[...new Set(problems)].join("; ")}`);
}

/** The node's id when it has a usable one, so the message says which node failed. */
function nodeLabel(node: unknown): string {
  if (typeof node === "object" && node !== null && !Array.isArray(node)) {
    const id = (node as Record<string, unknown>).id;
    if (typeof id === "string" && id !== "") return id;
    return "ArchiveNode without an id";
  }
  const what = node === null ? "null" : Array.isArray(node) ? "an array" : typeof node;
  return `ArchiveNode (got ${what})`;
}

/** One Ajv error as `<path> <message>`, with the path pointing at the field itself where Ajv points at its parent. */
function describeError(error: ErrorObject): string {
  const at = error.instancePath;
  switch (error.keyword) {
    case "required":
      return `${at}/${(error.params as { missingProperty: string }).missingProperty} is required`;
    case "additionalProperties":
      return `${at}/${(error.params as { additionalProperty: string }).additionalProperty} is not allowed (not in the schema)`;
    case "enum":
      return `${at || "/"} must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues
        .map((value) => JSON.stringify(value))
        .join(", ")} (got ${JSON.stringify(error.data)})`;
    case "const":
      return `${at || "/"} must be ${JSON.stringify((error.params as { allowedValue: unknown }).allowedValue)} (got ${JSON.stringify(error.data)})`;
    default:
      return `${at || "/"} ${error.message ?? `fails ${error.keyword}`}`;
  }
}
