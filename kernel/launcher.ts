/**
 * The SIGLA kernel process: `node --import tsx kernel/launcher.ts <connection_file>` (what kernel.json
 * runs). It preloads the library and the magics, wraps tslab's executor so `%magic` lines are translated
 * before tslab sees a cell, runs the startup cell, then starts tslab's Jupyter server (tslab's own
 * `startKernel` has no hook for any of this; see kernel/README.md).
 */
import { createRequire } from "node:module";
import * as lib from "../lib/index.js";
import { Magics } from "./magics.js";
import { KERNEL_GLOBAL, STARTUP_CELL } from "./startup.js";
import { translateCell } from "./translate.js";

type Converter = import("tslab/dist/converter.js").Converter;
// tslab ships CommonJS without an exports map; `require` keeps `lastWriteDisplayData` live (an ESM named
// import of a CommonJS module would copy it once, while it is still null).
const require = createRequire(import.meta.url);
const converter: typeof import("tslab/dist/converter.js") = require("tslab/dist/converter.js");
const executorModule: typeof import("tslab/dist/executor.js") = require("tslab/dist/executor.js");
const jupyter: typeof import("tslab/dist/jupyter.js") = require("tslab/dist/jupyter.js");

const configPath = process.argv[2];
if (!configPath) {
  console.error("usage: node --import tsx kernel/launcher.ts <connection_file>");
  process.exit(2);
}

const magics = new Magics({
  display: (bundle, id, update = false) => {
    if (!jupyter.lastWriteDisplayData) throw new Error("display outside of a cell");
    const transient = id ? { display_id: id } : {};
    jupyter.lastWriteDisplayData({ data: bundle, metadata: {}, transient } as never, update);
  },
  error: (line) => process.stderr.write(`${line}\n`),
});
Object.assign(globalThis, {
  [KERNEL_GLOBAL]: {
    lib,
    magics: magics.functions(),
    run: (name: string, args: string) => magics.run(name, args),
  },
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
converters.node;
const executor = executorModule.createExecutor(process.cwd(), converters, {
  log: console.log,
  error: console.error,
});
if (!(await executor.execute(STARTUP_CELL))) {
  console.error("sigla kernel: the startup cell failed");
  process.exit(1);
}
const execute = executor.execute.bind(executor);
executor.execute = (source: string) => execute(translateCell(source));

// The interrupt stops a running magic first, so a model's partial answer still ends the cell; code the
// magics do not run is interrupted as tslab does it.
process.on("SIGINT", () => {
  if (!magics.interrupt()) executor.interrupt();
});
process.on("uncaughtException", (error) => console.error("UncaughtException:", error));
process.on("unhandledRejection", (reason) => console.error("UnhandledPromiseRejection:", reason));
process.on("exit", () => void magics.close());
await new jupyter.ZmqServer(new jupyter.JupyterHandlerImpl(executor, false), configPath).init();
