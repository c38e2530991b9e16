/** A real `sigla` HTTP server on a free loopback port for tests, and small fetch helpers. */

import type { Embedder } from "../../lib/embed/embedder.js";
import { loadUseLite } from "../../lib/embed/use-lite.js";
import { type RunningServer, startServer } from "../../lib/server/serve.js";
import { type ServerSettings, serverSettings } from "../../lib/server/settings.js";
import { tempPath } from "./temp.js";

export { type ServerProcess, spawnServer } from "../../bench/server-process.js";

let embedder: Promise<Embedder> | undefined;

/** Starts a server on a new store (or `store`) with the offline embedder; settings default as with no variables set. */
export async function testServer(
  over: Partial<ServerSettings> = {},
  store = tempPath(),
  /** A language model for the pipeline (a .gguf path); default none: the offline answerer. */
  llm?: string,
): Promise<RunningServer> {
  embedder ??= loadUseLite();
  return startServer({ ...serverSettings({}), port: 0, ...over }, { store, embedder: await embedder, llm });
}

/** A JSON request; the answer's status, headers and parsed body (text when it is not JSON). */
export async function call(
  url: string,
  method: string,
  body?: unknown,
  headers: Record<string, string> = {},
  // biome-ignore lint/suspicious/noExplicitAny: answers are JSON of every route's shape; tests read what they check.
): Promise<{ status: number; headers: Headers; body: any }> {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {}
  return { status: response.status, headers: response.headers, body: parsed };
}
