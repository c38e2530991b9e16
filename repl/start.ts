/**
 * Opening the embedded default workbench: the store under `$SIGLA_HOME/store` with the `auto` embedder, and
 * the bundled sample corpus ingested first when that store is empty. Shared by the full-screen REPL, the
 * line mode and the start-up benchmark, so all three start the same way.
 */
import { basename } from "node:path";
import { seedSample } from "../lib/commands/sample.js";
import { errorLine, shortPath } from "../lib/commands/text.js";
import type { JobProgress } from "../lib/commands/types.js";
import { defaultStorePath, Workbench } from "../lib/commands/workbench.js";
import { isSiglaError } from "../lib/errors.js";
import type { IngestReport } from "../lib/ingest/ingest.js";
import { configuredModel } from "../lib/llm/models.js";

/** What the start-up is doing, for a status line. */
export type StartPhase = "opening" | "seeding" | "ready";

export interface StartOptions {
  /** Store folder (default `$SIGLA_HOME/store`). */
  path?: string;
  /** Where the PNGs of `:chart` go (default `./reports`). */
  reports?: string;
  onPhase?: (phase: StartPhase, detail: string) => void;
  onProgress?: (progress: JobProgress) => void;
  /** Where `auto` announces its embedder choice (the line is also kept on the workbench). */
  log?: (line: string) => void;
  /** Stops the sample ingest (the files already stored stay; the REPL starts with them). */
  signal?: AbortSignal;
  /** The model that writes the answers (`--llm`; default `SIGLA_LLM`, else the offline answerer). */
  llm?: string;
  /** Its runtime profile (`--profile`). */
  profile?: string;
}

/** The open workbench and what seeding did (undefined when the store was not empty). */
export interface Started {
  bench: Workbench;
  seeded?: IngestReport;
  /** Set when the sample ingest was cancelled: the one-line reason. */
  seedCancelled?: string;
}

/** Opens the default store and seeds it with the sample corpus when it is empty. */
export async function openDefault(options: StartOptions = {}): Promise<Started> {
  const model = configuredModel(options.llm);
  const path = options.path ?? defaultStorePath();
  options.onPhase?.(
    "opening",
    `opening store ${shortPath(path)} · loading ${model ? `the model ${basename(model)} and ` : ""}the embedder`,
  );
  const bench = await Workbench.open({
    path,
    embedder: "auto",
    reports: options.reports,
    log: options.log,
    llm: options.llm,
    profile: options.profile,
  });
  if ((await bench.store.count()) > 0) {
    options.onPhase?.("ready", "");
    return { bench };
  }
  options.onPhase?.("seeding", "loading the sample corpus");
  try {
    const seeded = await seedSample(bench.store, { signal: options.signal, onProgress: options.onProgress });
    options.onPhase?.("ready", "");
    return { bench, seeded };
  } catch (error) {
    if (options.signal?.aborted && isSiglaError(error)) {
      options.onPhase?.("ready", "");
      return { bench, seedCancelled: errorLine(error) };
    }
    await bench.close();
    throw error;
  }
}
