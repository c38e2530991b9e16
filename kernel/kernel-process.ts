/**
 * What the kernel process does, for `launcher.ts`: tslab's executor (its TypeScript converter built lazily)
 * with `%magic` translation and the library loaded on first use, served by {@link SiglaServer}. Start-up
 * does as little as it can:
 *
 * 1. the server binds its sockets and answers `kernel_info` at once (nothing of the library is loaded);
 * 2. once a front end has connected (no kernel_info for {@link WARM_UP_AFTER_MS}), tslab's TypeScript program
 *    is built (its converter: parsing lib.d.ts and @types/node), so the first cell does not wait for it
 *    unless it comes at once;
 * 3. the library and the magics load when a cell first names `sigla…` (a magic line does), after which the
 *    startup cell declares them; or in the background once the kernel has been idle for a moment.
 *
 * On shutdown_request or SIGTERM the workbench is closed (its store's snapshot written) before the exit.
 */
import { createRequire } from "node:module";
import { KernelLibrary, usesLibrary } from "./library.js";
import type { MagicsHost } from "./magics.js";
import { SiglaServer } from "./server.js";
import { startupCell } from "./startup.js";
import { translateCell } from "./translate.js";

type Converter = import("tslab/dist/converter.js").Converter;
type Executor = import("tslab/dist/executor.js").Executor;
type ConverterSet = import("tslab/dist/executor.js").ConverterSet;
// tslab ships CommonJS without an exports map; `require` keeps `lastWriteDisplayData` live (an ESM named
// import of a CommonJS module would copy it once, while it is still null).
const require = createRequire(import.meta.url);
const converter: typeof import("tslab/dist/converter.js") = require("tslab/dist/converter.js");
const executorModule: typeof import("tslab/dist/executor.js") = require("tslab/dist/executor.js");
const jupyter: typeof import("tslab/dist/jupyter.js") = require("tslab/dist/jupyter.js");

/** How long after the last kernel_info request tslab's TypeScript program is built (if no cell needed it). */
export const WARM_UP_AFTER_MS = 300;
/** How long the kernel waits idle after warming up or after a cell before it loads the library anyway. */
export const PRELOAD_AFTER_IDLE_MS = 1500;
/** The longest the shutdown waits for the workbench to close (Jupyter sends SIGKILL after 5 s anyway). */
export const CLOSE_TIMEOUT_MS = 4500;

/** Where the magics show results: tslab's display of the running cell, errors on stderr. */
const MAGICS_HOST: MagicsHost = {
  display: (bundle, id, update = false) => {
    if (!jupyter.lastWriteDisplayData) throw new Error("display outside of a cell");
    const transient = id ? { display_id: id } : {};
    jupyter.lastWriteDisplayData({ data: bundle, metadata: {}, transient } as never, update);
  },
  error: (line) => process.stderr.write(`${line}\n`),
};

/** The running kernel: one per process. */
export class KernelProcess {
  private readonly library = new KernelLibrary(MAGICS_HOST);
  private node?: Converter;
  private browser?: Converter;
  private readonly executor: Executor;
  private readonly execute: (code: string) => Promise<boolean>;
  private warmUp?: NodeJS.Timeout;
  private preload?: NodeJS.Timeout;
  private declared?: Promise<boolean>;
  private closing = false;

  constructor() {
    // tslab asks for a converter as a property; each is built on first use (building one takes seconds).
    const converters = Object.defineProperties(
      {
        close: () => {
          this.node?.close();
          this.browser?.close();
        },
      },
      {
        node: { get: () => this.nodeConverter() },
        browser: {
          get: () => {
            this.browser ??= converter.createConverter({ isJS: false, isBrowser: true });
            return this.browser;
          },
        },
      },
    ) as ConverterSet;
    this.executor = executorModule.createExecutor(process.cwd(), converters, {
      log: console.log,
      error: console.error,
    });
    this.execute = this.executor.execute.bind(this.executor);
    this.executor.execute = (source) => this.run(source);
  }

  /** Serves the kernel on the connection file `configPath`, with its signal handlers. */
  async start(configPath: string): Promise<void> {
    // The interrupt stops a running magic first, so a model's partial answer still ends the cell; code the
    // magics do not run is interrupted as tslab does it.
    process.on("SIGINT", () => {
      if (!this.library.interrupt()) this.executor.interrupt();
    });
    process.on("SIGTERM", () => this.shutdown());
    process.on("uncaughtException", (error) => console.error("UncaughtException:", error));
    process.on("unhandledRejection", (reason) => console.error("UnhandledPromiseRejection:", reason));
    const server = new SiglaServer(this.executor, configPath, {
      kernelInfo: () => this.warmUpSoon(),
      shutdown: () => this.shutdown(),
    });
    await server.init();
  }

  /** One cell: its magic lines translated, the library declared first when the cell names it. */
  private async run(source: string): Promise<boolean> {
    clearTimeout(this.warmUp);
    clearTimeout(this.preload);
    try {
      const code = translateCell(source);
      if (usesLibrary(code) && !(await this.declareLibrary())) return false;
      return await this.execute(code);
    } finally {
      this.preloadWhenIdle();
    }
  }

  /**
   * Builds tslab's converter {@link WARM_UP_AFTER_MS} after the last kernel_info request: while the user
   * reads the notebook instead of in the first cell, and not while a client still asks for kernel_info
   * until it sees IOPub (building blocks the process for a second or more).
   */
  private warmUpSoon(): void {
    clearTimeout(this.warmUp);
    if (this.node) return;
    this.warmUp = setTimeout(() => {
      this.nodeConverter();
      this.preloadWhenIdle();
    }, WARM_UP_AFTER_MS);
    this.warmUp.unref();
  }

  /** tslab's converter for Node cells (its TypeScript program), built now if it was not. */
  private nodeConverter(): Converter {
    this.node ??= converter.createConverter({ isJS: false, isBrowser: false });
    return this.node;
  }

  /** Loads the library once the kernel has been idle for {@link PRELOAD_AFTER_IDLE_MS}. */
  private preloadWhenIdle(): void {
    clearTimeout(this.preload);
    if (this.library.started) return;
    // A failure is reported to the cell that needs the library, not here.
    this.preload = setTimeout(() => void this.library.load().catch(() => undefined), PRELOAD_AFTER_IDLE_MS);
    this.preload.unref();
  }

  /** Loads the library and runs the startup cell, once, inside the cell that first needs them. */
  private declareLibrary(): Promise<boolean> {
    this.declared ??= this.library.load().then(
      ({ lib }) => this.execute(startupCell(lib)),
      (error: unknown) => {
        console.error(
          `sigla kernel: the SIGLA library could not be loaded: ${(error as Error)?.stack ?? error}`,
        );
        return false;
      },
    );
    return this.declared;
  }

  /** Closes the workbench (bounded by {@link CLOSE_TIMEOUT_MS}), then exits; once, whoever asks. */
  private shutdown(): void {
    if (this.closing) return;
    this.closing = true;
    void (async () => {
      // Keeps the process alive while the close awaits native work (LanceDB), which may hold no handle.
      const alive = setInterval(() => undefined, 1000);
      const timeout = new Promise((resolve) => setTimeout(resolve, CLOSE_TIMEOUT_MS));
      try {
        await Promise.race([this.library.close(), timeout]);
      } catch (error) {
        process.stderr.write(`sigla kernel: closing the workbench failed: ${(error as Error).message}\n`);
      } finally {
        clearInterval(alive);
        process.exit(0);
      }
    })();
  }
}
