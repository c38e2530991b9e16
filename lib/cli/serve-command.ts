/**
 * `sigla serve`: the HTTP door. Flags win over `SIGLA_HOST`/`SIGLA_PORT`; it prints where it listens and
 * whether a key is asked, and runs until SIGTERM or SIGINT, then shuts down gracefully (`lib/server`).
 */
import { type Command, Option } from "commander";
import { int } from "../config.js";
import type { EmbedderSpec } from "../embed/embedder.js";
import { PROFILE_NAMES } from "../llm/profiles.js";
import { startServer } from "../server/serve.js";
import { serverSettings } from "../server/settings.js";
import type { Io } from "./common.js";

interface ServeFlags {
  store?: string;
  host?: string;
  port?: string;
  embedder?: string;
  llm?: string;
  profile?: string;
}

async function serve(io: Io, flags: ServeFlags): Promise<void> {
  const settings = serverSettings();
  if (flags.host) settings.host = flags.host;
  if (flags.port !== undefined) settings.port = int({ "--port": flags.port }, "--port", settings.port, 0);
  const running = await startServer(settings, {
    ...flags,
    embedder: flags.embedder as EmbedderSpec | undefined,
    log: (line) => io.err(`${line}\n`),
  });
  const guard = settings.apiKey ? "X-API-Key required" : "no API key (set SIGLA_API_KEY to require one)";
  const role = settings.writerUrl ? `, writes forwarded to ${settings.writerUrl}` : "";
  io.err(`sigla: serving ${flags.store ?? "the default store"} at ${running.url} — ${guard}${role}\n`);
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      io.err(`sigla: ${signal}: finishing requests in flight, then closing the store\n`);
      process.off("SIGTERM", stop);
      process.off("SIGINT", stop);
      running.close().then(resolve, resolve);
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
  });
  io.err("sigla: server stopped, store closed\n");
}

/** The `serve` subcommand of `sigla`. */
export function serveProgram(cli: Command, io: Io): void {
  cli
    .command("serve")
    .description(
      "serve the store over HTTP: capsules, search, ask, memory, models and modules (see README: Server)",
    )
    .addOption(new Option("-s, --store <path>", "store folder (default $SIGLA_HOME/store)"))
    .addOption(new Option("--host <host>", "address to bind (default $SIGLA_HOST or 127.0.0.1)"))
    .addOption(new Option("--port <n>", "port (default $SIGLA_PORT or 8700; 0 picks a free one)"))
    .addOption(new Option("--embedder <spec>", "auto | use-lite | transformers:<model> for a new store"))
    .addOption(new Option("--llm <spec>", "model that writes the answers (default $SIGLA_LLM)"))
    .addOption(new Option("--profile <name>", "runtime profile of --llm").choices(PROFILE_NAMES))
    .action(async (flags: ServeFlags) => serve(io, flags));
}
