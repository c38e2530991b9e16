/**
 * The SIGLA kernel process: `node --import tsx kernel/launcher.ts <connection_file>` (what kernel.json
 * runs). tslab's own `startKernel` has no hook for any of this (see kernel/README.md), so the launcher builds
 * tslab's executor itself and serves it with {@link SiglaServer}. Start-up does as little as it can:
 *
 * 1. the server binds its sockets and answers `kernel_info` at once (nothing of the library is loaded);
 * 2. once a front end has connected, tslab's TypeScript program is built (its converter, ~1 s of parsing
 *    lib.d.ts and @types/node), so the first cell does not wait for it unless it comes at once;
 * 3. the library and the magics load when a cell first names `sigla…` (a magic line does), after which the
 *    startup cell declares them; or in the background once the kernel has been idle for a moment.
 *
 * Each cell's `%magic` lines are translated before tslab sees them (`translate.ts`). On shutdown_request
 * or SIGTERM the workbench is closed (its store's snapshot written) before the process exits.
 */
import { createRequire } from "node:module";
import { KernelLibrary, usesLibrary } from "./library.js";
import { SiglaServer } from "./server.js";
import { startupCell } from "./startup.js";
import { translateCell } from "./translate.js";

type Converter = import("tslab/dist/converter.js").Converter;
// tslab ships CommonJS without an exports map; `require` keeps `lastWriteDisplayData` live (an ESM named
// import of a CommonJS module would copy it once, while it is still null).
const require = createRequire(import.meta.url);
const converter: typeof import("tslab/dist/converter.js") = require("tslab/dist/converter.js");
const executorModule: typeof import("tslab/dist/executor.js") = require("tslab/dist/executor.js");
const jupyter: typeof import("tslab/dist/jupyter.js") = require("tslab/dist/jupyter.js");

/** How long the kernel waits idle after connecting or after a cell before it loads the library anyway. */
const PRELOAD_AFTER_IDLE_MS = 1500;
/** The longest the shutdown waits for the workbench to close (Jupyter sends SIGKILL after 5 s anyway). */
const CLOSE_TIMEOUT_MS = 4500;

const configPath = process.argv[2];
if (!configPath) {
  console.error("usage: node --import tsx kernel/launcher.ts <connection_file>");
  process.exit(2);
}

const library = new KernelLibrary({
  display: (bundle, id, update = false) => {
    if (!jupyter.lastWriteDisplayData) throw new Error("display outside of a cell");
    const transient = id ? { display_id: id } : {};
    jupyter.lastWriteDisplayData({ data: bundle, metadata: {}, transient } as never, update);
  },
  error: (line) => process.stderr.write(`${line}\n`),
});

let node: Converter | undefined;
let browser: Converter | undefined;
const converters = {
  get node() {
    node ??= converter.createConverter({ isJS: false, isBrowser: false });
    return node;
  },
  get browser() {
    browser ??= converter.createConverter({ isJS: false, isBrowser: true });
    return browser;
  },
  close() {
    node?.close();
    browser?.close();
  },
};
const executor = executorModule.createExecutor(process.cwd(), converters, {
  log: console.log,
  error: console.error,
});
const execute = executor.execute.bind(executor);

let preload: NodeJS.Timeout | undefined;
/** Loads the library once the kernel has been idle for {@link PRELOAD_AFTER_IDLE_MS}. */
function preloadWhenIdle(): void {
  clearTimeout(preload);
  if (library.started) return;
  // A failure is reported to the cell that needs the library, not here.
  preload = setTimeout(() => void library.load().catch(() => undefined), PRELOAD_AFTER_IDLE_MS);
  preload.unref();
}

let declared: Promise<boolean> | undefined;
/** Loads the library and runs the startup cell, once, inside the cell that first needs them. */
function declareLibrary(): Promise<boolean> {
  declared ??= library.load().then(
    ({ lib }) => execute(startupCell(lib)),
    (error: unknown) => {
      console.error(
        `sigla kernel: the SIGLA library could not be loaded: ${(error as Error)?.stack ?? error}`,
      );
      return false;
    },
  );
  return declared;
}

executor.execute = async (source: string) => {
  clearTimeout(preload);
  try {
    const code = translateCell(source);
    if (usesLibrary(code) && !(await declareLibrary())) return false;
    return await execute(code);
  } finally {
    preloadWhenIdle();
  }
};

let closing = false;
/** Closes the workbench (bounded by {@link CLOSE_TIMEOUT_MS}), then exits; once, whoever asks. */
function shutdown(): void {
  if (closing) return;
  closing = true;
  void (async () => {
    // Keeps the process alive while the close awaits native work (LanceDB), which may hold no handle.
    const alive = setInterval(() => undefined, 1000);
    const timeout = new Promise((resolve) => setTimeout(resolve, CLOSE_TIMEOUT_MS));
    try {
      await Promise.race([library.close(), timeout]);
    } catch (error) {
      process.stderr.write(`sigla kernel: closing the workbench failed: ${(error as Error).message}\n`);
    } finally {
      clearInterval(alive);
      process.exit(0);
    }
  })();
}

// The interrupt stops a running magic first, so a model's partial answer still ends the cell; code the
// magics do not run is interrupted as tslab does it.
process.on("SIGINT", () => {
  if (!library.interrupt()) executor.interrupt();
});
process.on("SIGTERM", shutdown);
process.on("uncaughtException", (error) => console.error("UncaughtException:", error));
process.on("unhandledRejection", (reason) => console.error("UnhandledPromiseRejection:", reason));

const server = new SiglaServer(executor, configPath, {
  connected: () => {
    // Built now, while the user reads the notebook, instead of in the first cell.
    void converters.node;
    preloadWhenIdle();
  },
  shutdown,
});
await server.init();
