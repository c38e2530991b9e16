/**
 * The USE-lite sentencepiece tokenizer in linear time. It gives the same ids as the `Tokenizer` of
 * `@energetic-ai/embeddings` (which the stored vectors were made with) — same NFKC preprocessing, same
 * Viterbi scores summed in the same order, same tie rule and the same backtracking, quirks included — but
 * that one copies the rest of the text at every position (`symbols.slice(i)`), so its time grows with the
 * square of the text; this one walks a code-point trie from each position instead.
 */

/** The separator sentencepiece puts for spaces and at the start of a text. */
const SEPARATOR = "\u2581";
/** The first vocabulary entries (unknown, <s>, </s>, extra ids) never match text. */
const RESERVED = 6;

/** One vocabulary entry as `vocab.json` stores it: the piece and its log-probability score. */
export type VocabularyEntry = [piece: string, score: number];

interface TrieNode {
  children: Map<number, TrieNode>;
  /** Vocabulary index of the piece ending here, or -1. */
  index: number;
  /** Length of that piece in code points. */
  symbols: number;
}

const newNode = (): TrieNode => ({ children: new Map(), index: -1, symbols: 0 });

/** Turns text into USE-lite token ids. */
export class UseLiteTokenizer {
  private readonly root = newNode();
  private readonly scores: Float64Array;
  /** Each piece's length in UTF-16 units: the package backtracks by `piece.length`, not by code points. */
  private readonly units: Int32Array;
  /** Longest piece in code points (reserved symbols aside): no token spans more characters. */
  readonly longestPiece: number;

  constructor(vocabulary: readonly VocabularyEntry[]) {
    this.scores = new Float64Array(vocabulary.length);
    this.units = new Int32Array(vocabulary.length);
    let longest = 1;
    vocabulary.forEach(([piece, score], index) => {
      this.scores[index] = score;
      this.units[index] = piece.length;
      if (index < RESERVED) return;
      let node = this.root;
      let symbols = 0;
      for (const symbol of piece) {
        const code = symbol.codePointAt(0) as number;
        let next = node.children.get(code);
        if (!next) {
          next = newNode();
          node.children.set(code, next);
        }
        node = next;
        symbols++;
      }
      // A later duplicate overwrites an earlier one, as the package's trie does.
      if (symbols > 0) {
        node.index = index;
        node.symbols = symbols;
      }
      longest = Math.max(longest, symbols);
    });
    this.longestPiece = longest;
  }

  /** The token ids of `text` (unknown characters become id 0; runs of them one 0). */
  encode(text: string): number[] {
    const normalized = text.normalize("NFKC");
    const input = normalized.length > 0 ? SEPARATOR + normalized.replaceAll(" ", SEPARATOR) : normalized;
    const codes: number[] = [];
    for (const symbol of input) codes.push(symbol.codePointAt(0) as number);
    const n = codes.length;
    const best = new Float64Array(n + 1);
    const words = new Int32Array(n + 1);
    // Forward relaxation visits the pieces ending at each position in ascending start order, the order the
    // package's backward loop uses, and reads best[start] only once it is final: the same sums and ties.
    for (let start = 0; start < n; start++) {
      const base = best[start];
      let node = this.root.children.get(codes[start]);
      let matched = false;
      for (let k = start; node !== undefined; ) {
        if (node.index >= 0) {
          matched = true;
          this.relax(best, words, start + node.symbols, this.scores[node.index] + base, node.index);
        }
        if (++k >= n) break;
        node = node.children.get(codes[k]);
      }
      // No piece starts here: the unknown symbol (id 0, score 0) covers one character.
      if (!matched) this.relax(best, words, start + 1, base, 0);
    }
    const reversed: number[] = [];
    for (let at = n; at > 0; at -= this.units[words[at]]) reversed.push(words[at]);
    const ids: number[] = [];
    for (let i = reversed.length - 1; i >= 0; i--) {
      // As the package merges runs of unknowns: a 0 is dropped when the token after it is a 0 too.
      if (!(reversed[i] === 0 && i > 0 && reversed[i - 1] === 0)) ids.push(reversed[i]);
    }
    return ids;
  }

  private relax(best: Float64Array, words: Int32Array, end: number, score: number, index: number): void {
    if (best[end] === 0 || score >= best[end]) {
      best[end] = score;
      words[end] = index;
    }
  }
}

/** The graph keeps the first 128 tokens of each text (its `ClipToMaxLength/Less/y` constant). */
export const MAX_TOKENS = 128;

/**
 * Cuts `text` at the first space at or after `budget` characters, or at twice `budget` if none is near.
 * Every token spans at most `longestPiece` characters and pieces never cross a space, so with a budget of
 * MAX_TOKENS × longestPiece the first MAX_TOKENS tokens are unchanged — and the package's tokenizer, whose
 * time grows with the square of the text, never sees more than it needs.
 */
export function clip(text: string, budget: number): string {
  if (text.length <= budget) return text;
  const space = text.indexOf(" ", budget);
  if (space !== -1 && space < budget * 2) return text.slice(0, space);
  // One huge "word": the cut only moves pieces far past the first MAX_TOKENS; never split a surrogate pair.
  const code = text.charCodeAt(budget * 2 - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? budget * 2 - 1 : budget * 2);
}

/**
 * Text → the ids the model reads: clipped to `budget` characters, encoded by `encode`, cut to MAX_TOKENS.
 * A text with no tokens ("") reads as `blank` (the ids of " "): the graph cannot hold an empty row.
 */
export function modelTokens(
  encode: (text: string) => number[],
  text: string,
  budget: number,
  blank: readonly number[],
): number[] {
  const ids = encode(clip(text, budget));
  if (ids.length === 0) return [...blank];
  return ids.length > MAX_TOKENS ? ids.slice(0, MAX_TOKENS) : ids;
}
