/**
 * Opening a `.capsulegraph` (seed §12, `load_capsulegraph`): the archive is unpacked once into a cache
 * folder named by its sha256 (`SIGLA_CG_CACHE`), every file checked against `meta.json`, and then loaded —
 * the tokenizer, the quantised model (an embedder for an encoder, a streaming runner for a causal LM) and
 * the token capsule store. A second open of the same archive reuses the folder.
 */
import { randomUUID } from "node:crypto";
import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { config } from "../config.js";
import type { Embedder } from "../embed/embedder.js";
import { loadTransformersEmbedder } from "../embed/transformers.js";
import { ArchiveError, errorMessage } from "../errors.js";
import { loadOnnxRunner } from "../llm/onnx.js";
import { llmSettings } from "../llm/profiles.js";
import type { Runner } from "../llm/runner.js";
import { CapsuleStore } from "../store/capsule-store.js";
import { sha256File, unpackArchive } from "./archive.js";
import { CAPSULEGRAPH_FORMAT, type CapsuleGraphMeta, loadTokenizer, tokenStoreId } from "./capsulegraph.js";
import { type TokenCapsule, type TokenizerLike, tokenTableEmbedder } from "./token-store.js";

/** A loaded `.capsulegraph`. */
export interface LoadedCapsuleGraph {
  meta: CapsuleGraphMeta;
  /** The unpacked folder. */
  dir: string;
  /** The quantised model: an embedder (encoder) or a runner (causal LM). */
  model: { kind: "encoder"; embedder: Embedder } | { kind: "causal"; runner: Runner };
  tokenizer: TokenizerLike;
  /** The token capsules (flat store, tagged `token`), opened read-write in the cache. */
  tokenStore: CapsuleStore;
  /** Frees the model and closes the store. */
  close(): Promise<void>;
}

/** Options of {@link loadCapsuleGraph}. */
export interface LoadCapsuleGraphOptions {
  /** Unpack cache (default `SIGLA_CG_CACHE`). */
  cacheDir?: string;
  /** Runtime profile of the model (threads, context; default `SIGLA_PROFILE`). */
  profile?: string;
  signal?: AbortSignal;
}

const DONE = ".sigla-verified";

async function readMeta(dir: string, file: string): Promise<CapsuleGraphMeta> {
  try {
    const meta = JSON.parse(await readFile(join(dir, "meta.json"), "utf8")) as CapsuleGraphMeta;
    if (meta.format !== CAPSULEGRAPH_FORMAT || typeof meta.sha256 !== "object")
      throw new Error("not a capsulegraph meta.json");
    return meta;
  } catch (error) {
    throw new ArchiveError(
      "SIGLA_ARCHIVE_INVALID",
      `${file} is not a .capsulegraph: meta.json is missing or wrong (${errorMessage(error)})`,
      { cause: error },
    );
  }
}

/** Every file the manifest lists, checked by sha256. */
async function verify(
  dir: string,
  meta: CapsuleGraphMeta,
  file: string,
  known: Record<string, string>,
): Promise<void> {
  for (const [path, expected] of Object.entries(meta.sha256)) {
    const actual = known[path] ?? (await sha256File(join(dir, path)).catch(() => undefined));
    if (actual !== expected) {
      throw new ArchiveError(
        "SIGLA_ARCHIVE_INVALID",
        `${file} is damaged: ${path} ${actual === undefined ? "is missing" : `has sha256 ${actual.slice(0, 12)}…, meta.json says ${expected.slice(0, 12)}…`}`,
      );
    }
  }
}

/**
 * Unpacks `file` into `<cacheDir>/<sha256 of the archive>` unless a verified copy is there, and returns
 * that folder with its manifest. A failed check leaves nothing in the cache.
 */
export async function unpackCapsuleGraph(
  file: string,
  options: Pick<LoadCapsuleGraphOptions, "cacheDir" | "signal"> = {},
): Promise<{ dir: string; meta: CapsuleGraphMeta }> {
  const cache = options.cacheDir ?? config().capsuleGraphCache;
  const digest = await sha256File(file).catch((error) => {
    throw new ArchiveError("SIGLA_ARCHIVE_INVALID", `cannot read ${file}: ${errorMessage(error)}`, {
      cause: error,
    });
  });
  const dir = join(cache, digest);
  if ((await stat(join(dir, DONE)).catch(() => undefined))?.isFile())
    return { dir, meta: await readMeta(dir, file) };
  await mkdir(cache, { recursive: true });
  const staging = join(cache, `.unpacking-${randomUUID()}`);
  try {
    const unpacked = await unpackArchive(file, staging, { signal: options.signal });
    const meta = await readMeta(staging, file);
    await verify(staging, meta, file, unpacked.sha256);
    await writeFile(join(staging, DONE), `${new Date().toISOString()}\n`);
    await rm(dir, { recursive: true, force: true });
    // Another process may have finished the same archive first: theirs is as good as ours.
    await rename(staging, dir).catch(async (error) => {
      if (!(await stat(join(dir, DONE)).catch(() => undefined))) throw error;
    });
    return { dir, meta };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/**
 * Loads the `.capsulegraph` at `file`: `{ model, tokenizer, tokenStore }` and its manifest.
 *
 * @throws ArchiveError for a damaged, unsafe or foreign archive; ModelError when the model does not load.
 */
export async function loadCapsuleGraph(
  file: string,
  options: LoadCapsuleGraphOptions = {},
): Promise<LoadedCapsuleGraph> {
  const { dir, meta } = await unpackCapsuleGraph(file, options);
  const modelDir = join(dir, "model");
  const settings = llmSettings(options.profile);
  const tokenizer = await loadTokenizer(modelDir);
  const model: LoadedCapsuleGraph["model"] =
    meta.kind === "causal"
      ? { kind: "causal", runner: await loadOnnxRunner(modelDir, { ...settings, dtype: "fp32" }) }
      : {
          kind: "encoder",
          embedder: await loadTransformersEmbedder(meta.source, {
            modelDir,
            cacheDir: config().modelCache,
            dtype: "fp32",
            batch: settings.encoderBatch,
            allowRemote: false,
          }),
        };
  const tokenStore = await openTokenStore(dir, meta, tokenizer);
  return {
    meta,
    dir,
    model,
    tokenizer,
    tokenStore,
    async close() {
      await tokenStore.close();
      if (model.kind === "causal") await model.runner.close();
      else await model.embedder.close?.();
    },
  };
}

/**
 * The token store, queried by text through its own vectors: token ids map to capsules through
 * token_caps.json, and a token's vector is read from the open store.
 */
async function openTokenStore(
  dir: string,
  meta: CapsuleGraphMeta,
  tokenizer: TokenizerLike,
): Promise<CapsuleStore> {
  const tokens = JSON.parse(await readFile(join(dir, "token_caps.json"), "utf8")) as TokenCapsule[];
  const capsuleOf = new Map(
    tokens.flatMap((t) => (t.capsule === undefined ? [] : [[t.id, t.capsule] as const])),
  );
  let store: CapsuleStore | undefined;
  const row = (t: number) => {
    const capsule = capsuleOf.get(t);
    return capsule === undefined ? undefined : store?.vectorOf(capsule);
  };
  store = await CapsuleStore.open(join(dir, "tokens"), {
    embedder: tokenTableEmbedder(tokenStoreId(meta.source), tokenizer, meta.dim, row),
    create: false,
  });
  return store;
}
