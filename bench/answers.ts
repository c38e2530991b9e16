/**
 * Answer quality on real documentation (issue 11): the SAP Fiori documents (`bench/datasets/fiori.ts`) written as
 * Markdown files and ingested into a fresh store the way a user ingests a folder (`lib/ingest`, default
 * embedder use-lite), then the questions of `bench/datasets/fiori-qa.json` asked through the pipeline, each in a
 * new session. Per question it records
 *
 * - found: the answering document among the first {@link TOP_K} pieces of evidence the pipeline's memory
 *   step retrieved (its trace event's `data.evidence`, in the pipeline's order; a document counts when any
 *   of its chunks is there);
 * - cited: the answering document among the evidence the answer cites (`TurnResult.citations`, each
 *   `ev:<capsule id>` traced to its capsule and the file it was ingested from);
 * - key stated: the question's key phrase in the answer's Summary (`containsKey`).
 *
 * Then it asks the 40 unrelated questions (`bench/datasets/unrelated-questions.json`), each in a new session of
 * the same store, and the Fiori questions again in new sessions ("after conversation"), so conversation held
 * in the store (the first pass's and the unrelated turns) has the chance to leak into the answers. Answers
 * citing any conversation record (a turn, a recap, a self-evaluation) are counted apart: a question about the
 * documents should cite none.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { oneLine } from "../lib/commands/text.js";
import type { Embedder, EmbedderSpec } from "../lib/embed/embedder.js";
import { BenchError, InvalidInputError, throwIfCancelled } from "../lib/errors.js";
import { ingest } from "../lib/ingest/ingest.js";
import { parseAnswer } from "../lib/pipeline/format.js";
import { Pipeline, type TurnResult } from "../lib/pipeline/pipeline.js";
import { CapsuleStore } from "../lib/store/capsule-store.js";
import { type FioriDocument, loadFiori } from "./datasets/fiori.js";
import {
  containsKey,
  type FioriQuestion,
  loadFioriQuestions,
  loadUnrelatedQuestions,
  type QuestionType,
  questionProblems,
  type UnrelatedQuestion,
} from "./datasets/fiori-qa.js";
import { type LatencySummary, machine, summarizeLatency } from "./measure.js";
import { table } from "./report.js";
import { checkWorkDir } from "./retrieval.js";

/** Retrieval's cut-off: the answering document must be among this many pieces of evidence. */
export const TOP_K = 5;

/** The issue's targets, each a share that must be reached. */
export const ANSWER_TARGETS = {
  citedWhenFound: {
    min: 0.9,
    what: "share of the questions whose document retrieval found (top 5) whose answer cites that document",
  },
  keyStated: { min: 0.75, what: "share of all questions whose answer's Summary states the key phrase" },
} as const;

/** What a retrieved or cited piece of evidence was: a document's id, or one of these. */
export const CONVERSATION = "(conversation)";
export const OTHER = "(other)";

/** Evidence layers that are the conversation (the store's turns before the split, its own store after). */
const CONVERSATION_LAYERS = new Set(["turn", "conversation"]);

export type AnswerPhase = "documents" | "ingest" | "before" | "unrelated" | "after";

/** Options of {@link runAnswerQuality}. */
export interface AnswerQualityOptions {
  /**
   * Folder of the run: must be missing or empty. The documents go to `documents/` as Markdown files and the
   * store to `store/`; both are left there, the store closed.
   */
  workDir: string;
  /** Documents stored: the first `size` records (default all 778). */
  size?: number;
  /**
   * Questions asked (default: those of `bench/datasets/fiori-qa.json` whose document is among the stored ones).
   * Given explicitly, each one's document must be stored.
   */
  questions?: readonly FioriQuestion[];
  /** Unrelated questions asked between the two passes (default: all of `bench/datasets/unrelated-questions.json`). */
  unrelated?: readonly UnrelatedQuestion[];
  /** Embedder of the store (default `use-lite`, the offline one). */
  embedder?: EmbedderSpec | Embedder;
  signal?: AbortSignal;
  /** `documents`: files written; `ingest`: files ingested; the rest: questions asked in that pass. */
  onProgress?: (progress: { phase: AnswerPhase; done: number; total: number }) => void;
}

