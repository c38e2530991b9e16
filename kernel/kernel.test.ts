/**
 * The SIGLA kernel through a real Jupyter: installs the kernelspec into a temp prefix with
 * `npm run kernel:install`'s script, executes a notebook with nbconvert on the `sigla` kernel and reads the
 * outputs. Skipped (with a message) where `/usr/bin/python3` has no Jupyter; CI installs Debian's.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { writeTinyGguf } from "../bench/fixtures/random-gguf.js";
import { CapsuleStore, STEPS } from "../lib/index.js";
import { snapshotKey } from "../lib/store/snapshot.js";
import { tempDir } from "../test/helpers/temp.js";
import {
  executeNotebook,
  hasJupyter,
  type IopubMessage,
  installKernel,
  iopubMessages,
  joined,
  type Output,
  queuedCells,
  REPO,
  readCells,
  skipMessage,
} from "./jupyter-test-helpers.js";
import { VEGA_LITE_MIME } from "./render.js";
import { ABORTED_NOTE } from "./server.js";

const CELLS = [
  "%help",
  "%store open ./store\n%ingest docs --tags notes",
  '%query "columnar vector database" -k 2',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: TypeScript source for the kernel, not a template
  "const x = 7 % 3;\nconsole.log(`x=${x}`, typeof sigla.Workbench);",
  '%ask "What is LanceDB?"',
  "%chart metrics",
  "%nope 1 2",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: TypeScript source for the kernel, not a template
  'const r = await siglaMagics.query("graph index", { k: 1 });\nconsole.log(`typed: ${r.hits[0].text}`);',
  "%chart qps",
  "%chart graph 0 --depth 1",
];

test("a notebook on the sigla kernel: %help, %query table, %ask trace, %chart (metrics, qps, graph) Vega-Lite + PNG, bad magic", () => {
  if (!hasJupyter()) {
    console.log(skipMessage("kernel.test.ts"));
    return;
  }
  const dir = tempDir("sigla-kernel-");
  const prefix = join(dir, "jupyter");
  const install = installKernel(prefix);
  assert.is(install.status, 0, install.stderr);
  assert.match(install.stdout, /installed kernel "SIGLA \(TypeScript\)" \(sigla\)/);
  assert.is(install.spec?.display_name, "SIGLA (TypeScript)");
  assert.ok(install.spec?.argv.includes(join(REPO, "kernel/launcher.ts")));

  mkdirSync(join(dir, "docs"));
  writeFileSync(join(dir, "docs/lance.md"), "LanceDB is a columnar vector database built on Apache Arrow.\n");
  writeFileSync(
    join(dir, "docs/hnsw.md"),
    "HNSW is a graph index for approximate nearest neighbour search.\n",
  );
  writeFileSync(join(dir, "docs/fruit.md"), "Bananas are a yellow fruit rich in potassium.\n");
  const notebook = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: CELLS.map((source, i) => ({
      id: `c${i}`,
      cell_type: "code",
      metadata: {},
      execution_count: null,
      outputs: [],
      source,
    })),
  };
  writeFileSync(join(dir, "t.ipynb"), JSON.stringify(notebook));
  const run = executeNotebook({
    prefix,
    cwd: dir,
    input: "t.ipynb",
    output: "out.ipynb",
    env: { SIGLA_HOME: join(dir, "home"), SIGLA_EMBEDDER: "use-lite" },
  });
  assert.is(run.status, 0, run.stderr);
  const [help, ingest, query, code, ask, chart, bad, typed, qps, graph] = readCells(
    join(dir, "out.ipynb"),
  ).map((c) => c.outputs ?? ([] as Output[]));

  const helpText = joined(help[0].data?.["text/plain"]);
  assert.match(helpText, /%query "<text>" \[-k 5\]/);
  assert.match(joined(help[0].data?.["text/html"]), /^<table class="sigla">/);

  assert.is(ingest.length, 2, "store and ingest each show a table");
  assert.match(joined(ingest[1].data?.["text/html"]), /<td>3<\/td><td>3<\/td>/);

  const queryHtml = joined(query[0].data?.["text/html"]);
  assert.match(queryHtml, /<th>id<\/th><th>score<\/th><th>text<\/th><th>tags<\/th>/);
  assert.match(queryHtml, /<tbody><tr><td>\d+<\/td><td>[\d.]+<\/td><td>LanceDB is a columnar/);
  assert.is((queryHtml.match(/<tr>/g) ?? []).length, 3, "a header row and k=2 hits");

  assert.equal(
    code.map((o) => [o.output_type, o.name, joined(o.text)]),
    [["stream", "stdout", "x=1 function\n"]],
    "code cells run as typed, with % as modulo and the library preloaded as sigla",
  );

  const askHtml = joined(ask[0].data?.["text/html"]);
  assert.match(askHtml, /LanceDB is a columnar vector database/);
  for (const step of STEPS) assert.match(askHtml, new RegExp(`<td>${step}</td>`), step);

  const vegaLiteAndPng = (outputs: Output[], what: string) => {
    assert.is(outputs.length, 1, `${what}: one display_data (${joined(outputs[0]?.text)})`);
    const data = outputs[0].data ?? {};
    const vl = data[VEGA_LITE_MIME] as {
      $schema: string;
      data: { values: unknown[] };
      layer?: { mark: { type: string } }[];
    };
    assert.is(typeof vl, "object", `${what}: the Vega-Lite spec is a JSON object, not a string`);
    assert.match(vl.$schema, /vega-lite/);
    assert.ok(vl.data.values.length > 0);
    const png = Buffer.from(joined(data["image/png"]).replace(/\n/g, ""), "base64");
    assert.equal([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], `${what}: a PNG`);
    return vl;
  };
  vegaLiteAndPng(chart, "%chart metrics");
  const qpsSpec = vegaLiteAndPng(qps, "%chart qps");
  assert.ok(
    (qpsSpec.data.values as { qps: number }[]).every((v) => v.qps > 0),
    "QPS from store-bench.json",
  );
  const graphSpec = vegaLiteAndPng(graph, "%chart graph");
  assert.equal(
    graphSpec.layer?.map((l) => l.mark.type),
    ["rule", "point", "text"],
  );
  assert.match(joined(graph[0].data?.["text/plain"]), /^Capsule 0: /);

  assert.is(bad.length, 1);
  assert.is(bad[0].name, "stderr");
  const badText = joined(bad[0].text);
  assert.match(badText, /^%nope: unknown magic — magics: %store .*%help \(%help for usage\)\n$/);
  assert.is(badText.trim().split("\n").length, 1, "one line, no stack");

  assert.match(joined(typed.at(-1)?.text), /typed: HNSW is a graph index/);
});

test("%ask draws its trace table in place, step by step, and ends as the answer; with %model the text streams in and an interrupt keeps it, partial", async () => {
  if (!hasJupyter()) {
    console.log(skipMessage("kernel.test.ts"));
    return;
  }
  const dir = tempDir("sigla-kernel-live-");
  const prefix = join(dir, "jupyter");
  assert.is(installKernel(prefix).status, 0);
  mkdirSync(join(dir, "docs"));
  writeFileSync(join(dir, "docs/lance.md"), "LanceDB is a columnar vector database built on Apache Arrow.\n");
  await writeTinyGguf(join(dir, "tiny.gguf"));
  const messages = iopubMessages({
    prefix,
    cwd: dir,
    cells: [
      "%store open ./store\n%ingest docs",
      '%ask "What is LanceDB?"',
      'await siglaMagics.ask("And Arrow?")',
      "%model tiny.gguf",
      '%ask "What is HNSW?"',
    ],
    env: { SIGLA_HOME: join(dir, "home"), SIGLA_EMBEDDER: "use-lite" },
    // Stops the model once its text has been drawn, as the notebook's stop button does.
    interruptOn: "the model is writing",
  });
  for (const cell of [1, 2]) {
    const shown = messages.filter((m) => m.cell === cell && m.type.endsWith("display_data"));
    const id = shown[0]?.content.transient?.display_id ?? "";
    assert.match(id, /^sigla-ask-/, `cell ${cell}: the first output is a display with an id`);
    assert.is(shown[0].type, "display_data");
    const updates = shown.slice(1);
    assert.ok(
      updates.every((m) => m.type === "update_display_data" && m.content.transient?.display_id === id),
      `cell ${cell}: everything after is a redraw of that display`,
    );
    assert.is(updates.length, 2 * STEPS.length + 1, "a redraw as each step starts and ends, then the answer");
    const html = (m: IopubMessage) => joined(m.content.data?.["text/html"]);
    assert.match(html(shown[0]), /0\/10 steps/);
    STEPS.forEach((step, i) => {
      assert.match(
        html(updates[2 * i]),
        new RegExp(`<td>${step}</td><td>…</td><td>running</td>`),
        `${step} running`,
      );
      assert.match(html(updates[2 * i + 1]), new RegExp(`${i + 1}/10 steps`), `${step} done`);
    });
    const answer = html(updates.at(-1) as IopubMessage);
    assert.match(answer, /LanceDB is a columnar vector database/);
    assert.match(
      answer,
      /<caption>citations<\/caption>.*<td>docs\/lance\.md<\/td><td>line 1<\/td><td>archive<\/td>/,
    );
    assert.not.match(answer, /running/);
  }
  const loaded = messages.filter((m) => m.cell === 3 && m.type === "display_data");
  assert.match(joined(loaded[0]?.content.data?.["text/plain"]), /^loaded tiny\.gguf \(gguf, llama, /);
  const streamed = messages.filter((m) => m.cell === 4 && m.type === "update_display_data");
  const html = (m: IopubMessage) => joined(m.content.data?.["text/html"]);
  assert.ok(
    streamed.some((m) => /the model is writing:<\/p><pre>\w+/.test(html(m))),
    "the model's text drawn in place as it is written",
  );
  const last = html(streamed.at(-1) as IopubMessage);
  assert.match(last, /⏹ partial — the model was stopped before it finished/);
  assert.match(last, /model tiny\.gguf/);
  assert.not.ok(
    messages.some((m) => m.cell === 4 && m.type === "error"),
    "the interrupt stopped the model, not the cell",
  );
});

test("after a failing cell the next cells still run (--allow-errors), every cell is counted, and the shutdown saves the store's snapshot", async () => {
  if (!hasJupyter()) {
    console.log(skipMessage("kernel.test.ts"));
    return;
  }
  const dir = tempDir("sigla-kernel-errors-");
  const prefix = join(dir, "jupyter");
  assert.is(installKernel(prefix).status, 0);
  mkdirSync(join(dir, "docs"));
  writeFileSync(join(dir, "docs/lance.md"), "LanceDB is a columnar vector database built on Apache Arrow.\n");
  const cells = [
    'throw new Error("boom");',
    'console.log("after the failure");',
    "%store open ./store\n%ingest docs",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: TypeScript source for the kernel, not a template
    "const answer: number = 6 * 7;\nconsole.log(`answer ${answer}`);",
  ];
  const notebook = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: cells.map((source, i) => ({
      id: `e${i}`,
      cell_type: "code",
      metadata: {},
      execution_count: null,
      outputs: [],
      source,
    })),
  };
  writeFileSync(join(dir, "e.ipynb"), JSON.stringify(notebook));
  const run = executeNotebook({
    prefix,
    cwd: dir,
    input: "e.ipynb",
    output: "out.ipynb",
    allowErrors: true,
    env: { SIGLA_HOME: join(dir, "home"), SIGLA_EMBEDDER: "use-lite" },
  });
  assert.is(run.status, 0, run.stderr);
  const out = readCells(join(dir, "out.ipynb"));
  assert.equal(
    out.map((c) => c.execution_count),
    [1, 2, 3, 4],
    "execute_input carries each cell's count",
  );
  const [thrown, after, ingest, typed] = out.map((c) => c.outputs ?? ([] as Output[]));
  assert.match(joined(thrown.find((o) => o.name === "stderr")?.text), /boom/);
  assert.equal(
    after.map((o) => [o.name, joined(o.text)]),
    [["stdout", "after the failure\n"]],
    "the cell after the failing one ran (no 200 ms abort)",
  );
  assert.match(joined(ingest[1]?.data?.["text/plain"]), /1 capsules added/);
  assert.equal(
    typed.map((o) => joined(o.text)),
    ["answer 42\n"],
  );

  // nbconvert ended with a shutdown_request: the kernel closed the workbench before exiting, so the store's
  // snapshot is of its last version and the next open reads it instead of scanning the table.
  const store = join(dir, "store");
  const key = await snapshotKey(store);
  assert.ok(key, "hot.snapshot written at shutdown");
  const opened = await CapsuleStore.open(store, { embedder: "use-lite" });
  try {
    const stats = await opened.stats();
    assert.is(key.tableVersion, stats.tableVersion, "the snapshot is of the table's last version");
    assert.is(key.rows, stats.count);
    assert.is(stats.count, 1);
  } finally {
    await opened.close();
  }
});

test("Run All with stop_on_error: a failure aborts the cells queued behind it, and each says so", () => {
  if (!hasJupyter()) {
    console.log(skipMessage("kernel.test.ts"));
    return;
  }
  const dir = tempDir("sigla-kernel-queue-");
  const prefix = join(dir, "jupyter");
  assert.is(installKernel(prefix).status, 0);
  const replies = queuedCells({
    prefix,
    cwd: dir,
    // The first cell waits, so every request is queued before the failure even on a loaded machine.
    cells: [
      'await new Promise((r) => setTimeout(r, 3000)); console.log("first")',
      'throw new Error("boom")',
      'console.log("queued")',
      "1 + 1",
    ],
  });
  assert.equal(
    replies.map((r) => [r.status, r.execution_count ?? null]),
    [
      ["ok", 1],
      ["error", 2],
      ["aborted", null],
      ["aborted", null],
    ],
  );
  assert.is(replies[0].stdout, "first\n");
  assert.match(replies[1].stderr, /boom/);
  assert.is(replies[2].stdout, "", "an aborted cell does not run");
  assert.is(replies[2].stderr, ABORTED_NOTE);
});

test.run();
