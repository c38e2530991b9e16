import { test } from "uvu";
import * as assert from "uvu/assert";
import { throwsInvalid } from "../../../test/helpers/errors.js";
import type { Evidence, Phase } from "../types.js";
import {
  CLARITY_LOW,
  CLARITY_WEIGHTS,
  clarityOf,
  DRIFT_HIGH,
  driftOf,
  evidenceTrust,
  explainPain,
  explainSpecificity,
  GOAL_EMA_ALPHA,
  GOAL_RESET_DRIFT,
  isQuestion,
  nextPhase,
  PAIN_HIGH,
  painOf,
  retrievalMargin,
  specificityOf,
  TRUST_LOW,
  trustOf,
  updateGoal,
  wordCount,
} from "./index.js";

const EPS = 1e-6;

function near(actual: number, expected: number, what: string, eps = EPS): void {
  assert.ok(Math.abs(actual - expected) <= eps, `${what}: expected ${expected}, got ${actual}`);
}

/** A 3-d unit vector at `degrees` from [1, 0, 0] in the xy-plane, so cos(angle) is known exactly. */
function at(degrees: number): Float32Array {
  const r = (degrees * Math.PI) / 180;
  return new Float32Array([Math.cos(r), Math.sin(r), 0]);
}

/** A unit vector whose cosine with [1, 0, 0] is `cos`. */
function withCos(cos: number): Float32Array {
  return new Float32Array([cos, Math.sqrt(1 - cos * cos), 0]);
}

// ---------------------------------------------------------------------------------------------------------
// Pain
// ---------------------------------------------------------------------------------------------------------

const DISTRESSED = [
  "This is hopeless!",
  "I can't take it anymore, nothing works!!",
  "I'm exhausted and furious, the update broke everything!",
  "I am desperate!!! Three days on this",
  "Не могу больше, всё сломалось!!!",
  "Бесит! Ничего не работает",
  "Это отчаяние, просто ужасно!",
  "It's all my fault, I'm such an idiot",
  "я такой идиот, я всё испортил",
];

const NEUTRAL = [
  "How do I build an IVF_PQ index in LanceDB?",
  "What is the recall of HNSW with ef=64 on 100k vectors?",
  "Does HNSW beat IVF on a GPU?",
  "Как настроить индекс HNSW в LanceDB для 50000 векторов?",
  "Какая размерность у модели all-MiniLM-L6-v2?",
  "Why does `if (!ready) return x != y;` not compile?",
  "Please summarise the notes from yesterday's meeting.",
];

test("pain: distressed messages in English and Russian reach PAIN_HIGH", () => {
  for (const text of DISTRESSED) {
    const pain = painOf(text);
    assert.ok(pain >= PAIN_HIGH, `${JSON.stringify(text)} has pain ${pain.toFixed(3)} < ${PAIN_HIGH}`);
    assert.ok(pain <= 1, `${JSON.stringify(text)} stays ≤ 1`);
  }
});

test("pain: neutral technical questions stay at or below 0.1", () => {
  for (const text of NEUTRAL) {
    const pain = painOf(text);
    assert.ok(pain <= 0.1, `${JSON.stringify(text)} has pain ${pain.toFixed(3)} > 0.1`);
  }
  assert.is(painOf(""), 0);
});

test("pain: one strong phrase alone is just below high; one exclamation mark takes it over", () => {
  const alone = painOf("I feel hopeless");
  assert.ok(alone > 0.6 && alone < PAIN_HIGH, `alone: ${alone}`);
  assert.ok(painOf("I feel hopeless!") >= PAIN_HIGH);
});

test("pain: a negation in the words before lowers it", () => {
  assert.ok(painOf("I don't feel hopeless") < painOf("I feel hopeless") / 2);
  assert.ok(painOf("I am not desperate") < 0.3);
  assert.ok(painOf("это не ужасно") < painOf("это ужасно") / 2);
  // A negation in an earlier clause does not reach across the comma.
  near(painOf("no, I'm exhausted"), painOf("yes, I'm exhausted"), "negation across a clause");
});

