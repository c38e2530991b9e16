import { test } from "uvu";
import * as assert from "uvu/assert";
import { throwsInvalid } from "../../test/helpers/errors.js";
import { type AnswerParts, citedEvidenceIds, DELTA_MARKER, formatAnswer, parseAnswer } from "./format.js";

const ANSWER: AnswerParts = {
  voice: "ISKRA",
  phase: "exploring",
  intent: "explain auto-linking",
  summary: "Each new capsule is linked both ways to its 5 nearest neighbours [evidence_id: ev:12].",
  structure: ["what a link is", "how neighbours are found", "what changes for a batch"],
  reflection: "The answer rests on one archive note; the batch case is inferred.\nIt is worth checking.",
  steps: ["open the store with autoLinkK: 3", "add two capsules and list their links"],
  delta: {
    delta: "linked 2 new notes",
    depth: "2 citations from archive; 1 shadow read, not cited",
    omega: 0.72,
    lambda: "run sigla stats -s my_store",
  },
  citations: [
    {
      evidenceId: "ev:12",
      text: "auto-linking: each new capsule is linked to its autoLinkK nearest capsules",
    },
    { evidenceId: "ev:40", text: "a batch links exactly as the same capsules added one by one" },
  ],
};

test("formatAnswer: I-Loop line, sections in order, ∆DΩΛ block, citations with their evidence ids", () => {
  const text = formatAnswer(ANSWER);
  const lines = text.split("\n");
  assert.is(lines[0], "I-Loop: ISKRA/exploring/explain auto-linking");
  const order = ["## Summary", "## Structure", "## Reflection", "## Steps", "## Citations", DELTA_MARKER].map(
    (heading) => lines.indexOf(heading),
  );
  assert.ok(
    order.every((index, i) => index > 0 && (i === 0 || index > order[i - 1])),
    `order ${order}`,
  );
  assert.is(DELTA_MARKER, "∆DΩΛ");
  assert.equal(lines.slice(lines.indexOf(DELTA_MARKER) + 1, -1), [
    "Δ: linked 2 new notes",
    "D: 2 citations from archive; 1 shadow read, not cited",
    "Ω: 0.72",
    "Λ: run sigla stats -s my_store",
  ]);
  assert.ok(lines.includes("- how neighbours are found"));
  assert.ok(lines.includes("2. add two capsules and list their links"));
  assert.ok(
    lines.includes(
      "- [evidence_id: ev:12] auto-linking: each new capsule is linked to its autoLinkK nearest capsules",
    ),
  );
  assert.ok(
    lines.includes("- [evidence_id: ev:40] a batch links exactly as the same capsules added one by one"),
  );
  assert.ok(text.endsWith("\n"));
});

test("round trip: parseAnswer(formatAnswer(x)) gives x back", () => {
  assert.equal(parseAnswer(formatAnswer(ANSWER)), ANSWER);

  const russian: AnswerParts = {
    voice: "KAIN",
    phase: "opening",
    intent: "поддержать / найти ошибку",
    summary: "Похоже, индекс пересобран с другой размерностью [evidence_id: ev:7].\n\nЭто поправимо.",
    structure: ["что сломалось", "почему"],
    reflection: "Гипотеза остаётся в SHADOW, пока нет источника.",
    steps: ["проверить sigla stats", "пересобрать индекс: sigla rebuild-index --kind flat"],
    delta: {
      delta: "ничего не записано",
      depth: "1 цитата из archive",
      omega: 0.3,
      lambda: "проверить sigla stats",
    },
    citations: [{ evidenceId: "ev:7", text: "размерность 384" }],
  };
  assert.equal(parseAnswer(formatAnswer(russian)), russian);

  const bare: AnswerParts = {
    voice: "SAM",
    phase: "closing",
    intent: "clarify",
    summary: "",
    structure: [],
    reflection: "",
    steps: [],
    delta: { delta: "", depth: "no evidence", omega: 0, lambda: "say which store you mean" },
    citations: [],
  };
  const text = formatAnswer(bare);
  assert.not.ok(text.includes("## Citations"), "no citations section without citations");
  assert.equal(parseAnswer(text), bare);
});

