/**
 * A real Chroma server for the benchmark: the `chroma run` CLI of the `chromadb` package (Chroma 1.0,
 * Rust, behind a Node binding), on a free localhost port, with its own data folder.
 *
 * No server may outlive its harness, whatever way the harness ends:
 * - `stop()` kills the server's process group (SIGTERM, SIGKILL after 3 s) and waits until it is gone;
 * - while any server runs, `exit` SIGKILLs them synchronously and SIGINT/SIGTERM stop them and exit with
 *   130/143 (the handlers come off again when none runs, so the host's own handling is untouched);
 * - if the harness dies without running any code (SIGKILL, OOM), a watcher kills the server: a tiny
 *   `sh` that blocks reading a pipe only the harness holds. The kernel closes that pipe when the harness
 *   dies, however it dies, so the watcher's read ends and it SIGKILLs the server group and removes a temp
 *   data folder. (Watching the parent from inside the server cannot work: the binding blocks the server's
 *   JS thread, and a watcher thread there would add ~10 MB to the RSS we measure.)
 * Child processes and their pipes are unref'd: a forgotten server never keeps the host process alive,
 * and the `exit` handler still kills it.
 *
 * Telemetry: the Rust server has no product telemetry (no PostHog in the binding) and says "OpenTelemetry
 * is not enabled because it is missing from the config", so nothing needs turning off for offline use.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { BenchError } from "../../lib/errors.js";

export interface ChromaServerOptions {
  /** The persistence folder; a temp folder (removed on stop) when not given. */
  dataDir?: string;
  /** Progress lines of our own (the server's output is kept and shown only when it fails). */
  log?: (line: string) => void;
  /** How long to wait for the first heartbeat; 60 s by default. */
  timeoutMs?: number;
}

export interface ChromaServer {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly pid: number;
  readonly dataDir: string;
  /** The server's version string (`GET /api/v2/version`). */
  readonly version: string;
  /** Resident bytes of the server process (VmRSS), undefined once it is gone. */
  rss(): Promise<number | undefined>;
  /** Stops the server and waits until its process is gone; removes a temp data folder. Safe to call twice. */
  stop(): Promise<void>;
}

const HOST = "127.0.0.1";
const KILL_AFTER_MS = 3_000;
const TAIL_LINES = 40;

// sh -c SCRIPT watch <server pgid> [temp dir]: blocks until the harness's end of the pipe closes.
const WATCH_SCRIPT = 'cat >/dev/null; kill -KILL "-$1" 2>/dev/null; if [ -n "$2" ]; then rm -rf -- "$2"; fi';

interface Live {
  server: ChildProcess;
  watcher?: ChildProcess;
  ownedDir?: string;
  stop(): Promise<void>;
}

const live = new Set<Live>();
let handlersOn = false;
let signalled = false;

