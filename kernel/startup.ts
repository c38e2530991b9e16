/**
 * The cell the kernel runs before the first user cell: it names what the launcher preloaded, typed for
 * tslab's own TypeScript (5.0.4), which cannot type-check the repository's lib itself (see README).
 * No identifier here may start with `__` (tslab mangles those).
 */
import { BENCH_SUITES, CHART_KINDS, MEMORY_ACTIONS, MEMORY_VIEWS } from "../lib/index.js";
import { PROFILE_NAMES } from "../lib/llm/profiles.js";
import { MAGIC_FUNCTION } from "./translate.js";

/** A TypeScript union of string literals, from the library's own lists (so the kernel's types follow them). */
const union = (words: readonly string[]) => words.map((w) => JSON.stringify(w)).join(" | ");

/** The `globalThis` key under which the launcher leaves `{ lib, magics, run }`. */
export const KERNEL_GLOBAL = "siglaKernel";

/** Declarations of `sigla` (the library, untyped), `siglaMagics` (typed) and the magic-line function. */
export const STARTUP_CELL = `const sigla: any = (globalThis as any).${KERNEL_GLOBAL}.lib;
const ${MAGIC_FUNCTION}: (name: string, args: string) => Promise<void> = (globalThis as any).${KERNEL_GLOBAL}.run;
const siglaMagics: {
  store(path?: string): Promise<any>;
  ingest(paths: string | string[], options?: { tags?: string[] }): Promise<any>;
  query(text: string, options?: { k?: number; tags?: string[]; mode?: "vector" | "fts" | "hybrid" }): Promise<any>;
  dsl(program: string): Promise<any>;
  ask(message: string): Promise<any>;
  model(spec?: string, options?: { profile?: ${union(PROFILE_NAMES)} }): Promise<any>;
  trace(turn?: number): Promise<any>;
  bench(
    suite?: ${union(BENCH_SUITES)},
    options?: { size?: number; queries?: number; sizes?: string; systems?: string; reps?: number; out?: string },
  ): Promise<any>;
  chart(
    kind?: ${union(CHART_KINDS)},
    options?: { out?: string; id?: number; depth?: number; from?: string },
  ): Promise<any>;
  memory(view?: ${union([...MEMORY_VIEWS, ...MEMORY_ACTIONS])}, options?: Record<string, unknown>): Promise<any>;
  help(magic?: string): Promise<any>;
  /** Every other command of the registry, by name or alias: (positional?, options?). */
  [command: string]: (positional?: any, options?: any) => Promise<any>;
} = (globalThis as any).${KERNEL_GLOBAL}.magics;
`;