test("formatting normalises: whitespace collapsed in single-line fields, text trimmed, Ω to two decimals", () => {
  const messy: AnswerParts = {
    ...ANSWER,
    intent: "  explain \n auto-linking ",
    summary: "\n  first line\nsecond line  \n",
    structure: ["a   b", "\tc"],
    delta: { ...ANSWER.delta, omega: 0.7249, lambda: "run\n  it" },
    citations: [{ evidenceId: "ev:3", text: "line one\nline two" }],
  };
  const parsed = parseAnswer(formatAnswer(messy));
  assert.is(parsed.intent, "explain auto-linking");
  assert.is(parsed.summary, "first line\nsecond line");
  assert.equal(parsed.structure, ["a b", "c"]);
  assert.is(parsed.delta.omega, 0.72);
  assert.is(parsed.delta.lambda, "run it");
  assert.equal(parsed.citations, [{ evidenceId: "ev:3", text: "line one line two" }]);
});

test("parseAnswer tolerates CRLF and a Greek Δ marker", () => {
  const text = formatAnswer(ANSWER).replace(/\n/g, "\r\n").replace(DELTA_MARKER, "\u0394DΩΛ");
  assert.equal(parseAnswer(text), ANSWER);
});

test("parseAnswer names what is missing or malformed", () => {
  const good = formatAnswer(ANSWER);
  throwsInvalid(() => parseAnswer(""), /empty/);
  throwsInvalid(() => parseAnswer(good.replace("I-Loop: ", "Loop: ")), /not an I-Loop line/);
  throwsInvalid(() => parseAnswer(good.replace("ISKRA/", "ZEUS/")), /unknown voice "ZEUS"/);
  throwsInvalid(() => parseAnswer(good.replace("/exploring/", "/wandering/")), /unknown phase "wandering"/);
  throwsInvalid(
    () => parseAnswer(good.replace("## Reflection", "## Thoughts")),
    /no "## Reflection" section/,
  );
  throwsInvalid(() => parseAnswer(good.replace(DELTA_MARKER, "DELTA")), /no ∆DΩΛ block/);
  throwsInvalid(
    () => parseAnswer(good.replace("Ω: 0.72", "Ω: high")),
    /Ω is not a number in \[0, 1\]: "high"/,
  );
  throwsInvalid(() => parseAnswer(good.replace("Ω: 0.72", "Ω: 1.5")), /Ω is not a number/);
  throwsInvalid(() => parseAnswer(good.replace("Λ: run", "L: run")), /no Λ line/);
  throwsInvalid(() => parseAnswer(good.replace("- what a link is", "what a link is")), /not a list item/);
  throwsInvalid(
    () => parseAnswer(good.replace("[evidence_id: ev:40]", "(ev:40)")),
    /citation without an evidence id/,
  );
  throwsInvalid(() => parseAnswer(7 as unknown as string), /text must be a string/);
});

test("formatAnswer rejects bad parts with a message naming them", () => {
  throwsInvalid(() => formatAnswer({ ...ANSWER, voice: "ZEUS" as never }), /unknown voice "ZEUS"/);
  throwsInvalid(() => formatAnswer({ ...ANSWER, phase: "middle" as never }), /unknown phase "middle"/);
  throwsInvalid(() => formatAnswer({ ...ANSWER, intent: "  " }), /intent is empty/);
  throwsInvalid(() => formatAnswer({ ...ANSWER, steps: ["ok", " "] }), /steps\[1\] is empty/);
  throwsInvalid(() => formatAnswer({ ...ANSWER, structure: "a" as never }), /structure must be an array/);
  throwsInvalid(
    () => formatAnswer({ ...ANSWER, citations: [{ evidenceId: "12", text: "x" }] }),
    /citations\[0\] has evidence id "12", expected "ev:<id>"/,
  );
  throwsInvalid(
    () => formatAnswer({ ...ANSWER, delta: { ...ANSWER.delta, omega: 1.2 } }),
    /omega must be a number in \[0, 1\]/,
  );
  throwsInvalid(
    () => formatAnswer({ ...ANSWER, summary: "fine\n## Steps\nnot fine" }),
    /summary contains the line "## Steps"/,
  );
  throwsInvalid(
    () => formatAnswer({ ...ANSWER, reflection: `x\n${DELTA_MARKER}` }),
    /reflection contains the line/,
  );
});

test("citedEvidenceIds finds every citation in the text, once, in order", () => {
  assert.equal(citedEvidenceIds(formatAnswer(ANSWER)), ["ev:12", "ev:40"]);
  assert.equal(
    citedEvidenceIds("see [evidence_id: ev:3] and [evidence_id:ev:1], again [evidence_id: ev:3]"),
    ["ev:3", "ev:1"],
  );
  assert.equal(citedEvidenceIds("no citations here, ev:5 alone is not one"), []);
});

test.run();
