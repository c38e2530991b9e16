/**
 * The session phase between turns (opening → exploring → deepening → closing), from topic changes,
 * resolution and the turns on the topic. Pure and deterministic.
 */
import { InvalidInputError } from "../../errors.js";
import { PHASES, type Phase } from "../types.js";

/** Phase by turns on the topic (this turn included): opening for the first, then exploring, then deepening. */
export const EXPLORING_FROM_TURN = 2;
/** First turn on a topic that is in the deepening phase. */
export const DEEPENING_FROM_TURN = 4;

/**
 * The phase after a turn. A topic change ends the current phase (`ended: true`, the caller writes a recap)
 * and restarts at `opening`. A resolved topic moves to `closing`. Otherwise the phase follows the turns on
 * the topic, this one included — `opening` for the first, `exploring` from `EXPLORING_FROM_TURN` (2),
 * `deepening` from `DEEPENING_FROM_TURN` (4) — and never moves back, except that a `closing` topic the
 * user takes up again without resolving returns to `deepening`.
 */
export function nextPhase(
  previous: Phase,
  signal: { topicChanged: boolean; turnsOnTopic: number; resolved: boolean },
): { phase: Phase; ended: boolean } {
  if (!PHASES.includes(previous)) {
    throw new InvalidInputError(
      `nextPhase: unknown phase ${JSON.stringify(previous)} (expected ${PHASES.join(", ")})`,
    );
  }
  if (typeof signal !== "object" || signal === null)
    throw new InvalidInputError("nextPhase: signal must be an object");
  const { topicChanged, turnsOnTopic, resolved } = signal;
  if (typeof topicChanged !== "boolean")
    throw new InvalidInputError("nextPhase: topicChanged must be a boolean");
  if (typeof resolved !== "boolean") throw new InvalidInputError("nextPhase: resolved must be a boolean");
  if (!Number.isSafeInteger(turnsOnTopic) || turnsOnTopic < 0) {
    throw new InvalidInputError(
      `nextPhase: turnsOnTopic must be a non-negative integer, got ${String(turnsOnTopic)}`,
    );
  }
  if (topicChanged) return { phase: "opening", ended: true };
  if (resolved) return { phase: "closing", ended: false };
  if (previous === "closing") return { phase: "deepening", ended: false };
  const byTurns: Phase =
    turnsOnTopic >= DEEPENING_FROM_TURN
      ? "deepening"
      : turnsOnTopic >= EXPLORING_FROM_TURN
        ? "exploring"
        : "opening";
  const phase = PHASES.indexOf(byTurns) > PHASES.indexOf(previous) ? byTurns : previous;
  return { phase, ended: false };
}
