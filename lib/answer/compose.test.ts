import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Embedder } from "../embed/embedder.js";
import { loadUseLite } from "../embed/use-lite.js";
import { CancelledError, DimensionMismatchError } from "../errors.js";
import { citationTag } from "../pipeline/format.js";
import { composeAnswer, SUMMARY_MAX_CHARS } from "./compose.js";
import type { AnswerEvidence, ComposedAnswer, ComposeInput } from "./types.js";

let shared: Embedder | undefined;
async function embedder(): Promise<Embedder> {
  shared ??= await loadUseLite();
  return shared;
}

const evidence = (...texts: string[]): AnswerEvidence[] =>
  texts.map((text, i) => ({ evidenceId: `ev:${i + 1}`, text, score: 1 - i * 0.1 }));

/**
 * Composes with the real use-lite embedder and checks what must hold for every answer: each used sentence
 * is the exact slice of its evidence at its offsets, starts and ends between words, and appears in the
 * summary followed by its citation tag.
 */
async function ask(
  question: string,
  pieces: AnswerEvidence[],
  options: Partial<ComposeInput> = {},
): Promise<ComposedAnswer> {
  const e = await embedder();
  const [questionVector] = await e.embed([question]);
  const answer = await composeAnswer({
    question,
    questionVector,
    evidence: pieces,
    embedder: e,
    language: "eng",
    ...options,
  });
  for (const u of [...answer.used, ...answer.perEvidence]) {
    const text = pieces.find((p) => p.evidenceId === u.evidenceId)?.text ?? "";
    assert.is(text.slice(u.start, u.end), u.sentence, "offsets locate the sentence");
    assert.not.match(text.slice(u.start - 1, u.start), /[\p{L}\p{N}]/u, `cut at its start: ${u.sentence}`);
    assert.not.match(text.slice(u.end, u.end + 1), /[\p{L}\p{N}]/u, `cut at its end: ${u.sentence}`);
  }
  for (const u of answer.used) {
    const sep = u.sentence.startsWith("```") ? "\n" : " ";
    assert.ok(answer.summary.includes(`${u.sentence}${sep}${citationTag(u.evidenceId)}`), u.sentence);
  }
  return answer;
}

const LANCEDB_NOTE =
  "SIGLA uses LanceDB as the store of record for capsules, through the Node package @lancedb/lancedb. " +
  "Tables are stored in the Lance columnar format, which is built on Apache Arrow. LanceDB builds indexes " +
  "such as IVF_PQ and IVF_HNSW_SQ when a table grows large; a small table is scanned exactly. Every write " +
  "creates a new table version.";

test("list: the LanceDB index question states IVF_PQ from the note that lists them", async () => {
  const pieces = evidence(
    "An index speeds up search: without one, a query is compared with every stored vector, which is exact " +
      "but slow for large tables. Index choice is a trade between recall, latency and memory.",
    LANCEDB_NOTE,
    "HNSW builds a layered graph over the vectors. A search walks greedily from the top layer down.",
  );
  const answer = await ask("Which index types does LanceDB support?", pieces);
  assert.is(answer.questionType, "list");
  assert.ok(
    answer.summary.startsWith(
      "LanceDB builds indexes such as IVF_PQ and IVF_HNSW_SQ when a table grows large; a small table is scanned exactly. [evidence_id: ev:2]",
    ),
    answer.summary,
  );
  assert.is(answer.used[0].evidenceId, "ev:2", "cites the note that answers, though it ranked second");
});

test("value: 'what is the default' picks the sentence with the value", async () => {
  const pieces = evidence(
    "Chunks are the unit that gets embedded, so a smaller chunk size gives more precise hits but more " +
      "capsules. The chunk size defaults to 1024 characters, and consecutive chunks overlap by 200. " +
      "Both can be changed with --chunk-size and --overlap.",
    "Capsules keep the offsets of their chunk in meta.source, so a quote can be found in its file again.",
  );
  const answer = await ask("What is the default chunk size?", pieces);
  assert.is(answer.questionType, "value");
  assert.is(
    answer.summary,
    "The chunk size defaults to 1024 characters, and consecutive chunks overlap by 200. [evidence_id: ev:1]",
  );
});

test("definition: 'what is X' prefers 'X is …' over a sentence that merely mentions X", async () => {
  const pieces = evidence(
    "Tables are stored in the Lance columnar format, which is built on Apache Arrow.",
    "LanceDB returns query results as Arrow record batches. Apache Arrow is a columnar in-memory format: " +
      "values of one column are stored next to each other in typed buffers.",
  );
  const answer = await ask("What is Apache Arrow?", pieces);
  assert.is(answer.questionType, "definition");
  assert.match(answer.summary, /^Apache Arrow is a columnar in-memory format/);
});

