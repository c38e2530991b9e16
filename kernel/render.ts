/**
 * How the kernel shows a command result: a Jupyter MIME bundle with an HTML table (or, for a chart, the
 * Vega-Lite spec and its PNG) and the same text the REPL prints as `text/plain`. Pure: data in, bundle out.
 */
import { Marked } from "marked";
import { headlineRows, headlineSystems, targetRows, targetsOf } from "../bench/report.js";
import type {
  BenchReportResult,
  BenchResult,
  BenchRetrievalResult,
  CapsuleHit,
  CommandResult,
  CommandSpec,
  MemoryResult,
  TraceEvent,
  TurnResult,
} from "../lib/index.js";
import {
  answeredBy,
  answerText,
  COMMANDS,
  metricsLine,
  notebookBundle,
  PARTIAL_NOTE,
  quickBenchRows,
  resultLines,
  shortPath,
  skippedLine,
  traceLine,
} from "../lib/index.js";

export { VEGA_LITE_MIME } from "../lib/index.js";

/** One display_data output: MIME type → data (strings, or a JSON object for Vega-Lite). */
export type MimeBundle = Record<string, unknown>;

/** The workbench commands that are magics (`:quit` is the REPL's own). */
export const MAGIC_COMMANDS: readonly CommandSpec[] = COMMANDS.filter((c) => c.name !== "quit");

