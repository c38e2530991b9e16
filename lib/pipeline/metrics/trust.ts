/**
 * Trust (Iskra §3.1): how far the evidence of a turn can be trusted, in [0, 1], from each item's memory
 * layer, provenance (source and hash) and agreement (SUPPORTS and CONTRADICTS edges). Pure and deterministic.
 */
import { InvalidInputError } from "../../errors.js";
import type { Evidence, EvidenceLayer } from "../types.js";
import { clamp01 } from "./shared.js";

/** Trust below this is low: claims are kept as hypotheses in SHADOW (shadow protocol). */
export const TRUST_LOW = 0.4;

/** How much each memory layer's evidence can be trusted; SHADOW holds hypotheses and counts as nothing. */
export const LAYER_TRUST: Readonly<Record<EvidenceLayer, number>> = {
  archive: 1,
  conversation: 0.7,
  growth: 0.6,
  external: 0.5,
  shadow: 0,
};

/** Provenance factors: a source whose hash re-checks, no source at all, a source whose hash fails. */
export const PROVENANCE_TRUST = { verified: 1, missing: 0.5, hashFailed: 0.25 } as const;

/** Corroboration: an item without SUPPORTS edges keeps 0.8 of its trust, two or more restore it fully. */
const UNCORROBORATED = 0.8;
const CORROBORATED_AT = 2;
/** A CONTRADICTS edge outweighs a SUPPORTS edge two to one. */
const CONTRADICTION_WEIGHT = 2;

function checkEvidence(item: Evidence, what: string): void {
  if (typeof item !== "object" || item === null) throw new InvalidInputError(`${what} is not an object`);
  if (!Object.hasOwn(LAYER_TRUST, item.layer)) {
    throw new InvalidInputError(`${what} has unknown layer ${JSON.stringify(item.layer)}`);
  }
  if (typeof item.score !== "number" || !Number.isFinite(item.score)) {
    throw new InvalidInputError(`${what} has a score that is not a finite number (${String(item.score)})`);
  }
  for (const key of ["supports", "contradicts"] as const) {
    const n = item[key];
    if (typeof n !== "number" || !Number.isFinite(n) || n < 0) {
      throw new InvalidInputError(`${what} has ${key} that is not a non-negative number (${String(n)})`);
    }
  }
  for (const key of ["hasSource", "hashOk"] as const) {
    if (typeof item[key] !== "boolean")
      throw new InvalidInputError(`${what} has ${key} that is not a boolean`);
  }
}

/**
 * How far one piece of evidence can be trusted on its own, in [0, 1]: layer (`LAYER_TRUST`: archive 1,
 * turn 0.7, growth 0.6, external 0.5, shadow 0) × provenance (`PROVENANCE_TRUST`: source with a hash that
 * re-checks 1, no source 0.5, a source whose hash fails 0.25) × agreement, where agreement =
 * `(1 + supports) / (1 + supports + 2 × contradicts)` × corroboration (0.8 with no SUPPORTS edge, rising
 * linearly to 1 at two).
 */
export function evidenceTrust(item: Evidence): number {
  checkEvidence(item, "evidenceTrust: evidence");
  return credibility(item);
}

function credibility(item: Evidence): number {
  const layer = LAYER_TRUST[item.layer];
  const provenance = !item.hasSource
    ? PROVENANCE_TRUST.missing
    : item.hashOk
      ? PROVENANCE_TRUST.verified
      : PROVENANCE_TRUST.hashFailed;
  const { supports, contradicts } = item;
  const agreement = (1 + supports) / (1 + supports + CONTRADICTION_WEIGHT * contradicts);
  const corroboration = UNCORROBORATED + (1 - UNCORROBORATED) * Math.min(1, supports / CORROBORATED_AT);
  return clamp01(layer * provenance * agreement * corroboration);
}

/**
 * Trust in the evidence of a turn, in [0, 1]: the mean of `evidenceTrust` over the items, weighted by
 * retrieval score relative to the best one (scores ≤ 0 weigh nothing; if none is positive all weigh alike).
 * Scores are used relatively because their scale depends on the search mode. Shadow evidence counts as 0
 * and so pulls trust down; no evidence gives 0.
 */
export function trustOf(evidence: readonly Evidence[]): number {
  if (!Array.isArray(evidence)) throw new InvalidInputError("trustOf: evidence must be an array");
  evidence.forEach((item, i) => {
    checkEvidence(item, `trustOf: evidence ${i}`);
  });
  if (evidence.length === 0) return 0;
  const best = Math.max(...evidence.map((e) => e.score));
  let weighted = 0;
  let total = 0;
  for (const item of evidence) {
    const weight = best > 0 ? Math.max(0, item.score) / best : 1;
    weighted += weight * credibility(item);
    total += weight;
  }
  return total === 0 ? 0 : clamp01(weighted / total);
}