/** One Fiori question asked once. */
export interface AnswerRecord {
  id: string;
  question: string;
  type: QuestionType;
  doc: string;
  key: string;
  /** What the first {@link TOP_K} pieces of evidence of the memory step were, in its order. */
  retrieved: string[];
  found: boolean;
  /** 1-based rank of the answering document's first chunk among them, or null. */
  rank: number | null;
  /** Every document the answer cites, each once. */
  citedDocs: string[];
  cited: boolean;
  /** Evidence ids of the conversation records the answer cites. */
  citedConversation: string[];
  /** Evidence ids cited that are neither a document nor the conversation. */
  citedOther: string[];
  keyStated: boolean;
  summary: string;
  /** Milliseconds of `pipeline.ask`. */
  ms: number;
}

/** One unrelated question asked. */
export interface UnrelatedRecord {
  id: string;
  topic: string;
  question: string;
  citedDocs: string[];
  citedConversation: string[];
  summary: string;
  ms: number;
}

/** The rates of one pass over the Fiori questions, each a share in [0, 1]. */
export interface PassScore {
  questions: number;
  /** Answering document in retrieval's top {@link TOP_K}. */
  found: number;
  /** Of the questions whose document was found, the share whose answer cites it (null when none was found). */
  citedWhenFound: number | null;
  /** Answer cites the answering document (found or not). */
  cited: number;
  /** Summary states the key phrase. */
  keyStated: number;
  /** Answer cites any conversation record. */
  citesConversation: number;
  /** Answer cites nothing at all. */
  citesNothing: number;
}

export interface AnswerPass {
  score: PassScore;
  records: AnswerRecord[];
}

/** One target on one pass. */
export interface AnswerTarget {
  name: keyof typeof ANSWER_TARGETS;
  pass: "before" | "after";
  what: string;
  value: number | null;
  min: number;
  met: boolean;
}

/** What {@link runAnswerQuality} measured. */
export interface AnswerQualityReport {
  benchmark: "answers";
  createdAt: string;
  machine: Record<string, unknown>;
  dataset: {
    name: "fiori-docs-embeddings";
    documents: number;
    /** Chunks ingest made of them. */
    capsules: number;
    questions: number;
    unrelated: number;
  };
  embedder: string;
  topK: number;
  ingestMs: number;
  before: AnswerPass;
  unrelated: {
    records: UnrelatedRecord[];
    /** Share of the unrelated answers that cite a document. */
    citesDocuments: number;
    /** Share of the unrelated answers that cite a conversation record. */
    citesConversation: number;
  };
  after: AnswerPass;
  targets: AnswerTarget[];
  /** Every turn of the run (both passes and the unrelated questions). */
  latency: LatencySummary;
  /** Milliseconds of the whole run. */
  ms: number;
  notes: string[];
}

/** What the harness reads of a turn: the formatted answer, the citations and the trace (and the Summary alone, when the pipeline gives it). */
type Turn = Pick<TurnResult, "answer" | "trace"> & {
  summary?: string;
  citations: ReadonlyArray<{ evidenceId: string; layer?: string }>;
};

/** A piece of evidence as the memory step's trace lists it. */
interface Retrieved {
  id: string;
  layer?: string;
}

/** The memory step's evidence list, in its order. */
export function retrievedEvidence(turn: Pick<Turn, "trace">): Retrieved[] {
  const event = turn.trace.find((e) => e.step === "memory" && e.status === "end");
  const list = event?.data.evidence;
  if (!Array.isArray(list)) {
    throw new BenchError("the memory step's trace event has no evidence list to read retrieval from");
  }
  return list.flatMap((item: unknown): Retrieved[] => {
    if (typeof item === "string") return [{ id: item }];
    const { id, layer } = (item ?? {}) as { id?: unknown; layer?: unknown };
    return typeof id === "string" ? [{ id, ...(typeof layer === "string" ? { layer } : {}) }] : [];
  });
}

