/**
 * The manifest of a `.capsulemod` module (seed §13.1): `meta.json` at the root of a zstd tar, beside the
 * weights (`weights.safetensors`, `adapter.gguf` or `model.gguf`) and `assets/`. It names the module, what
 * it can do (`skills`, the capability vector `embed`), what it needs (`dtype`, `device_constraint`,
 * `depends_on`) and the sha256 of every other file, so an unpacked module is checked before it is used.
 */
import { ModuleError } from "../errors.js";

/** How a module's weights are packed: a LoRA adapter, a whole GGUF file, or a state dict. */
export const MODULE_TYPES = ["lora", "gguf", "state"] as const;
/** One of {@link MODULE_TYPES}. */
export type ModuleType = (typeof MODULE_TYPES)[number];
/** Weight precisions a module is converted to. */
export const MODULE_DTYPES = ["int8", "fp16"] as const;
/** One of {@link MODULE_DTYPES}. */
export type ModuleDtype = (typeof MODULE_DTYPES)[number];
/** Where a module may run: `any` device, only the `cpu`, or only a `cuda` GPU. */
export const DEVICE_CONSTRAINTS = ["any", "cpu", "cuda"] as const;
/** One of {@link DEVICE_CONSTRAINTS}. */
export type DeviceConstraint = (typeof DEVICE_CONSTRAINTS)[number];

/** The format tag every manifest carries; a future layout gets a new one. */
export const MODULE_FORMAT = "capsulemod/1";

/** `meta.json` of a module (field names as the seed writes them). */
export interface ModuleMeta {
  format: typeof MODULE_FORMAT;
  /** Unique id: letters, digits, `.`, `_`, `-` (it names the module's folder). */
  module_id: string;
  type: ModuleType;
  /** What the module does (`sql_generation`), matched by `lookup` and the router. */
  skills: string[];
  description: string;
  dtype: ModuleDtype;
  device_constraint: DeviceConstraint;
  /** Ids of modules that must be attached first. */
  depends_on: string[];
  /** The weights file, relative to the module root. */
  weights: string;
  /** sha256 (hex) of every file but meta.json, by relative path. */
  sha256: Record<string, string>;
  /** The capability vector: the embedding of the skills and description. */
  embed: number[];
  /** The embedder that wrote `embed` (a query is embedded by the same one to compare). */
  embed_model: string;
  /** Bytes of the weights file. */
  bytes: number;
  /** What the weights were made from (file name) and, for a LoRA, the base architecture. */
  source: string;
  architecture?: string;
  created: string;
}

const ID = /^[A-Za-z0-9][\w.-]{0,127}$/;

/** `ModuleError SIGLA_MODULE_INVALID` unless `id` can name a module (and its folder). */
export function checkModuleId(id: string): string {
  if (typeof id !== "string" || !ID.test(id) || id.includes("..")) {
    throw new ModuleError(
      "SIGLA_MODULE_INVALID",
      `module id ${JSON.stringify(id)} must be 1–128 letters, digits, ".", "_" or "-", starting with a letter or digit`,
    );
  }
  return id;
}

/** Skills as the registry keeps them: trimmed, lower case, spaces as `_`, no duplicates. */
export function normalizeSkills(skills: readonly string[]): string[] {
  const out = skills
    .map((s) =>
      s
        .trim()
        .toLowerCase()
        .replace(/[\s-]+/g, "_"),
    )
    .filter((s) => s !== "");
  return [...new Set(out)];
}

function oneOfList<T extends string>(value: unknown, list: readonly T[], field: string, where: string): T {
  if (typeof value === "string" && (list as readonly string[]).includes(value)) return value as T;
  throw new ModuleError(
    "SIGLA_MODULE_INVALID",
    `${where}: ${field} must be one of ${list.join(", ")}, got ${JSON.stringify(value)}`,
  );
}

function stringList(value: unknown, field: string, where: string): string[] {
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value;
  throw new ModuleError("SIGLA_MODULE_INVALID", `${where}: ${field} must be a list of strings`);
}

/**
 * Checks a parsed `meta.json` and returns it typed.
 *
 * @throws ModuleError SIGLA_MODULE_INVALID naming the first field that is missing or wrong.
 */
export function parseModuleMeta(value: unknown, where = "meta.json"): ModuleMeta {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ModuleError("SIGLA_MODULE_INVALID", `${where} is not a JSON object`);
  }
  const m = value as Record<string, unknown>;
  if (m.format !== MODULE_FORMAT) {
    throw new ModuleError(
      "SIGLA_MODULE_INVALID",
      `${where}: format must be "${MODULE_FORMAT}", got ${JSON.stringify(m.format)} (not a .capsulemod manifest?)`,
    );
  }
  checkModuleId(String(m.module_id ?? ""));
  const skills = normalizeSkills(stringList(m.skills, "skills", where));
  if (skills.length === 0) throw new ModuleError("SIGLA_MODULE_INVALID", `${where}: skills is empty`);
  const embed = m.embed;
  if (!Array.isArray(embed) || embed.length === 0 || !embed.every((x) => Number.isFinite(x))) {
    throw new ModuleError("SIGLA_MODULE_INVALID", `${where}: embed must be a non-empty list of numbers`);
  }
  const sha = m.sha256;
  if (typeof sha !== "object" || sha === null || typeof m.weights !== "string" || !(m.weights in sha)) {
    throw new ModuleError(
      "SIGLA_MODULE_INVALID",
      `${where}: sha256 must list every file, the weights (${String(m.weights)}) included`,
    );
  }
  return {
    format: MODULE_FORMAT,
    module_id: String(m.module_id),
    type: oneOfList(m.type, MODULE_TYPES, "type", where),
    skills,
    description: typeof m.description === "string" ? m.description : "",
    dtype: oneOfList(m.dtype, MODULE_DTYPES, "dtype", where),
    device_constraint: oneOfList(m.device_constraint, DEVICE_CONSTRAINTS, "device_constraint", where),
    depends_on: stringList(m.depends_on ?? [], "depends_on", where).map(checkModuleId),
    weights: m.weights,
    sha256: sha as Record<string, string>,
    embed: embed as number[],
    embed_model: typeof m.embed_model === "string" ? m.embed_model : "unknown",
    bytes: typeof m.bytes === "number" ? m.bytes : 0,
    source: typeof m.source === "string" ? m.source : "",
    ...(typeof m.architecture === "string" ? { architecture: m.architecture } : {}),
    created: typeof m.created === "string" ? m.created : "",
  };
}
