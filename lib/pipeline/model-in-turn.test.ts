/**
 * A language model inside the turn (issue 11, item 5), on a tiny random-weight llama GGUF that the test
 * writes (real architecture, real tokenizer, nonsense weights): the synthesis prompt fits the window as
 * counted by the model's tokenizer, the model's text streams through `onToken`, sentences citing no
 * evidence are flagged, debate makes three calls, the self-evaluation is the model's, and an abort while
 * the model writes keeps the partial answer (marked) and still stores the turn.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { writeTinyGguf } from "../../bench/fixtures/random-gguf.js";
import { tempPath } from "../../test/helpers/temp.js";
import { loadUseLite } from "../embed/use-lite.js";
import { openRunner } from "../llm/models.js";
import { conversationMetaOf } from "../memory/conversation.js";
import { Memory } from "../memory/layers.js";
import { CapsuleStore } from "../store/capsule-store.js";
import { answerPrompt, claimsOf, modelSummarizer, UNSUPPORTED_MARK } from "./model-answer.js";
import { Pipeline } from "./pipeline.js";
import type { Evidence } from "./types.js";

const dir = tempPath();
await mkdir(dir, { recursive: true });
const file = join(dir, "tiny.gguf");
await writeTinyGguf(file);
const runner = await openRunner(file, { profile: "home-cpu", settings: { contextSize: 2048, threads: 1 } });
const embedder = await loadUseLite();

const store = await CapsuleStore.open(tempPath(), { embedder });
const memory = await Memory.open(store);
for (const content of [
  "LanceDB builds vector indexes such as IVF_PQ and IVF_HNSW_SQ over a column of embeddings.",
  "The default max_neighbors of the graph is 16; raise it to 32 for better recall on large stores.",
]) {
  await memory.archive({ content, kind: "FACT", source: { type: "file", ref: "notes/index.md" } });
}
await memory.close();
const pipeline = await Pipeline.open(store, { runner, maxAnswerTokens: 24 });

test("the model's answer streams, names the model, and its bare sentences are flagged", async () => {
  const session = await pipeline.session("model");
  const pieces: string[] = [];
  const turn = await pipeline.ask(session, "Which vector indexes does LanceDB build?", {
    onToken: (piece) => pieces.push(piece),
  });
  assert.ok(pieces.length >= 2, `streamed ${pieces.length} pieces`);
  assert.is(turn.by, `model ${runner.info.path}`);
  assert.is(turn.partial, false);
  // Random weights write no [ev:N]: every sentence is flagged, and the flag is in the answer.
  const synthesis = turn.trace.find((e) => e.step === "synthesis");
  assert.ok(Number(synthesis?.data.unsupported) >= 1, JSON.stringify(synthesis?.data));
  assert.ok(turn.summary.includes(UNSUPPORTED_MARK), turn.summary);
  // The self-evaluation stored in the conversation carries the model's words after the measured facts.
  const said = await pipeline.memory.conversation.session("model");
  const selfEval = said.find((c) => conversationMetaOf(c)?.kind === "self-eval");
  assert.ok(selfEval && selfEval.text.length > "Self-evaluation of turn 1: ".length, selfEval?.text);
});

test("an abort while the model writes keeps the partial answer, marked, and stores the turn", async () => {
  const session = await pipeline.session("stopped");
  const controller = new AbortController();
  let seen = 0;
  const turn = await pipeline.ask(session, "What is the default max_neighbors of the graph?", {
    signal: controller.signal,
    onToken: () => {
      if (++seen === 3) controller.abort();
    },
  });
  assert.is(turn.partial, true);
  assert.match(turn.answer, /partial/);
  assert.is(session.messages.length, 2, "the partial turn was not stored");
});

test("debate is thesis, antithesis and judge: three streamed calls", async () => {
  const session = await pipeline.session("debate");
  const labels: string[] = [];
  // Disagreement words push the mode to debate.
  await pipeline.ask(
    session,
    "Compare IVF_PQ versus IVF_HNSW_SQ: which is better, and argue against it, pros and cons?",
    { onToken: (piece) => piece.startsWith("\n[") && labels.push(piece.trim()) },
  );
  const mode = session.traces[0].find((e) => e.step === "mode")?.data.mode;
  if (mode === "debate") assert.equal(labels, ["[antithesis]", "[judge]"]);
  else assert.equal(labels, [], `mode ${String(mode)}`);
});

test("the prompt fits the window by the model's own token count", async () => {
  const long = (i: number): Evidence => ({
    evidenceId: `ev:${i}`,
    capsuleId: i,
    layer: "archive",
    text: "IVF_PQ partitions vectors and compresses them with product quantisation. ".repeat(3),
    score: 1 - i / 100,
    hasSource: true,
    hashOk: true,
    supports: 0,
    contradicts: 0,
  });
  const evidence = Array.from({ length: 30 }, (_, i) => long(i));
  const window = Math.min(2048, runner.info.contextSize);
  const { prompt, used, tokens } = await answerPrompt(runner, "What is IVF_PQ?", evidence, {
    window,
    answerTokens: 64,
  });
  assert.ok(used.length > 0 && used.length < evidence.length, `${used.length} pieces in ${window}`);
  assert.ok(tokens <= window - 64, `${tokens} tokens`);
  // Counted piece by piece; the whole prompt tokenises to about the same (joins may merge a token).
  assert.ok((await runner.countTokens(prompt)) <= window - 64 + 16);
  assert.equal(
    used.map((e) => e.evidenceId),
    evidence.slice(0, used.length).map((e) => e.evidenceId),
  );
});

test("a model summary of more text than the window holds reads what fits and still writes", async () => {
  const texts = Array.from(
    { length: 200 },
    (_, i) => `Note ${i}: IVF_PQ partitions vectors and compresses them.`,
  );
  const summary = await modelSummarizer(runner, { maxTokens: 16 })(texts);
  assert.ok(summary.trim().length > 0);
});

test("claims keep only evidence ids that were in the prompt", () => {
  const claims = claimsOf(
    "IVF_PQ compresses vectors [ev:1]. It is fast [ev:99]. Nothing here.",
    new Set(["ev:1"]),
  );
  assert.equal(claims.cited, ["ev:1"]);
  assert.equal(claims.unsupported, ["It is fast.", "Nothing here."]);
});

test.after(async () => {
  await pipeline.close();
  await store.close();
  await runner.close();
});

test.run();
