/**
 * The `transformers:<model>` backend: a sentence-embedding model run by transformers.js on
 * onnxruntime-node (CPU), mean-pooled over the attention mask and L2-normalised — the recipe of
 * sentence-transformers models such as all-MiniLM-L6-v2.
 *
 * Models come from a local folder (`modelDir`, never the network), from the download cache
 * (`cacheDir`), or — when `allowRemote` — from the Hugging Face hub. Every hub request must answer
 * within `timeoutMs`, and a download must not pause for 10 × `timeoutMs`; after the first request that
 * fails either way, the load fails at once with SIGLA_EMBEDDER_UNAVAILABLE, so an offline machine
 * never waits on the network.
 *
 * transformers.js keeps its settings in one process-wide `env` object; each load sets the fields it
 * relies on (cache folder, remote access, hub host) just before it starts.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { readdir, stat } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { EmbedderError, errorMessage, InvalidInputError } from "../errors.js";
import { batches, type Embedder } from "./embedder.js";
import { ortThreads } from "./ort-threads.js";

/** Options for {@link loadTransformersEmbedder}. */
export interface TransformersOptions {
  /** Local folder in the transformers.js layout (config.json, tokenizer files, onnx/). Wins over the hub. */
  modelDir?: string;
  /** Where hub downloads are cached (and looked up before any download). */
  cacheDir: string;
  /** ONNX weight variant: fp32, fp16, q8 (`onnx/model_quantized.onnx`), int8, uint8, q4, bnb4, q4f16. */
  dtype: string;
  /** Texts per model call. */
  batch: number;
  /** May files missing from the cache be downloaded from the hub? */
  allowRemote: boolean;
  /**
   * How long one hub request may take to answer before the hub counts as unreachable (default 3000);
   * a download that then pauses for 10 × this long counts as stalled.
   */
  timeoutMs?: number;
  /** Hub (or mirror) base URL. Default `https://huggingface.co/`. */
  remoteHost?: string;
  /** Download progress, per file. */
  onProgress?: (p: { file: string; loaded: number; total: number }) => void;
}

const DEFAULT_HOST = "https://huggingface.co/";
const DEFAULT_TIMEOUT_MS = 3000;

/** File suffix of each dtype under onnx/ (transformers.js's DEFAULT_DTYPE_SUFFIX_MAPPING). */
export const DTYPE_SUFFIX: Record<string, string> = {
  fp32: "",
  fp16: "_fp16",
  q8: "_quantized",
  int8: "_int8",
  uint8: "_uint8",
  q4: "_q4",
  bnb4: "_bnb4",
  q4f16: "_q4f16",
};

type Transformers = typeof import("@huggingface/transformers");
type Extractor = Awaited<ReturnType<Transformers["pipeline"]>> &
  ((texts: string[], options: { pooling: "mean"; normalize: boolean }) => Promise<PooledTensor>);
interface PooledTensor {
  dims: number[];
  data: Float32Array;
  dispose(): void;
}

/** Hub reachability of one load; `failure` is set by the first request that fails or times out. */
interface HubState {
  timeoutMs: number;
  failure?: Error;
}

/** The load a hub request belongs to; AsyncLocalStorage keeps concurrent loads apart. */
const hubContext = new AsyncLocalStorage<HubState>();

let library: Promise<Transformers> | undefined;

/** Imports transformers.js once (it is heavy: onnxruntime-node, sharp) and wraps its fetch. */
export function transformers(): Promise<Transformers> {
  library ??= import("@huggingface/transformers").then(
    (lib) => {
      const baseFetch = lib.env.fetch;
      lib.env.fetch = (input: string | URL, init?: RequestInit) => timedFetch(baseFetch, input, init);
      // Its warnings (e.g. "Unable to fetch model file metadata") would only repeat the error we raise.
      lib.env.logLevel = lib.LogLevel.ERROR;
      return lib;
    },
    (error: unknown) => {
      library = undefined; // let a later call retry
      throw new EmbedderError(
        "SIGLA_MODEL_LOAD",
        `cannot load @huggingface/transformers (or its onnxruntime-node binding): ${errorMessage(error)}`,
        { cause: error },
      );
    },
  );
  return library;
}

/** A download may pause this many times `timeoutMs` between two chunks before it counts as stalled. */
const STALL_FACTOR = 10;

/**
 * fetch with deadlines: the response headers must arrive within `timeoutMs`, and while the body is being
 * read, each chunk within STALL_FACTOR × `timeoutMs` (a big model may stream for minutes, but must not
 * stop). Once one request of a load has failed, the others fail at once instead of each waiting.
 */
