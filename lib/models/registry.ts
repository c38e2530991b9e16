/**
 * The module registry (seed §13, S2): `add`, `list`, `remove`, `lookup(skill)`, `dependencies(id)` and
 * capability search, behind the {@link ModuleRegistry} interface. The seed keeps it in Neo4j; this is its
 * single-node adapter (seed §11.3): a folder holding each module unpacked and verified (`<id>/`) and an
 * append-only log (`registry.jsonl`, one JSON line per add or remove). A line is appended with one write
 * and synced before `add` returns, so an acknowledged add survives a crash, a killed writer leaves at most
 * one torn last line (skipped on reading), and other processes see new lines on their next call (the log
 * is read from where they last stopped).
 */
import { randomUUID } from "node:crypto";
import { mkdir, open, readFile, rename, rm, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import { config } from "../config.js";
import { errorMessage, isSiglaError, ModuleError } from "../errors.js";
import { readGgufHeader } from "../llm/gguf-header.js";
import { sha256File, unpackArchive } from "./archive.js";
import { readLoraAdapter } from "./lora.js";
import { type ModuleEntry, ModuleIndex, type ModuleMatch } from "./module-index.js";
import { checkModuleId, type ModuleMeta, parseModuleMeta } from "./module-meta.js";
import { readSafetensors } from "./safetensors.js";

export type { ModuleEntry, ModuleMatch } from "./module-index.js";

/** What any module registry answers (a graph database adapter would implement the same). */
export interface ModuleRegistry {
  /** Verifies the `.capsulemod` archive and registers its module. */
  add(archive: string, options?: AddModuleOptions): Promise<ModuleEntry>;
  list(): Promise<ModuleEntry[]>;
  /** The module `id` (`SIGLA_MODULE_NOT_FOUND` when absent). */
  get(id: string): Promise<ModuleEntry>;
  /** Unregisters `id` and deletes its files. */
  remove(id: string): Promise<ModuleEntry>;
  /** The modules with `skill` (`SIGLA_MODULE_SKILL` when none has it). */
  lookup(skill: string): Promise<ModuleEntry[]>;
  /** The modules `id` needs, transitively, dependencies first, `id` last. */
  dependencies(id: string): Promise<ModuleEntry[]>;
  /** The `k` modules whose capability vectors are closest to `vector` (of the embedder `embedModel`). */
  search(vector: readonly number[] | Float32Array, k: number, embedModel: string): Promise<ModuleMatch[]>;
  /** The modules with `skill`, empty when none (the router's question). */
  withSkill(skill: string): Promise<ModuleEntry[]>;
  /** Changes with every add or remove, so caches can tell when they are stale. */
  version(): Promise<number>;
}

/** Options of {@link ModuleRegistry.add}. */
export interface AddModuleOptions {
  /** Replace a registered module with the same id (default: refuse). */
  replace?: boolean;
  signal?: AbortSignal;
}

type LogLine = { op: "add"; entry: StoredEntry } | { op: "remove"; id: string };
/** An entry as logged: the manifest with its vector as base64 float32 (4× smaller than a JSON list). */
type StoredEntry = { meta: Omit<ModuleMeta, "embed"> & { embed_b64: string }; addedAt: string };

const LOG = "registry.jsonl";

function toStored(entry: ModuleEntry): StoredEntry {
  const { embed, ...rest } = entry.meta;
  const bytes = new Uint8Array(Float32Array.from(embed).buffer);
  return { meta: { ...rest, embed_b64: Buffer.from(bytes).toString("base64") }, addedAt: entry.addedAt };
}

function fromStored(dir: string, stored: StoredEntry): ModuleEntry {
  const { embed_b64, ...rest } = stored.meta;
  const bytes = Buffer.from(embed_b64, "base64");
  const embed = Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4));
  return { meta: { ...rest, embed }, dir: join(dir, rest.module_id), addedAt: stored.addedAt };
}