/** The answer's Summary: the pipeline's own field when it has one, else read out of the formatted answer. */
export function summaryOf(turn: Pick<Turn, "answer" | "summary">): string {
  return turn.summary ?? parseAnswer(turn.answer).summary;
}

/** Shares of a pass's records (see {@link PassScore}). */
export function scorePass(records: readonly AnswerRecord[]): PassScore {
  const n = records.length;
  const count = (test: (r: AnswerRecord) => boolean) => records.filter(test).length;
  const rateOf = (test: (r: AnswerRecord) => boolean) => (n === 0 ? 0 : count(test) / n);
  const found = count((r) => r.found);
  const citations = (r: AnswerRecord) =>
    r.citedDocs.length + r.citedConversation.length + r.citedOther.length;
  return {
    questions: n,
    found: rateOf((r) => r.found),
    citedWhenFound: found === 0 ? null : count((r) => r.found && r.cited) / found,
    cited: rateOf((r) => r.cited),
    keyStated: rateOf((r) => r.keyStated),
    citesConversation: rateOf((r) => r.citedConversation.length > 0),
    citesNothing: rateOf((r) => citations(r) === 0),
  };
}

/** The issue's targets on both passes. */
export function answerTargets(before: PassScore, after: PassScore): AnswerTarget[] {
  return (["before", "after"] as const).flatMap((pass) =>
    (Object.keys(ANSWER_TARGETS) as Array<keyof typeof ANSWER_TARGETS>).map((name) => {
      const value = (pass === "before" ? before : after)[name];
      const { min, what } = ANSWER_TARGETS[name];
      return { name, pass, what, value, min, met: value !== null && value >= min };
    }),
  );
}

/** Tells what each piece of evidence came from: a document (by the file its capsule was ingested from), the conversation, or something else. */
class Origins {
  private readonly known = new Map<string, string>();

  constructor(
    private readonly store: CapsuleStore,
    /** Absolute path of each document's file → the document's id. */
    private readonly docOfFile: ReadonlyMap<string, string>,
  ) {}

  async of(evidenceId: string, layer?: string): Promise<string> {
    if (layer !== undefined && CONVERSATION_LAYERS.has(layer)) return CONVERSATION;
    const cached = this.known.get(evidenceId);
    if (cached !== undefined) return cached;
    // `ev:<id>` names a capsule of the store; any other form is not one of its capsules.
    const match = /^ev:(\d+)$/.exec(evidenceId);
    const capsule = match ? await this.store.get(Number(match[1])) : undefined;
    let origin = OTHER;
    if (capsule) {
      const file = capsule.source ?? (capsule.meta.source as { file?: unknown } | undefined)?.file;
      const doc = typeof file === "string" ? this.docOfFile.get(resolve(file)) : undefined;
      const conversation =
        capsule.meta.kind === "turn" || capsule.tags.some((t) => t === "turn" || t.startsWith("session:"));
      origin = doc ?? (conversation ? CONVERSATION : OTHER);
    }
    this.known.set(evidenceId, origin);
    return origin;
  }

  /** The cited evidence sorted by origin: documents (each once), conversation ids, other ids. */
  async cited(turn: Turn, layers: ReadonlyMap<string, string | undefined>) {
    const docs = new Set<string>();
    const conversation: string[] = [];
    const other: string[] = [];
    for (const c of turn.citations) {
      const origin = await this.of(c.evidenceId, c.layer ?? layers.get(c.evidenceId));
      if (origin === CONVERSATION) conversation.push(c.evidenceId);
      else if (origin === OTHER) other.push(c.evidenceId);
      else docs.add(origin);
    }
    return { docs: [...docs], conversation, other };
  }
}

