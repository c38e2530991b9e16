/**
 * The token capsules of a `.capsulegraph` (seed §2): one capsule per vocabulary token, tagged `token`, its
 * text the token as it reads and its vector the row of the full-precision embedding table, in a flat
 * LanceDB capsule store. The store's embedder is the table itself: a text is embedded as the mean of its
 * tokens' rows, so the store can be searched with words ("which tokens sit near `deploy`?").
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { Embedder } from "../embed/embedder.js";
import { CapsuleStore } from "../store/capsule-store.js";
import { removeSnapshot } from "../store/snapshot.js";
import type { CapsuleInput } from "../store/types.js";
import { LOCK_FILE } from "../store/write-lock.js";

/** What the token store needs of a tokenizer. */
export interface TokenizerLike {
  /** Token ids of a text, without special tokens. */
  encode(text: string): number[];
  /** The text of token ids. */
  decode(ids: number[]): string;
}

/** The kept rows of an embedding table. */
export interface TokenTable {
  rows: number;
  dim: number;
  values: Float32Array;
}

/** Writes per batch: a vocabulary is tens of thousands of rows. */
const BATCH = 4096;

/**
 * An embedder that averages the vectors of a text's tokens; `row(tokenId)` gives a token's vector
 * (undefined for a token past the kept vocabulary, which is skipped).
 */
export function tokenTableEmbedder(
  id: string,
  tokenizer: TokenizerLike,
  dim: number,
  row: (tokenId: number) => Float32Array | undefined,
): Embedder {
  return {
    id,
    dim,
    async embed(texts: string[]): Promise<Float32Array[]> {
      return texts.map((text) => {
        const out = new Float32Array(dim);
        for (const t of tokenizer.encode(text)) {
          const v = row(t);
          if (v) for (let c = 0; c < dim; c++) out[c] += v[c];
        }
        let norm = 0;
        for (const x of out) norm += x * x;
        norm = Math.sqrt(norm);
        if (norm > 0) for (let c = 0; c < out.length; c++) out[c] /= norm;
        return out;
      });
    },
  };
}

/** The rows of a table as a `row` function for {@link tokenTableEmbedder}. */
export function tableRows(table: TokenTable): (tokenId: number) => Float32Array | undefined {
  return (t) =>
    t >= 0 && t < table.rows ? table.values.subarray(t * table.dim, (t + 1) * table.dim) : undefined;
}

/** One token's entry in `token_caps.json`. */
export interface TokenCapsule {
  id: number;
  /** The token as it reads (decoded). */
  text: string;
  /** The token as the vocabulary writes it (`Ġdeploy`, `##ing`). */
  piece: string;
  /** Its capsule in the token store; absent for a token whose vector is all zeros (padding), which has no direction to store. */
  capsule?: number;
}

/**
 * Writes the token store at `dir` (a new folder) from the first `table.rows` tokens and returns their
 * entries for `token_caps.json`.
 */
export async function writeTokenStore(
  dir: string,
  embedder: Embedder,
  tokenizer: TokenizerLike,
  pieces: readonly string[],
  table: TokenTable,
  options: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {},
): Promise<TokenCapsule[]> {
  const store = await CapsuleStore.open(dir, { embedder, indexPolicy: "flat", autoLinkK: 0, create: true });
  const tokens: TokenCapsule[] = [];
  try {
    for (let start = 0; start < table.rows; start += BATCH) {
      options.signal?.throwIfAborted();
      const inputs: CapsuleInput[] = [];
      const stored: TokenCapsule[] = [];
      for (let id = start; id < Math.min(table.rows, start + BATCH); id++) {
        const piece = pieces[id] ?? `<${id}>`;
        const decoded = tokenizer.decode([id]);
        // Special and whitespace tokens decode to nothing visible: their piece names them.
        const token: TokenCapsule = { id, text: decoded.trim() === "" ? piece : decoded, piece };
        tokens.push(token);
        const vector = table.values.subarray(id * table.dim, (id + 1) * table.dim);
        if (vector.every((x) => x === 0)) continue;
        stored.push(token);
        inputs.push({ text: token.text, tags: ["token"], meta: { token_id: id, piece }, vector });
      }
      const ids = await store.addCapsules(inputs, { autoLinkK: 0 });
      for (const [i, token] of stored.entries()) token.capsule = ids[i];
      options.onProgress?.(Math.min(table.rows, start + BATCH), table.rows);
    }
  } finally {
    await store.close();
  }
  // The hot snapshot repeats every vector of the table (a cache the store rebuilds from a table scan) and the
  // lock file belongs to this process: neither belongs in an archive.
  await removeSnapshot(dir);
  await rm(join(dir, LOCK_FILE), { force: true });
  return tokens;
}
