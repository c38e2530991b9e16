/**
 * The ten-turn scripted conversation of the issue, on the embedded default embedder (USE-lite): every
 * turn's saved trace must show all ten steps, and across the turns a clarifying question, KAIN, a pain
 * memory surfacing, a SHADOW hypothesis read but not cited, an ARCHIVE fact cited, drift rising on a topic
 * change and a RAG refresh after it.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { tempPath } from "../../test/helpers/temp.js";
import { loadUseLite } from "../embed/use-lite.js";
import { isSiglaError } from "../errors.js";
import { Memory } from "../memory/layers.js";
import { CapsuleStore } from "../store/capsule-store.js";
import { DRIFT_HIGH, PAIN_HIGH } from "./metrics/index.js";
import { Pipeline, type TurnResult } from "./pipeline.js";
import { loadSession } from "./session.js";
import { STEPS, type TraceEvent } from "./types.js";

const embedder = await loadUseLite();

const FACTS = [
  "LanceDB IVF_HNSW_SQ indexes reach recall 0.97 on 50k vectors with ef set to 100.",
  "An IVF index with 256 partitions suits about 50k rows; probe 20 partitions for high recall.",
  "The HNSW ef parameter sets how many candidates the graph search keeps; a larger ef raises recall and latency.",
  "Rebuilding a LanceDB index does not speed up queries when most rows were added after the index: reindex or compact first.",
  "Sourdough bread proofs for 4 to 12 hours at room temperature, or overnight in the fridge.",
  "Bake sourdough in a Dutch oven at 250 °C for 20 minutes with the lid on, then 20 minutes uncovered.",
];

async function scenario(): Promise<{
  store: CapsuleStore;
  pipeline: Pipeline;
  results: TurnResult[];
  ids: Record<string, number>;
}> {
  const store = await CapsuleStore.open(tempPath(), { embedder });
  const memory = await Memory.open(store);
  const ids: Record<string, number> = {};
  // The pipeline below opens its own Memory; this one only seeds the store.
  for (const [i, content] of FACTS.entries()) {
    const node = await memory.archive({
      content,
      kind: "FACT",
      tags: [i < 4 ? "vector-index" : "baking"],
      source: {
        type: "file",
        ref: `notes/${i < 4 ? "lancedb" : "bread"}.md`,
        locator: `L${i * 10 + 1}-L${i * 10 + 9}`,
      },
    });
    ids[`fact${i}`] = node.id;
  }
  const hypothesis = await memory.shadow({
    content: "Hypothesis: an IVF_PQ index without refine always beats HNSW on recall for 50k vectors.",
    kind: "HYPOTHESIS",
    tags: ["vector-index"],
  });
  ids.hypothesis = hypothesis.id;
  await memory.close();

  const pipeline = await Pipeline.open(store);
  const session = await pipeline.session("scripted");
  const messages = [
    "help me with something",
    "Which LanceDB index should I use for 50k vectors, and what recall does IVF_HNSW_SQ reach?",
    "How many IVF partitions should an index over 50k rows have?",
    "Nothing works!!! I rebuilt the LanceDB index three times and queries are STILL slow. I am desperate and exhausted, I can't take it anymore.",
    "What does the HNSW ef parameter change in the search?",
    "How long should sourdough bread proof before baking?",
    "What oven temperature is right for sourdough in a Dutch oven?",
    "Back to my LanceDB index: I rebuilt it again and the queries are still slow.",
    "Which index type gives the best recall on 50k vectors?",
    "Thanks, that solved it.",
  ];
  const results: TurnResult[] = [];
  for (const message of messages) results.push(await pipeline.ask(session, message));
  return { store, pipeline, results, ids };
}

const run = await scenario();
const { results, ids } = run;
const saved = await loadSession(run.store.path, "scripted");
const step = (turn: number, name: string): TraceEvent =>
  saved.traces[turn].find((e) => e.step === name) as TraceEvent;

test("the saved trace has all ten steps, in order, on every turn", () => {
  assert.is(saved.traces.length, 10);
  for (const trace of saved.traces) {
    assert.equal(
      trace.map((e) => e.step),
      [...STEPS],
    );
    assert.equal(
      trace.map((e) => e.index),
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    );
    for (const e of trace)
      assert.ok(e.ms >= 0 && typeof e.summary === "string" && e.summary.length > 0, e.step);
  }
  assert.is(saved.messages.length, 20);
  assert.is(saved.timeline.length, 10);
});

test("a vague first message gets a clarifying question", () => {
  assert.ok(results[0].clarifying.length >= 1 && results[0].clarifying.length <= 2);
  assert.ok((step(0, "telos").data.clarifying as string[]).length >= 1);
  assert.ok(results[0].answer.includes("?"), results[0].answer);
  assert.equal(results[1].clarifying, []);
});

test("an ARCHIVE fact is cited with its evidence_id; the SHADOW hypothesis is read and never cited", () => {
  const cited = results[1].citations.map((c) => c.evidenceId);
  assert.ok(cited.includes(`ev:${ids.fact0}`), `turn 2 cited ${cited.join(", ")}`);
  assert.ok(results[1].answer.includes(`[evidence_id: ev:${ids.fact0}]`), results[1].answer);
  const shadowRead = results.some((_, t) =>
    (step(t, "memory").data.shadow as number[]).includes(ids.hypothesis),
  );
  assert.ok(shadowRead, "the hypothesis was never read");
  for (const r of results) {
    assert.not.ok(r.citations.some((c) => c.evidenceId === `ev:${ids.hypothesis}`));
    assert.not.ok(r.answer.includes(`evidence_id: ev:${ids.hypothesis}]`));
  }
});

test("KAIN speaks after the distressed message and a pain memory is recorded", () => {
  assert.ok(results[3].metrics.pain >= PAIN_HIGH, `pain ${results[3].metrics.pain}`);
  assert.is(results[3].voice, "KAIN");
  assert.ok(results[3].answer.startsWith("I-Loop: KAIN/"), results[3].answer.split("\n")[0]);
  assert.type(step(3, "feedback").data.pain, "number");
  // High pain holds the shadow protocol: the answer is kept as a SHADOW draft.
  assert.ok(step(3, "mode").data.shadowProtocol);
  assert.type(step(3, "feedback").data.draft, "number");
});

test("a shared session brings in SIBYL", async () => {
  const team = await run.pipeline.session("team", { shared: true });
  await run.pipeline.ask(team, "Which index type should our team use for 50k vectors?");
  const voices = team.traces[0].find((e) => e.step === "voices");
  assert.ok((voices?.data.active as string[] | undefined)?.includes("SIBYL"));
});

test("the pain memory surfaces when the topic returns, with a new strategy", () => {
  const pain = step(3, "feedback").data.pain as number;
  assert.ok((step(7, "synthesis").data.painSurfaced as number[]).includes(pain));
  assert.ok(results[7].answer.includes(`pain memory #${pain}`), results[7].answer);
  assert.ok(results[7].answer.includes("A new strategy"), results[7].answer);
  assert.not.ok((step(5, "synthesis").data.painSurfaced as number[]).includes(pain));
});

test("drift rises on the topic change and a RAG refresh follows", () => {
  const drift = results.map((r) => r.metrics.drift);
  assert.ok(drift[5] >= DRIFT_HIGH, `drift on the bread question ${drift[5]}`);
  assert.ok(drift[5] > drift[4] && drift[5] > drift[2], drift.join(", "));
  const refresh = step(5, "feedback").data.refresh as number[];
  assert.ok(Array.isArray(refresh) && refresh.length > 0, "no RAG refresh queued");
  assert.equal(step(6, "context").data.refreshed, refresh);
});

test("every turn's metrics are numbers in [0, 1] and the session reloads the same", () => {
  for (const point of saved.timeline) {
    for (const key of ["pain", "trust", "clarity", "drift"] as const) {
      assert.ok(point[key] >= 0 && point[key] <= 1, `${key} ${point[key]}`);
    }
  }
  assert.equal(saved.timeline.at(-1)?.voice, results[9].voice);
});

test("trace events reach a subscriber live, start before end", async () => {
  const seen: TraceEvent[] = [];
  const iterator = run.pipeline.trace.subscribe();
  const reading = (async () => {
    for await (const e of iterator) {
      seen.push(e);
      if (e.step === "feedback" && e.status === "end") break;
    }
  })();
  const session = await run.pipeline.session("live");
  await run.pipeline.ask(session, "What does the HNSW ef parameter do?");
  await reading;
  assert.is(seen.length, 20);
  assert.equal(
    seen.slice(0, 2).map((e) => `${e.step}:${e.status}`),
    ["perception:start", "perception:end"],
  );
});

test("bad input: an empty message or one of control characters only is a typed error", async () => {
  const session = await run.pipeline.session("bad");
  for (const message of ["", "   ", "\u001b[31m\u0007"]) {
    try {
      await run.pipeline.ask(session, message);
      assert.unreachable("accepted a bad message");
    } catch (error) {
      assert.ok(isSiglaError(error), String(error));
      assert.is((error as { code: string }).code, "SIGLA_INVALID_INPUT");
    }
  }
  assert.is(session.traces.length, 0);
});

test.after(async () => {
  await run.pipeline.close();
  await run.store.close();
});

test.run();