/** Writes each document as `<id>.md` (its title as the heading, then its text); returns file → document id. */
async function writeDocuments(
  documents: readonly FioriDocument[],
  dir: string,
  onWritten: (done: number) => void,
): Promise<Map<string, string>> {
  await mkdir(dir, { recursive: true });
  const docOfFile = new Map<string, string>();
  for (const [i, doc] of documents.entries()) {
    const file = resolve(dir, `${encodeURIComponent(doc.id)}.md`);
    await writeFile(file, `# ${doc.title}\n\n${doc.text}\n`);
    docOfFile.set(file, doc.id);
    onWritten(i + 1);
  }
  return docOfFile;
}

/** The questions to ask: checked against the stored documents. */
function chooseQuestions(
  options: AnswerQualityOptions,
  documents: readonly FioriDocument[],
): FioriQuestion[] {
  const stored = new Set(documents.map((d) => d.id));
  const questions = options.questions
    ? [...options.questions]
    : loadFioriQuestions().filter((q) => stored.has(q.doc));
  if (questions.length === 0)
    throw new InvalidInputError("no question's document is among the stored documents");
  const problems = questionProblems(questions, documents);
  if (problems.length > 0) {
    throw new InvalidInputError(
      `questions do not fit the stored documents: ${problems.slice(0, 5).join("; ")}`,
    );
  }
  return questions;
}

const NOTES = [
  "Each document is written as a Markdown file (`# <title>`, a blank line, its text) and the folder is ingested " +
    "with lib/ingest as `sigla ingest` does (1024-character chunks, 200 overlap; each chunk's source is its file), " +
    "into a store with the default index policy and auto-linking.",
  `Found: the answering document has a chunk among the first ${TOP_K} pieces of evidence of the pipeline's memory ` +
    "step (its trace event's evidence list, in the pipeline's order, conversation included). Cited: a citation " +
    "of the answer (ev:<capsule id>) is a chunk of the answering document. Key stated: the key phrase occurs in the " +
    "answer's Summary, ignoring case, whitespace runs and markdown marks.",
  "Every question is asked in a new session. Between the two passes the 40 unrelated questions are asked, each in " +
    "a new session of the same store; in the second pass the store also holds the first pass's turns.",
  "Conversation: evidence of the layer turn or conversation, or a capsule tagged with a session (turns, recaps, " +
    "self-evaluations, drafts). A question about the documents should cite none.",
  "The pipeline runs without an LLM runner (the offline answerer), with the default 8K context window. Latency is " +
    "the wall time of pipeline.ask, storing the turn included, over every turn of the run.",
];

/** Asks every question through `pipeline`: the Fiori questions, the unrelated ones, the Fiori questions again. */
async function askAll(
  pipeline: Pipeline,
  origins: Origins,
  questions: readonly FioriQuestion[],
  unrelated: readonly UnrelatedQuestion[],
  options: AnswerQualityOptions,
) {
  const { signal, onProgress } = options;
  const times: number[] = [];
  const started = performance.now();
  const ask = async (session: string, message: string) => {
    throwIfCancelled(signal, "answer quality run");
    const open = await pipeline.session(session);
    const t = performance.now();
    const turn: Turn = await pipeline.ask(open, message, { signal });
    const ms = performance.now() - t;
    times.push(ms);
    const evidence = retrievedEvidence(turn);
    const cited = await origins.cited(turn, new Map(evidence.map((e) => [e.id, e.layer])));
    return { ms, evidence, cited, summary: summaryOf(turn) };
  };

  const pass = async (phase: "before" | "after"): Promise<AnswerPass> => {
    const records: AnswerRecord[] = [];
    for (const q of questions) {
      const { ms, evidence, cited, summary } = await ask(`qa-${phase}-${q.id}`, q.question);
      const retrieved: string[] = [];
      for (const e of evidence.slice(0, TOP_K)) retrieved.push(await origins.of(e.id, e.layer));
      const at = retrieved.indexOf(q.doc);
      records.push({
        ...q,
        retrieved,
        found: at >= 0,
        rank: at >= 0 ? at + 1 : null,
        citedDocs: cited.docs,
        cited: cited.docs.includes(q.doc),
        citedConversation: cited.conversation,
        citedOther: cited.other,
        keyStated: containsKey(summary, q.key),
        summary,
        ms,
      });
      onProgress?.({ phase, done: records.length, total: questions.length });
    }
    return { score: scorePass(records), records };
  };

  const before = await pass("before");
  const between: UnrelatedRecord[] = [];
  for (const u of unrelated) {
    const { ms, cited, summary } = await ask(`qa-unrelated-${u.id}`, u.question);
    between.push({ ...u, citedDocs: cited.docs, citedConversation: cited.conversation, summary, ms });
    onProgress?.({ phase: "unrelated", done: between.length, total: unrelated.length });
  }
  const after = await pass("after");
  const share = (test: (r: UnrelatedRecord) => boolean) =>
    between.length === 0 ? 0 : between.filter(test).length / between.length;
  return {
    before,
    unrelated: {
      records: between,
      citesDocuments: share((r) => r.citedDocs.length > 0),
      citesConversation: share((r) => r.citedConversation.length > 0),
    },
    after,
    latency: summarizeLatency(times, performance.now() - started),
  };
}

