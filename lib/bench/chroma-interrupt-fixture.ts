/**
 * For `chroma-server.test.ts`: starts a Chroma server, prints `{ pid, dataDir, url }` as one JSON line,
 * then waits to be interrupted (SIGINT, SIGTERM) or killed (SIGKILL).
 */
import { startChroma } from "./chroma-server.js";

const server = await startChroma();
process.stdout.write(`${JSON.stringify({ pid: server.pid, dataDir: server.dataDir, url: server.url })}\n`);
// Keeps the process alive: startChroma unrefs the server so it would not on its own.
setInterval(() => {}, 60_000);
