/**
 * The forms of answers: what the composer reads from a question (its type, subject, attribute, negated
 * terms) and how well a sentence's form fits it — a definition's "X is …", a value's number or default, a
 * list's enumeration, a how-to's numbered steps — plus the verdict a yes/no question gets and the count a
 * sentence announces ("three layers"). Patterns are English and Russian.
 */
import { attributeOf, isRussian, questionType, subjectOf, wordPattern } from "./question-type.js";
import type { TextUnit } from "./split.js";
import { terms } from "./terms.js";
import type { QuestionType } from "./types.js";

/** A sentence unit with its terms: what form scoring reads. */
export interface TermUnit extends TextUnit {
  terms: string[];
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
/**
 * A section label that opens a unit (`**INTRODUCTION**:`, `STEP: 2 —`, `DESCRIPTION:`): documentation
 * generated from templates puts one before each part. What follows an introduction label summarises the
 * whole document, and a short labelled unit is a heading in disguise: neither is the fact asked for.
 */
const LABEL = /^\**([A-Z][A-Z ]{2,}[A-Z])\**\s*:\s*/;
/**
 * Labels of a summary of the whole document. Not `DESCRIPTION`: in the templated docs it follows each
 * `STEP` and states what that step does (the option, the parameter, the command), which is the answer.
 */
const INTRO_LABELS = new Set(["INTRODUCTION", "OVERVIEW", "SUMMARY", "PURPOSE", "CONTEXT"]);
/** Labels of metadata and structure, never of an answer. */
const META_LABELS = new Set(["STEP", "TAGS", "LANGUAGE", "CODE", "TITLE", "SOURCE", "URL", "KEYWORDS"]);
/** A unit that is bold from end to end (`**Some title**`) reads as a heading. */
const ALL_BOLD = /^\*\*[^*]+\*\*[.:]?$/;

/**
 * How far a unit is from being an answer by its form alone: labelled summaries and disguised headings. An
 * introduction does say what its subject is, so it stays a fair answer to "what is X" and "what does X do".
 */
export function labelPenalty(c: TextUnit, type?: QuestionType): number {
  const label = LABEL.exec(c.sentence);
  if (label) {
    const rest = c.sentence.slice(label[0].length);
    if (META_LABELS.has(label[1]) || terms(rest).length < 8) return 0.35;
    if (INTRO_LABELS.has(label[1]) && type !== "definition" && type !== "open") return 0.25;
  }
  return ALL_BOLD.test(c.sentence) ? 0.3 : 0;
}

/** The share of the question's terms among `have`. */
export function coverage(asked: ReadonlySet<string>, have: readonly string[]): number {
  if (asked.size === 0) return 0;
  const set = new Set(have);
  return [...asked].filter((t) => set.has(t)).length / asked.size;
}

/** What the scoring reads from the question, read once per answer rather than once per candidate. */
export interface Asked {
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

/** Reads the question once for the scoring of all its candidates. */
export function readQuestion(question: string, language: string): Asked {
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
export function formScore(unit: TermUnit, asked: Asked): number {
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

/** Question terms that are negated (a negation word among the three words before them). */
export function negatedTerms(text: string): Set<string> {
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
export function verdict(question: Asked, answer: TermUnit): string | undefined {
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
export function announcedCount(c: TextUnit, qTerms: ReadonlySet<string>): number {
  const words = c.sentence.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  for (const [i, word] of words.entries()) {
    const n = /^\d+$/.test(word) ? Number(word) : (NUMBER_WORDS.get(word) ?? 0);
    if (!(n >= 2 && n <= 10)) continue;
    if (words.slice(i + 1, i + 3).some((w) => terms(w).some((t) => qTerms.has(t)))) return n;
  }
  return 0;
}
