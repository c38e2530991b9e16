/** Pieces every CLI command shares: output, option parsers, the default store, opening a store. */
import { join } from "node:path";
import { config } from "../config.js";
import type { EmbedderSpec } from "../embed/embedder.js";
import { InvalidInputError } from "../errors.js";
import { CapsuleStore } from "../store/capsule-store.js";
import type { CapsuleHit } from "../store/types.js";
import { progressBar } from "./progress-bar.js";

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

export const defaultIo: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

export function tagsOption(value: string): string[] {
  return value
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean);
}

/**
 * A parser for an integer option `name` from 1 to `max` (a bound from `LIMITS` for result sizes), so a
 * value past it fails naming the option and the bound instead of reaching the store.
 */
export function intOption(name: string, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\s*\d+\s*$/.test(value) || n < 1 || n > max) {
      throw new InvalidInputError(`${name} must be an integer from 1 to ${max}, got "${value}"`);
    }
    return n;
  };
}

export function defaultStore(): string {
  return join(config().home, "store");
}

export function printHits(io: Io, hits: CapsuleHit[]): void {
  if (hits.length === 0) io.out("no results\n");
  for (const hit of hits) {
    const tags = hit.tags.length ? `  [${hit.tags.join(", ")}]` : "";
    const text = hit.text.replace(/\s+/g, " ").slice(0, 160);
    io.out(`${hit.id}\t${hit.score.toFixed(4)}\t${text}${tags}\n`);
  }
}

/**
 * Opens the store at `path` for `work` and closes it after. Only commands that write may create a store:
 * read-only ones pass `create: false`, so a mistyped path is `SIGLA_STORE_PATH` instead of a new store.
 */
export async function withStore<T>(
  path: string,
  options: { embedder?: string; create?: boolean },
  work: (store: CapsuleStore) => Promise<T>,
): Promise<T> {
  const download = progressBar("model");
  const store = await CapsuleStore.open(path, {
    embedder: options.embedder as EmbedderSpec | undefined,
    create: options.create,
    onDownload: (p) => download.update(p.loaded, p.total, p.file),
  }).finally(() => download.stop());
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/**
 * Runs `work` with a signal the first Ctrl-C aborts (with `reason()`, when given), and stops listening
 * when it ends.
 */
export async function withInterrupt<T>(
  work: (signal: AbortSignal) => Promise<T>,
  reason?: () => unknown,
): Promise<T> {
  const controller = new AbortController();
  const stop = () => controller.abort(reason?.());
  process.once("SIGINT", stop);
  try {
    return await work(controller.signal);
  } finally {
    process.off("SIGINT", stop);
  }
}
