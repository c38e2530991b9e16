/**
 * The three research notebooks (issue 5) run top to bottom on the `sigla` kernel through a real Jupyter:
 * each is executed with nbconvert into a temp file, must have no `error` output and nothing on stderr (a
 * failing magic prints its one line there), and shows what it is about (HTML tables, Vega-Lite + PNG charts).
 * The committed notebooks must carry their outputs. Skipped (with a message) where Jupyter is absent.
 */
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  type Cell,
  executeNotebook,
  hasJupyter,
  installKernel,
  joined,
  type Output,
  REPO,
  readCells,
  skipMessage,
} from "../kernel/jupyter-test-helpers.js";
import { VEGA_LITE_MIME } from "../kernel/render.js";
import { tempDir } from "../test/helpers/temp.js";

const NOTEBOOKS = join(REPO, "notebooks");
const NAMES = ["01-memory-explorer", "02-benchmarks", "03-pipeline-metrics"] as const;

const codeCells = (cells: Cell[]) => cells.filter((c) => c.cell_type === "code");
const source = (cell: Cell) => joined(cell.source);
const outputsOf = (cells: Cell[]) => codeCells(cells).flatMap((c) => c.outputs ?? []);
const html = (o: Output) => joined(o.data?.["text/html"]);
const plain = (o: Output) => joined(o.data?.["text/plain"]);

/** Fails on an `error` output or any stderr stream, naming the cell. */
function assertClean(cells: Cell[], name: string): void {
  for (const cell of codeCells(cells)) {
    for (const o of cell.outputs ?? []) {
      const where = `${name}, cell ${JSON.stringify(source(cell).slice(0, 60))}`;
      assert.not.equal(o.output_type, "error", `${where}: error output`);
      if (o.output_type === "stream" && o.name === "stderr") {
        const text = joined(o.text);
        assert.not.match(text, /SIGLA_|Error/, `${where}: ${text}`);
        assert.unreachable(`${where}: stderr: ${text}`);
      }
    }
  }
}

/** The outputs of the first code cell whose source matches. */
function outputsAt(cells: Cell[], pattern: RegExp): Output[] {
  const cell = codeCells(cells).find((c) => pattern.test(source(c)));
  assert.ok(cell, `a cell matching ${pattern}`);
  return cell?.outputs ?? [];
}

/** Every chart output: a Vega-Lite object with data and a PNG, in one display_data. */
function charts(cells: Cell[]): Output[] {
  const found = outputsOf(cells).filter((o) => o.data?.[VEGA_LITE_MIME] !== undefined);
  for (const o of found) {
    const spec = o.data?.[VEGA_LITE_MIME] as { $schema: string; data: { values: unknown[] } };
    assert.is(typeof spec, "object", "the Vega-Lite spec is a JSON object");
    assert.match(spec.$schema, /vega-lite/);
    assert.ok(spec.data.values.length > 0, "the chart has data");
    const png = Buffer.from(joined(o.data?.["image/png"]).replace(/\n/g, ""), "base64");
    assert.equal([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], "a PNG");
  }
  return found;
}