async function timedFetch(
  baseFetch: (input: string | URL, init?: RequestInit) => Promise<Response>,
  input: string | URL,
  init: RequestInit = {},
): Promise<Response> {
  const state = hubContext.getStore();
  if (!state) return baseFetch(input, init);
  if (state.failure) throw state.failure;
  const host = new URL(input).host;
  const controller = new AbortController();
  const giveUp = (why: string) => {
    const error = new Error(why);
    state.failure ??= error;
    controller.abort(error);
  };
  let timer = setTimeout(
    () => giveUp(`${host} did not answer within ${state.timeoutMs} ms`),
    state.timeoutMs,
  );
  const signal = init.signal ? AbortSignal.any([init.signal, controller.signal]) : controller.signal;
  let response: Response;
  try {
    response = await baseFetch(input, { ...init, signal });
  } catch (error) {
    state.failure ??= networkError(host, error);
    throw state.failure;
  } finally {
    clearTimeout(timer);
  }
  // Overload and server errors mean "unavailable now", not "no such model".
  if (response.status === 429 || response.status >= 500) {
    state.failure ??= new Error(`${host} answered HTTP ${response.status}`);
  }
  if (!response.body || [204, 205, 304].includes(response.status)) return response;

  // The stall clock only runs while a reader waits for data, so an unread body never trips it.
  const stallMs = state.timeoutMs * STALL_FACTOR;
  const source = response.body.getReader();
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(sink) {
        timer = setTimeout(() => giveUp(`${host} stopped sending data for ${stallMs} ms`), stallMs);
        try {
          const { done, value } = await source.read();
          if (done) sink.close();
          else sink.enqueue(value);
        } finally {
          clearTimeout(timer);
        }
      },
      cancel: (reason) => source.cancel(reason),
    },
    { highWaterMark: 0 },
  );
  return new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

/** undici reports "fetch failed" and hides the useful part (ENOTFOUND, ECONNREFUSED…) in `cause`. */
function networkError(host: string, error: unknown): Error {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const detail = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
  return new Error(`cannot reach ${host} (${detail})`, { cause: error });
}

/** Checks a local model folder up front, so a wrong path gets a plain message, not a library trace. */
async function checkModelDir(dir: string, dtype: string, label: string): Promise<void> {
  const fail = (why: string): never => {
    throw new EmbedderError("SIGLA_MODEL_LOAD", `${label}: ${why}`);
  };
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) fail(`model folder ${dir} does not exist`);
  if (!(await stat(join(dir, "config.json")).catch(() => undefined))) fail(`${dir} has no config.json`);
  const file = `model${DTYPE_SUFFIX[dtype]}.onnx`;
  if (!(await stat(join(dir, "onnx", file)).catch(() => undefined))) {
    const present = (await readdir(join(dir, "onnx")).catch(() => [] as string[])).filter((f) =>
      f.endsWith(".onnx"),
    );
    fail(
      `${dir} has no onnx/${file} for dtype "${dtype}"` +
        (present.length > 0 ? ` (it has ${present.join(", ")})` : " (its onnx/ folder holds no model)"),
    );
  }
}

/** Turns whatever the load threw into a SiglaError that names the model and says what to do. */
function loadError(
  error: unknown,
  label: string,
  state: HubState,
  options: TransformersOptions,
): EmbedderError {
  if (state.failure) {
    return new EmbedderError(
      "SIGLA_EMBEDDER_UNAVAILABLE",
      `${label}: the model hub cannot be reached (${state.failure.message}); ` +
        `download the model while online, or set SIGLA_MODEL_DIR to a local copy`,
      { cause: error },
    );
  }
  const notFound = error instanceof Error && error.name === "ModelFileNotFoundError";
  if (notFound && !options.allowRemote && !options.modelDir) {
    return new EmbedderError(
      "SIGLA_EMBEDDER_UNAVAILABLE",
      `${label}: the model is not in the cache at ${options.cacheDir} and downloads are off`,
      { cause: error },
    );
  }
  if (notFound) {
    return new EmbedderError(
      "SIGLA_MODEL_LOAD",
      `${label}: ${errorMessage(error)} (is the model id right?)`,
      {
        cause: error,
      },
    );
  }
  return new EmbedderError("SIGLA_MODEL_LOAD", `${label}: cannot load the model: ${errorMessage(error)}`, {
    cause: error,
  });
}

