import { test } from "uvu";
import * as assert from "uvu/assert";
import { InvalidInputError } from "../errors.js";
import { CLARITY_LOW, clarityOf, DRIFT_HIGH, PAIN_HIGH, painOf } from "./metrics/index.js";
import type { Metrics } from "./types.js";
import { selectVoices, VOICE_PRIORITY } from "./voices.js";

/** Calm, clear, on topic, well supported. */
const CALM: Metrics = { pain: 0.05, trust: 0.8, clarity: 0.7, drift: 0.1 };

function metrics(overrides: Partial<Metrics>): Metrics {
  return { ...CALM, ...overrides };
}

test("ISKRA alone speaks when no condition holds", () => {
  const chosen = selectVoices(CALM, { shared: false });
  assert.is(chosen.primary, "ISKRA");
  assert.equal(chosen.active, ["ISKRA"]);
  assert.equal(chosen.reasons, ["ISKRA: base voice, no other condition holds"]);
});

test("each voice on its own condition, with ISKRA as the base", () => {
  const cases: Array<[Partial<Metrics>, boolean, string]> = [
    [{ pain: 0.85 }, false, "KAIN"],
    [{ clarity: 0.1 }, false, "SAM"],
    [{ drift: 0.8 }, false, "ISKRIV"],
    [{}, true, "SIBYL"],
  ];
  for (const [overrides, shared, voice] of cases) {
    const chosen = selectVoices(metrics(overrides), { shared });
    assert.is(chosen.primary, voice);
    assert.equal(chosen.active, [voice, "ISKRA"]);
    assert.match(chosen.reasons[0], new RegExp(`^${voice}: `));
    assert.is(chosen.reasons[1], "ISKRA: base voice");
  }
});

test("thresholds: pain and drift count from the threshold up, clarity below it", () => {
  assert.is(selectVoices(metrics({ pain: PAIN_HIGH }), { shared: false }).primary, "KAIN");
  assert.is(selectVoices(metrics({ pain: PAIN_HIGH - 0.01 }), { shared: false }).primary, "ISKRA");
  assert.is(selectVoices(metrics({ clarity: CLARITY_LOW }), { shared: false }).primary, "ISKRA");
  assert.is(selectVoices(metrics({ clarity: CLARITY_LOW - 0.01 }), { shared: false }).primary, "SAM");
  assert.is(selectVoices(metrics({ drift: DRIFT_HIGH }), { shared: false }).primary, "ISKRIV");
  assert.is(selectVoices(metrics({ drift: DRIFT_HIGH - 0.01 }), { shared: false }).primary, "ISKRA");
  assert.is(selectVoices(metrics({ trust: 0 }), { shared: false }).primary, "ISKRA", "trust picks no voice");
});

test("priority: KAIN first, then SAM, ISKRIV, SIBYL, ISKRA", () => {
  const all = selectVoices({ pain: 0.9, trust: 0.1, clarity: 0.1, drift: 0.9 }, { shared: true });
  assert.is(all.primary, "KAIN");
  assert.equal(all.active, ["KAIN", "SAM", "ISKRIV", "SIBYL", "ISKRA"]);
  assert.equal(all.active, [...VOICE_PRIORITY]);
  assert.is(all.reasons[0], "KAIN: pain 0.90 ≥ 0.70");
  assert.is(all.reasons[1], "SAM: clarity 0.10 < 0.35");
  assert.is(all.reasons[2], "ISKRIV: drift 0.90 ≥ 0.60");

  const noPain = selectVoices({ pain: 0, trust: 0.5, clarity: 0.1, drift: 0.9 }, { shared: true });
  assert.equal(noPain.active, ["SAM", "ISKRIV", "SIBYL", "ISKRA"]);
  const onlyDriftShared = selectVoices(metrics({ drift: 0.9 }), { shared: true });
  assert.equal(onlyDriftShared.active, ["ISKRIV", "SIBYL", "ISKRA"]);
});

test("from real messages: a distressed Russian message brings KAIN, a vague one SAM", () => {
  const distressed = "Не могу больше, ничего не работает!!!";
  const kain = selectVoices(metrics({ pain: painOf(distressed), clarity: clarityOf({ text: distressed }) }), {
    shared: false,
  });
  assert.is(kain.primary, "KAIN");

  const vague = "помоги с чем-нибудь";
  const sam = selectVoices(metrics({ pain: painOf(vague), clarity: clarityOf({ text: vague }) }), {
    shared: false,
  });
  assert.is(sam.primary, "SAM");
});

test("bad metrics or options are rejected", () => {
  const bad: Array<[unknown, unknown, RegExp]> = [
    [metrics({ pain: 1.5 }), { shared: false }, /metrics\.pain must be a number in \[0, 1\], got 1\.5/],
    [metrics({ drift: Number.NaN }), { shared: false }, /metrics\.drift/],
    [null, { shared: false }, /metrics must be an object/],
    [CALM, {}, /options\.shared must be a boolean/],
  ];
  for (const [m, options, message] of bad) {
    try {
      selectVoices(m as Metrics, options as { shared: boolean });
      assert.unreachable("should throw");
    } catch (error) {
      assert.instance(error, InvalidInputError);
      assert.match((error as Error).message, message);
    }
  }
});

test.run();
