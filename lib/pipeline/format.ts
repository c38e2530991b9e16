/**
 * The answer format (Iskra §3.1, step 9): an I-Loop line, the sections Summary, Structure, Reflection and
 * Steps, the citations with their evidence ids, and the ∆DΩΛ block — rendered by `formatAnswer` and read
 * back by `parseAnswer`, so `parseAnswer(formatAnswer(parts))` gives `parts` again (once normalised: text
 * trimmed, single-line fields with runs of whitespace collapsed, Ω rounded to two decimals).
 *
 * ```text
 * I-Loop: ISKRA/exploring/explain
 *
 * ## Summary
 * …
 *
 * ## Structure
 * - …
 *
 * ## Reflection
 * …
 *
 * ## Steps
 * 1. …
 *
 * ## Citations
 * - [evidence_id: ev:12] …
 *
 * ∆DΩΛ
 * Δ: what changed
 * D: evidence depth
 * Ω: 0.72
 * Λ: the next concrete step
 * ```
 */
import { InvalidInputError } from "../errors.js";
import {
  type Citation,
  type DeltaBlock,
  type EvidenceLayer,
  PHASES,
  type Phase,
  VOICES,
  type Voice,
} from "./types.js";

/**
 * A cited piece of evidence as the answer lists it: its id (`ev:<capsule id>`), the words quoted from it
 * and, when known, its provenance, rendered `{source · locator · layer}` before the words.
 */
export type CitationLine = Pick<Citation, "evidenceId" | "text"> &
  Partial<Pick<Citation, "layer" | "source" | "locator">>;

/** Everything an answer is made of; what `formatAnswer` takes and `parseAnswer` returns. */
export interface AnswerParts {
  voice: Voice;
  phase: Phase;
  /** What the user wants, in a few words (single line). */
  intent: string;
  /** Multi-line text. */
  summary: string;
  /** Single-line items, rendered as a bullet list. */
  structure: string[];
  /** Multi-line text. */
  reflection: string;
  /** Single-line items, rendered as a numbered list. */
  steps: string[];
  delta: DeltaBlock;
  /** Rendered as a list, omitted when empty. */
  citations: CitationLine[];
}

/** Prefix of the first line. */
export const I_LOOP_PREFIX = "I-Loop:";
/** Headings of the sections, in order (Citations only when there are any). */
export const HEADINGS = {
  summary: "## Summary",
  structure: "## Structure",
  reflection: "## Reflection",
  steps: "## Steps",
  citations: "## Citations",
} as const;
/** The line that opens the ∆DΩΛ block (∆ is U+2206; a Greek Δ, U+0394, is read back too). */
export const DELTA_MARKER = "\u2206DΩΛ";

const DELTA_MARKERS = new Set([DELTA_MARKER, "\u0394DΩΛ"]);
const RESERVED_LINES = new Set<string>([...Object.values(HEADINGS), ...DELTA_MARKERS]);
const EVIDENCE_ID = /^ev:[^\s\]]+$/;
const CITATION = /\[evidence_id:\s*(ev:[^\s\]]+)\]/g;

/** `[evidence_id: ev:12]`: how every citation names its evidence. */
export function citationTag(evidenceId: string): string {
  return `[evidence_id: ${evidenceId}]`;
}

function singleLine(value: unknown, what: string): string {
  if (typeof value !== "string") throw new InvalidInputError(`formatAnswer: ${what} must be a string`);
  return value.replace(/\s+/g, " ").trim();
}

function item(value: unknown, what: string): string {
  const text = singleLine(value, what);
  if (text === "") throw new InvalidInputError(`formatAnswer: ${what} is empty`);
  return text;
}

function multiLine(value: unknown, what: string): string {
  if (typeof value !== "string") throw new InvalidInputError(`formatAnswer: ${what} must be a string`);
  const text = value.replace(/\r\n?/g, "\n").trim();
  for (const line of text.split("\n")) {
    if (RESERVED_LINES.has(line.trim())) {
      throw new InvalidInputError(
        `formatAnswer: ${what} contains the line "${line.trim()}", which the format reserves for its own sections`,
      );
    }
  }
  return text;
}

function list(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new InvalidInputError(`formatAnswer: ${what} must be an array`);
  return value;
}

/**
 * Renders an answer: the I-Loop line `I-Loop: <voice>/<phase>/<intent>`, the sections Summary, Structure
 * (bullets), Reflection and Steps (numbered), Citations (`- [evidence_id: ev:12] quoted text`, when there
 * are any) and the ∆DΩΛ block (`Δ:`, `D:`, `Ω:` with two decimals, `Λ:`). Throws `InvalidInputError` for
 * an unknown voice or phase, an empty intent or list item, an evidence id not of the form `ev:<id>`, Ω
 * outside [0, 1], or a summary or reflection line that would read as one of the format's own headings.
 */
