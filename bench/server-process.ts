/**
 * A `sigla serve` child process, for the load test and the process tests: started on a free port, its
 * address read from the line it prints, stopped with SIGTERM as an orchestrator would.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** A `sigla serve` child process on a free port. */
export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** What it printed on stderr so far. */
  log(): string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `sigla serve -s store --port 0` with the offline embedder and resolves once it listens. */
export function spawnServer(store: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const bin = fileURLToPath(new URL("../bin/sigla.js", import.meta.url));
  // A home of its own (models cache, reports), removed when the server exits.
  const home = mkdtempSync(join(tmpdir(), "sigla-serve-home-"));
  const child = spawn(process.execPath, [bin, "serve", "-s", store, "--port", "0"], {
    env: {
      ...process.env,
      SIGLA_EMBEDDER: "use-lite",
      SIGLA_HOME: home,
      ...env,
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      rmSync(home, { recursive: true, force: true });
      resolve(code);
    }),
  );
  return new Promise((resolve, reject) => {
    child.stderr?.on("data", (chunk) => {
      stderr += chunk;
      const url = stderr.match(/at (http:\/\/\S+)/)?.[1];
      if (url) {
        resolve({
          url,
          child,
          log: () => stderr,
          stop: () => {
            child.kill("SIGTERM");
            return exited;
          },
        });
      }
    });
    exited.then((code) => reject(new Error(`sigla serve exited ${code} before listening: ${stderr}`)));
  });
}
