/**
 * The cell the kernel runs before the first cell that uses the library: it names what the launcher loaded,
 * typed for tslab's own TypeScript (5.0.4), which cannot type-check the repository's lib itself (see README).
 * No identifier here may start with `__` (tslab mangles those). Nothing is imported from the library here:
 * the lists the types are made of come from the loaded library, so start-up loads none of it.
 */
import { MAGIC_FUNCTION } from "./translate.js";

/** A TypeScript union of string literals, from the library's own lists (so the kernel's types follow them). */
const union = (words: readonly string[]) => words.map((w) => JSON.stringify(w)).join(" | ");

/** The `globalThis` key under which the launcher leaves `{ lib, magics, run }` once the library is loaded. */
export const KERNEL_GLOBAL = "siglaKernel";

/** The library's lists that the magics' types name. */
export interface StartupLists {
  BENCH_SUITES: readonly string[];
  CHART_KINDS: readonly string[];
  MEMORY_VIEWS: readonly string[];
  MEMORY_ACTIONS: readonly string[];
  PROFILE_NAMES: readonly string[];
}

/** Declarations of `sigla` (the library, untyped), `siglaMagics` (typed) and the magic-line function. */
export function startupCell(lists: StartupLists): string {
  return `const sigla: any = (globalThis as any).${KERNEL_GLOBAL}.lib;
const ${MAGIC_FUNCTION}: (name: string, args: string) => Promise<void> = (globalThis as any).${KERNEL_GLOBAL}.run;
const siglaMagics: {
  store(path?: string): Promise<any>;
  ingest(paths: string | string[], options?: { tags?: string[] }): Promise<any>;
  query(text: string, options?: { k?: number; tags?: string[]; mode?: "vector" | "fts" | "hybrid" }): Promise<any>;
  dsl(program: string): Promise<any>;
  ask(message: string): Promise<any>;
  model(spec?: string, options?: { profile?: ${union(lists.PROFILE_NAMES)} }): Promise<any>;
  trace(turn?: number): Promise<any>;
  bench(
    suite?: ${union(lists.BENCH_SUITES)},
    options?: { size?: number; queries?: number; sizes?: string; systems?: string; reps?: number; out?: string },
  ): Promise<any>;
  chart(
    kind?: ${union(lists.CHART_KINDS)},
    options?: { out?: string; id?: number; depth?: number; from?: string },
  ): Promise<any>;
  memory(view?: ${union([...lists.MEMORY_VIEWS, ...lists.MEMORY_ACTIONS])}, options?: Record<string, unknown>): Promise<any>;
  help(magic?: string): Promise<any>;
  /** Every other command of the registry, by name or alias: (positional?, options?). */
  [command: string]: (positional?: any, options?: any) => Promise<any>;
} = (globalThis as any).${KERNEL_GLOBAL}.magics;
`;
}
