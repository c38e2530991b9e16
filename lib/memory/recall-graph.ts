/**
 * The graph step of memory recall: the strongest candidates pass part of their score to their auto-linked
 * capsules and, for conversation turns, to the turns around them in the same session.
 */
import { and } from "../store/filter.js";
import { sqlString } from "../store/validate.js";
import { byScore, type Candidate, candidateOf, type RecallStore } from "./recall-candidates.js";
import type { RecallWeights } from "./recall-weights.js";
import { turnMetaOf, turnSource } from "./turns.js";

/**
 * Spreads the seeds' scores to their auto-linked capsules and their neighbouring turns (± 1, ± 2 in the same
 * session). A capsule keeps the best share it gets per way; capsules new to the pool join it. Seeds pass on
 * their date-boosted score, so the turns around a turn in the asked window share its boost.
 */
export async function expand(
  store: RecallStore,
  candidates: Map<number, Candidate>,
  filter: string | undefined,
  weights: RecallWeights,
): Promise<void> {
  const seeds = [...candidates.values()].sort(byScore).slice(0, weights.seeds);
  if (seeds.length === 0 || (weights.link === 0 && weights.neighbour1 === 0 && weights.neighbour2 === 0))
    return;
  const shares = {
    [-2]: weights.neighbour2,
    [-1]: weights.neighbour1,
    1: weights.neighbour1,
    2: weights.neighbour2,
  };
  const wantSources = new Map<string, Array<{ seed: Candidate; share: number }>>();
  const wantIds = new Map<number, Array<{ seed: Candidate; share: number }>>();
  for (const seed of seeds) {
    const turn = turnMetaOf(seed.capsule);
    if (turn) {
      for (const [offset, share] of Object.entries(shares)) {
        const index = turn.turn + Number(offset);
        if (index < 0 || share === 0) continue;
        const source = turnSource(turn.session, index);
        wantSources.set(source, [...(wantSources.get(source) ?? []), { seed, share }]);
      }
    }
    if (weights.link > 0) {
      for (const id of seed.capsule.links) {
        wantIds.set(id, [...(wantIds.get(id) ?? []), { seed, share: weights.link }]);
      }
    }
  }
  const wanted: string[] = [];
  if (wantIds.size > 0) wanted.push(`id IN (${[...wantIds.keys()].join(", ")})`);
  if (wantSources.size > 0) wanted.push(`source IN (${[...wantSources.keys()].map(sqlString).join(", ")})`);
  if (wanted.length === 0) return;
  const found = await store.list({ where: and(wanted.join(" OR "), filter) });
  for (const capsule of found) {
    const c = candidateOf(candidates, capsule);
    const turn = turnMetaOf(capsule);
    const bySource =
      turn && capsule.source === turnSource(turn.session, turn.turn)
        ? wantSources.get(capsule.source)
        : undefined;
    for (const { seed, share } of bySource ?? []) {
      if (seed === c) continue;
      const value = seed.base * share;
      if (value > c.neighbour) c.neighbour = value;
      c.via.add("neighbour-turn");
    }
    for (const { seed, share } of wantIds.get(capsule.id) ?? []) {
      if (seed === c) continue;
      const value = seed.base * share;
      if (value > c.link) c.link = value;
      c.via.add("link");
    }
  }
}
