/**
 * Drift (Iskra §3.1): how far a message's embedding is from the session goal, in [0, 1], and the goal
 * policy between turns (`updateGoal`). Pure and deterministic.
 */
import { InvalidInputError } from "../../errors.js";
import { cosine, norm, normalize } from "../../math/vectors.js";
import { clamp01, requireUnit } from "./shared.js";

/** Drift at or above this is high: the message has left the session's goal (cos ≤ 0.32); ISKRIV speaks. */
export const DRIFT_HIGH = 0.6;

/**
 * Drift at or above this means a new topic, and `updateGoal` resets the goal to the message. It is
 * `DRIFT_HIGH` on purpose: callers mark `topicChanged` for `nextPhase` on the same condition, so the goal
 * and the phase restart together (a goal that lagged behind would flag every later message as a change).
 */
export const GOAL_RESET_DRIFT = DRIFT_HIGH;
/** Weight of the new message in the goal's moving average while on topic (drift < GOAL_RESET_DRIFT). */
export const GOAL_EMA_ALPHA = 0.3;

/** Cosine at or above which a message counts as fully on the goal (drift 0). */
export const DRIFT_COS_SAME = 0.8;
/** Cosine at or below which a message counts as fully off the goal (drift 1). */
export const DRIFT_COS_UNRELATED = 0;

/** A vector: an embedding as the embedders return it, or a plain array. */
export type VectorLike = Float32Array | readonly number[];

function requireVector(vector: unknown, what: string): VectorLike {
  if (!(vector instanceof Float32Array) && !Array.isArray(vector)) {
    throw new InvalidInputError(`${what} must be a Float32Array or an array of numbers`);
  }
  const v = vector as VectorLike;
  if (v.length === 0) throw new InvalidInputError(`${what} is empty`);
  for (let i = 0; i < v.length; i++) {
    if (typeof v[i] !== "number" || !Number.isFinite(v[i])) {
      throw new InvalidInputError(`${what} has a non-finite value at index ${i} (${String(v[i])})`);
    }
  }
  return v;
}

/** Cosine similarity of two checked vectors, refusing a dimension mismatch and a zero vector by name. */
function checkedCosine(a: VectorLike, b: VectorLike, aName: string, bName: string): number {
  if (a.length !== b.length) {
    throw new InvalidInputError(`${aName} has dimension ${a.length} but ${bName} has dimension ${b.length}`);
  }
  if (norm(a) === 0) throw new InvalidInputError(`${aName} is the zero vector; it has no direction`);
  if (norm(b) === 0) throw new InvalidInputError(`${bName} is the zero vector; it has no direction`);
  return cosine(a, b);
}

/**
 * Distance of a message from the session's goal, in [0, 1]. The raw distance `(1 − cos) / 2` lies in
 * [0, 1], but a sentence encoder puts same-topic pairs at cos ≥ 0.6 (raw ≤ 0.2) and unrelated ones near
 * cos 0–0.2 (raw 0.4–0.5), so the raw value is stretched: `drift = clamp((raw − 0.1) / 0.4)`, which is
 * `clamp((0.8 − cos) / 0.8)` — 0 at cos ≥ 0.8 (`DRIFT_COS_SAME`), 0.25 at cos 0.6, 0.5 at cos 0.4, 0.75
 * at cos 0.2 and 1 at cos ≤ 0 (`DRIFT_COS_UNRELATED`). No goal yet gives 0. Vectors need not be unit
 * length; they must have the same dimension.
 */
export function driftOf(input: { message: VectorLike; goal?: VectorLike }): number {
  const message = requireVector(input?.message, "message vector");
  if (input.goal === undefined) return 0;
  const goal = requireVector(input.goal, "goal vector");
  const cos = checkedCosine(message, goal, "message vector", "goal vector");
  return clamp01((DRIFT_COS_SAME - cos) / (DRIFT_COS_SAME - DRIFT_COS_UNRELATED));
}

/** A unit-length copy of a vector that is not zero. */
function unit(v: VectorLike): Float32Array {
  return normalize(v, new Float32Array(v.length));
}

/**
 * The session goal after a message, as a new unit vector (inputs are not changed): with no goal yet, or at
 * drift ≥ `GOAL_RESET_DRIFT` (0.6, a new topic), the message itself; otherwise the exponential moving
 * average `(1 − 0.3) × goal + 0.3 × message` (`GOAL_EMA_ALPHA`) of the unit-normalised vectors, normalised
 * again, so the goal follows the topic as it develops. (The average of two unit vectors weighted 0.7 and 0.3
 * has norm ≥ 0.4, so it never cancels out.)
 */
export function updateGoal(goal: VectorLike | undefined, message: VectorLike, drift: number): Float32Array {
  const m = requireVector(message, "message vector");
  requireUnit(drift, "updateGoal: drift");
  if (norm(m) === 0) throw new InvalidInputError("message vector is the zero vector; it has no direction");
  if (goal === undefined || drift >= GOAL_RESET_DRIFT) return unit(m);
  const g = requireVector(goal, "goal vector");
  if (g.length !== m.length) {
    throw new InvalidInputError(
      `message vector has dimension ${m.length} but goal vector has dimension ${g.length}`,
    );
  }
  if (norm(g) === 0) throw new InvalidInputError("goal vector is the zero vector; it has no direction");
  const alpha = GOAL_EMA_ALPHA;
  const gu = unit(g);
  const mu = unit(m);
  const mixed = new Float32Array(m.length);
  for (let i = 0; i < m.length; i++) mixed[i] = (1 - alpha) * gu[i] + alpha * mu[i];
  return normalize(mixed);
}