/** Checks that the weights file is what the manifest's type says. */
async function checkWeights(meta: ModuleMeta, path: string): Promise<void> {
  try {
    if (meta.type === "lora") await readLoraAdapter(path);
    else if (meta.type === "gguf") await readGgufHeader(path);
    else await readSafetensors(path);
  } catch (error) {
    throw new ModuleError(
      "SIGLA_MODULE_INVALID",
      `module ${meta.module_id} says type ${meta.type}, but ${meta.weights} is not one: ${errorMessage(error)}`,
      { cause: error },
    );
  }
}

/**
 * Reads and verifies an unpacked module folder: meta.json, every listed file present with its sha256, no
 * file left unlisted, and weights of the declared type. `known` holds hashes already computed (by the
 * unpack, as it wrote the files), so those files are not read again.
 */
export async function verifyModuleFolder(
  dir: string,
  known: Record<string, string> = {},
): Promise<ModuleMeta> {
  const text = await readFile(join(dir, "meta.json"), "utf8").catch(() => undefined);
  if (text === undefined) throw new ModuleError("SIGLA_MODULE_INVALID", "the module has no meta.json");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ModuleError("SIGLA_MODULE_INVALID", "meta.json is not valid JSON", { cause: error });
  }
  const meta = parseModuleMeta(parsed);
  for (const [file, expected] of Object.entries(meta.sha256)) {
    const path = join(dir, file);
    if (relative(dir, path).startsWith("..")) {
      throw new ModuleError("SIGLA_MODULE_INVALID", `meta.json lists ${file}, outside the module`);
    }
    const actual = known[file] ?? (await sha256File(path).catch(() => undefined));
    if (actual === undefined) {
      throw new ModuleError("SIGLA_MODULE_INVALID", `meta.json lists ${file}, which the module lacks`);
    }
    if (actual !== expected) {
      throw new ModuleError(
        "SIGLA_MODULE_INVALID",
        `${file} of module ${meta.module_id} is damaged: sha256 ${actual.slice(0, 12)}…, meta.json says ${String(expected).slice(0, 12)}…`,
      );
    }
  }
  await checkWeights(meta, join(dir, meta.weights));
  return meta;
}

/** The registry on this machine (seed: the single-node adapter). */
export class LocalModuleRegistry implements ModuleRegistry {
  private readonly index = new ModuleIndex();
  /** Bytes of the log applied so far. */
  private offset = 0;

  private constructor(readonly dir: string) {}

  /** Opens (creating when missing) the registry in `dir` (default `SIGLA_MODULES`, `<SIGLA_HOME>/modules`). */
  static async open(dir: string = config().modulesDir): Promise<LocalModuleRegistry> {
    await mkdir(dir, { recursive: true });
    const registry = new LocalModuleRegistry(dir);
    await registry.refresh();
    return registry;
  }

  /** Applies what other processes appended to the log since the last call. */
  private async refresh(): Promise<void> {
    const size = (await stat(join(this.dir, LOG)).catch(() => undefined))?.size ?? 0;
    if (size === this.offset) return;
    if (size < this.offset) {
      // The log was rewritten (or removed): read it whole again.
      for (const entry of this.index.list()) this.index.delete(entry.meta.module_id);
      this.offset = 0;
    }
    const handle = await open(join(this.dir, LOG), "r");
    try {
      const buffer = Buffer.alloc(size - this.offset);
      await handle.read(buffer, 0, buffer.length, this.offset);
      // Only whole lines: a line still being written (or torn by a killed writer) waits.
      const end = buffer.lastIndexOf(10) + 1;
      for (const line of buffer.subarray(0, end).toString("utf8").split("\n")) {
        if (line.trim() !== "") this.apply(line);
      }
      this.offset += end;
    } finally {
      await handle.close();
    }
  }

  private apply(line: string): void {
    let parsed: LogLine;
    try {
      parsed = JSON.parse(line) as LogLine;
    } catch {
      return; // a torn line left by a killed writer; the next add starts a new line after it
    }
    if (parsed.op === "add") this.index.put(fromStored(this.dir, parsed.entry));
    else if (parsed.op === "remove") this.index.delete(parsed.id);
  }