export function formatAnswer(parts: AnswerParts): string {
  if (typeof parts !== "object" || parts === null)
    throw new InvalidInputError("formatAnswer: input must be an object");
  if (!VOICES.includes(parts.voice)) {
    throw new InvalidInputError(
      `formatAnswer: unknown voice ${JSON.stringify(parts.voice)} (expected ${VOICES.join(", ")})`,
    );
  }
  if (!PHASES.includes(parts.phase)) {
    throw new InvalidInputError(
      `formatAnswer: unknown phase ${JSON.stringify(parts.phase)} (expected ${PHASES.join(", ")})`,
    );
  }
  const intent = item(parts.intent, "intent");
  const summary = multiLine(parts.summary, "summary");
  const reflection = multiLine(parts.reflection, "reflection");
  const structure = list(parts.structure, "structure").map((s, i) => item(s, `structure[${i}]`));
  const steps = list(parts.steps, "steps").map((s, i) => item(s, `steps[${i}]`));
  const citations = list(parts.citations, "citations").map((c, i) => {
    const citation = c as Citation;
    if (typeof citation !== "object" || citation === null) {
      throw new InvalidInputError(`formatAnswer: citations[${i}] must be an object`);
    }
    if (typeof citation.evidenceId !== "string" || !EVIDENCE_ID.test(citation.evidenceId)) {
      throw new InvalidInputError(
        `formatAnswer: citations[${i}] has evidence id ${JSON.stringify(citation.evidenceId)}, expected "ev:<id>"`,
      );
    }
    const line: CitationLine = {
      evidenceId: citation.evidenceId,
      text: singleLine(citation.text, `citations[${i}].text`),
    };
    for (const key of ["layer", "source", "locator"] as const) {
      const value = citation[key];
      if (value !== undefined) line[key] = singleLine(value, `citations[${i}].${key}`) as EvidenceLayer;
    }
    return line;
  });
  const delta = parts.delta;
  if (typeof delta !== "object" || delta === null)
    throw new InvalidInputError("formatAnswer: delta must be an object");
  if (
    typeof delta.omega !== "number" ||
    !Number.isFinite(delta.omega) ||
    delta.omega < 0 ||
    delta.omega > 1
  ) {
    throw new InvalidInputError(
      `formatAnswer: delta.omega must be a number in [0, 1], got ${String(delta.omega)}`,
    );
  }

  const lines = [`${I_LOOP_PREFIX} ${parts.voice}/${parts.phase}/${intent}`, ""];
  const section = (heading: string, body: string[]) => lines.push(heading, ...body, "");
  section(HEADINGS.summary, summary ? [summary] : []);
  section(
    HEADINGS.structure,
    structure.map((s) => `- ${s}`),
  );
  section(HEADINGS.reflection, reflection ? [reflection] : []);
  section(
    HEADINGS.steps,
    steps.map((s, i) => `${i + 1}. ${s}`),
  );
  if (citations.length > 0) {
    section(
      HEADINGS.citations,
      citations.map(
        (c) => `- ${[citationTag(c.evidenceId), provenance(c), c.text].filter(Boolean).join(" ")}`,
      ),
    );
  }
  lines.push(
    DELTA_MARKER,
    `Δ: ${singleLine(delta.delta, "delta.delta")}`.trimEnd(),
    `D: ${singleLine(delta.depth, "delta.depth")}`.trimEnd(),
    `Ω: ${delta.omega.toFixed(2)}`,
    `Λ: ${singleLine(delta.lambda, "delta.lambda")}`.trimEnd(),
  );
  return `${lines.join("\n")}\n`;
}

const NONE = "-";
const SEPARATOR = " · ";

/** `{source · locator · layer}` of a citation that has any of them, `-` for the missing ones. */
function provenance(c: CitationLine): string {
  if (c.source === undefined && c.locator === undefined && c.layer === undefined) return "";
  return `{${[c.source, c.locator, c.layer].map((v) => v || NONE).join(SEPARATOR)}}`;
}