/** A command's usage written as a magic: `%query "<text>" …` for `:query "<text>" …`. */
export function magicUsage(usage: string): string {
  return usage.replace(/(^|[\s(|])[:]([a-z]+)\b/g, "$1%$2");
}

/** Escapes text for HTML. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** An HTML table; cells are escaped text. */
export function htmlTable(
  head: readonly string[],
  rows: readonly (readonly unknown[])[],
  caption = "",
): string {
  const cell = (tag: string, value: unknown) => `<${tag}>${escapeHtml(String(value ?? ""))}</${tag}>`;
  return [
    '<table class="sigla">',
    caption ? `<caption>${escapeHtml(caption)}</caption>` : "",
    `<thead><tr>${head.map((h) => cell("th", h)).join("")}</tr></thead>`,
    `<tbody>${rows.map((r) => `<tr>${r.map((v) => cell("td", v)).join("")}</tr>`).join("")}</tbody>`,
    "</table>",
  ].join("");
}

const pre = (text: string) => `<pre>${escapeHtml(text)}</pre>`;

function hitsTable(hits: readonly CapsuleHit[], caption = ""): string {
  return htmlTable(
    ["id", "score", "text", "tags"],
    hits.map((h) => [h.id, h.score.toFixed(4), h.text, h.tags.join(", ")]),
    caption,
  );
}

/** A trace as a table: step, ms, summary; a step that started and has not ended yet shows as running. */
export function traceTable(events: readonly TraceEvent[], caption = ""): string {
  const ended = new Set(events.filter((e) => e.status === "end").map((e) => e.index));
  return htmlTable(
    ["#", "step", "ms", "summary"],
    events
      .filter((e) => e.status === "end" || !ended.has(e.index))
      .map((e) =>
        e.status === "end"
          ? [e.index, e.step, e.ms.toFixed(1), e.summary]
          : [e.index, e.step, "…", "running"],
      ),
    caption,
  );
}

/**
 * What `%ask` shows while the pipeline runs: the trace so far and, once a model writes, its text so far;
 * redrawn in place after every event and as the text grows.
 */
export function askProgressBundle(message: string, events: readonly TraceEvent[], written = ""): MimeBundle {
  const done = events.filter((e) => e.status === "end");
  const running = events.findLast((e) => e.status === "start" && !done.some((d) => d.index === e.index));
  const caption = `asking: ${message} · ${done.length}/10 steps${running ? ` · ${running.step}…` : ""}`;
  const text = [caption, ...done.map(traceLine), ...(written ? ["", "the model is writing:", written] : [])];
  const html = traceTable(events, caption) + (written ? `<p>the model is writing:</p>${pre(written)}` : "");
  return { "text/plain": text.join("\n"), "text/html": html };
}

/** An answer's citations with their provenance: evidence id, file or ref, place, layer, sentence. */
function citationsTable(citations: TurnResult["citations"]): string {
  if (citations.length === 0) return "";
  return htmlTable(
    ["evidence", "source", "where", "layer", "sentence"],
    citations.map((c) => [
      c.evidenceId,
      c.source ? shortPath(c.source) : "",
      c.locator ?? "",
      c.layer,
      c.text,
    ]),
    "citations",
  );
}

/** The `%help` table: every magic's usage and summary. */
export function helpBundle(commands: readonly CommandSpec[] = MAGIC_COMMANDS): MimeBundle {
  const text = [
    "SIGLA magics (a line starting with %; each is also a function: siglaMagics.query(…)):",
    ...commands.map((c) => `  ${magicUsage(c.usage)}\n      ${c.summary}`),
  ].join("\n");
  const html = htmlTable(
    ["magic", "what it does"],
    commands.map((c) => [magicUsage(c.usage), c.summary]),
    "SIGLA magics",
  );
  return { "text/plain": text, "text/html": html };
}

/** Markdown with raw HTML escaped: an answer quotes documents, and a quoted tag must show, not run. */
const markdown = new Marked({ renderer: { html: ({ text }) => escapeHtml(text) } });

/** The answer's Markdown (`## Summary`, lists, code) as HTML, the way a notebook shows Markdown. */
export function markdownHtml(text: string): string {
  return `<div class="sigla-answer">${markdown.parse(text, { async: false })}</div>`;
}

/** HTML for a result (undefined for charts and help, which have their own bundles). */
function resultHtml(result: CommandResult): string {
  switch (result.kind) {
    case "store": {
      const s = result.stats;
      return htmlTable(
        ["path", "capsules", "dim", "embedder", "index", "links", "version", "MB"],
        [
          [
            s.path,
            s.count,
            s.dim,
            result.embedder,
            `${s.indexKind} (${s.indexPolicy})`,
            s.links,
            s.tableVersion,
            (s.diskBytes / 1e6).toFixed(1),
          ],
        ],
        result.opened ? "opened" : "store",
      );
    }
    case "ingest": {
      const r = result.report;
      return [
        htmlTable(
          ["files", "added", "unchanged", "replaced", "skipped", "store holds"],
          [[r.files, r.ids.length, r.unchanged, r.replaced, r.skipped.length, result.count]],
          "ingest",
        ),
        r.skipped.length ? pre(r.skipped.map(skippedLine).join("\n")) : "",
      ].join("");
    }
    case "query":
      return hitsTable(result.hits, `${result.mode}: ${result.text}`);
    case "dsl": {
      const { hits, prompt, steps } = result.result;
      return [
        hitsTable(hits, "hits"),
        htmlTable(
          ["op", "ms", "count"],
          steps.map((s) => [s.op, s.ms, s.count]),
          "steps",
        ),
        prompt ? pre(prompt) : "",
      ].join("");
    }
    case "ask": {
      const t = result.turn;
      return [
        markdownHtml(answerText(t)),
        t.partial ? `<p><b>${escapeHtml(PARTIAL_NOTE)}</b></p>` : "",
        citationsTable(t.citations),
        `<p>${escapeHtml(`${metricsLine(t.metrics)}  voice ${t.voice}  phase ${t.phase}  mode ${t.mode}  ${answeredBy(t.by)}`)}</p>`,
        traceTable(t.trace, `trace of turn ${t.turn} (session ${t.session})`),
      ].join("");
    }
    case "trace":
      return traceTable(result.events, `trace of turn ${result.turn}`);
    case "bench":
    case "bench-report":
    case "bench-retrieval":
      return benchHtml(result);
    case "memory":
      return memoryHtml(result);
    default:
      return pre(resultLines(result).join("\n"));
  }
}

/** HTML for a benchmark: the quick table, a harness report's headline and targets, or retrieval quality. */
function benchHtml(result: BenchResult | BenchReportResult | BenchRetrievalResult): string {
  switch (result.kind) {
    case "bench": {
      const t = quickBenchRows(result.result);
      const { size, queries, k } = result.result;
      return htmlTable(t.head, t.rows, `${size} vectors, ${queries} queries, recall@${k}`);
    }
    case "bench-report": {
      const { report } = result;
      const t = headlineRows(headlineSystems(report));
      const targets = targetRows(targetsOf(report));
      return [
        htmlTable(t.head, t.rows, `${report.suite}: median of ${report.settings.reps} runs (min–max)`),
        htmlTable(targets.head, targets.rows, "targets"),
      ].join("");
    }
    case "bench-retrieval": {
      const r = result.report;
      return htmlTable(
        ["mode", `MRR@${r.k}`, `recall@${r.k}`, "ms per query"],
        r.modes.map((m) => [
          m.mode,
          m.mrr.median.toFixed(3),
          m.recall.median.toFixed(3),
          m.meanMs.median.toFixed(2),
        ]),
        `retrieval: ${r.dataset.documents} documents, ${r.dataset.queries} queries, ${r.dataset.embedder}`,
      );
    }
  }
}

/** HTML for a memory view: counts, communities or the listed nodes. */
function memoryHtml(result: MemoryResult): string {
  if (result.counts) {
    const c = result.counts;
    return htmlTable(
      ["capsules", "archive", "shadow", "growth", "due for review", "version"],
      [[c.capsules, c.archive, c.shadow, c.growth, c.review, c.version]],
      "memory",
    );
  }
  if (result.communities) {
    return htmlTable(
      ["community", "about", "members", "first members"],
      result.communities.map((c) => [
        c.index,
        (c.terms ?? []).join(", "),
        c.members.length,
        c.members.slice(0, 12).join(" "),
      ]),
      "communities",
    );
  }
  return htmlTable(
    ["id", "layer", "level", "kind", "title", "note"],
    (result.rows ?? []).map((r) => [r.id, r.layer, r.level, r.kind, r.title, r.note ?? ""]),
    result.view,
  );
}

/**
 * The bundle of a result. A chart gets its Vega-Lite spec (as a JSON object), its PNG (base64, as
 * Jupyter wants image data) and its terminal drawing as text; everything else an HTML table and text.
 */
export function resultBundle(result: CommandResult, png?: Uint8Array): MimeBundle {
  if (result.kind === "help") return helpBundle(result.detail ? [result.detail] : MAGIC_COMMANDS);
  const text = resultLines(result).join("\n");
  if (result.kind === "chart") return { ...notebookBundle(result.chart.spec, png), "text/plain": text };
  return { "text/plain": text, "text/html": resultHtml(result) };
}