test("yes/no: states No, Yes or It depends first when the evidence settles it", async () => {
  const note =
    "LanceDB is an embedded vector database: it runs inside the application process, with no server, and " +
    "keeps its data in files on local disk.";
  const no = await ask("Does LanceDB need a server?", evidence(note));
  assert.is(no.questionType, "yesno");
  assert.is(no.summary, `No. ${note} [evidence_id: ev:1]`);

  const yes = await ask(
    "Can SIGLA run without a network?",
    evidence("SIGLA runs on a laptop without a network, a GPU or a server. Embedding works fully offline."),
  );
  assert.match(yes.summary, /^Yes\. SIGLA runs on a laptop without a network/);

  const undirected = await ask(
    "Are links directed?",
    evidence("Links are undirected: when capsule 4 links to capsule 9, capsule 9 also lists 4."),
  );
  assert.match(undirected.summary, /^No\. Links are undirected/);

  const depends = await ask(
    "Is the full-text index rebuilt after every write?",
    evidence(
      "The full-text index is rebuilt only when the rows written since the last build exceed a tenth of the " +
        "indexed rows. Until then LanceDB searches the unindexed rows by scanning them.",
    ),
  );
  assert.match(depends.summary, /^It depends\. The full-text index is rebuilt only when/);

  const unrelated = await ask("Is Chroma faster than LanceDB?", evidence("Capsule ids are integers."));
  assert.not.match(unrelated.summary, /^(Yes|No|It depends)\./, "no verdict the evidence does not support");
});