test("pain: intensifiers, repeated exclamation marks, ?! and capitals raise it", () => {
  assert.ok(painOf("I'm so exhausted") > painOf("I'm exhausted"));
  assert.ok(painOf("очень устал") > painOf("устал"));
  const bang0 = painOf("nothing works");
  const bang1 = painOf("nothing works!");
  const bang3 = painOf("nothing works!!!");
  assert.ok(bang0 < bang1 && bang1 < bang3, `${bang0} < ${bang1} < ${bang3}`);
  assert.ok(painOf("why?!") > painOf("why?"));
  assert.ok(painOf("WHY DOESN'T THIS WORK") > painOf("why doesn't this work") + 0.3);
  assert.ok(painOf("This is HOPELESS") > painOf("This is hopeless"));
});

test("pain: short acronyms and code are not shouting or exclamations", () => {
  assert.is(painOf("Use the API with HNSW"), 0);
  assert.is(painOf("IVF_PQ JSON_PATH"), 0);
  assert.is(painOf("x != y && !done"), 0);
  assert.is(painOf("```\nFATAL ERROR!!!\n```"), 0);
});

test("pain: self-blame counts, in both languages", () => {
  assert.ok(painOf("I messed up the migration") > 0.4);
  assert.ok(painOf("моя вина, я виноват") > 0.7);
  assert.ok(painOf("I'm not stupid") < 0.1, "a negation breaks the self-blame phrase");
});

test("pain: explainPain lists the signals, and ё is read as е", () => {
  const report = explainPain("Всё сломал!! ЭТО УЖАС 😭");
  const kinds = new Set(report.signals.map((s) => s.kind));
  for (const kind of ["distress", "punctuation", "shouting", "emoji"])
    assert.ok(kinds.has(kind as never), kind);
  near(report.pain, 1 - Math.exp(-report.raw), "pain = 1 − exp(−raw)");
  assert.ok(report.signals.some((s) => s.kind === "distress" && /сломал/i.test(s.text)));
});

test("pain: bad input is rejected", () => {
  throwsInvalid(() => painOf(42 as unknown as string), /text must be a string, got number/);
  throwsInvalid(() => painOf(null as unknown as string), /got null/);
});

// ---------------------------------------------------------------------------------------------------------
// Specificity, margin, clarity
// ---------------------------------------------------------------------------------------------------------

const FLAT = [0.31, 0.3, 0.3, 0.29];
const CLEAR = [0.72, 0.41, 0.38, 0.35];

const VAGUE = [
  "help me with something",
  "can you fix this thing?",
  "помоги",
  "помоги что-нибудь сделать",
  "Tell me stuff",
];
const SPECIFIC = [
  "How do I build an IVF_PQ index with nprobe=20 on a 384-d LanceDB table?",
  'Why does "recall@10" drop below 0.9 when HNSW ef is 16?',
  "Как настроить индекс HNSW в LanceDB для 50000 векторов размерности 384?",
  "Почему `store.query` возвращает пустой список после rebuildIndex?",
];

test("clarity: vague messages fall below CLARITY_LOW, specific ones exceed 0.6", () => {
  for (const text of VAGUE) {
    const clarity = clarityOf({ text, scores: FLAT });
    assert.ok(clarity < CLARITY_LOW, `${JSON.stringify(text)} has clarity ${clarity.toFixed(3)}`);
    assert.ok(clarityOf({ text }) < CLARITY_LOW, `${JSON.stringify(text)} without retrieval`);
  }
  for (const text of SPECIFIC) {
    const clarity = clarityOf({ text, scores: CLEAR });
    assert.ok(clarity > 0.6, `${JSON.stringify(text)} has clarity ${clarity.toFixed(3)}`);
    assert.ok(clarityOf({ text }) > 0.6, `${JSON.stringify(text)} before retrieval`);
    assert.ok(
      clarityOf({ text, scores: [] }) < clarity,
      `${JSON.stringify(text)}: nothing retrieved is less clear`,
    );
  }
});

test("specificity: concrete tokens raise it, vague words lower it", () => {
  const bare = specificityOf("How do I make the search faster?");
  const concrete = specificityOf("How do I make the HNSW search faster for 1M vectors?");
  assert.ok(concrete > bare, `${concrete} > ${bare}`);
  assert.ok(specificityOf("How do I make it faster?") < bare);
  assert.ok(specificityOf("что-нибудь про это") < specificityOf("что такое индекс IVF?"));
  assert.is(specificityOf(""), 0);
  assert.is(specificityOf("   "), 0);
});