/**
 * Builds the store at `workDir` from the Fiori documents, asks the Fiori questions (each in a new session),
 * the unrelated questions, and the Fiori questions again, and scores retrieval, citations and the Summary.
 *
 * @throws InvalidInputError for a bad `size`, a `workDir` that is not missing or empty, or questions whose
 *   document is not stored or does not hold their key.
 * @throws BenchError when a document cannot be ingested or a turn's trace has no memory evidence.
 * @throws CancelledError when `signal` aborts (IngestCancelledError while the documents are ingested).
 */
export async function runAnswerQuality(options: AnswerQualityOptions): Promise<AnswerQualityReport> {
  const started = performance.now();
  const { signal, onProgress } = options;
  if (typeof options.workDir !== "string" || options.workDir.trim() === "") {
    throw new InvalidInputError("workDir must name a folder for the documents and the store");
  }
  const { documents } = await loadFiori({ size: options.size });
  const questions = chooseQuestions(options, documents);
  const unrelated = [...(options.unrelated ?? loadUnrelatedQuestions())];
  const dir = resolve(options.workDir);
  await checkWorkDir(dir);

  const docOfFile = await writeDocuments(documents, join(dir, "documents"), (done) =>
    onProgress?.({ phase: "documents", done, total: documents.length }),
  );
  const store = await CapsuleStore.open(join(dir, "store"), { embedder: options.embedder ?? "use-lite" });
  try {
    const t0 = performance.now();
    const ingested = await ingest(store, [join(dir, "documents")], {
      signal,
      onProgress: (p) =>
        p.phase === "read" && onProgress?.({ phase: "ingest", done: p.done, total: p.total }),
    });
    const ingestMs = performance.now() - t0;
    if (ingested.skipped.length > 0) {
      const first = ingested.skipped[0];
      throw new BenchError(
        `ingest skipped ${ingested.skipped.length} documents, first ${first.path}: ${first.reason}`,
      );
    }
    const pipeline = await Pipeline.open(store);
    let asked: Awaited<ReturnType<typeof askAll>>;
    try {
      asked = await askAll(pipeline, new Origins(store, docOfFile), questions, unrelated, options);
    } finally {
      await pipeline.close();
    }
    return {
      benchmark: "answers",
      createdAt: new Date().toISOString(),
      machine: machine(),
      dataset: {
        name: "fiori-docs-embeddings",
        documents: documents.length,
        capsules: ingested.ids.length,
        questions: questions.length,
        unrelated: unrelated.length,
      },
      embedder: store.embedder.id,
      topK: TOP_K,
      ingestMs,
      ...asked,
      targets: answerTargets(asked.before.score, asked.after.score),
      ms: performance.now() - started,
      notes: NOTES,
    };
  } finally {
    await store.close();
  }
}

// ---------------------------------------------------------------------------------------------------------
// Markdown
// ---------------------------------------------------------------------------------------------------------