test("steps: a how-to answer keeps the numbered steps whole and in order, under their lead-in", async () => {
  const guide = [
    "## Install",
    "",
    "SIGLA needs Node 20 or later. To install it from a checkout:",
    "",
    "1. Clone the repository with `git clone https://example.org/sigla.git`.",
    "2. Run `npm install` in the checkout.",
    "3. Run `npm test` to check the install.",
    "4. Start the REPL with `npm start`.",
    "",
    "The first start fills an empty store with the sample corpus.",
  ].join("\n");
  const pieces = evidence(
    "Installing a package globally with npm needs write access to its prefix folder.",
    guide,
  );
  const answer = await ask("How do I install SIGLA?", pieces);
  assert.is(answer.questionType, "steps");
  assert.equal(
    answer.used.map((u) => u.sentence),
    [
      "To install it from a checkout:",
      "1. Clone the repository with `git clone https://example.org/sigla.git`.",
      "2. Run `npm install` in the checkout.",
      "3. Run `npm test` to check the install.",
      "4. Start the REPL with `npm start`.",
    ],
  );
  assert.ok(answer.summary.includes("\n2. Run `npm install` in the checkout. [evidence_id: ev:2]\n3. Run"));
  assert.not.match(answer.summary, /## Install/, "a heading is never part of the answer");
});

test("code: a fenced block is quoted whole, with its tag on the line after it", async () => {
  const code = [
    "```ts",
    'import { CapsuleStore } from "sigla";',
    "",
    'const store = await CapsuleStore.open("my_store", { embedder: "use-lite" });',
    'await store.add("LanceDB is an embedded vector database.");',
    "```",
  ].join("\n");
  const pieces = evidence(
    `To open a store from TypeScript, call CapsuleStore.open with a path and an embedder:\n\n${code}\n\n` +
      "Then call store.search(text) for the closest capsules.",
  );
  const answer = await ask("How do I open a store from TypeScript?", pieces);
  const block = answer.used.find((u) => u.sentence.startsWith("```"));
  assert.ok(block, answer.summary);
  assert.is(block.sentence, code);
  assert.ok(answer.summary.includes(`${code}\n[evidence_id: ev:1]`));
});

test("list: a sentence announcing 'three layers' brings the three sentences that follow, in order", async () => {
  const note =
    "SIGLA's memory has three layers. ARCHIVE holds verified knowledge with a source. SHADOW holds " +
    "hypotheses and drafts that are never cited. GROWTH is the log of every change to memory. A SHADOW node " +
    "carries a review date.";
  const answer = await ask("What are the memory layers?", evidence(note));
  assert.equal(
    answer.used.map((u) => u.sentence.split(" ")[0]),
    ["SIGLA's", "ARCHIVE", "SHADOW", "GROWTH"],
  );
});

test("one embed call per answer, and text the embedder cannot read is not embedded", async () => {
  const e = await embedder();
  const calls: string[][] = [];
  const counting: Embedder = {
    id: e.id,
    dim: e.dim,
    embed(texts) {
      calls.push(texts);
      return e.embed(texts);
    },
  };
  const [v] = await e.embed(["Which index types does LanceDB support?"]);
  const pieces = evidence(LANCEDB_NOTE, "LanceDB поддерживает индексы IVF_PQ и IVF_HNSW_SQ.");
  const base = { questionVector: v, evidence: pieces, embedder: counting, language: "eng" };
  await composeAnswer({ ...base, question: "Which index types does LanceDB support?" });
  assert.is(calls.length, 1);
  assert.is(calls[0].length, 4, "the four English sentences, not the Russian one");
  // A Russian question: use-lite's cosine is noise there, so words decide and nothing is embedded.
  const ru = await composeAnswer({
    ...base,
    question: "Какие индексы поддерживает LanceDB?",
    language: "rus",
  });
  assert.is(calls.length, 1);
  assert.match(ru.summary, /^LanceDB поддерживает индексы IVF_PQ/);
});

test("a heading that repeats the question is never the answer", async () => {
  const answer = await ask(
    "Which index types does LanceDB support?",
    evidence(`## Which index types does LanceDB support?\n\n${LANCEDB_NOTE}`),
  );
  assert.not.match(answer.summary, /^##/);
  assert.match(answer.summary, /IVF_PQ/);
});

test("a value question about a version wants the number; a which-question wants the name", async () => {
  const versions = await ask(
    "For which SAPUI5 versions is the library downloaded automatically when I run the app with local sources?",
    evidence(
      "- Use local SAPUI5 sources: downloads the SAPUI5 libraries for the selected version and uses them for preview.\n" +
        "- Run with mock data: starts the mock server.",
      "If needed, a local copy of the SAPUI5 library is downloaded from npmjs. Automatic download is supported " +
        "only for SAPUI5 versions 1.76 and higher.",
    ),
  );
  assert.match(versions.summary, /1\.76 and higher/);
});

test("what is X: an introduction that defines X answers, a sentence that only mentions X does not", async () => {
  const answer = await ask(
    "What is mass editing in a Fiori elements table?",
    evidence(
      "DESCRIPTION: Determine where mass edit is supported and how configuration options differ between OData V2 " +
        "and OData V4. The 'ignoredFields' property lets you hide specific fields from the mass edit dialog.",
      "**INTRODUCTION**: Mass editing enables users to simultaneously change multiple objects that share the " +
        "same editable properties.",
    ),
  );
  assert.match(answer.summary, /^\*\*INTRODUCTION\*\*: Mass editing enables users to simultaneously change/);
});

test("technical English the language guess gets wrong is still read by the embedder", async () => {
  const question =
    "Which types package do I add to tsconfig.json to get SAPUI5 code completion in JavaScript files?";
  const pieces = evidence(
    "Create a tsconfig.json file at the project root. With the tsconfig.json and @sapui5/ts-types installed, " +
      "you should see SAPUI5 code completion.",
  );
  const guessed = await ask(question, pieces, { language: "sco" });
  const english = await ask(question, pieces, { language: "eng" });
  assert.equal(guessed.used, english.used);
});

test("deep mode adds supporting sentences without near-duplicates and caps the summary at whole sentences", async () => {
  const note =
    "HNSW answers queries fast but uses more memory and takes longer to build than IVF. A search starts at " +
    "the top layer, walks greedily towards the query, and descends layer by layer. The ef parameter sets how " +
    "many candidates the search keeps; a larger ef gives higher recall at a higher latency.";
  // Overlapping chunks quote the same sentences twice.
  const pieces = evidence(
    note,
    note.slice(note.indexOf("A search")),
    "IVF clusters the vectors with k-means.",
  );
  const fast = await ask("How does an HNSW search work?", pieces, { mode: "fast" });
  // Fast: the answer and at most two sentences that score nearly as well.
  assert.ok(fast.used.length <= 3, fast.summary);
  const deep = await ask("How does an HNSW search work?", pieces, { mode: "deep" });
  assert.ok(deep.used.length >= 2 && deep.used.length >= fast.used.length, deep.summary);
  const sentences = deep.used.map((u) => u.sentence);
  assert.is(new Set(sentences).size, sentences.length, "no sentence twice");

  const long = Array.from(
    { length: 12 },
    (_, i) => `HNSW layer ${i + 1} keeps a sparser graph of the vectors for long jumps towards the query.`,
  );
  const capped = await ask("How does an HNSW search work?", evidence(long.join(" ")), { mode: "debate" });
  assert.ok(capped.summary.length <= SUMMARY_MAX_CHARS, `${capped.summary.length} characters`);
});

test("perEvidence holds the best sentence of each piece, in evidence order", async () => {
  const pieces = evidence(LANCEDB_NOTE, "Capsule ids are integers that increase and are never reused.");
  const answer = await ask("Which index types does LanceDB support?", pieces);
  assert.equal(
    answer.perEvidence.map((u) => u.evidenceId),
    ["ev:1", "ev:2"],
  );
  assert.match(answer.perEvidence[0].sentence, /IVF_PQ/);
});

test("Russian questions over Russian notes: definition, list, yes/no and value", async () => {
  const pieces = evidence(
    "LanceDB хранит таблицы в колоночном формате Lance. LanceDB — это встраиваемая векторная база данных: " +
      "она работает внутри процесса приложения, без отдельного сервера. LanceDB поддерживает индексы IVF_PQ " +
      "и IVF_HNSW_SQ, полнотекстовый поиск и SQL-фильтры.",
    "Загрузка режет длинные тексты на окна с перекрытием. По умолчанию размер окна — 1024 символа, " +
      "перекрытие — 200 символов. Каждое окно становится капсулой.",
  );
  const ru = { language: "rus" };
  const definition = await ask("Что такое LanceDB?", pieces, ru);
  assert.is(definition.questionType, "definition");
  assert.match(definition.summary, /^LanceDB — это встраиваемая векторная база данных/);
  const list = await ask("Какие типы индексов поддерживает LanceDB?", pieces, ru);
  assert.is(list.questionType, "list");
  assert.match(list.summary, /^LanceDB поддерживает индексы IVF_PQ/);
  const yesno = await ask("Нужен ли LanceDB сервер?", pieces, ru);
  assert.match(yesno.summary, /^Нет\. LanceDB — это встраиваемая/);
  const value = await ask("Какой размер окна по умолчанию?", pieces, ru);
  assert.match(value.summary, /^По умолчанию размер окна — 1024 символа/);
});

test("no evidence gives an empty answer; a wrong vector or an aborted signal throws", async () => {
  const e = await embedder();
  const [v] = await e.embed(["What is LanceDB?"]);
  const base = { question: "What is LanceDB?", questionVector: v, embedder: e, language: "eng" };
  assert.equal(await composeAnswer({ ...base, evidence: [] }), {
    questionType: "definition",
    summary: "",
    used: [],
    perEvidence: [],
  });
  await composeAnswer({ ...base, questionVector: new Float32Array(3), evidence: evidence("x") }).then(
    () => assert.unreachable("dimension"),
    (error) => assert.instance(error, DimensionMismatchError),
  );
  const controller = new AbortController();
  controller.abort();
  await composeAnswer({ ...base, evidence: evidence(LANCEDB_NOTE), signal: controller.signal }).then(
    () => assert.unreachable("cancel"),
    (error) => assert.instance(error, CancelledError),
  );
});

test("a labelled introduction or a step heading is not the answer; the value is, with a sentence beside it", async () => {
  const answer = await ask(
    "Which port does the application reload middleware use by default?",
    evidence(
      "**INTRODUCTION**: This guide explains how the application reload middleware refreshes the preview.\n\n" +
        "STEP: 2 — Configure the application reload middleware\n\n" +
        "The application reload middleware listens on port 35729 by default. Set `port` to change it.",
    ),
  );
  assert.ok(
    answer.summary.startsWith("The application reload middleware listens on port 35729"),
    answer.summary,
  );
  assert.not.match(answer.summary, /INTRODUCTION|STEP:/);
});

test("a step's DESCRIPTION states the step, so it answers; STEP and INTRODUCTION lines do not", async () => {
  const answer = await ask(
    "Which launchpad parameter has to be enabled so fields show recently entered values?",
    evidence(
      "Fields show recently entered values only when the history is enabled; the launchpad stores them per user.",
      "**INTRODUCTION**: This guide shows how to enable, disable and configure the history of recently entered " +
        "values for fields in SAP Fiori elements applications.\n\n" +
        "STEP: Prerequisites\n" +
        "DESCRIPTION: Enable the SAP Fiori launchpad parameter INPUTFIELD_HISTORY so the platform allows storing " +
        "and showing recently entered values.\n" +
        "LANGUAGE: Link",
    ),
  );
  assert.ok(
    answer.summary.startsWith("DESCRIPTION: Enable the SAP Fiori launchpad parameter"),
    answer.summary,
  );
  assert.is(answer.used[0].evidenceId, "ev:2");
  assert.not.match(answer.summary, /INTRODUCTION|STEP:/);
});

test("a yes/no question answered only by a labelled summary gets no verdict", async () => {
  const answer = await ask(
    "Can I add the same column twice in the Page Editor?",
    evidence(
      "**INTRODUCTION**: How to add and configure table columns in the Page Editor of an object page.",
    ),
  );
  assert.not.match(answer.summary, /^(Yes|No|It depends)\./);
});

test.run();
