/** The systems a benchmark run can name, and how each is opened. */
import { BenchError } from "../../lib/errors.js";
import { openExact } from "./exact.js";
import { openLance } from "./lancedb.js";
import { openSigla } from "./sigla.js";
import type { BenchSystem, SystemOptions } from "./types.js";

export const SYSTEM_NAMES = ["sigla", "sigla-nolink", "lancedb", "chroma", "exact"] as const;
export type SystemName = (typeof SYSTEM_NAMES)[number];

const OPENERS: Record<SystemName, (options: SystemOptions) => Promise<BenchSystem>> = {
  sigla: (o) => openSigla({ ...o, autoLinkK: 5 }),
  "sigla-nolink": (o) => openSigla({ ...o, autoLinkK: 0 }),
  lancedb: openLance,
  // Loaded on demand: the Chroma client is only needed when Chroma is benchmarked.
  chroma: async (o) => (await import("./chroma.js")).openChroma(o),
  exact: () => openExact(),
};

/** Checks a `--systems` list: known names, no repeats. */
export function parseSystems(list: string): SystemName[] {
  const names = list
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(SYSTEM_NAMES as readonly string[]).includes(n));
  if (unknown.length || names.length === 0) {
    throw new BenchError(
      `unknown system ${unknown.join(", ") || "(none)"} — systems: ${SYSTEM_NAMES.join(", ")}`,
    );
  }
  return [...new Set(names)] as SystemName[];
}

export function openSystem(name: SystemName, options: SystemOptions): Promise<BenchSystem> {
  return OPENERS[name](options);
}