function tryKill(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** The process group of a detached child (its pid, negated for `kill`). */
function groupOf(child: ChildProcess | undefined): number | undefined {
  return child?.pid === undefined ? undefined : -child.pid;
}

/** Synchronous last resort: `exit` handlers cannot wait. */
function killAllNow(): void {
  for (const entry of live) {
    tryKill(groupOf(entry.watcher), "SIGKILL");
    tryKill(groupOf(entry.server), "SIGKILL");
    if (entry.ownedDir) rmSync(entry.ownedDir, { recursive: true, force: true });
  }
}

function onSignal(signal: NodeJS.Signals): void {
  const code = signal === "SIGINT" ? 130 : 143;
  if (signalled) {
    // A second signal while stopping: do not wait any longer.
    killAllNow();
    process.exit(code);
  }
  signalled = true;
  void Promise.allSettled([...live].map((entry) => entry.stop())).finally(() => process.exit(code));
}

function syncHandlers(): void {
  if (live.size > 0 && !handlersOn) {
    process.on("exit", killAllNow);
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    handlersOn = true;
  } else if (live.size === 0 && handlersOn) {
    process.off("exit", killAllNow);
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    handlersOn = false;
  }
}

/** The CLI script of the installed `chromadb` package (its exports hide it, so find it beside the main file). */
function chromaCli(): string {
  const main = createRequire(import.meta.url).resolve("chromadb"); // …/dist/cjs/chromadb.cjs
  const cli = join(dirname(main), "..", "cli.mjs");
  if (!existsSync(cli)) throw new BenchError(`the chromadb package has no CLI at ${cli}`);
  return cli;
}

/** A port that was free a moment ago (the server binds it right after; a lost race is retried). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, HOST, () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** Not blank and not the logo of the banner (rows of `(` and `#`). */
const worthKeeping = (line: string) => !/^[\s(#]*$/.test(line);

/** The last lines of a stream, without colour codes. */
class Tail {
  private lines: string[] = [];
  private partial = "";
  push(chunk: Buffer | string): void {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: strips ANSI colour codes of the banner
    const text = this.partial + String(chunk).replace(/\u001b\[[0-9;]*m/g, "");
    const parts = text.split(/\r?\n/);
    this.partial = parts.pop() ?? "";
    this.lines.push(...parts.filter(worthKeeping));
    if (this.lines.length > TAIL_LINES) this.lines.splice(0, this.lines.length - TAIL_LINES);
  }
  text(): string {
    return [...this.lines, this.partial].filter(worthKeeping).join("\n");
  }
}

async function vmRss(pid: number): Promise<number | undefined> {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts a Chroma server and waits until it answers its heartbeat. */
export async function startChroma(options: ChromaServerOptions = {}): Promise<ChromaServer> {
  const cli = chromaCli();
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(cli, options);
    } catch (error) {
      // Another process may take the probed port before the server binds it: try another one.
      const portTaken =
        error instanceof BenchError && /address (already )?in use|AddrInUse/i.test(error.message);
      if (!portTaken || attempt >= 3) throw error;
    }
  }
}

async function launch(cli: string, options: ChromaServerOptions): Promise<ChromaServer> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const started = performance.now();
  const port = await freePort();
  const url = `http://${HOST}:${port}`;
  if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
  const ownedDir = options.dataDir ? undefined : await mkdtemp(join(tmpdir(), "sigla-chroma-"));
  const dataDir = options.dataDir ?? (ownedDir as string);

  // The server runs like `npx chroma run` would, without loaders the host was started with (tsx).
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const server = spawn(
    process.execPath,
    [cli, "run", "--path", dataDir, "--port", String(port), "--host", HOST],
    {
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env,
    },
  );
  const watcher =
    server.pid === undefined
      ? undefined
      : spawn("/bin/sh", ["-c", WATCH_SCRIPT, "sigla-chroma-watch", String(server.pid), ownedDir ?? ""], {
          detached: true,
          stdio: ["pipe", "ignore", "ignore"],
        });

  const output = new Tail();
  server.stdout?.on("data", (chunk) => output.push(chunk));
  server.stderr?.on("data", (chunk) => output.push(chunk));
  let exitNote: string | undefined;
  const exited = new Promise<void>((resolve) => {
    server.once("exit", (code, signal) => {
      exitNote = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      resolve();
    });
    server.once("error", (error) => {
      exitNote = `could not start: ${error.message}`;
      resolve();
    });
  });
  watcher?.once("error", () => {
    // No /bin/sh: the other safeguards still hold.
  });
  for (const child of [server, watcher]) child?.unref();
  for (const stream of [server.stdout, server.stderr, watcher?.stdin])
    (stream as Socket | null | undefined)?.unref();

  let stopping: Promise<void> | undefined;
  const entry: Live = {
    server,
    watcher,
    ownedDir,
    stop: () => {
      stopping ??= (async () => {
        // First the watcher, so a normal stop never fires it later.
        tryKill(groupOf(watcher), "SIGKILL");
        if (exitNote === undefined) {
          server.ref(); // keep the host alive until the exit is seen
          tryKill(groupOf(server), "SIGTERM");
          const escalate = setTimeout(() => tryKill(groupOf(server), "SIGKILL"), KILL_AFTER_MS);
          await exited;
          clearTimeout(escalate);
        }
        if (ownedDir) await rm(ownedDir, { recursive: true, force: true });
        live.delete(entry);
        syncHandlers();
      })();
      return stopping;
    },
  };
  live.add(entry);
  syncHandlers();

  const fail = async (problem: string): Promise<never> => {
    await entry.stop();
    const tail = output.text();
    throw new BenchError(
      `chroma server (${cli} run --port ${port}) ${problem}${tail ? `; its last output:\n${tail}` : ""}`,
    );
  };

  const deadline = started + timeoutMs;
  let version: string | undefined;
  while (version === undefined) {
    if (exitNote !== undefined) return fail(exitNote);
    if (performance.now() > deadline) return fail(`did not answer its heartbeat within ${timeoutMs} ms`);
    try {
      const beat = await fetch(`${url}/api/v2/heartbeat`, { signal: AbortSignal.timeout(1_000) });
      if (beat.ok) {
        const answer = await fetch(`${url}/api/v2/version`, { signal: AbortSignal.timeout(1_000) });
        version = answer.ok ? String(await answer.json()) : "unknown";
      }
    } catch {
      // not listening yet
    }
    if (version === undefined) await Promise.race([sleep(100), exited]);
  }

  const pid = server.pid as number;
  options.log?.(
    `chroma ${version} listening on ${url} (pid ${pid}, data ${dataDir}) after ${Math.round(performance.now() - started)} ms`,
  );
  return {
    url,
    host: HOST,
    port,
    pid,
    dataDir,
    version,
    rss: async () => (exitNote === undefined ? vmRss(pid) : undefined),
    stop: entry.stop,
  };
}
