/**
 * `sigla serve`: opens the workbench, listens, and on SIGTERM or SIGINT shuts down gracefully — `/health`
 * turns 503 at once, in-flight requests finish (up to `shutdownTimeoutMs`), then the store closes cleanly.
 */

import { Workbench } from "../commands/workbench.js";
import type { Embedder, EmbedderSpec } from "../embed/embedder.js";
import { createServer, type SiglaServer } from "./app.js";
import type { ServerSettings } from "./settings.js";

/** What `startServer` opens: the store, the embedder of a new one, the model that answers. */
export interface ServeOptions {
  /** Store folder (default `$SIGLA_HOME/store`). */
  store?: string;
  /** Embedder for a new store (an existing store keeps its own). */
  embedder?: EmbedderSpec | Embedder;
  llm?: string;
  profile?: string;
  /** Where `auto`'s choice of embedder and other notes go. */
  log?: (line: string) => void;
}

/** A listening server: its app and address, and how to stop it. */
export interface RunningServer {
  server: SiglaServer;
  /** `http://host:port` it listens on (the port the system chose when 0 was asked). */
  url: string;
  /** Stops taking requests, lets in-flight ones finish, closes the store; safe to call twice. */
  close(): Promise<void>;
}

/** How long a reader may lag another process's acknowledged write (it refreshes by table version). */
export const REFRESH_MS = 1000;

/** Opens the store's workbench and listens; `close()` shuts down as SIGTERM does (see the module comment). */
export async function startServer(
  settings: ServerSettings,
  options: ServeOptions = {},
): Promise<RunningServer> {
  const bench = await Workbench.open({
    path: options.store,
    embedder: options.embedder,
    llm: options.llm,
    profile: options.profile,
    session: "server",
    log: options.log,
  });
  let server: SiglaServer;
  try {
    server = await createServer(bench, { ...settings, refreshMs: REFRESH_MS });
    await server.app.listen({ host: settings.host, port: settings.port });
  } catch (error) {
    await bench.close();
    throw error;
  }
  const address = server.app.server.address();
  const port = typeof address === "object" && address ? address.port : settings.port;
  const host = settings.host.includes(":") ? `[${settings.host}]` : settings.host;
  let closing: Promise<void> | undefined;
  const close = async () => {
    server.ready = false;
    const drained = server.app.close();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        // In-flight work past the bound is cut, so a stuck request cannot keep the store open forever.
        server.app.server.closeAllConnections();
        resolve();
      }, settings.shutdownTimeoutMs);
    });
    await Promise.race([drained, late]);
    clearTimeout(timer);
    await bench.close();
  };
  return {
    server,
    url: `http://${host}:${port}`,
    close: () => {
      closing ??= close();
      return closing;
    },
  };
}