function readProvenance(text: string): Partial<CitationLine> {
  const [source, locator, layer] = text.split(SEPARATOR).map((v) => v.trim());
  const out: Partial<CitationLine> = {};
  if (source && source !== NONE) out.source = source;
  if (locator && locator !== NONE) out.locator = locator;
  if (layer && layer !== NONE) out.layer = layer as EvidenceLayer;
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------------------

function fail(message: string): never {
  throw new InvalidInputError(`parseAnswer: ${message}`);
}

/** Index of the first line at or after `from` (and before `to`) that is exactly `heading`, or -1. */
function findLine(lines: string[], accepted: ReadonlySet<string>, from: number, to = lines.length): number {
  for (let i = from; i < to; i++) if (accepted.has(lines[i].trim())) return i;
  return -1;
}

function block(lines: string[], from: number, to: number): string {
  return lines.slice(from, to).join("\n").trim();
}

function listItems(lines: string[], from: number, to: number, what: string, marker: RegExp): string[] {
  const items: string[] = [];
  for (let i = from; i < to; i++) {
    const line = lines[i].trim();
    if (line === "") continue;
    const match = marker.exec(line);
    if (!match) fail(`line ${i + 1} of ${what} is not a list item: ${JSON.stringify(line)}`);
    items.push(match[1].trim());
  }
  return items;
}

/**
 * Reads an answer written by `formatAnswer` back into its parts. Tolerates CRLF line ends and blank lines
 * around sections; throws `InvalidInputError` naming the first missing or malformed part (no I-Loop line, a
 * missing section, a list line that is not an item, a missing ∆DΩΛ line, Ω not a number in [0, 1]).
 */
export function parseAnswer(text: string): AnswerParts {
  if (typeof text !== "string") fail(`text must be a string, got ${typeof text}`);
  const lines = text.replace(/\r\n?/g, "\n").split("\n");

  const first = lines.findIndex((line) => line.trim() !== "");
  if (first < 0) fail("the text is empty");
  const head = lines[first].trim();
  if (!head.startsWith(I_LOOP_PREFIX)) fail(`the first line is not an I-Loop line: ${JSON.stringify(head)}`);
  const [voice, phase, ...rest] = head.slice(I_LOOP_PREFIX.length).trim().split("/");
  const intent = rest.join("/").trim();
  if (!VOICES.includes(voice as Voice))
    fail(`the I-Loop line names an unknown voice ${JSON.stringify(voice)}`);
  if (!PHASES.includes(phase as Phase))
    fail(`the I-Loop line names an unknown phase ${JSON.stringify(phase)}`);
  if (intent === "") fail("the I-Loop line has no intent");

  const at = (heading: string, from: number, to?: number) => findLine(lines, new Set([heading]), from, to);
  const summaryAt = at(HEADINGS.summary, first + 1);
  if (summaryAt < 0) fail(`no "${HEADINGS.summary}" section`);
  const structureAt = at(HEADINGS.structure, summaryAt + 1);
  if (structureAt < 0) fail(`no "${HEADINGS.structure}" section after the summary`);
  const reflectionAt = at(HEADINGS.reflection, structureAt + 1);
  if (reflectionAt < 0) fail(`no "${HEADINGS.reflection}" section after the structure`);
  const stepsAt = at(HEADINGS.steps, reflectionAt + 1);
  if (stepsAt < 0) fail(`no "${HEADINGS.steps}" section after the reflection`);
  const deltaAt = findLine(lines, DELTA_MARKERS, stepsAt + 1);
  if (deltaAt < 0) fail(`no ${DELTA_MARKER} block after the steps`);
  const citationsAt = at(HEADINGS.citations, stepsAt + 1, deltaAt);
  const stepsEnd = citationsAt < 0 ? deltaAt : citationsAt;

  const citations =
    citationsAt < 0
      ? []
      : listItems(lines, citationsAt + 1, deltaAt, "the citations", /^-\s+(.*)$/).map((line) => {
          const match = /^\[evidence_id:\s*(ev:[^\s\]]+)\]\s*(?:\{([^}]*)\})?\s*(.*)$/.exec(line);
          if (!match) fail(`citation without an evidence id: ${JSON.stringify(line)}`);
          return {
            evidenceId: match[1],
            ...(match[2] !== undefined ? readProvenance(match[2]) : {}),
            text: match[3].trim(),
          };
        });

  const deltaLines = lines.slice(deltaAt + 1).map((line) => line.trim());
  const field = (symbols: string, name: string): string => {
    const line = deltaLines.find((l) => l.length > 1 && symbols.includes(l[0]) && l[1] === ":");
    if (line === undefined) fail(`the ${DELTA_MARKER} block has no ${name} line`);
    return line.slice(2).trim();
  };
  const omegaText = field("Ω", "Ω");
  const omega = Number(omegaText);
  if (!/^\d+(?:\.\d+)?$/.test(omegaText) || omega > 1)
    fail(`Ω is not a number in [0, 1]: ${JSON.stringify(omegaText)}`);

  return {
    voice: voice as Voice,
    phase: phase as Phase,
    intent,
    summary: block(lines, summaryAt + 1, structureAt),
    structure: listItems(lines, structureAt + 1, reflectionAt, "the structure", /^-\s+(.*)$/),
    reflection: block(lines, reflectionAt + 1, stepsAt),
    steps: listItems(lines, stepsAt + 1, stepsEnd, "the steps", /^\d+\.\s+(.*)$/),
    delta: { delta: field("Δ\u2206", "Δ"), depth: field("D", "D"), omega, lambda: field("Λ", "Λ") },
    citations,
  };
}

/** Every evidence id cited anywhere in a text (`[evidence_id: ev:12]`), each once, in order of first use. */
export function citedEvidenceIds(text: string): string[] {
  if (typeof text !== "string") throw new InvalidInputError("citedEvidenceIds: text must be a string");
  return [...new Set([...text.matchAll(CITATION)].map((m) => m[1]))];
}
