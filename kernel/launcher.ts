/**
 * The SIGLA kernel process: `node --import tsx kernel/launcher.ts <connection_file>` (what kernel.json
 * runs). tslab's own `startKernel` has no hook for what the kernel adds (see kernel/README.md), so
 * `KernelProcess` builds tslab's executor itself and serves it with its own server.
 */
import { realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { KernelProcess } from "./kernel-process.js";

/** Whether this file is the process's entry point (a test runner importing every file of kernel/ is not). */
function isEntryPoint(): boolean {
  const entry = process.argv[1];
  return entry !== undefined && pathToFileURL(realpathSync(entry)).href === import.meta.url;
}

if (isEntryPoint()) {
  const configPath = process.argv[2];
  if (!configPath) {
    console.error("usage: node --import tsx kernel/launcher.ts <connection_file>");
    process.exit(2);
  }
  await new KernelProcess().start(configPath);
}
