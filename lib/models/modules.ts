/**
 * The module system a door holds: the registry, a router over it and a loader that attaches to the
 * door's language model. One per workbench; the CLI opens one per command.
 */
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { config } from "../config.js";
import type { Runner } from "../llm/runner.js";
import { type LoaderOptions, ModuleLoader } from "./loader.js";
import { LocalModuleRegistry } from "./registry.js";
import { ModuleRouter, type RouterOptions } from "./router.js";

/** Registry, router and loader together. */
export interface ModuleSystem {
  registry: LocalModuleRegistry;
  router: ModuleRouter;
  loader: ModuleLoader;
  /** Detaches every module (the registry stays on disk). */
  close(): Promise<void>;
}

/** Options of {@link openModules}. */
export interface ModuleSystemOptions {
  /** Registry folder (default `SIGLA_MODULES`). */
  dir?: string;
  runner?: Runner;
  router?: RouterOptions;
  loader?: Omit<LoaderOptions, "runner">;
}

/** Opens the registry (creating its folder) with a router and a loader. */
export async function openModules(options: ModuleSystemOptions = {}): Promise<ModuleSystem> {
  const registry = await LocalModuleRegistry.open(options.dir);
  const router = new ModuleRouter(registry, options.router);
  const loader = new ModuleLoader(registry, { ...options.loader, runner: options.runner });
  return { registry, router, loader, close: () => loader.close() };
}

/** Whether a registry with at least one change exists (so a workbench opens it without creating one). */
export async function hasModules(dir: string = config().modulesDir): Promise<boolean> {
  const log = await stat(join(dir, "registry.jsonl")).catch(() => undefined);
  return (log?.size ?? 0) > 0;
}
