import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { TraceEvent } from "../lib/pipeline/types.js";
import { CapsuleStore } from "../lib/store/capsule-store.js";
import { codeOf } from "../test/helpers/errors.js";
import { tempDir } from "../test/helpers/temp.js";
import {
  type AnswerQualityReport,
  type AnswerRecord,
  answersMarkdown,
  answerTargets,
  CONVERSATION,
  OTHER,
  retrievedEvidence,
  runAnswerQuality,
  scorePass,
  summaryOf,
} from "./answers.js";
import { loadFiori } from "./datasets/fiori.js";
import { loadFioriQuestions, loadUnrelatedQuestions } from "./datasets/fiori-qa.js";

const SIZE = 7;
const PICKED = ["abap-deploy-artifact", "abap-authorization", "flp-inbound-command"];
const workDir = join(tempDir("sigla-answers-"), "run");
let report: Promise<AnswerQualityReport> | undefined;
/** One real run shared by the tests below: 7 documents, 3 questions, 1 unrelated one (use-lite, 7 turns). */
const measured = () => {
  report ??= runAnswerQuality({
    size: SIZE,
    workDir,
    questions: loadFioriQuestions().filter((q) => PICKED.includes(q.id)),
    unrelated: loadUnrelatedQuestions().slice(0, 1),
  });
  return report;
};

const record = (over: Partial<AnswerRecord>): AnswerRecord => ({
  id: "q",
  question: "Which port?",
  type: "value",
  doc: "d1",
  key: "8443",
  retrieved: [],
  found: false,
  rank: null,
  citedDocs: [],
  cited: false,
  citedConversation: [],
  citedOther: [],
  keyStated: false,
  summary: "",
  ms: 1,
  ...over,
});

test("scorePass: shares over all questions, cited-when-found over the found ones only", () => {
  const score = scorePass([
    record({ found: true, cited: true, citedDocs: ["d1"], keyStated: true }),
    record({ found: true, citedDocs: ["d2"], citedConversation: ["ev:c4"] }),
    record({ cited: true, citedDocs: ["d1"], keyStated: true }),
    record({}),
  ]);
  assert.equal(score, {
    questions: 4,
    found: 0.5,
    citedWhenFound: 0.5,
    cited: 0.5,
    keyStated: 0.5,
    citesConversation: 0.25,
    citesNothing: 0.25,
  });
  assert.is(scorePass([record({})]).citedWhenFound, null);
  assert.is(scorePass([]).found, 0);
});

test("answerTargets: both targets on both passes, unmet when nothing was found", () => {
  const good = scorePass([record({ found: true, cited: true, citedDocs: ["d1"], keyStated: true })]);
  const none = scorePass([record({})]);
  const targets = answerTargets(good, none);
  assert.equal(
    targets.map((t) => [t.name, t.pass, t.value, t.min, t.met]),
    [
      ["citedWhenFound", "before", 1, 0.9, true],
      ["keyStated", "before", 1, 0.75, true],
      ["citedWhenFound", "after", null, 0.9, false],
      ["keyStated", "after", 0, 0.75, false],
    ],
  );
});

test("retrievedEvidence reads the memory step's evidence; a trace without it is a bench error", () => {
  const event = (data: Record<string, unknown>): TraceEvent => ({
    turn: 1,
    step: "memory",
    index: 6,
    status: "end",
    startedAt: 0,
    ms: 1,
    summary: "",
    data,
  });
  const evidence = [
    { id: "ev:3", layer: "archive", score: 0.4 },
    { id: "ev:c1", layer: "conversation" },
    "ev:9",
    7,
  ];
  assert.equal(retrievedEvidence({ trace: [event({ evidence })] }), [
    { id: "ev:3", layer: "archive" },
    { id: "ev:c1", layer: "conversation" },
    { id: "ev:9" },
  ]);
  assert.throws(() => retrievedEvidence({ trace: [event({})] }), /no evidence list/);
});

test("summaryOf: the pipeline's summary when it has one, else the Summary section of the answer", () => {
  const answer = [
    "I-Loop: ISKRA/opening/ports",
    "",
    "## Summary",
    "The HTTPS port is 8443. [evidence_id: ev:2]",
    "",
    "## Structure",
    "",
    "## Reflection",
    "",
    "## Steps",
    "",
    "∆DΩΛ",
    "Δ: x",
    "D: y",
    "Ω: 0.50",
    "Λ: z",
  ].join("\n");
  assert.is(summaryOf({ answer }), "The HTTPS port is 8443. [evidence_id: ev:2]");
  assert.is(summaryOf({ answer, summary: "Port 8443." }), "Port 8443.");
});

