/**
 * The offline answer composer: answers from the evidence by quoting its best sentences whole, answer first.
 * Every sentence of every piece of evidence is a candidate (`splitSentences`), scored by meaning (cosine of
 * its embedding to the question's, one batched embed call), by words (BM25 over the candidate pool), by the
 * rank and score of its evidence, by the heading it sits under, and by how well its form fits the question
 * type (a definition's "X is …", a value's number or default, a list's enumeration, a how-to's numbered
 * steps). The single best sentence comes first (after "Yes."/"No."/"It depends." for a yes/no question the
 * evidence settles); a list or how-to brings its whole list, or the sentences a count announces ("three
 * layers"), in the document's order; deep or debate mode adds a few supporting sentences that say
 * something new. Text the embedder cannot read (Russian for use-lite) is scored by its words alone.
 * Sentences are never cut: the summary's ~900-character cap drops whole ones.
 */
import { dot } from "../embed/embedder.js";
import { DimensionMismatchError, InvalidInputError, throwIfCancelled } from "../errors.js";
import { citationTag } from "../pipeline/format.js";
import { attributeOf, isRussian, questionType, subjectOf, wordPattern } from "./question-type.js";
import { splitSentences, type TextUnit } from "./split.js";
import { bm25, terms } from "./terms.js";
import type { ComposedAnswer, ComposeInput, QuestionType, UsedSentence } from "./types.js";

/** The summary stops taking sentences past this many characters (the first one always goes in). */
export const SUMMARY_MAX_CHARS = 900;
/** Candidates embedded at most; a larger pool keeps the best by words and evidence rank. */
export const MAX_CANDIDATES = 100;
/** A supporting sentence must score at least this share of the answer's. */
export const SUPPORT_SHARE = 0.6;
/** In fast mode another type takes supporting sentences scoring at least this share of the answer's. */
const FAST_SUPPORT_SHARE = 0.75;
/** Supporting sentences a fast answer of another type takes at most. */
const SUPPORT_FAST = 2;
/** In fast mode a list or how-to takes supporting sentences only of at least this form score. */
const SUPPORT_FORM = 0.4;
/** Supporting sentences in deep and debate mode. */
const SUPPORT_DEEP = 3;
/** An item of a list scoring at least this share of the best sentence brings its list into the answer. */
const LIST_SHARE = 0.8;
/** Items of one list a steps or list answer quotes at most. */
const LIST_ITEMS_MAX = 8;

/** Signal weights. A sentence the embedder cannot read puts the cosine's weight on its words instead. */
const WEIGHTS = { cosine: 0.4, words: 0.35, evidence: 0.15, form: 0.25, section: 0.1 } as const;
/**
 * Embedders trained on many languages. use-lite and MiniLM read English only: on Russian, use-lite gives an
 * unrelated sentence the same cosine (≈ 0.88) as a paraphrase, and tokenizes it three times slower, so such
 * text is not embedded at all.
 */
const MULTILINGUAL = /multilingual|labse|bge-m3|\be5\b|e5-|xlm|distiluse/i;
/** A letter outside the Latin script. */
const NON_LATIN = /[^\p{Script=Latin}\P{L}]/u;

interface Candidate extends TextUnit {
  evidence: number;
  terms: string[];
  /** Share of the question's terms in the heading above the unit or the evidence title. */
  section: number;
  /** Starts or ends where its chunk was cut, so it is probably half a sentence. */
  fragment: boolean;
  cosine: number;
  words: number;
  form: number;
  score: number;
  vector?: Float32Array;
}

/** Attributes whose value is a number. */
const NUMERIC_ATTRIBUTE =
  /^(?:version|port|size|timeout|length|count|number|limit|width|maximum|minimum|max|min|threshold|interval|dimension|capacity|rate|порт\p{L}*|размер\p{L}*|верси\p{L}*|таймаут\p{L}*|лимит\p{L}*|порог\p{L}*|максимальн\p{L}*|минимальн\p{L}*)$/u;
