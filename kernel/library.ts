/**
 * The SIGLA library and the magics, loaded on first use instead of at start-up: importing `lib/index.ts`
 * (LanceDB, transformers, vega, the model runtimes, and tsx transpiling all of it) takes longer than the rest
 * of the kernel's start-up together. The launcher loads it when a cell first names `sigla…` (every magic
 * line does, once translated), or in the background once the kernel has been idle for a while.
 */
import type * as Lib from "../lib/index.js";
import type { Magics, MagicsHost } from "./magics.js";
import { KERNEL_GLOBAL } from "./startup.js";

/** What a loaded library is: the library itself and the kernel's magics over it. */
export interface Loaded {
  lib: typeof Lib;
  magics: Magics;
}

/** Whether a cell (already translated) uses the library: it names `sigla`, `siglaMagic` or `siglaMagics`. */
export function usesLibrary(code: string): boolean {
  return /\bsigla\w*/.test(code);
}

/** The library, loaded once; `globalThis[KERNEL_GLOBAL]` gets `{ lib, magics, run }` when it is. */
export class KernelLibrary {
  private loading?: Promise<Loaded>;
  private loaded?: Loaded;

  constructor(private readonly host: MagicsHost) {}

  /** Loads the library and the magics (once; later calls share the first load). */
  load(): Promise<Loaded> {
    this.loading ??= (async () => {
      const [lib, { Magics }] = await Promise.all([import("../lib/index.js"), import("./magics.js")]);
      const magics = new Magics(this.host);
      this.loaded = { lib, magics };
      Object.assign(globalThis, {
        [KERNEL_GLOBAL]: {
          lib,
          magics: magics.functions(),
          run: (name: string, args: string) => magics.run(name, args),
        },
      });
      return this.loaded;
    })();
    return this.loading;
  }

  /** Whether the library has been loaded (or is loading). */
  get started(): boolean {
    return this.loading !== undefined;
  }

  /** Stops the running magic (the kernel's interrupt); false when none runs or nothing is loaded. */
  interrupt(): boolean {
    return this.loaded?.magics.interrupt() ?? false;
  }

  /** Closes the workbench, if the magics opened one (waiting for a load still under way). */
  async close(): Promise<void> {
    const loaded = this.loaded ?? (await this.loading?.catch(() => undefined));
    await loaded?.magics.close();
  }
}
