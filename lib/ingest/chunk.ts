/**
 * Sliding-window chunking (seed design §3: windows of 1024 characters overlapping by 200). Embedders see a
 * bounded input, and the overlap keeps a sentence that straddles a cut retrievable from either side.
 */
import { InvalidInputError } from "../errors.js";

/** Default window length in characters. */
export const DEFAULT_CHUNK_SIZE = 1024;
/** Default number of characters consecutive windows share. */
export const DEFAULT_OVERLAP = 200;

/** A window of a text; `text === source.slice(start, end)`. */
export interface Chunk {
  text: string;
  /** Offset of the first character in the chunked text. */
  start: number;
  /** Offset after the last character (exclusive). */
  end: number;
}

export interface ChunkOptions {
  /** Maximum chunk length in characters (integer ≥ 1). Default 1024. */
  size?: number;
  /** Characters shared by consecutive chunks (integer ≥ 0, < size). Default 200. */
  overlap?: number;
}

/** Checks chunk options and fills in defaults; throws `InvalidInputError` naming the bad option. */
export function resolveChunkOptions(options: ChunkOptions = {}): Required<ChunkOptions> {
  const size = options.size ?? DEFAULT_CHUNK_SIZE;
  const overlap = options.overlap ?? DEFAULT_OVERLAP;
  if (!Number.isSafeInteger(size) || size < 1) {
    throw new InvalidInputError(`chunk size must be a positive integer, got ${String(size)}`);
  }
  if (!Number.isSafeInteger(overlap) || overlap < 0) {
    throw new InvalidInputError(`chunk overlap must be a non-negative integer, got ${String(overlap)}`);
  }
  if (overlap >= size) {
    throw new InvalidInputError(`chunk overlap (${overlap}) must be smaller than the chunk size (${size})`);
  }
  return { size, overlap };
}

const WHITESPACE = /\s/;
const SENTENCE_END = /[.!?…。！？]/;
const CLOSERS = /["'”’»)\]]/;

function isSpace(text: string, i: number): boolean {
  return WHITESPACE.test(text[i]);
}

/**
 * How good a cut before index `i` is: 3 = paragraph break, 2 = end of sentence or line, 1 = between words,
 * 0 = inside a word. Only called with `0 < i < text.length`.
 */
function cutRank(text: string, i: number): number {
  if (!isSpace(text, i) || isSpace(text, i - 1)) return 0;
  if (text[i] === "\n" || text[i] === "\r") {
    let j = i + (text[i] === "\r" && text[i + 1] === "\n" ? 2 : 1);
    while (text[j] === " " || text[j] === "\t") j++;
    return text[j] === "\n" || text[j] === "\r" ? 3 : 2;
  }
  let k = i - 1;
  while (k > 0 && CLOSERS.test(text[k])) k--;
  return SENTENCE_END.test(text[k]) ? 2 : 1;
}

function isHighSurrogate(text: string, i: number): boolean {
  const code = text.charCodeAt(i);
  return code >= 0xd800 && code <= 0xdbff;
}

/**
 * Where to end the window that starts at `start`. Looks back over the last quarter of the window for the
 * best boundary (latest among equals) but never at or before `start + overlap`, so the next window always
 * starts after this one did. Falls back to a hard cut at the window end.
 */
function findCut(text: string, start: number, size: number, overlap: number): number {
  const hardEnd = start + size;
  const floor = start + Math.max(overlap + 1, size - Math.max(1, Math.floor(size / 4)));
  let best = hardEnd;
  let bestRank = 0;
  // `hardEnd` itself is a candidate: a cut right before whitespace at the window end is perfect.
  for (let i = hardEnd; i >= floor && i > start; i--) {
    const rank = cutRank(text, i);
    if (rank > bestRank) {
      best = i;
      bestRank = rank;
      if (rank === 3) break;
    }
  }
  // Never split a surrogate pair on a hard cut: step back if that still leaves room to progress, else
  // forward (only degenerate windows, size 1 or overlap = size - 1, get one code unit over the size).
  if (bestRank === 0 && isHighSurrogate(text, best - 1)) best += best - 1 > start + overlap ? -1 : 1;
  return best;
}

/**
 * Where the window after a cut at `limit` starts: `from` (= cut - overlap), moved forward to the next word
 * boundary if it landed inside a word and the boundary is before `limit`, then past whitespace.
 */
function nextStart(text: string, from: number, limit: number): number {
  let i = from;
  // Start on a word boundary when the overlap region allows it.
  if (i > 0 && !isSpace(text, i - 1) && !isSpace(text, i)) {
    let j = i;
    while (j < limit && !isSpace(text, j)) j++;
    if (j < limit) i = j;
  }
  // A low surrogate cannot begin a chunk (it is in the previous chunk, cuts never split pairs).
  if (i > 0 && isHighSurrogate(text, i - 1) && i < text.length) i++;
  while (i < text.length && isSpace(text, i)) i++;
  return i;
}

/**
 * Splits `text` into overlapping windows of at most `size` characters, each trimmed of surrounding
 * whitespace. Cuts prefer a paragraph break, then a sentence or line end, then a space near the window end.
 * Every non-whitespace character is in at least one chunk; consecutive chunks share at most `overlap`
 * characters; a text of at most `size` characters gives one chunk; a blank text gives none. Characters are
 * UTF-16 code units; a surrogate pair (emoji) is never split, which in degenerate windows (size 1, or
 * overlap = size - 1) can make a chunk one unit longer than `size`.
 */
export function chunkText(text: string, options?: ChunkOptions): Chunk[] {
  const { size, overlap } = resolveChunkOptions(options);
  const chunks: Chunk[] = [];
  let start = 0;
  while (start < text.length && isSpace(text, start)) start++;
  while (start < text.length) {
    const cut = start + size >= text.length ? text.length : findCut(text, start, size, overlap);
    let end = cut;
    while (end > start && isSpace(text, end - 1)) end--;
    // With a large overlap a trimmed window can end where the previous one did; it adds nothing.
    if (chunks.length === 0 || end > chunks[chunks.length - 1].end)
      chunks.push({ text: text.slice(start, end), start, end });
    if (cut >= text.length) break;
    start = nextStart(text, cut - overlap, cut);
  }
  return chunks;
}