test("specificity: explainSpecificity names what it counted", () => {
  const report = explainSpecificity('Is `autoLinkK` 5 by default in "CapsuleStore.open", or something else?');
  for (const token of ["`autoLinkK`", "5", '"CapsuleStore.open"']) {
    assert.ok(report.concrete.includes(token), `${token} in ${JSON.stringify(report.concrete)}`);
  }
  assert.equal(report.vague, ["something"]);
  assert.ok(report.question);
  // "The" opens the sentence, so it is not a name; "Lance" mid-sentence is.
  assert.equal(explainSpecificity("The cat likes Lance").concrete, ["Lance"]);
  // "important" is not the technical word "import", and e.g. is no code.
  assert.equal(explainSpecificity("this is important, e.g. urgent").concrete, []);
});

test("specificity: question form and word counts", () => {
  assert.ok(isQuestion("what is a capsule"));
  assert.ok(isQuestion("Объясни, как работает поиск"));
  assert.ok(isQuestion("the index is slow?"));
  assert.not.ok(isQuestion("the index is slow"));
  assert.is(wordCount("one two  three\nfour"), 4);
  assert.is(wordCount("run `npm test` now"), 3);
});

test("retrievalMargin: relative lead of the top hit over the next four", () => {
  assert.is(retrievalMargin([]), 0);
  assert.is(retrievalMargin([0.5]), 1);
  assert.is(retrievalMargin([0.5, 0.5, 0.5]), 0);
  near(retrievalMargin([0.8, 0.6, 0.6]), 0.5, "gain 2 × (0.8 − 0.6) / 0.8");
  assert.is(retrievalMargin([0.8, 0.4, 0.4]), 1, "a 50 % lead is fully clear");
  near(retrievalMargin([0.6, 0.8, 0.6]), 0.5, "order of the input does not matter");
  near(retrievalMargin([1, 0.8, 0.8, 0.8, 0.8, 0, 0]), 0.4, "only four followers count");
  assert.is(retrievalMargin([-0.1, -0.2]), 0, "nothing relevant");
  assert.ok(retrievalMargin(CLEAR) > 0.7 && retrievalMargin(FLAT) < 0.1);
  // Relative: cosine-like and BM25-like scores with the same shape give the same margin.
  near(retrievalMargin([0.9, 0.6, 0.3]), retrievalMargin([9, 6, 3]), "scale free");
  throwsInvalid(() => retrievalMargin([0.3, Number.NaN]), /score 1 is not a finite number/);
  throwsInvalid(() => retrievalMargin("0.3" as unknown as number[]), /array of numbers/);
});

test("clarityOf blends specificity and margin with the documented weights", () => {
  const text = "What is HNSW?";
  const expected =
    CLARITY_WEIGHTS.specificity * specificityOf(text) +
    CLARITY_WEIGHTS.margin * retrievalMargin([0.8, 0.6, 0.6]);
  near(clarityOf({ text, scores: [0.8, 0.6, 0.6] }), expected, "blend");
  near(clarityOf({ text }), specificityOf(text), "no retrieval: specificity alone");
  assert.ok(clarityOf({ text, scores: CLEAR }) > clarityOf({ text, scores: FLAT }));
  throwsInvalid(() => clarityOf({ text: undefined as unknown as string }), /text must be a string/);
});

// ---------------------------------------------------------------------------------------------------------
// Drift and the goal
// ---------------------------------------------------------------------------------------------------------

test("drift: unit vectors at known angles", () => {
  const goal = at(0);
  near(driftOf({ message: at(0), goal }), 0, "same direction");
  near(driftOf({ message: withCos(0.8), goal }), 0, "cos 0.8", 1e-5);
  near(driftOf({ message: withCos(0.6), goal }), 0.25, "cos 0.6", 1e-5);
  near(driftOf({ message: withCos(0.4), goal }), 0.5, "cos 0.4", 1e-5);
  near(driftOf({ message: withCos(0.2), goal }), 0.75, "cos 0.2", 1e-5);
  near(driftOf({ message: at(90), goal }), 1, "orthogonal", 1e-5);
  near(driftOf({ message: at(180), goal }), 1, "opposite");
  assert.ok(driftOf({ message: withCos(0.65), goal }) <= 0.3, "same topic (cos ≥ 0.6) stays ≤ 0.3");
  assert.ok(driftOf({ message: withCos(0.15), goal }) >= DRIFT_HIGH, "unrelated (cos ≤ 0.2) is high");
  assert.ok(driftOf({ message: at(30), goal }) < driftOf({ message: at(60), goal }), "monotone in the angle");
});

