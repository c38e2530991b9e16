/**
 * `sigla run-cg` (seed §12): a `.capsulegraph` answering one prompt. A causal LM streams its greedy
 * continuation; an encoder returns the prompt's embedding. Either way the token store is asked for the
 * tokens nearest the prompt (the in-context retrieval the seed keeps it for).
 */
import { CancelledError } from "../errors.js";
import { loadCapsuleGraph } from "./load-capsulegraph.js";

/** Options of {@link runCapsuleGraph}. */
export interface RunCapsuleGraphOptions {
  prompt: string;
  /** Most tokens a causal LM writes (default 128). */
  maxTokens?: number;
  /** Runtime profile (default `SIGLA_PROFILE`). */
  profile?: string;
  /** Unpack cache (default `SIGLA_CG_CACHE`). */
  cacheDir?: string;
  signal?: AbortSignal;
  /** Each piece a causal LM writes, as it is written. */
  onToken?: (piece: string) => void;
}

/** What {@link runCapsuleGraph} produced. */
export interface CapsuleGraphRun {
  kind: "causal" | "encoder";
  /** The model's source name and bits, from the manifest. */
  source: string;
  bits: number;
  /** A causal LM's text. */
  text?: string;
  /** An encoder's embedding of the prompt. */
  embedding?: number[];
  /** The token capsules nearest the prompt. */
  nearestTokens: { text: string; score: number }[];
  ms: number;
}

/**
 * Loads `file` (unpacking it into the cache once) and runs the prompt.
 *
 * @throws ArchiveError, ModelError; CancelledError when aborted (a causal LM's text so far was streamed).
 */
export async function runCapsuleGraph(
  file: string,
  options: RunCapsuleGraphOptions,
): Promise<CapsuleGraphRun> {
  const started = performance.now();
  const graph = await loadCapsuleGraph(file, {
    cacheDir: options.cacheDir,
    profile: options.profile,
    signal: options.signal,
  });
  try {
    const nearestTokens = (await graph.tokenStore.search(options.prompt, { topK: 5, mode: "vector" })).map(
      (hit) => ({
        text: hit.text,
        score: hit.score,
      }),
    );
    const base = { source: graph.meta.source, bits: graph.meta.bits, nearestTokens };
    if (graph.model.kind === "encoder") {
      const [vector] = await graph.model.embedder.embed([options.prompt]);
      return { ...base, kind: "encoder", embedding: Array.from(vector), ms: performance.now() - started };
    }
    let text = "";
    try {
      for await (const piece of graph.model.runner.generate(options.prompt, {
        maxTokens: options.maxTokens ?? 128,
        temperature: 0,
        signal: options.signal,
      })) {
        text += piece;
        options.onToken?.(piece);
      }
    } catch (error) {
      if (!options.signal?.aborted) throw error;
      throw new CancelledError("generation", { outcome: "the output above is partial", cause: error });
    }
    return { ...base, kind: "causal", text, ms: performance.now() - started };
  } finally {
    await graph.close();
  }
}
