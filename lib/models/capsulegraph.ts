/**
 * `.capsulegraph` (seed §2): a language model as one artefact — its tokenizer and quantised weights, plus
 * the token capsules taken from the full-precision weights. `convertToCapsuleGraph` follows the seed's
 * order for a model in the transformers.js layout (config.json, tokenizer files, onnx/model.onnx):
 *
 * 1. load the tokenizer and the full-precision model;
 * 2. extract the token embeddings from the full-precision weights;
 * 3. build a flat capsule store of them, tagged `token` (`maxTokens` trims the vocabulary);
 * 4. quantise: 8-bit weight-only per channel (DequantizeLinear) or fp16 — after step 2, so the token
 *    vectors are exact;
 * 5. check the quantised model against the original (embedding cosine for an encoder, greedy tokens for
 *    a causal LM) and write everything to a temporary folder, then a tar.gz beside the target, renamed.
 *
 * Layout of the archive: `model/` (config, tokenizer files, `onnx/model.onnx` quantised), `tokens/` (the
 * token capsule store), `token_caps.json`, `meta.json` (source, bits, sizes, fidelity, sha256 of every
 * file, created). An error or Ctrl-C leaves no archive and no temporary folder.
 */
import { cp, mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { transformers } from "../embed/transformers.js";
import { CancelledError, errorMessage, InvalidInputError, ModelError } from "../errors.js";
import { packArchive, sha256Manifest } from "./archive.js";
import { causalFidelity, encoderFidelity, FIDELITY_PROMPTS, FIDELITY_SENTENCES } from "./fidelity.js";
import { type QuantBits, quantizeOnnx } from "./quantize.js";
import { tokenEmbeddings } from "./token-embeddings.js";
import { type TokenizerLike, tableRows, tokenTableEmbedder, writeTokenStore } from "./token-store.js";

/** The format tag of `meta.json`. */
export const CAPSULEGRAPH_FORMAT = "capsulegraph/1";

/** The id of a token store's embedder (the table of the model `source`). */
export function tokenStoreId(source: string): string {
  return `capsulegraph-tokens:${source}`;
}

/** What a model is: an encoder (embeddings) or a causal LM (generation). */
export type ModelKind = "encoder" | "causal";

/** `meta.json` of a `.capsulegraph`. */
export interface CapsuleGraphMeta {
  format: typeof CAPSULEGRAPH_FORMAT;
  /** The converted folder's name. */
  source: string;
  kind: ModelKind;
  architecture: string;
  bits: QuantBits;
  /** Tokens in the token store (the whole vocabulary unless `maxTokens` trimmed it). */
  tokens: number;
  vocabulary: number;
  /** Width of the token vectors. */
  dim: number;
  /** Bytes of onnx/model.onnx before and after quantisation. */
  sizes: { original: number; quantized: number; ratio: number };
  /** The quantised model against the original on a fixed set. */
  fidelity: { measure: "embedding cosine (min)" | "greedy token agreement"; value: number };
  /** sha256 (hex) of every other file, by path relative to the archive root. */
  sha256: Record<string, string>;
  created: string;
}

/** Options of {@link convertToCapsuleGraph}. */
export interface ConvertOptions {
  /** 8 (default) or 16. */
  quantBits?: QuantBits;
  /** Keep only the first N tokens of the vocabulary in the token store. */
  maxTokens?: number;
  signal?: AbortSignal;
  /** Each step, with its progress (tokens, bytes). */
  onProgress?: (step: string, done: number, total: number) => void;
}

/** Files of the transformers.js layout copied into `model/` (those that exist). */
const MODEL_FILES = [
  "config.json",
  "generation_config.json",
  "tokenizer.json",
  "tokenizer_config.json",
  "special_tokens_map.json",
  "vocab.txt",
  "merges.txt",
  "vocab.json",
];

/** Whether a model's config.json describes a causal LM. */
export function modelKind(config: Record<string, unknown>): ModelKind {
  const architectures = Array.isArray(config.architectures) ? config.architectures.map(String) : [];
  return architectures.some((a) => /ForCausalLM$|LMHeadModel$/.test(a)) ? "causal" : "encoder";
}

async function readConfig(dir: string): Promise<Record<string, unknown>> {
  const missing: string[] = [];
  for (const file of ["config.json", "tokenizer.json", join("onnx", "model.onnx")]) {
    if (!(await stat(join(dir, file)).catch(() => undefined))?.isFile()) missing.push(file);
  }
  if (missing.length > 0) {
    throw new ModelError(
      "SIGLA_MODEL_INVALID",
      `${dir} is not a model in the transformers.js layout: it lacks ${missing.join(", ")} (the full-precision onnx/model.onnx is converted)`,
    );
  }
  try {
    return JSON.parse(await readFile(join(dir, "config.json"), "utf8")) as Record<string, unknown>;
  } catch (error) {
    throw new ModelError("SIGLA_MODEL_INVALID", `${dir}/config.json is not valid JSON`, { cause: error });
  }
}

/** The folder's tokenizer through transformers.js, with its vocabulary as pieces by id. */
export async function loadTokenizer(dir: string): Promise<TokenizerLike & { pieces: string[] }> {
  const lib = await transformers();
  lib.env.allowLocalModels = true;
  let tokenizer: Awaited<ReturnType<typeof lib.AutoTokenizer.from_pretrained>>;
  try {
    tokenizer = await lib.AutoTokenizer.from_pretrained(dir, { local_files_only: true });
  } catch (error) {
    throw new ModelError("SIGLA_MODEL_LOAD", `cannot load the tokenizer of ${dir}: ${errorMessage(error)}`, {
      cause: error,
    });
  }
  const pieces: string[] = [];
  for (const [piece, id] of tokenizer.get_vocab()) pieces[id] = piece;
  return {
    pieces,
    encode: (text) => tokenizer.encode(text, { add_special_tokens: false }),
    decode: (ids) => tokenizer.decode(ids, { skip_special_tokens: false }),
  };
}

function checkOptions(options: ConvertOptions): { bits: QuantBits; maxTokens?: number } {
  const bits = options.quantBits ?? 8;
  if (bits !== 8 && bits !== 16) throw new InvalidInputError(`--bits must be 8 or 16, got ${String(bits)}`);
  const { maxTokens } = options;
  if (maxTokens !== undefined && (!Number.isInteger(maxTokens) || maxTokens < 1)) {
    throw new InvalidInputError(`--max-tokens must be an integer ≥ 1, got ${String(maxTokens)}`);
  }
  return { bits, maxTokens };
}

/**
 * Converts the model folder `model` into the archive `out` (see the module comment for the steps).
 *
 * @throws ModelError SIGLA_MODEL_INVALID for a folder that is not a complete transformers.js model or a
 *   model without a token table; InvalidInputError for bad options; CancelledError on abort (nothing is
 *   left behind).
 */
export async function convertToCapsuleGraph(
  model: string,
  out: string,
  options: ConvertOptions = {},
): Promise<{ path: string; meta: CapsuleGraphMeta; bytes: number }> {
  const { bits, maxTokens } = checkOptions(options);
  const dir = resolve(model);
  const config = await readConfig(dir);
  const step = (name: string, done = 0, total = 1) => {
    if (options.signal?.aborted) {
      throw new CancelledError("the conversion", { outcome: "no archive was written" });
    }
    options.onProgress?.(name, done, total);
  };
  const stage = await mkdtemp(join(tmpdir(), "sigla-capsulegraph-"));
  try {
    step("tokenizer");
    const tokenizer = await loadTokenizer(dir);
    step("full-precision model");
    const original = await readFile(join(dir, "onnx", "model.onnx"));
    const table = tokenEmbeddings(original, join(dir, "onnx", "model.onnx"));
    const rows = Math.min(table.rows, maxTokens ?? table.rows);
    const kept = { rows, dim: table.dim, values: table.values.subarray(0, rows * table.dim) };
    const embedder = tokenTableEmbedder(tokenStoreId(basename(dir)), tokenizer, kept.dim, tableRows(kept));
    const tokens = await writeTokenStore(join(stage, "tokens"), embedder, tokenizer, tokenizer.pieces, kept, {
      signal: options.signal,
      onProgress: (done, total) => step("token capsules", done, total),
    });
    await writeFile(join(stage, "token_caps.json"), `${JSON.stringify(tokens)}\n`);
    step("quantise");
    const { bytes: quantized } = quantizeOnnx(original, bits);
    await mkdir(join(stage, "model", "onnx"), { recursive: true });
    for (const file of MODEL_FILES)
      await cp(join(dir, file), join(stage, "model", file)).catch(() => undefined);
    await writeFile(join(stage, "model", "onnx", "model.onnx"), quantized);
    step("check against the original");
    const kind = modelKind(config);
    const fidelity =
      kind === "encoder"
        ? {
            measure: "embedding cosine (min)" as const,
            value: (await encoderFidelity(dir, join(stage, "model"), FIDELITY_SENTENCES)).minCosine,
          }
        : {
            measure: "greedy token agreement" as const,
            value: (await causalFidelity(dir, join(stage, "model"), FIDELITY_PROMPTS, 16)).agreement,
          };
    step("checksums");
    const sha256 = await sha256Manifest(stage);
    const meta: CapsuleGraphMeta = {
      format: CAPSULEGRAPH_FORMAT,
      source: basename(dir),
      kind,
      architecture: String(config.model_type ?? "unknown"),
      bits,
      tokens: rows,
      vocabulary: table.rows,
      dim: table.dim,
      sizes: {
        original: original.byteLength,
        quantized: quantized.byteLength,
        ratio: quantized.byteLength / original.byteLength,
      },
      fidelity,
      sha256,
      created: new Date().toISOString(),
    };
    await writeFile(join(stage, "meta.json"), `${JSON.stringify(meta, null, 2)}\n`);
    const { bytes } = await packArchive(stage, out, {
      compression: "gzip",
      signal: options.signal,
      onProgress: (done, total) => options.onProgress?.("pack", done, total),
    });
    return { path: out, meta, bytes };
  } catch (error) {
    if (options.signal?.aborted) {
      throw new CancelledError("the conversion", { outcome: "no archive was written", cause: error });
    }
    throw error;
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}