const CHECKS: Record<(typeof NAMES)[number], (cells: Cell[]) => void> = {
  "01-memory-explorer": (cells) => {
    assert.match(plain(outputsAt(cells, /^%ingest/)[0]), /\d+ files: \d+ capsules added/);
    const query = html(outputsAt(cells, /^%query "how does HNSW/)[0]);
    assert.match(query, /^<table class="sigla">/);
    assert.match(query, /HNSW/);
    assert.match(html(outputsAt(cells, /^%dsl/)[0]), /<table class="sigla">/);
    const expanded = outputsAt(cells, /sigla\.expand\(/)
      .map(html)
      .join("");
    assert.match(expanded, /<th>edges<\/th>.*<td>1<\/td>/s, "the expansion has depth-1 neighbours");
    assert.match(plain(outputsAt(cells, /^%memory communities/)[0]), /\d+ members/);
    const summaries = outputsAt(cells, /refreshSummaries/);
    assert.match(joined(summaries[0].text), /^[1-9]\d* summaries written/);
    assert.match(plain(outputsAt(cells, /^%memory summary/)[0]), /archive [1-9].*shadow [1-9].*growth [1-9]/);
    assert.match(plain(outputsAt(cells, /^%memory archive/)[0]), /SUMMARY/);
    assert.match(
      joined(outputsAt(cells, /conversation\.session/)[0].text),
      /turn \(user\).*\n.*turn \(assistant\)/,
    );
    assert.match(plain(outputsAt(cells, /^%memory shadow/)[0]), /HYPOTHESIS/);
  },
  "02-benchmarks": (cells) => {
    const report = outputsAt(cells, /readReport/);
    assert.match(joined(report[0].text), /^measured \d{4}-\d\d-\d\d on .*, \d+ repetitions/);
    const tables = report.map(html).join("");
    for (const system of ["sigla", "lancedb", "chroma"])
      assert.match(tables, new RegExp(`<td>${system}</td>`), system);
    assert.match(tables, /<td>p50 vs peers<\/td><td>\d\.\d{3}<\/td>/);
    const here = html(outputsAt(cells, /siglaMagics\.bench\("store"/)[0]);
    for (const system of ["sigla", "lancedb", "chroma"])
      assert.match(here, new RegExp(`<td>${system}</td>`), system);
    assert.match(here, /median of 3 runs/);
    const bench = plain(outputsAt(cells, /^%bench/)[0]);
    assert.match(bench, /^3000 clustered/);
    for (const index of ["flat", "ivf", "hnsw"]) assert.match(bench, new RegExp(`\\n${index} `), index);
    const drawn = charts(cells).map(plain);
    assert.is(drawn.length, 6, "qps, latency, ingest, memory (report), qps (here), latency (%bench)");
    assert.match(drawn[0], /^Recall@10 against QPS, clustered-50k \(.*bench-store\.json, clustered-50k\)/);
    assert.match(drawn[2], /^Ingest throughput per system/);
    assert.match(drawn[3], /^Resident memory per system/);
    assert.match(drawn[4], /clustered-2k/);
    assert.match(drawn[5], /:bench \(3000 vectors/);
  },
  "03-pipeline-metrics": (cells) => {
    const asks = codeCells(cells).filter((c) => /^%ask/.test(source(c)));
    assert.ok(asks.length >= 5, "five turns or more");
    for (const ask of asks) {
      assert.match(html((ask.outputs ?? [])[0]), /<table class="sigla">/);
      assert.match(plain((ask.outputs ?? [])[0]), /pain [\d.]+ {2}trust [\d.]+ {2}clarity/);
    }
    const [metrics] = charts(cells);
    assert.ok(metrics, "the metrics chart");
    assert.match(plain(metrics), new RegExp(`turns 1–${asks.length}`));
    assert.match(plain(outputsAt(cells, /^%trace$/)[0]), new RegExp(`^turn ${asks.length},`));
    assert.match(plain(outputsAt(cells, /^%trace 3/)[0]), /^turn 3,.*\n {2}1\. perception/);
  },
};

test("the committed notebooks carry their outputs, with no errors", () => {
  for (const name of NAMES) {
    const cells = readCells(join(NOTEBOOKS, `${name}.ipynb`));
    for (const cell of codeCells(cells)) {
      assert.ok((cell.outputs ?? []).length > 0, `${name}: ${source(cell).slice(0, 60)} has outputs`);
    }
    assertClean(cells, name);
    CHECKS[name](cells);
  }
});

let prefix: string | undefined;
for (const name of NAMES) {
  test(`${name}.ipynb runs top to bottom on the sigla kernel`, () => {
    if (!hasJupyter()) {
      console.log(skipMessage(`notebooks.test.ts (${name})`));
      return;
    }
    const dir = tempDir("sigla-notebooks-");
    if (!prefix) {
      prefix = join(tempDir("sigla-notebooks-jupyter-"), "jupyter");
      const install = installKernel(prefix);
      assert.is(install.status, 0, install.stderr);
    }
    const output = join(dir, `${name}.ipynb`);
    const run = executeNotebook({
      prefix,
      cwd: NOTEBOOKS,
      input: `${name}.ipynb`,
      output,
      env: { SIGLA_HOME: join(dir, "home"), SIGLA_EMBEDDER: "use-lite" },
    });
    assert.is(run.status, 0, run.stderr);
    const cells = readCells(output);
    assertClean(cells, name);
    CHECKS[name](cells);
  });
}

test.run();