const rate = (value: number | null, n?: number) =>
  value === null ? "–" : `${value.toFixed(2)}${n === undefined ? "" : ` (${Math.round(value * n)}/${n})`}`;
const yes = (ok: boolean) => (ok ? "yes" : "no");
/** A table cell: one line, no column separators. */
const cell = (text: string, max = 120) => oneLine(text.replace(/\|/g, "\\|"), max);

/** The report as a short Markdown page: the rates and targets, then one row per question, then the misses. */
export function answersMarkdown(report: AnswerQualityReport): string {
  const d = report.dataset;
  const cpu = `${String(report.machine.cpu ?? "unknown")}, ${String(report.machine.cores ?? "?")} cores`;
  const passRow = (name: string, s: PassScore) => {
    const found = Math.round(s.found * s.questions);
    return [
      name,
      String(s.questions),
      rate(s.found, s.questions),
      rate(s.citedWhenFound, found || undefined),
      rate(s.cited, s.questions),
      rate(s.keyStated, s.questions),
      rate(s.citesConversation, s.questions),
      rate(s.citesNothing, s.questions),
    ];
  };
  const rates = table(
    [
      "pass",
      "questions",
      `document in top ${report.topK}`,
      "document cited when found",
      "document cited",
      "key in Summary",
      "cites conversation",
      "cites nothing",
    ],
    [passRow("first", report.before.score), passRow("after conversation", report.after.score)],
  );
  const targets = table(
    ["target", "pass", "value", "must be at least", "met", "what"],
    report.targets.map((t) => [
      t.name,
      t.pass === "before" ? "first" : "after conversation",
      rate(t.value),
      t.min.toFixed(2),
      yes(t.met),
      t.what,
    ]),
  );
  const after = new Map(report.after.records.map((r) => [r.id, r]));
  const mark = (r: AnswerRecord | undefined) =>
    r ? [r.rank === null ? "no" : `#${r.rank}`, yes(r.cited), yes(r.keyStated)] : ["–", "–", "–"];
  const perQuestion = table(
    ["id", "question", "type", "found", "cited", "key", "found after", "cited after", "key after"],
    report.before.records.map((r) => [
      r.id,
      cell(r.question, 90),
      r.type,
      ...mark(r),
      ...mark(after.get(r.id)),
    ]),
  );
  const misses = report.before.records
    .filter((r) => !r.keyStated)
    .map((r) => `- **${r.id}** (key "${r.key}"): ${cell(r.summary, 200) || "(empty)"}`);
  const lat = report.latency;
  return `${[
    "# Answer quality",
    `Measured ${report.createdAt.slice(0, 10)} on ${cpu} with \`npm run report:answers\` (${(report.ms / 60_000).toFixed(1)} min): ` +
      `${d.documents} SAP Fiori documents (\`@sap-ux/fiori-docs-embeddings\`) ingested as Markdown files into ` +
      `${d.capsules} capsules with the ${report.embedder} embedder in ${(report.ingestMs / 1000).toFixed(0)} s; ` +
      `${d.questions} questions (\`bench/datasets/fiori-qa.json\`) asked in new sessions, then ${d.unrelated} unrelated ` +
      "questions, then the same questions again (after conversation).",
    rates,
    targets,
    `Turn latency over ${lat.count} turns: p50 ${lat.p50.toFixed(0)} ms, p99 ${lat.p99.toFixed(0)} ms. ` +
      `Unrelated questions: ${rate(report.unrelated.citesDocuments, d.unrelated)} of the answers cite a document, ` +
      `${rate(report.unrelated.citesConversation, d.unrelated)} cite the conversation.`,
    "## Per question",
    "Found: the answering document's rank in the top 5 of retrieval (no: not there); cited: the answer cites it; key: the Summary states the key phrase.",
    perQuestion,
    "## First-pass answers without the key",
    misses.length > 0 ? misses.join("\n") : "None.",
    "## How it is measured",
    report.notes.map((n) => `- ${n}`).join("\n"),
  ].join("\n\n")}\n`;
}
