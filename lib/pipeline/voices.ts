/**
 * Voice selection (Iskra §3.1, step 4): which facets speak on a turn, from the metrics alone. Each voice
 * answers one condition; ISKRA, the base voice, is always present and speaks first only when no other
 * condition holds.
 */
import { InvalidInputError } from "../errors.js";
import { CLARITY_LOW, DRIFT_HIGH, PAIN_HIGH } from "./metrics/index.js";
import { type Metrics, VOICES, type Voice } from "./types.js";

/** The voices of a turn: the one that leads, every active one in priority order, and why each is there. */
export interface VoiceSelection {
  primary: Voice;
  /** Active voices in priority order; `active[0] === primary`, ISKRA always last. */
  active: Voice[];
  /** One line per active voice, e.g. `KAIN: pain 0.82 ≥ 0.70`. */
  reasons: string[];
}

/**
 * Priority order for the primary voice: KAIN (pain) first — a person in distress is met before anything
 * else; SAM (low clarity) next — what is not understood cannot be answered; ISKRIV (drift) — bring the
 * conversation back to its goal; SIBYL (shared session) — speak for the group; ISKRA, the base voice, last.
 * The same order as `VOICES`.
 */
export const VOICE_PRIORITY: readonly Voice[] = VOICES;

function metric(metrics: Metrics, key: keyof Metrics): number {
  const value = metrics[key];
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new InvalidInputError(
      `selectVoices: metrics.${key} must be a number in [0, 1], got ${String(value)}`,
    );
  }
  return value;
}

/**
 * Chooses the voices of a turn: KAIN when pain ≥ `PAIN_HIGH`, SAM when clarity < `CLARITY_LOW`, ISKRIV
 * when drift ≥ `DRIFT_HIGH`, SIBYL when the session is shared, and ISKRA always. The primary voice is the
 * first active one in `VOICE_PRIORITY`. Trust does not choose a voice; it decides the shadow protocol in
 * `selectMode`.
 */
export function selectVoices(metrics: Metrics, options: { shared: boolean }): VoiceSelection {
  if (typeof metrics !== "object" || metrics === null) {
    throw new InvalidInputError("selectVoices: metrics must be an object");
  }
  const pain = metric(metrics, "pain");
  const clarity = metric(metrics, "clarity");
  const drift = metric(metrics, "drift");
  if (typeof options?.shared !== "boolean")
    throw new InvalidInputError("selectVoices: options.shared must be a boolean");

  const why = new Map<Voice, string>();
  if (pain >= PAIN_HIGH) why.set("KAIN", `KAIN: pain ${pain.toFixed(2)} ≥ ${PAIN_HIGH.toFixed(2)}`);
  if (clarity < CLARITY_LOW) why.set("SAM", `SAM: clarity ${clarity.toFixed(2)} < ${CLARITY_LOW.toFixed(2)}`);
  if (drift >= DRIFT_HIGH) why.set("ISKRIV", `ISKRIV: drift ${drift.toFixed(2)} ≥ ${DRIFT_HIGH.toFixed(2)}`);
  if (options.shared) why.set("SIBYL", "SIBYL: shared session");
  why.set("ISKRA", why.size === 0 ? "ISKRA: base voice, no other condition holds" : "ISKRA: base voice");

  const active = VOICE_PRIORITY.filter((voice) => why.has(voice));
  return { primary: active[0], active, reasons: active.map((voice) => why.get(voice) as string) };
}