  /** Appends one line and syncs it: an acknowledged change is on disk. */
  private async append(line: LogLine): Promise<void> {
    const handle = await open(join(this.dir, LOG), "a+");
    try {
      // A torn last line (a killed writer) would swallow this one: start on a fresh line.
      const size = (await handle.stat()).size;
      const last = Buffer.alloc(1);
      if (size > 0) await handle.read(last, 0, 1, size - 1);
      const prefix = size > 0 && last[0] !== 10 ? "\n" : "";
      await handle.write(`${prefix}${JSON.stringify(line)}\n`);
      await handle.datasync();
    } finally {
      await handle.close();
    }
    await this.refresh();
  }

  /** Unpacks `archive` beside the registry, verifies it and registers its module (see the interface). */
  async add(archive: string, options: AddModuleOptions = {}): Promise<ModuleEntry> {
    await this.refresh();
    const staging = join(this.dir, `.adding-${randomUUID()}`);
    try {
      const unpacked = await unpackArchive(archive, staging, { signal: options.signal });
      const meta = await verifyModuleFolder(staging, unpacked.sha256).catch((error) => {
        throw isSiglaError(error)
          ? new ModuleError("SIGLA_MODULE_INVALID", `${archive}: ${error.message}`, { cause: error })
          : error;
      });
      const id = checkModuleId(meta.module_id);
      if (this.index.find(id) && !options.replace) {
        throw new ModuleError(
          "SIGLA_MODULE_INVALID",
          `a module "${id}" is already registered; remove it first or add with --replace`,
        );
      }
      const target = join(this.dir, id);
      const old = join(this.dir, `.removed-${randomUUID()}`);
      const hadOld = await rename(target, old).then(
        () => true,
        () => false,
      );
      await rename(staging, target);
      try {
        const entry: ModuleEntry = { meta, dir: target, addedAt: new Date().toISOString() };
        await this.append({ op: "add", entry: toStored(entry) });
      } catch (error) {
        // Not logged, so not added: put the folders back as they were.
        await rm(target, { recursive: true, force: true });
        if (hadOld) await rename(old, target);
        throw error;
      }
      await rm(old, { recursive: true, force: true });
      return this.index.get(id);
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  /** Every registered module, in the order added. */
  async list(): Promise<ModuleEntry[]> {
    await this.refresh();
    return this.index.list();
  }

  /** The module `id` (`SIGLA_MODULE_NOT_FOUND` when absent). */
  async get(id: string): Promise<ModuleEntry> {
    await this.refresh();
    return this.index.get(id);
  }

  /** Logs the removal, then deletes the module's folder. */
  async remove(id: string): Promise<ModuleEntry> {
    const entry = await this.get(id);
    await this.append({ op: "remove", id });
    await rm(entry.dir, { recursive: true, force: true });
    return entry;
  }

  /** The modules with `skill` (`SIGLA_MODULE_SKILL` when none has it). */
  async lookup(skill: string): Promise<ModuleEntry[]> {
    await this.refresh();
    return this.index.lookup(skill);
  }

  /** The modules with `skill`, empty when none has it. */
  async withSkill(skill: string): Promise<ModuleEntry[]> {
    await this.refresh();
    return this.index.withSkill(skill);
  }

  /** The modules `id` needs, transitively, dependencies first, `id` last. */
  async dependencies(id: string): Promise<ModuleEntry[]> {
    await this.refresh();
    return this.index.dependencies(id);
  }

  /** The `k` modules whose capability vectors are closest to `vector`. */
  async search(
    vector: readonly number[] | Float32Array,
    k: number,
    embedModel: string,
  ): Promise<ModuleMatch[]> {
    await this.refresh();
    return this.index.search(vector, k, embedModel);
  }

  /** Changes with every add or remove (seen by this process or read from the log). */
  async version(): Promise<number> {
    await this.refresh();
    return this.index.version;
  }
}