/** A number, not the digit of a name ("SAPUI5", "v2"). */
const NUMBER = /(?<![\p{L}_])\d/u;
const UNIT = wordPattern(
  String.raw`\d\s*(ms|s|sec|seconds?|minutes?|hours?|kb|mb|gb|tb|kib|mib|gib|bytes?|characters?|chars|tokens?|%|px|d|dimensions?|partitions?|rows?|capsules?|files?|мс|сек|секунд\p{L}*|минут\p{L}*|символ\p{L}*|байт\p{L}*|строк\p{L}*)\b`,
);
const DEFAULT = wordPattern(String.raw`\bdefaults?\b|\bby default\b|\bпо умолчанию\b`);
const CODE_LITERAL = /`[^`]+`|\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b|\b\w+=\S+|--[a-z][\w-]+/;
/**
 * A name a "which X" question may be asking for: a scoped package (`@sapui5/ts-types`), a dotted name
 * (`Edm.Stream`), camelCase (`headerVisible`), a kebab-case id (`fiori-tools-servestatic`), an all-caps name.
 */
const IDENTIFIER =
  /@[\w-]+\/[\w.-]+|\b[A-Za-z]\w*\.[A-Za-z]\w+\b|\b[a-z]+[A-Z]\w*\b|\b[a-z0-9]+(?:-[a-z0-9]+){2,}\b|\b[A-Z]{3,}\b/;
/** A unit that is nothing but inline code (a command line quoted in a paragraph). */
const ONLY_INLINE_CODE = /^`[^`]+`[.:]?$/;
const EXAMPLES = wordPattern(
  String.raw`\bsuch as\b|\binclud(e|es|ing)\b|\be\.g\.|\bfor example\b|\bnamely\b|\bтаки[ех] как\b|\bнапример\b|\bвключая\b|\bв том числе\b`,
);
/** "A, B and C": short items, commas, a last "and"/"or". */
const ENUMERATION = /(?:[^,;:.!?]{1,40}, )+[^,;:.!?]{1,40},? (?:and|or|и|или) /u;
/** Number words, English and Russian, by value. */
const NUMBER_WORDS = new Map<string, number>([
  ..."zero one two three four five six seven eight nine ten".split(" ").map((w, n) => [w, n] as const),
  ..."ноль один два три четыре пять шесть семь восемь девять десять"
    .split(" ")
    .map((w, n) => [w, n] as const),
  ["две", 2],
]);
const CAPITAL_NAMES = /\b[A-Z][A-Z0-9_]{1,}\b/g;
const NUMBERED = /^\d{1,3}[.)]\s/;
const IMPERATIVE = wordPattern(
  String.raw`^(?:[-*+•]\s+|\d{1,3}[.)]\s+)?(run|install|open|add|create|set|call|use|click|type|copy|start|stop|build|pass|write|edit|enter|choose|select|go|make|put|save|restart|configure|download|clone|cd|npm|npx|git|check|remove|delete|ingest|ask|press|запустите|установите|откройте|добавьте|создайте|выполните|нажмите|введите|скопируйте|перейдите|выберите|укажите|сохраните|проверьте)\b`,
);
const SEQUENCE = wordPattern(
  String.raw`\b(first|then|next|finally|after that|сначала|затем|потом|после этого)\b`,
);
const REASON = wordPattern(
  String.raw`\bbecause\b|\bsince\b|\bso that\b|\bto (avoid|keep|make|let|allow|ensure)\b|\bin order to\b|\btherefore\b|\bwhich is why\b|\bthe reason\b|\bпотому что\b|\bтак как\b|\bчтобы\b|\bпоэтому\b|\bиз-за\b|\bпричин`,
);
const CONTRAST = wordPattern(
  String.raw`\bwhile\b|\bwhereas\b|\bunlike\b|\bthan\b|\bbut\b|\binstead\b|\bcompared\b|\bbetter\b|\bfaster\b|\bslower\b|\bв отличие\b|\bтогда как\b|\bчем\b|\bбыстрее\b|\bмедленнее\b|\bлучше\b|\bно\b`,
);
const WHEN = wordPattern(String.raw`^\s*(when|когда)\b`);
const TIME_CLAUSE = wordPattern(
  String.raw`\b(when|whenever|if|once|after|before|until|если|когда|после|пока)\b`,
);
const COPULA = wordPattern(
  String.raw`\b(is|are|was|were|means|refers to|stands for|denotes)\b|\s[—–-]\s|:\s|\bэто\b|\bназыва\p{L}*|\bявляется\b`,
);
const ARTICLE_NOUN = wordPattern(String.raw`\b(is|are) (a|an|the)\b|\s[—–]\s*это\b`);
/** Where a subject's qualifiers start: "X in Y", "X of Y", "X for Y". */
const QUALIFIER = wordPattern(String.raw`\s(?:in|on|of|for|within|inside|at|from|with|в|на|для)\s`);
/** What a thing is for: "X enables users to…", "X lets you…", "X is used to…". */
const PURPOSE = wordPattern(
  String.raw`\b(enables?|allows?|lets|provides?|helps?|serves?|is used (to|for)|are used (to|for)|позволяет|используется)\b`,
);
/** Words that take a side on a yes/no question: "not supported", "only", "never", "can". */
const POLARITY = wordPattern(
  String.raw`\b(not|never|cannot|can't|only|unsupported|supported|must|always|no longer|не|нельзя|только|всегда|никогда)\b`,
);
/** Words that negate what follows them (English and Russian). */
const NEGATION = new Set(
  (
    "not no never none cannot can't won't doesn't don't isn't aren't wasn't weren't without neither nor " +
    "не нет никогда без ни нельзя"
  ).split(" "),
);
const CONDITION = wordPattern(
  String.raw`\bonly (if|when)\b|\bunless\b|\bdepends\b|\bas long as\b|\bprovided\b|\bexcept\b|\bтолько если\b|\bзависит\b|\bесли\b|\bкроме\b`,
);
/** A negating prefix and the word it negates ("undirected", "non-blocking", "неверный"). */
const ANTONYM_PREFIX = /^(?:un|non-?|in|im|dis|не)(\p{L}{4,})$/u;
const TERMINAL = /[.!?…:;"'”’»)\]`]$/;
/**
 * A section label that opens a unit (`**INTRODUCTION**:`, `STEP: 2 —`, `DESCRIPTION:`): documentation
 * generated from templates puts one before each part. What follows an introduction label summarises the
 * whole document, and a short labelled unit is a heading in disguise: neither is the fact asked for.
 */
const LABEL = /^\**([A-Z][A-Z ]{2,}[A-Z])\**\s*:\s*/;
const INTRO_LABELS = new Set(["INTRODUCTION", "OVERVIEW", "SUMMARY", "PURPOSE", "CONTEXT", "DESCRIPTION"]);
/** Labels of metadata and structure, never of an answer. */
const META_LABELS = new Set(["STEP", "TAGS", "LANGUAGE", "CODE", "TITLE", "SOURCE", "URL", "KEYWORDS"]);
/** A unit that is bold from end to end (`**Some title**`) reads as a heading. */
const ALL_BOLD = /^\*\*[^*]+\*\*[.:]?$/;

/**
 * How far a unit is from being an answer by its form alone: labelled summaries and disguised headings. An
 * introduction does say what its subject is, so it stays a fair answer to "what is X" and "what does X do".
 */
function labelPenalty(c: Candidate, type?: QuestionType): number {
  const label = LABEL.exec(c.sentence);
  if (label) {
    const rest = c.sentence.slice(label[0].length);
    if (META_LABELS.has(label[1]) || terms(rest).length < 8) return 0.35;
    if (INTRO_LABELS.has(label[1]) && type !== "definition" && type !== "open") return 0.25;
  }
  return ALL_BOLD.test(c.sentence) ? 0.3 : 0;
}

/** The share of the question's terms among `have`. */
function coverage(asked: ReadonlySet<string>, have: readonly string[]): number {
  if (asked.size === 0) return 0;
  const set = new Set(have);
  return [...asked].filter((t) => set.has(t)).length / asked.size;
}

/** What the scoring reads from the question, read once per answer rather than once per candidate. */
interface Asked {
  text: string;
  type: QuestionType;
  terms: Set<string>;
  /** Terms of a definition's subject, before its qualifiers. */
  subject: string[];
  attribute?: string;
  attributeTerms: string[];
  wantsDefault: boolean;
  wantsNumber: boolean;
  negated: Set<string>;
  when: boolean;
  russian: boolean;
}

function readQuestion(question: string, language: string): Asked {
  const attribute = attributeOf(question);
  return {
    text: question,
    type: questionType(question, language),
    terms: new Set(terms(question)),
    // "mass editing in a Fiori elements table": the sentence defines the head, before its qualifiers.
    subject: terms((subjectOf(question) ?? "").split(QUALIFIER)[0]),
    attribute,
    attributeTerms: attribute ? terms(attribute) : [],
    wantsDefault: DEFAULT.test(question),
    // "Which versions…", "what port…": the answer is a number.
    wantsNumber: attribute !== undefined && NUMERIC_ATTRIBUTE.test(attribute),
    negated: negatedTerms(question),
    when: WHEN.test(question),
    russian: isRussian(question, language),
  };
}

/** How well a unit's form fits the question type, in [0, 1]. */
function formScore(unit: Candidate, asked: Asked): number {
  const qTerms = asked.terms;
  // A section label ("**INTRODUCTION**:") is no part of what the sentence says.
  const s = unit.sentence.replace(LABEL, "");
  let score = 0;
  switch (asked.type) {
    case "definition": {
      const subject = asked.subject;
      if (subject.length === 0) return 0;
      const copula = COPULA.exec(s) ?? PURPOSE.exec(s);
      const before = copula && copula.index < 120 ? terms(s.slice(0, copula.index)) : [];
      // The subject opens the sentence: "Mass editing enables…", not "Determine where mass edit is…".
      if (before[0] === subject[0] && subject.every((t) => before.includes(t))) score = 1;
      else if (subject.every((t) => unit.terms.includes(t)) && ARTICLE_NOUN.test(s)) score = 0.5;
      break;
    }
    case "value": {
      if (NUMBER.test(s)) score += 0.35;
      if (UNIT.test(s)) score += 0.15;
      if (CODE_LITERAL.test(s)) score += 0.15;
      if (IDENTIFIER.test(s)) score += 0.2;
      if (asked.wantsDefault && DEFAULT.test(s)) score += 0.35;
      else if (asked.attributeTerms.some((t) => unit.terms.includes(t))) score += 0.25;
      if (asked.wantsNumber && NUMBER.test(s)) score += 0.35;
      break;
    }
    case "steps": {
      if (unit.kind === "item") score += NUMBERED.test(s) ? 1 : 0.6;
      if (IMPERATIVE.test(s)) score += 0.6;
      if (unit.kind === "code") score += 0.5;
      if (SEQUENCE.test(s)) score += 0.3;
      if (s.endsWith(":")) score += 0.3;
      break;
    }
    case "list": {
      if (unit.kind === "item") score += 0.5;
      if (EXAMPLES.test(s)) score += 0.4;
      if (ENUMERATION.test(s)) score += 0.3;
      if ((s.match(CAPITAL_NAMES)?.length ?? 0) >= 2) score += 0.3;
      if (/:\s*\S/.test(s)) score += 0.2;
      break;
    }
    case "yesno": {
      // The sentence that covers the question, and speaks to its negated condition ("without an index"), settles it.
      score = 0.5 * coverage(qTerms, unit.terms);
      if ([...negatedTerms(s)].some((t) => asked.negated.has(t))) score += 0.5;
      else if (POLARITY.test(s)) score += 0.25;
      break;
    }
    case "reason":
      if (REASON.test(s)) score = 0.8;
      break;
    case "comparison": {
      if (CONTRAST.test(s)) score += 0.5;
      if (coverage(qTerms, unit.terms) * qTerms.size >= 2) score += 0.5;
      break;
    }
    default:
      // "When does X happen?" wants the sentence that states the condition.
      if (asked.when && TIME_CLAUSE.test(s)) score = 0.5;
      break;
  }
  return Math.min(1, score);
}

/**
 * Whether the embedder's cosine means anything for the question (then: for each sentence's script). An
 * English embedder reads Latin script: a language guess is no test, as technical English full of names
 * ("tsconfig.json", "SAPUI5", "JavaScript") is often guessed as another language.
 */
function readsQuestion(embedderId: string, language: string, question: string): boolean {
  if (MULTILINGUAL.test(embedderId)) return true;
  return language !== "rus" && !NON_LATIN.test(question);
}

/** The candidates of every piece of evidence, with their section match and fragment flag. */
function candidatesOf(input: ComposeInput, qTerms: Set<string>): Candidate[] {
  const share = (text: string | undefined) => (text ? coverage(qTerms, terms(text)) : 0);
  return input.evidence.flatMap((e, evidence) => {
    const units = splitSentences(e.text);
    const title = share(e.title);
    let heading = 0;
    const out: Candidate[] = [];
    units.forEach((unit, i) => {
      if (unit.kind === "heading") {
        heading = share(unit.sentence);
        return;
      }
      const cut =
        unit.kind === "text" &&
        ((i === 0 && /^\p{Ll}/u.test(unit.sentence)) ||
          (i === units.length - 1 && unit.end === e.text.trimEnd().length && !TERMINAL.test(unit.sentence)));
      out.push({
        ...unit,
        evidence,
        terms: terms(unit.sentence),
        section: Math.max(title, heading),
        fragment: cut,
        cosine: 0,
        words: 0,
        form: 0,
        score: 0,
      });
    });
    return out;
  });
}

/** The evidence prior: half its score against the best piece's, half its rank. */
function evidencePrior(input: ComposeInput): number[] {
  const best = Math.max(...input.evidence.map((e) => e.score), 0);
  return input.evidence.map((e, rank) => {
    const share = best > 0 && Number.isFinite(e.score) ? Math.max(0, Math.min(1, e.score / best)) : 0;
    return 0.5 * share + 0.5 / (1 + rank);
  });
}

function jaccard(a: readonly string[], b: readonly string[]): number {
  const x = new Set(a);
  const y = new Set(b);
  const shared = [...x].filter((t) => y.has(t)).length;
  return shared / (x.size + y.size - shared || 1);
}

/** Whether `c` repeats one of `chosen` (overlapping chunks quote the same sentence twice). */
function repeats(c: Candidate, chosen: readonly Candidate[]): boolean {
  return chosen.some(
    (o) =>
      (o.evidence === c.evidence && o.start < c.end && c.start < o.end) ||
      jaccard(o.terms, c.terms) >= 0.6 ||
      (o.vector !== undefined && c.vector !== undefined && dot(o.vector, c.vector) >= 0.92),
  );
}

/** Question terms that are negated (a negation word among the three words before them). */
function negatedTerms(text: string): Set<string> {
  const words = text.toLowerCase().match(/[\p{L}\p{N}][\p{L}\p{N}'_-]*/gu) ?? [];
  const out = new Set<string>();
  words.forEach((word, i) => {
    if (words.slice(Math.max(0, i - 3), i).some((w) => NEGATION.has(w))) {
      for (const t of terms(word)) out.add(t);
    }
  });
  return out;
}

/**
 * "Yes", "No" or "It depends" for a yes/no question, when the answer sentence carries most of the
 * question's terms: "No" when a term is negated in one and not the other ("Does it need a server?" /
 * "with no server"), "It depends" when the sentence sets a condition, else "Yes". Undefined when the
 * sentence is not about the same thing.
 */
function verdict(question: Asked, answer: Candidate): string | undefined {
  const asked = question.terms;
  const inAnswer = negatedTerms(answer.sentence);
  const present = new Set<string>();
  for (const t of answer.terms) {
    if (asked.has(t)) present.add(t);
    // "undirected" answers "directed" in the negative.
    const base = ANTONYM_PREFIX.exec(t)?.[1];
    if (base && asked.has(base)) {
      present.add(base);
      inAnswer.add(base);
    }
  }
  if (asked.size === 0 || present.size < Math.min(2, asked.size) || present.size / asked.size < 0.6) {
    return undefined;
  }
  const russian = question.russian;
  if (CONDITION.test(answer.sentence)) return russian ? "Зависит от условий." : "It depends.";
  const inQuestion = question.negated;
  const flipped = [...present].some((t) => inQuestion.has(t) !== inAnswer.has(t));
  if (flipped) return russian ? "Нет." : "No.";
  return russian ? "Да." : "Yes.";
}

/**
 * How many things a sentence announces ("has three layers", "tracks four metrics", "пять операторов"):
 * a count word followed within two words by a question term; 0 when it announces none.
 */
function announcedCount(c: Candidate, qTerms: ReadonlySet<string>): number {
  const words = c.sentence.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  for (const [i, word] of words.entries()) {
    const n = /^\d+$/.test(word) ? Number(word) : (NUMBER_WORDS.get(word) ?? 0);
    if (!(n >= 2 && n <= 10)) continue;
    if (words.slice(i + 1, i + 3).some((w) => terms(w).some((t) => qTerms.has(t)))) return n;
  }
  return 0;
}

/** The list a unit belongs to: the run of items (and code between them) around it, and its lead-in. */
function listAround(pool: readonly Candidate[], unit: Candidate): Candidate[] {
  const same = pool.filter((c) => c.evidence === unit.evidence).sort((a, b) => a.start - b.start);
  const at = same.indexOf(unit);
  const inList = (c: Candidate) => c.kind === "item" || c.kind === "code";
  let first = at;
  let last = at;
  while (first > 0 && inList(same[first - 1])) first--;
  while (last < same.length - 1 && inList(same[last + 1])) last++;
  const run = same.slice(first, last + 1);
  if (!run.some((c) => c.kind === "item")) return [unit];
  const lead = same[first - 1];
  const withLead = lead && lead.kind === "text" && /:$/.test(lead.sentence) ? [lead, ...run] : run;
  return withLead.slice(0, LIST_ITEMS_MAX + 1);
}

function used(input: ComposeInput, c: Candidate): UsedSentence {
  return {
    evidenceId: input.evidence[c.evidence].evidenceId,
    sentence: c.sentence,
    start: c.start,
    end: c.end,
    score: c.score,
  };
}

/** The summary: each unit with its tag, list items and code on lines of their own, capped by dropping whole units. */
function summaryOf(input: ComposeInput, units: Candidate[], prefix: string | undefined, ordered: boolean) {
  let summary = prefix ?? "";
  const kept: Candidate[] = [];
  for (const c of units) {
    const tag = citationTag(input.evidence[c.evidence].evidenceId);
    const piece = c.kind === "code" ? `${c.sentence}\n${tag}` : `${c.sentence} ${tag}`;
    const block = c.kind !== "text" || (kept.length > 0 && kept[kept.length - 1].kind !== "text");
    const joined = summary === "" ? piece : `${summary}${block ? "\n" : " "}${piece}`;
    if (kept.length > 0 && joined.length > SUMMARY_MAX_CHARS) {
      // A list stops at the first item that does not fit, so its order has no gap.
      if (ordered) break;
      continue;
    }
    summary = joined;
    kept.push(c);
  }
  return { summary, kept };
}

/**
 * Composes an extractive answer to `input.question` from `input.evidence` (see the module comment). The
 * question vector is used as given; the candidate sentences are embedded in one call. Returns an empty
 * summary when the evidence holds no sentence.
 *
 * @throws DimensionMismatchError when the question vector is not the embedder's dimension.
 * @throws CancelledError when `signal` aborts before or after the embedding call.
 */
export async function composeAnswer(input: ComposeInput): Promise<ComposedAnswer> {
  const { question, questionVector, embedder, signal } = input;
  if (typeof question !== "string") throw new InvalidInputError("composeAnswer: question must be a string");
  if (!Array.isArray(input.evidence)) throw new InvalidInputError("composeAnswer: evidence must be an array");
  if (questionVector.length !== embedder.dim) {
    throw new DimensionMismatchError(embedder.dim, questionVector.length, "question vector");
  }
  const language = input.language;
  const asked = readQuestion(question, language);
  const { type, terms: qTerms } = asked;
  const all = candidatesOf(input, qTerms);
  if (all.length === 0) return { questionType: type, summary: "", used: [], perEvidence: [] };

  const prior = evidencePrior(input);
  const words = bm25(
    [...qTerms],
    all.map((c) => c.terms),
  );
  const bestWords = Math.max(...words);
  all.forEach((c, i) => {
    c.words = bestWords > 0 ? words[i] / bestWords : 0;
  });
  // A very large pool keeps its best candidates by words and evidence before the (costly) embedding.
  const pool =
    all.length <= MAX_CANDIDATES
      ? all
      : [...all]
          .sort((a, b) => b.words + prior[b.evidence] - (a.words + prior[a.evidence]))
          .slice(0, MAX_CANDIDATES);

  // Only the sentences the embedder can read are embedded, all in one call.
  const multilingual = MULTILINGUAL.test(embedder.id);
  const readable = readsQuestion(embedder.id, language, question)
    ? pool.filter((c) => multilingual || !NON_LATIN.test(c.sentence))
    : [];
  throwIfCancelled(signal, "answer composition");
  const vectors = readable.length > 0 ? await embedder.embed(readable.map((c) => c.sentence)) : [];
  throwIfCancelled(signal, "answer composition");
  const cosines = vectors.map((v) => dot(questionVector, v));
  const low = Math.min(...cosines);
  const spread = Math.max(Math.max(...cosines) - low, 0.1);
  readable.forEach((c, i) => {
    c.vector = vectors[i];
    c.cosine = (cosines[i] - low) / spread;
  });
  const codeAnswers = type === "steps" || type === "value";
  pool.forEach((c) => {
    c.form = formScore(c, asked);
    const penalty =
      (c.fragment ? 0.15 : 0) +
      (c.kind === "text" && c.terms.length < 3 ? 0.1 : 0) +
      ((c.kind === "code" || ONLY_INLINE_CODE.test(c.sentence)) && !codeAnswers ? 0.2 : 0) +
      (type === "value" && c.form === 0 ? 0.1 : 0) +
      (c.sentence.length > 400 ? 0.05 : 0) +
      labelPenalty(c, type);
    c.score =
      WEIGHTS.cosine * (c.vector ? c.cosine : c.words) +
      WEIGHTS.words * c.words +
      WEIGHTS.evidence * prior[c.evidence] +
      WEIGHTS.form * c.form +
      WEIGHTS.section * c.section -
      penalty;
  });

  const ranked = [...pool].sort((a, b) => b.score - a.score || a.evidence - b.evidence || a.start - b.start);
  const answer = ranked.find((c) => c.kind !== "code" || codeAnswers) ?? ranked[0];

  // A steps or list answer brings its list whole, in the document's order: the list of the answer, or of
  // an item nearly as good (a how-to's numbered steps under a sentence that merely mentions the task).
  let units: Candidate[] = [answer];
  let ordered = false;
  if (type === "steps" || type === "list") {
    const item =
      answer.kind === "item"
        ? answer
        : ranked.find((c) => c.kind === "item" && c.score >= answer.score * LIST_SHARE);
    if (item) {
      const list = listAround(pool, item);
      units = list.includes(answer) ? list : [answer, ...list];
      ordered = units.length > 1;
    } else {
      // "The memory has three layers." is followed by the three: bring them, in order.
      const count = announcedCount(answer, qTerms);
      const after = pool
        .filter((c) => c.evidence === answer.evidence && c.start > answer.start && c.kind === "text")
        .sort((a, b) => a.start - b.start);
      if (count > 0 && after.length > 0) {
        units = [answer, ...after.slice(0, Math.min(count, LIST_ITEMS_MAX))];
        ordered = true;
      }
    }
  }
  // Deep and debate add what else answers; a fast list or how-to adds only sentences of its own form.
  const deep = input.mode === "deep" || input.mode === "debate";
  // A fast answer of another type may add two sentences that score nearly as well: the value or the
  // condition often sits in the sentence next to the one that names the subject.
  const supportWanted = deep ? SUPPORT_DEEP : SUPPORT_FAST;
  if (!ordered && supportWanted > 0) {
    for (const c of ranked) {
      if (units.length > supportWanted) break;
      if (c.score < Math.max(0, answer.score) * SUPPORT_SHARE) break;
      if (c.kind === "code" && !codeAnswers) continue;
      const listLike = type === "steps" || type === "list";
      if (!deep && listLike && c.form < SUPPORT_FORM) continue;
      if (!deep && !listLike && c.score < answer.score * FAST_SUPPORT_SHARE) break;
      if (units.includes(c) || repeats(c, units) || labelPenalty(c) > 0) continue;
      units.push(c);
    }
  }
  if (type === "steps" && !ordered && units.every((c) => c.evidence === answer.evidence)) {
    // Steps from one note read in its order (the lead-in, the command, what follows).
    units.sort((a, b) => a.start - b.start);
  }
  // A labelled summary or a heading settles nothing: no verdict from it.
  const prefix = type === "yesno" && labelPenalty(answer) === 0 ? verdict(asked, answer) : undefined;
  const { summary, kept } = summaryOf(input, units, prefix, ordered);

  const perEvidence: UsedSentence[] = [];
  input.evidence.forEach((_, evidence) => {
    const best = ranked.find((c) => c.evidence === evidence);
    if (best) perEvidence.push(used(input, best));
  });
  return { questionType: type, summary, used: kept.map((c) => used(input, c)), perEvidence };
}