test("drift: no goal is 0, length does not matter, bad vectors are rejected", () => {
  assert.is(driftOf({ message: at(45) }), 0);
  near(driftOf({ message: new Float32Array([3, 4]), goal: [6, 8] }), 0, "scaled copies");
  throwsInvalid(
    () => driftOf({ message: at(0), goal: new Float32Array([1, 0]) }),
    /dimension 3 but goal vector has dimension 2/,
  );
  throwsInvalid(
    () => driftOf({ message: new Float32Array([Number.NaN, 1]), goal: [1, 0] }),
    /non-finite value at index 0/,
  );
  throwsInvalid(() => driftOf({ message: new Float32Array([0, 0]), goal: [1, 0] }), /zero vector/);
  throwsInvalid(() => driftOf({ message: new Float32Array(0) }), /empty/);
  throwsInvalid(() => driftOf({ message: "v" as unknown as Float32Array }), /Float32Array/);
});

test("updateGoal: starts at the message, moves by EMA on topic, resets on a new topic", () => {
  const message = new Float32Array([0, 2]);
  const first = updateGoal(undefined, message, 0);
  assert.equal(Array.from(first), [0, 1], "the first goal is the message, unit length");
  assert.equal(Array.from(message), [0, 2], "input untouched");

  const goal = new Float32Array([1, 0]);
  const onTopic = withCos(0.6).subarray(0, 2);
  const drift = driftOf({ message: onTopic, goal });
  assert.ok(drift < GOAL_RESET_DRIFT);
  const moved = updateGoal(goal, onTopic, drift);
  const x = (1 - GOAL_EMA_ALPHA) * 1 + GOAL_EMA_ALPHA * 0.6;
  const y = GOAL_EMA_ALPHA * 0.8;
  const n = Math.hypot(x, y);
  near(moved[0], x / n, "x");
  near(moved[1], y / n, "y");
  near(Math.hypot(moved[0], moved[1]), 1, "unit length");
  assert.ok(moved[0] > moved[1], "still closer to the old goal than to the message");
  assert.equal(Array.from(goal), [1, 0], "goal untouched");

  const newTopic = new Float32Array([0, 1]);
  assert.equal(Array.from(updateGoal(goal, newTopic, GOAL_RESET_DRIFT)), [0, 1], "reset at GOAL_RESET_DRIFT");
  assert.equal(Array.from(updateGoal(goal, newTopic, 1)), [0, 1]);
});

test("updateGoal: bad input is rejected", () => {
  throwsInvalid(() => updateGoal(new Float32Array([1, 0, 0]), new Float32Array([1, 0]), 0.1), /dimension/);
  throwsInvalid(
    () => updateGoal(undefined, new Float32Array([1, 0]), Number.NaN),
    /drift must be a number in \[0, 1\]/,
  );
  throwsInvalid(() => updateGoal(undefined, new Float32Array([1, 0]), 1.5), /drift/);
  throwsInvalid(() => updateGoal(undefined, new Float32Array([0, 0]), 0), /zero vector/);
});

// ---------------------------------------------------------------------------------------------------------
// Phase
// ---------------------------------------------------------------------------------------------------------

test("nextPhase: opening → exploring → deepening by turns, closing when resolved", () => {
  const steps: Array<[Phase, number, boolean, Phase]> = [
    ["opening", 1, false, "opening"],
    ["opening", 2, false, "exploring"],
    ["exploring", 3, false, "exploring"],
    ["exploring", 4, false, "deepening"],
    ["deepening", 9, false, "deepening"],
    ["deepening", 10, true, "closing"],
    ["closing", 11, true, "closing"],
    ["closing", 11, false, "deepening"],
    ["deepening", 2, false, "deepening"],
    ["opening", 1, true, "closing"],
  ];
  for (const [previous, turnsOnTopic, resolved, expected] of steps) {
    const next = nextPhase(previous, { topicChanged: false, turnsOnTopic, resolved });
    assert.equal(
      next,
      { phase: expected, ended: false },
      `${previous}, turn ${turnsOnTopic}, resolved ${resolved}`,
    );
  }
});

