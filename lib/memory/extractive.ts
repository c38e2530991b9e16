/**
 * Extractive summaries: the sentences that share the most content words with the whole text. The default
 * for community summaries, phase recaps and the answer composer when no LLM runner is configured.
 */
import { ENGLISH_STOP_WORDS } from "../text/stop-words.js";

/** Lower-case content words of a text (letters and digits, English stop words removed). */
export function contentWords(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}][\p{L}\p{N}'-]*/gu) ?? []).filter(
    (w) => w.length > 1 && !ENGLISH_STOP_WORDS.has(w),
  );
}

/** Sentences of a text (split after . ! ? or a line break), trimmed, without empty ones. */
export function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?…])\s+|\n+/u)
    .map((s) => s.trim())
    .filter((s) => contentWords(s).length > 0);
}

/**
 * The `count` most central sentences of `texts`, in their original order. A sentence scores the mean
 * document frequency of its content words, so sentences about what most texts share win; duplicates are
 * skipped.
 */
export function extractiveSummary(texts: readonly string[], count = 3): string {
  const all = texts.flatMap((text, doc) => sentences(text).map((sentence) => ({ sentence, doc })));
  const docFreq = new Map<string, number>();
  texts.forEach((text) => {
    for (const word of new Set(contentWords(text))) docFreq.set(word, (docFreq.get(word) ?? 0) + 1);
  });
  const scored = all.map((s, order) => {
    const words = contentWords(s.sentence);
    const score = words.reduce((sum, w) => sum + (docFreq.get(w) ?? 0), 0) / Math.sqrt(words.length + 1);
    return { ...s, order, score };
  });
  const seen = new Set<string>();
  const picked = scored
    .sort((a, b) => b.score - a.score || a.order - b.order)
    .filter((s) => {
      const key = s.sentence.toLowerCase();
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .slice(0, count)
    .sort((a, b) => a.order - b.order);
  return picked.map((s) => s.sentence).join(" ");
}