test("bad workDir or questions are typed errors, raised before anything is written", async () => {
  const busy = tempDir();
  mkdirSync(join(busy, "old"));
  writeFileSync(join(busy, "old", "file.txt"), "not a run");
  assert.is(await codeOf(runAnswerQuality({ size: 3, workDir: busy })), "SIGLA_INVALID_INPUT");
  const fresh = join(tempDir(), "run");
  const [q] = loadFioriQuestions().filter((x) => x.id === "abap-authorization");
  for (const questions of [[{ ...q, doc: "no-such-doc" }], [{ ...q, key: "not in the document" }], []]) {
    assert.is(
      await codeOf(runAnswerQuality({ size: SIZE, workDir: fresh, questions })),
      "SIGLA_INVALID_INPUT",
    );
  }
  assert.is(await codeOf(runAnswerQuality({ size: 0, workDir: fresh })), "SIGLA_INVALID_INPUT");
  assert.equal(readdirSync(busy), ["old"]);
  assert.throws(() => readdirSync(fresh), /ENOENT/);
});

test("end to end on 7 documents: both passes, the unrelated questions, rates, targets and latency", async () => {
  const r = await measured();
  assert.equal(r.dataset.documents, SIZE);
  assert.is(r.dataset.questions, 3);
  assert.is(r.dataset.unrelated, 1);
  assert.ok(r.dataset.capsules > SIZE, "documents are chunked");
  assert.is(r.embedder, "use-lite");
  assert.is(r.topK, 5);
  const { documents } = await loadFiori({ size: SIZE });
  const known = new Set([...documents.map((d) => d.id), CONVERSATION, OTHER]);
  for (const pass of [r.before, r.after]) {
    assert.equal(
      pass.records.map((x) => x.id),
      PICKED,
    );
    for (const x of pass.records) {
      assert.ok(x.retrieved.length <= 5 && x.retrieved.every((o) => known.has(o)), x.retrieved.join());
      assert.is(x.found, x.retrieved.includes(x.doc));
      assert.is(x.cited, x.citedDocs.includes(x.doc));
      assert.ok(x.citedDocs.every((d) => known.has(d)));
      assert.ok(x.summary.length > 0 && x.ms > 0);
    }
    const { questions, ...shares } = pass.score;
    assert.is(questions, 3);
    for (const [name, value] of Object.entries(shares)) {
      assert.ok(value === null || (value >= 0 && value <= 1), `${name} ${value}`);
    }
  }
  // "Which authorization do I need…": its document is the slice's only one naming S_DEVELOP.
  assert.ok(
    r.before.records.some((x) => x.found),
    "retrieval finds at least one answering document",
  );
  assert.equal(
    r.unrelated.records.map((u) => u.id),
    ["boil-egg"],
  );
  assert.is(r.targets.length, 4);
  assert.is(r.latency.count, 3 + 1 + 3);
  assert.ok(r.latency.p50 > 0 && r.latency.p99 >= r.latency.p50);
  assert.ok(r.ingestMs > 0 && r.ms > r.ingestMs);
});

test("the run leaves the documents as Markdown files and the store holding their chunks", async () => {
  const r = await measured();
  const files = readdirSync(join(workDir, "documents"));
  assert.is(files.length, SIZE);
  assert.ok(files.every((f) => f.endsWith(".md")));
  const store = await CapsuleStore.open(join(workDir, "store"), { create: false });
  try {
    const chunks = (await store.list({ limit: 10_000 })).filter((c) => c.source?.includes("/documents/"));
    assert.is(chunks.length, r.dataset.capsules);
    assert.ok(chunks.every((c) => (c.meta.source as { file: string }).file === c.source));
  } finally {
    await store.close();
  }
});

test("the Markdown page lists the rates, the targets and every question", async () => {
  const r = await measured();
  const page = answersMarkdown(r);
  assert.match(page, /^# Answer quality\n/);
  assert.match(page, /\| pass +\| questions \|/);
  assert.match(page, /citedWhenFound/);
  for (const id of PICKED) assert.match(page, new RegExp(`\\| ${id} `));
  assert.match(page, /Turn latency over 7 turns/);
});

test.run();
