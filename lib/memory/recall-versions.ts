/**
 * Version preference in memory recall: when a query asks for the current (or the first) version of a fact,
 * the other versions of it (near-duplicates said earlier, or later) are pushed down.
 */
import { dot } from "../embed/embedder.js";
import { byScore, type Candidate, type RecallStore } from "./recall-candidates.js";
import type { RecallWeights } from "./recall-weights.js";

/** Two capsules said less than this apart are never two versions of a fact (a session is one sitting). */
const VERSION_GAP_MS = 12 * 3_600_000;

/**
 * For a query that wants one version of a fact: among the leading candidates, of two dated near-duplicates
 * (cosine ≥ `duplicateCosine`, said at least 12 hours apart) the one not wanted is scaled by `superseded`,
 * and every dated candidate gets a mild boost towards the wanted end of their time span (`recency`).
 */
export function preferVersion(
  store: RecallStore,
  candidates: Map<number, Candidate>,
  version: "latest" | "earliest",
  weights: RecallWeights,
  window: number,
): void {
  const leading = [...candidates.values()]
    .sort(byScore)
    .slice(0, window)
    .filter((c) => c.at !== undefined);
  if (leading.length < 2) return;
  const vectors = new Map(leading.map((c) => [c.capsule.id, store.vectorOf(c.capsule.id)]));
  const demoted = new Set<Candidate>();
  for (let i = 0; i < leading.length; i++) {
    for (let j = i + 1; j < leading.length; j++) {
      const a = leading[i];
      const b = leading[j];
      // A fact and the reply to it are said together, not as two versions.
      if (Math.abs((a.at as number) - (b.at as number)) < VERSION_GAP_MS) continue;
      const va = vectors.get(a.capsule.id);
      const vb = vectors.get(b.capsule.id);
      if (!va || !vb || dot(va, vb) < weights.duplicateCosine) continue;
      const [older, newer] = (a.at as number) < (b.at as number) ? [a, b] : [b, a];
      demoted.add(version === "latest" ? older : newer);
    }
  }
  for (const c of demoted) {
    c.base *= weights.superseded;
    c.neighbour *= weights.superseded;
    c.link *= weights.superseded;
  }
  if (weights.recency > 0) {
    const times = leading.map((c) => c.at as number);
    const first = Math.min(...times);
    const span = Math.max(...times) - first;
    if (span > 0) {
      for (const c of leading) {
        const t = ((c.at as number) - first) / span;
        const factor = 1 + weights.recency * (version === "latest" ? t : 1 - t);
        c.base *= factor;
        c.neighbour *= factor;
        c.link *= factor;
      }
    }
  }
}
