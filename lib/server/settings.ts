/**
 * What `sigla serve` listens on and how it guards itself, read from the `SIGLA_*` server variables. The
 * Dockerfile and the Helm chart are checked against these names and defaults (`deploy.test.ts`).
 */

import { int } from "../config.js";
import { ConfigError } from "../errors.js";

/** Loopback unless told otherwise: a store is not shared with the network by accident. */
export const DEFAULT_HOST = "127.0.0.1";
export const DEFAULT_PORT = 8700;
/** Readiness: 200 once the store is open, 503 while opening or shutting down; never needs the key. */
export const HEALTH_PATH = "/health";
/** Liveness: 200 while the process answers at all. */
export const LIVE_PATH = "/live";
export const METRICS_PATH = "/metrics";
export const OPENAPI_PATH = "/openapi.json";
/** The header that carries the API key (seed §4: `X-API-Key`). */
export const API_KEY_HEADER = "x-api-key";
/** Object-storage options come from `SIGLA_STORAGE_*` (see `lib/store/location.ts`). */
export { STORAGE_PREFIX, storageOptions } from "../store/location.js";

/** The server's environment: every name here is in `.env.example` and the README. */
export const SERVER_VARIABLES = [
  "SIGLA_API_KEY",
  "SIGLA_HOST",
  "SIGLA_PORT",
  "SIGLA_CORS_ORIGINS",
  "SIGLA_RATE_LIMIT",
  "SIGLA_BODY_LIMIT",
  "SIGLA_SHUTDOWN_TIMEOUT_MS",
  "SIGLA_WRITER_URL",
] as const;

/** What `sigla serve` listens on and how it guards itself (`serverSettings` reads them from the environment). */
export interface ServerSettings {
  /** Required in `X-API-Key` on every route but health, liveness; undefined: no key asked. */
  apiKey: string | undefined;
  host: string;
  port: number;
  /** Origins allowed by CORS; empty: CORS off (no `Access-Control-*` headers). */
  corsOrigins: string[];
  /** Requests per minute per key (or per IP without a key); 0: no limit. */
  rateLimit: number;
  /** Largest request body, in bytes; a larger one is 413. */
  bodyLimit: number;
  /** How long in-flight requests may take to finish after SIGTERM before the store is closed anyway. */
  shutdownTimeoutMs: number;
  /**
   * The server every write is forwarded to (`http://writer:8700`); undefined: this server writes itself.
   * Servers sharing a store on object storage run one writer and forward to it (see `forward.ts`).
   */
  writerUrl: string | undefined;
}

/** The settings from an environment (the process's by default). */
export function serverSettings(env: NodeJS.ProcessEnv = process.env): ServerSettings {
  const origins = (env.SIGLA_CORS_ORIGINS ?? "")
    .split(",")
    .map((origin) => origin.trim())
    .filter(Boolean);
  for (const origin of origins) {
    if (origin !== "*" && !/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw new ConfigError(
        `SIGLA_CORS_ORIGINS holds "${origin}": each origin is scheme://host[:port] (or *), comma-separated`,
      );
    }
  }
  const writerUrl = env.SIGLA_WRITER_URL?.replace(/\/+$/, "") || undefined;
  if (writerUrl && !/^https?:\/\/[^/\s]+$/.test(writerUrl)) {
    throw new ConfigError(`SIGLA_WRITER_URL must be http(s)://host[:port], got "${writerUrl}"`);
  }
  return {
    apiKey: env.SIGLA_API_KEY || undefined,
    writerUrl,
    host: env.SIGLA_HOST || DEFAULT_HOST,
    port: int(env, "SIGLA_PORT", DEFAULT_PORT, 0),
    corsOrigins: origins,
    rateLimit: int(env, "SIGLA_RATE_LIMIT", 600, 0),
    bodyLimit: int(env, "SIGLA_BODY_LIMIT", 8 * 1024 * 1024, 1024),
    shutdownTimeoutMs: int(env, "SIGLA_SHUTDOWN_TIMEOUT_MS", 10_000, 0),
  };
}
