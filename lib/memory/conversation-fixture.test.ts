// The fixture lives in bench/datasets/; its test sits here, beside its user.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { conversationFixture, type QuestionType } from "../../bench/datasets/conversation.js";
import { isSiglaError } from "../errors.js";

const TYPES: QuestionType[] = [
  "single-hop",
  "multi-hop",
  "temporal",
  "knowledge-update",
  "adversarial",
  "assistant",
];

test("the same seed gives the same conversation, another seed another one", () => {
  const a = conversationFixture({ seed: 3 });
  const b = conversationFixture({ seed: 3 });
  assert.equal(a, b);
  const c = conversationFixture({ seed: 4 });
  assert.not.equal(
    a.sessions.map((s) => s.turns.map((t) => t.text)),
    c.sessions.map((s) => s.turns.map((t) => t.text)),
  );
});

test("default size: ≥ 20 dated sessions over months, ≥ 400 alternating turns, ≥ 80 questions of every type", () => {
  for (const seed of [1, 2]) {
    const { sessions, questions } = conversationFixture({ seed });
    assert.ok(sessions.length >= 20);
    const turns = sessions.reduce((n, s) => n + s.turns.length, 0);
    assert.ok(turns >= 400, `${turns} turns`);
    assert.ok(questions.length >= 80, `${questions.length} questions`);
    for (const type of TYPES)
      assert.ok(
        questions.some((q) => q.type === type),
        type,
      );
    const dates = sessions.map((s) => s.date);
    for (const date of dates) assert.match(date, /^\d{4}-\d{2}-\d{2}$/);
    for (let i = 1; i < dates.length; i++) assert.ok(dates[i] > dates[i - 1]);
    const months = (Date.parse(dates[dates.length - 1]) - Date.parse(dates[0])) / (30 * 86_400_000);
    assert.ok(months >= 5, `${months.toFixed(1)} months`);
    assert.is(new Set(sessions.map((s) => s.id)).size, sessions.length);
    for (const s of sessions) {
      s.turns.forEach((t, i) => {
        assert.is(t.role, i % 2 === 0 ? "user" : "assistant");
        assert.ok(t.text.trim().length > 0);
      });
    }
  }
});

test("every evidence id names an existing turn; multi-hop evidence spans two sessions", () => {
  for (const sessions of [24, 8, 4]) {
    const fixture = conversationFixture({ sessions, seed: 5 });
    const ids = new Set(fixture.sessions.flatMap((s) => s.turns.map((_, i) => `${s.id}#${i}`)));
    const last = fixture.sessions[fixture.sessions.length - 1].date;
    for (const q of fixture.questions) {
      assert.ok(q.evidence.length >= 1, q.question);
      for (const e of q.evidence) assert.ok(ids.has(e), `${e} (${q.question})`);
      assert.ok(q.askedAt !== undefined && q.askedAt > last, q.question);
    }
    for (const q of fixture.questions.filter((q) => q.type === "multi-hop")) {
      assert.is(q.evidence.length, 2, q.question);
    }
    if (sessions === 24) {
      const spans = fixture.questions
        .filter((q) => q.type === "multi-hop")
        .map((q) => new Set(q.evidence.map((e) => e.split("#")[0])).size);
      assert.ok(spans.filter((n) => n === 2).length >= spans.length - 1, String(spans));
    }
  }
});

test("a knowledge update's evidence is the later of the two versions", () => {
  const { sessions, questions } = conversationFixture({ seed: 1 });
  const text = (id: string) => {
    const [session, turn] = id.split("#");
    return sessions.find((s) => s.id === session)?.turns[Number(turn)].text ?? "";
  };
  const order = (id: string) => {
    const [session, turn] = id.split("#");
    return sessions.findIndex((s) => s.id === session) * 1000 + Number(turn);
  };
  const running = questions.find((q) => q.type === "knowledge-update" && /run/.test(q.question));
  const multi = questions.find((q) => q.type === "multi-hop" && /running distance/.test(q.question));
  assert.ok(running && multi);
  const [first, later] = [...(multi?.evidence ?? [])].sort((a, b) => order(a) - order(b));
  assert.equal(running?.evidence, [later]);
  assert.match(text(first), /km|kilometres/);
  assert.match(text(later), /km|kilometres/);
});

test("a small version for CI keeps its storylines and questions", () => {
  const { sessions, questions } = conversationFixture({ sessions: 4, seed: 1 });
  assert.is(sessions.length, 4);
  assert.ok(questions.length >= 60);
  assert.ok(sessions.reduce((n, s) => n + s.turns.length, 0) >= 100);
});

test("bad options are InvalidInputErrors", () => {
  for (const options of [{ sessions: 1 }, { sessions: 2.5 }, { seed: 0.5 }]) {
    try {
      conversationFixture(options);
      assert.unreachable(JSON.stringify(options));
    } catch (error) {
      assert.ok(isSiglaError(error) && error.code === "SIGLA_INVALID_INPUT", String(error));
    }
  }
});

test.run();
