/**
 * `sigla.json`, the store's manifest: which embedder wrote it (id and dimension), the format version and
 * the next id to hand out. Written atomically (temp file + rename) so a crash never leaves half a file.
 */
import { readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { StoreError } from "../errors.js";
import type { IndexDecision } from "./index-choice.js";
import type { TableCheck } from "./integrity.js";

export const MANIFEST_FILE = "sigla.json";
/**
 * 2: sigla.json records the committed table (`check`, `pending`) and writers lock with flock. A store's
 * first write by this version moves it from 1 to 2, so an older SIGLA (whose lock does not exclude this
 * one's) refuses it instead of writing beside it.
 */
export const FORMAT_VERSION = 2;
const READABLE_FORMATS = [1, 2];

export interface Manifest {
  format: number;
  embedder: { id: string; dim: number };
  createdAt: string;
  /** Next capsule id; ids only grow, even after deletes. */
  nextId: number;
  /** A random id of this store, which its snapshot must carry (a snapshot copied from another is refused). */
  storeId?: string;
  /** The table as of the last finished commit (see `integrity.ts`); absent in stores written before it. */
  check?: TableCheck;
  /** The rows and digest a commit in progress will leave; a kill before its end leaves one of the two. */
  pending?: Omit<TableCheck, "version">;
  /** Table version after the last compaction and clean-up of old versions. */
  optimizedVersion?: number;
  /** The index kind the `auto` policy measured fastest, and at which size (see `index-choice.ts`). */
  index?: IndexDecision;
}

export async function readManifest(dir: string): Promise<Manifest | undefined> {
  let raw: string;
  try {
    raw = await readFile(join(dir, MANIFEST_FILE), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new StoreError("SIGLA_STORE_DAMAGED", `cannot read ${join(dir, MANIFEST_FILE)}`, { cause: error });
  }
  let parsed: Partial<Manifest>;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new StoreError("SIGLA_STORE_DAMAGED", `${join(dir, MANIFEST_FILE)} is not valid JSON`, {
      cause: error,
    });
  }
  const ok =
    READABLE_FORMATS.includes(parsed.format as number) &&
    typeof parsed.embedder?.id === "string" &&
    Number.isInteger(parsed.embedder?.dim) &&
    (parsed.embedder?.dim ?? 0) > 0 &&
    Number.isInteger(parsed.nextId);
  if (!ok) {
    throw new StoreError(
      "SIGLA_STORE_DAMAGED",
      `${join(dir, MANIFEST_FILE)} is not a SIGLA manifest of format ${READABLE_FORMATS.join(" or ")} (a newer SIGLA may have written it)`,
    );
  }
  return parsed as Manifest;
}

export async function writeManifest(dir: string, manifest: Manifest): Promise<void> {
  const file = join(dir, MANIFEST_FILE);
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(manifest, null, 2)}\n`);
  await rename(temp, file);
}
