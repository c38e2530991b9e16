/**
 * How a `SiglaError` travels over HTTP: a status chosen by its code, and the body `{ error: { code,
 * message } }` — the same codes and one-line messages the CLI prints, never a stack trace.
 */
import { type ErrorCode, firstLine, type SiglaError } from "../errors.js";

const STATUS: Partial<Record<ErrorCode, number>> = {
  SIGLA_INVALID_INPUT: 400,
  SIGLA_DIMENSION_MISMATCH: 400,
  SIGLA_USAGE: 400,
  SIGLA_DSL_PARSE: 400,
  SIGLA_DSL_ARGUMENT: 400,
  SIGLA_SCHEMA: 400,
  SIGLA_SESSION: 400,
  SIGLA_ARCHIVE_INVALID: 400,
  SIGLA_ARCHIVE_UNSAFE: 400,
  SIGLA_MODULE_INVALID: 400,
  SIGLA_MODEL_INVALID: 400,
  SIGLA_UNAUTHORIZED: 401,
  SIGLA_UNKNOWN_ID: 404,
  SIGLA_NOT_FOUND: 404,
  SIGLA_MODEL_NOT_FOUND: 404,
  SIGLA_MODULE_NOT_FOUND: 404,
  SIGLA_GATE_REJECTED: 409,
  SIGLA_EMBEDDER_MISMATCH: 409,
  SIGLA_STORE_LOCKED: 409,
  SIGLA_CONFLICT: 409,
  SIGLA_TOO_LARGE: 413,
  SIGLA_ARCHIVE_TOO_LARGE: 413,
  SIGLA_MODULE_BUDGET: 413,
  SIGLA_RATE_LIMITED: 429,
  SIGLA_CANCELLED: 503,
  SIGLA_STORE_CLOSED: 503,
  SIGLA_UNAVAILABLE: 503,
  SIGLA_EMBEDDER_UNAVAILABLE: 503,
};

/** The HTTP status of an error code: 4xx for what the caller can fix, 503 for what passes, else 500. */
export function statusOf(code: ErrorCode): number {
  return STATUS[code] ?? 500;
}

/** The JSON body of an error response. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

export function errorBody(error: SiglaError): ErrorBody {
  return { error: { code: error.code, message: firstLine(error.message, 500) } };
}

/** The error body's JSON schema, for the OpenAPI document. */
export const ERROR_SCHEMA = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: { code: { type: "string" }, message: { type: "string" } },
    },
  },
} as const;