test("nextPhase: a topic change ends the phase and restarts at opening", () => {
  for (const previous of ["opening", "exploring", "deepening", "closing"] as Phase[]) {
    assert.equal(nextPhase(previous, { topicChanged: true, turnsOnTopic: 1, resolved: false }), {
      phase: "opening",
      ended: true,
    });
  }
  throwsInvalid(
    () => nextPhase("middle" as Phase, { topicChanged: false, turnsOnTopic: 1, resolved: false }),
    /unknown phase "middle"/,
  );
  throwsInvalid(
    () => nextPhase("opening", { topicChanged: false, turnsOnTopic: -1, resolved: false }),
    /turnsOnTopic/,
  );
  throwsInvalid(
    () => nextPhase("opening", { topicChanged: "yes" as never, turnsOnTopic: 1, resolved: false }),
    /topicChanged/,
  );
});

// ---------------------------------------------------------------------------------------------------------
// Trust
// ---------------------------------------------------------------------------------------------------------

function evidence(overrides: Partial<Evidence>): Evidence {
  return {
    evidenceId: "ev:1",
    capsuleId: 1,
    layer: "archive",
    text: "FAISS does similarity search",
    score: 0.8,
    hasSource: true,
    hashOk: true,
    supports: 0,
    contradicts: 0,
    ...overrides,
  };
}

test("trust: no evidence is 0, verified and corroborated archive is 1", () => {
  assert.is(trustOf([]), 0);
  near(trustOf([evidence({ supports: 2 })]), 1, "archive, source, hash ok, two supports");
  near(trustOf([evidence({})]), 0.8, "uncorroborated archive");
  near(
    trustOf([evidence({ layer: "conversation", hasSource: false })]),
    0.7 * 0.5 * 0.8,
    "turn without a source",
  );
});

test("trust: archive with source > turn > external > shadow-only", () => {
  const archive = trustOf([evidence({ layer: "archive" })]);
  const turn = trustOf([evidence({ layer: "conversation" })]);
  const external = trustOf([evidence({ layer: "external" })]);
  const shadow = trustOf([evidence({ layer: "shadow", supports: 3 }), evidence({ layer: "shadow" })]);
  assert.ok(
    archive > turn && turn > external && external > shadow,
    `${archive} > ${turn} > ${external} > ${shadow}`,
  );
  assert.is(shadow, 0);
  assert.ok(archive >= TRUST_LOW && shadow < TRUST_LOW);
});

test("trust: provenance, agreement and score each matter", () => {
  const verified = trustOf([evidence({})]);
  const noSource = trustOf([evidence({ hasSource: false })]);
  const badHash = trustOf([evidence({ hashOk: false })]);
  assert.ok(verified > noSource && noSource > badHash, `${verified} > ${noSource} > ${badHash}`);

  const agreed = trustOf([evidence({ supports: 1 })]);
  const disputed = trustOf([evidence({ supports: 1, contradicts: 1 })]);
  assert.ok(agreed > verified && disputed < verified, `${disputed} < ${verified} < ${agreed}`);

  const mixedHigh = trustOf([evidence({ score: 0.9 }), evidence({ layer: "shadow", score: 0.1 })]);
  const mixedLow = trustOf([evidence({ score: 0.1 }), evidence({ layer: "shadow", score: 0.9 })]);
  assert.ok(mixedHigh > mixedLow, "the better-matching evidence weighs more");
  assert.ok(trustOf([evidence({}), evidence({ layer: "shadow" })]) < verified, "shadow dilutes");
  near(evidenceTrust(evidence({ layer: "external", hasSource: false })), 0.5 * 0.5 * 0.8, "one item");
});

test("trust: bad evidence is rejected", () => {
  throwsInvalid(
    () => trustOf([evidence({ layer: "attic" as never })]),
    /evidence 0 has unknown layer "attic"/,
  );
  throwsInvalid(() => trustOf([evidence({}), evidence({ score: Number.NaN })]), /evidence 1 has a score/);
  throwsInvalid(() => trustOf([evidence({ contradicts: -1 })]), /contradicts/);
  throwsInvalid(() => trustOf({} as never), /must be an array/);
});

test.run();
