/**
 * `sigla doctor`: checks a store from top to bottom and, with `repair`, fixes what can be fixed.
 *
 * Checks, in order: sigla.json; the capsule table (present, readable row by row); the table against what
 * SIGLA committed (row count and digest); every capsule's text against its hash; links (targets exist,
 * both ways); the full-text index; the snapshot; table versions and data files.
 *
 * `repair` does what loses nothing: links made whole again, the full-text index rebuilt, the table
 * compacted (keeping recent versions), the snapshot rewritten. What gives something up needs `acceptLoss`
 * too, and the report says what it cost: an empty table in place of a lost one, the newest readable table
 * version in place of an unreadable one (later versions are rolled back), the table accepted as it is,
 * changed texts hashed again as they are now. Without it those checks stay failed, with the way out.
 */
import { readdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import "./lancedb-env.js";
import * as lancedb from "@lancedb/lancedb";
import { createEmbedder } from "../embed/create-embedder.js";
import type { Embedder, EmbedderSpec } from "../embed/embedder.js";
import { EmbedderError, isSiglaError, StoreError } from "../errors.js";
import { CapsuleStore } from "./capsule-store.js";
import { isRemote } from "./location.js";
import { type Manifest, readManifest, writeManifest } from "./manifest.js";
import { TableMissingError } from "./store-errors.js";
import { TABLE_NAME } from "./table-schema.js";
import { shortError } from "./validate.js";
import { withWriteLock } from "./write-lock.js";

/** One check of a doctor run: what it looked at, whether it passed, and what a repair did about it. */
export interface DoctorCheck {
  name: string;
  ok: boolean;
  /** What was found. */
  detail: string;
  /** What `repair` did about it, when it did something. */
  repaired?: string;
}

/** What a doctor run found: every check in the order it ran, and whether the store is usable. */
export interface DoctorReport {
  path: string;
  /** True when every check passed (after repairs, when repairing). */
  ok: boolean;
  checks: DoctorCheck[];
  capsules?: number;
}

/** Options of `doctor`: whether to repair, and whether a repair may give something up. */
export interface DoctorOptions {
  /** Fix what can be fixed without giving anything up. */
  repair?: boolean;
  /** With `repair`, also fixes that give something up (rows of lost or unreadable versions, edits). */
  acceptLoss?: boolean;
  embedder?: EmbedderSpec | Embedder;
  /** Each check as it finishes (progress for a long run). */
  onCheck?: (check: DoctorCheck) => void;
}

async function countFiles(dir: string): Promise<number> {
  return (await readdir(dir).catch(() => [])).length;
}

/**
 * Makes the newest table version whose rows can all be read the latest one again (LanceDB `restore`).
 * Returns that version, or undefined when none can be read.
 */
async function restoreReadableVersion(dir: string): Promise<number | undefined> {
  const db = await lancedb.connect(dir);
  try {
    const table = await db.openTable(TABLE_NAME);
    const versions = (await table.listVersions()).map((v) => v.version).sort((a, b) => b - a);
    for (const version of versions) {
      try {
        await table.checkout(version);
        // Reading every batch is the check.
        for await (const batch of table.query()) void batch;
        await table.restore();
        return version;
      } catch {
        // Not readable either: try the one before.
      }
    }
    return undefined;
  } finally {
    db.close();
  }
}

/** What every step of one doctor run shares. */
interface DoctorRun {
  dir: string;
  repair: boolean;
  acceptLoss: boolean;
  report: (check: DoctorCheck) => void;
}

/** How to give up what cannot be fixed without a loss. */
const NEEDS_LOSS = "`sigla doctor --repair --accept-loss` gives it up and makes the store usable again";

/**
 * Checks the store at `path` and, with `repair`, fixes what it may (the checks are listed above). A folder
 * without sigla.json is a `SIGLA_STORE_PATH` error; every other problem is a failed check in the report.
 */
export async function doctor(path: string, options: DoctorOptions = {}): Promise<DoctorReport> {
  if (isRemote(path)) {
    throw new StoreError(
      "SIGLA_STORE_PATH",
      `doctor reads a store's files on this disk; ${path} is on object storage (its storage keeps its own integrity)`,
    );
  }
  const dir = resolve(path);
  const repair = options.repair === true;
  const checks: DoctorCheck[] = [];
  const run: DoctorRun = {
    dir,
    repair,
    acceptLoss: repair && options.acceptLoss === true,
    report: (check) => {
      checks.push(check);
      options.onCheck?.(check);
    },
  };
  const done = (capsules?: number): DoctorReport => ({
    path: dir,
    ok: checks.every((c) => c.ok || c.repaired !== undefined),
    checks,
    capsules,
  });

  let manifest: Manifest | undefined;
  try {
    manifest = await readManifest(dir);
  } catch (error) {
    run.report({
      name: "sigla.json",
      ok: false,
      detail: isSiglaError(error) ? error.message : String(error),
    });
    return done();
  }
  if (!manifest) throw new StoreError("SIGLA_STORE_PATH", `no SIGLA store at ${dir} (no sigla.json)`);
  run.report({
    name: "sigla.json",
    ok: true,
    detail: `embedder ${manifest.embedder.id}, dimension ${manifest.embedder.dim}`,
  });

  const store = await openTable(run, manifest, await doctorEmbedder(manifest, options.embedder));
  if (!store) return done();
  try {
    const canWrite = await checkCommitted(run, store);
    await checkRows(run, store, canWrite);
    await checkFullText(run, store, canWrite);
    await checkVersions(run, store, canWrite);
    return done(await store.count());
  } finally {
    await store.close();
  }
}

/** Doctor never embeds: without an embedder given, one of the store's identity that refuses text. */
async function doctorEmbedder(manifest: Manifest, spec: DoctorOptions["embedder"]): Promise<Embedder> {
  if (spec) return createEmbedder(spec, { stored: manifest.embedder });
  return {
    ...manifest.embedder,
    embed: async () => {
      throw new EmbedderError("SIGLA_EMBEDDER_UNAVAILABLE", "doctor does not embed text");
    },
  };
}

/**
 * Opens the store, reading every row. A table that is missing or unreadable is, with `acceptLoss`, started
 * empty or rolled back to its newest readable version; undefined when the store stays unusable.
 */
async function openTable(
  run: DoctorRun,
  manifest: Manifest,
  embedder: Embedder,
): Promise<CapsuleStore | undefined> {
  const { dir } = run;
  const open = () => CapsuleStore.open(dir, { embedder, create: false, verify: false });
  try {
    const store = await open();
    run.report({ name: "table", ok: true, detail: "every row read" });
    return store;
  } catch (error) {
    if (!isSiglaError(error) || error.code !== "SIGLA_STORE_DAMAGED") throw error;
    const check: DoctorCheck = { name: "table", ok: false, detail: error.message };
    if (!run.acceptLoss) {
      // The way out, unless the error already names it.
      if (!check.detail.includes("--accept-loss"))
        check.detail += `; restore a backup of the folder, or ${NEEDS_LOSS}`;
    } else {
      // Under the write lock: no writer may commit to the table while it is replaced or rolled back.
      await withWriteLock(dir, async () => {
        if (error instanceof TableMissingError) {
          const lost = manifest.check?.rows ?? "some";
          const current = (await readManifest(dir)) ?? manifest;
          await writeManifest(dir, { ...current, check: { version: 0, rows: 0, digest: "0".repeat(16) } });
          check.repaired = `started an empty table; the ${lost} capsules it held are lost (restore a backup of the folder to get them back)`;
        } else {
          const version = await restoreReadableVersion(dir).catch(() => undefined);
          if (version !== undefined)
            check.repaired = `restored table version ${version}, the newest one readable; what later versions added is rolled back`;
        }
      });
    }
    run.report(check);
    return check.repaired ? open() : undefined;
  }
}

/**
 * The table against what SIGLA committed (accepted as it is with `acceptLoss`). True when repairs may
 * write: a table that differs from what was committed is repaired only once the loss is accepted, since any
 * write (even a loss-free fix) would record it as committed.
 */
async function checkCommitted(run: DoctorRun, store: CapsuleStore): Promise<boolean> {
  const problem = await store.integrityProblem();
  const integrity: DoctorCheck = {
    name: "committed rows",
    ok: !problem,
    detail: problem ?? `${await store.count()} capsules, as SIGLA committed them`,
  };
  if (problem && !run.acceptLoss) integrity.detail += `; ${NEEDS_LOSS}`;
  if (problem && run.acceptLoss) {
    await store.acceptTable();
    integrity.repaired = `accepted the table as it is now (${await store.count()} capsules); restore a backup for anything lost`;
  }
  run.report(integrity);
  return run.repair && (!problem || run.acceptLoss);
}

/** Every text against its hash, and every link against its other end; repaired in one commit. */
async function checkRows(run: DoctorRun, store: CapsuleStore, canWrite: boolean): Promise<void> {
  const { acceptLoss } = run;
  const changed = store.changedTexts;
  const broken = store.brokenLinks();
  const rows: DoctorCheck[] = [
    {
      name: "hashes",
      ok: changed.length === 0,
      detail: changed.length
        ? `${changed.length} capsules whose text no longer matches its sha256: ${changed.slice(0, 20).join(", ")}`
        : "every text matches its sha256",
    },
    {
      name: "links",
      ok: broken.length === 0,
      detail: broken.length
        ? `${broken.length} broken links (to missing capsules, or one-way), e.g. ${broken
            .slice(0, 5)
            .map(([a, b]) => `${a}→${b}`)
            .join(", ")}`
        : "every link points to a capsule that links back",
    },
  ];
  if (changed.length && !acceptLoss) rows[0].detail += `; their original text is lost; ${NEEDS_LOSS}`;
  if (canWrite && (broken.length || (changed.length && acceptLoss))) {
    const fixed = await store.repairRows({ rehash: acceptLoss });
    if (changed.length && acceptLoss)
      rows[0].repaired = `took the ${fixed.hashes} texts as they are now and hashed them again`;
    if (broken.length) rows[1].repaired = `fixed ${fixed.links} links`;
  }
  for (const check of rows) run.report(check);
}

/** A full-text search that works; the index rebuilt when repairing. */
async function checkFullText(run: DoctorRun, store: CapsuleStore, canWrite: boolean): Promise<void> {
  const fullText: DoctorCheck = { name: "full-text index", ok: true, detail: "searchable" };
  try {
    if ((await store.count()) > 0) await store.search("doctor", { mode: "fts", topK: 1 });
  } catch (error) {
    fullText.ok = false;
    fullText.detail = isSiglaError(error) ? error.message : shortError(error);
  }
  if (canWrite) {
    await store.rebuildFullText();
    if (fullText.ok) fullText.detail += "; rebuilt";
    else fullText.repaired = "rebuilt";
  }
  run.report(fullText);
}

/** Table versions and data files; compacted, and the snapshot written again, when repairing. */
async function checkVersions(run: DoctorRun, store: CapsuleStore, canWrite: boolean): Promise<void> {
  const tableDir = join(run.dir, `${TABLE_NAME}.lance`);
  const versions = await countFiles(join(tableDir, "_versions"));
  const files = await countFiles(join(tableDir, "data"));
  const tidy: DoctorCheck = {
    name: "versions",
    ok: true,
    detail: `${versions} table versions, ${files} data files`,
  };
  if (canWrite) {
    // Keeps the recent versions, as writes do: a way back stays open for as long as it does anyway.
    const { removedVersions, filesRemoved } = await store.optimize();
    tidy.detail += `; compacted: ${removedVersions} old versions and ${filesRemoved} data files removed`;
    await store.rewriteSnapshot();
    run.report({ name: "snapshot", ok: true, detail: "written again from the table" });
  }
  run.report(tidy);
}