/**
 * Loads `model` (a hub id such as "Xenova/all-MiniLM-L6-v2", or, with `modelDir`, a name for the local
 * folder) as an {@link Embedder} with id `transformers:<model>` — the name, not the path, so a store
 * keeps its identity when the folder moves. With `modelDir` and an empty `model`, the folder's basename
 * is the name. The dimension is measured by a one-text warm-up run, which also proves the model works.
 *
 * @throws InvalidInputError for a bad `batch`, an unknown `dtype` or no model name.
 * @throws EmbedderError SIGLA_MODEL_LOAD when the folder or a file is missing or the model does not run;
 *   SIGLA_EMBEDDER_UNAVAILABLE when the hub cannot be reached in time, or the model is not cached and
 *   downloads are off.
 */
export async function loadTransformersEmbedder(
  model: string,
  options: TransformersOptions,
): Promise<Embedder> {
  if (!Number.isInteger(options.batch) || options.batch < 1) {
    throw new InvalidInputError(`batch must be an integer ≥ 1, got ${options.batch}`);
  }
  if (!Object.hasOwn(DTYPE_SUFFIX, options.dtype)) {
    throw new InvalidInputError(
      `dtype must be one of ${Object.keys(DTYPE_SUFFIX).join(", ")}, got "${options.dtype}"`,
    );
  }
  const localDir = options.modelDir ? resolve(options.modelDir) : undefined;
  const name = model || (localDir ? basename(localDir) : "");
  if (!name) throw new InvalidInputError("a transformers model needs a hub id or a model folder");
  const id = `transformers:${name}`;
  const label = localDir ? `${id} (from ${localDir})` : id;
  if (localDir) await checkModelDir(localDir, options.dtype, label);

  const lib = await transformers();
  const remote = options.allowRemote && !localDir;
  lib.env.cacheDir = options.cacheDir;
  lib.env.allowLocalModels = true;
  // Also consulted by calls that ignore `local_files_only` (file-metadata probes), hence both.
  lib.env.allowRemoteModels = remote;
  lib.env.remoteHost = options.remoteHost ?? DEFAULT_HOST;

  const state: HubState = { timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS };
  const { onProgress } = options;
  let extractor: Extractor;
  try {
    extractor = (await hubContext.run(state, () =>
      lib.pipeline("feature-extraction", localDir ?? model, {
        // An absolute path is not a valid hub id, so transformers.js reads the folder as is.
        dtype: options.dtype as "q8",
        device: "cpu",
        // Every core (ONNX Runtime's default counts physical cores: 1 on some 2-vCPU machines).
        session_options: { intraOpNumThreads: ortThreads() },
        local_files_only: !remote,
        cache_dir: options.cacheDir,
        progress_callback: onProgress
          ? (info) => {
              if (info.status === "progress")
                onProgress({ file: info.file, loaded: info.loaded, total: info.total });
            }
          : undefined,
      }),
    )) as Extractor;
  } catch (error) {
    throw loadError(error, label, state, options);
  }

  const run = async (texts: string[]): Promise<Float32Array[]> => {
    const output = await extractor(texts, { pooling: "mean", normalize: true });
    try {
      const [rows, width] = output.dims;
      // The pipeline pools and normalises (`normalize: true`); each row is copied out before dispose.
      return Array.from({ length: rows }, (_, i) => output.data.slice(i * width, (i + 1) * width));
    } finally {
      output.dispose();
    }
  };

  let dim: number;
  try {
    [{ length: dim }] = await run(["warm-up"]);
  } catch (error) {
    await extractor.dispose().catch(() => undefined);
    throw new EmbedderError(
      "SIGLA_MODEL_LOAD",
      `${label}: the model loads but does not run: ${errorMessage(error)}`,
      {
        cause: error,
      },
    );
  }

  let closed = false;
  return {
    id,
    dim,
    async embed(texts: string[]): Promise<Float32Array[]> {
      if (!Array.isArray(texts) || texts.some((t) => typeof t !== "string")) {
        throw new InvalidInputError(`${id}: embed() takes an array of strings`);
      }
      if (closed) throw new EmbedderError("SIGLA_EMBEDDER_UNAVAILABLE", `${id}: the embedder is closed`);
      // The pipeline pads each call to its longest text and masks the padding (vectors do not change),
      // so call it on texts of similar length and put the vectors back in input order.
      const order = texts.map((_, i) => i).sort((a, b) => texts[a].length - texts[b].length);
      const vectors = new Array<Float32Array>(texts.length);
      for (const batch of batches(order, options.batch)) {
        const out = await run(batch.map((i) => texts[i]));
        batch.forEach((i, j) => {
          vectors[i] = out[j];
        });
      }
      return vectors;
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await extractor.dispose();
    },
  };
}
