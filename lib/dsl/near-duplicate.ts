/**
 * How alike two texts are, for MERGE's de-duplication: the Jaccard overlap of their character trigrams
 * after case and punctuation are folded away. Cheap, needs no store or embedder, and catches the
 * near-identical chunks that overlapping ingest windows and re-phrased copies produce.
 */

/** Lower case, every run of non-letters/digits one space, trimmed. */
export function normalizeText(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

/** The set of character trigrams of a normalised text (the text itself when shorter than 3). */
export function trigrams(text: string): Set<string> {
  const norm = normalizeText(text);
  const grams = new Set<string>();
  if (norm.length < 3) {
    grams.add(norm);
    return grams;
  }
  for (let i = 0; i + 3 <= norm.length; i++) grams.add(norm.slice(i, i + 3));
  return grams;
}

/** Jaccard similarity of two trigram sets, in [0, 1]; 1 for two empty texts. */
export function jaccard(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let shared = 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const gram of small) if (large.has(gram)) shared++;
  return shared / (a.size + b.size - shared);
}

/** Trigram Jaccard similarity of two texts. */
export function textSimilarity(a: string, b: string): number {
  return jaccard(trigrams(a), trigrams(b));
}
