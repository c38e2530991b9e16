/**
 * What kind of answer a question wants, from its wording alone (English and Russian), and what it asks
 * about: the subject of "what is X" and the attribute of "what is the default X". The kind decides which
 * sentences the composer prefers; rules are checked from the most to the least specific form, so "what is
 * the default port?" is a value question before it could read as a definition.
 */
import type { QuestionType } from "./types.js";

/**
 * A case-insensitive Unicode pattern where `\b` is a word boundary for any script (JavaScript's `\b` only
 * knows ASCII letters, so it would match inside every Russian word).
 */
export function wordPattern(source: string): RegExp {
  return new RegExp(
    source.replaceAll(
      "\\b",
      "(?:(?<![\\p{L}\\p{N}_])(?=[\\p{L}\\p{N}_])|(?<=[\\p{L}\\p{N}_])(?![\\p{L}\\p{N}_]))",
    ),
    "iu",
  );
}

const CYRILLIC = /[а-яё]/i;

/** Whether Russian rules apply: the language says so, or the text has Cyrillic letters. */
export function isRussian(text: string, language = ""): boolean {
  return language === "rus" || CYRILLIC.test(text);
}

/** The attributes a value question asks for, English and Russian stems. */
const ATTRIBUTE =
  "default|maximum|minimum|max|min|limit|size|port|version|timeout|dimension|dimensions|length|count|" +
  "number|value|threshold|path|name|unit|rate|interval|width|capacity|shortcut|id|identifier|command|key|" +
  "setting|property|parameter|annotation|script|title|layout|url|variable|package|plugin|extension";

const ENGLISH: Array<[QuestionType, RegExp]> = [
  [
    "comparison",
    wordPattern(
      String.raw`\bdifferences? (between|from)\b|\bdiffer(s)?\b|\bvs\.?(?=\s)(?!\s*code\b)|\bversus\b|\bcompare(d|s)?\b|\bbetter than\b|\b(which|what) is (better|faster|slower)\b|\bor\b.+\bwhich\b`,
    ),
  ],
  [
    "reason",
    wordPattern(String.raw`^\s*(why|how come)\b|\bwhat is the (reason|point|purpose)\b|\bwhat for\b`),
  ],
  [
    "steps",
    wordPattern(
      String.raw`^\s*how (do|can|should|would|could) (i|we|you|one)\b|^\s*how to\b|\bsteps?\b (to|for)\b|\bwhat are the steps\b|\bin what order\b|^\s*(walk me through|show me how|guide me)\b`,
    ),
  ],
  [
    "yesno",
    wordPattern(
      String.raw`^\s*(is|are|can|could|does|do|did|should|will|would|was|were|has|have|had|may|must|isn't|aren't|can't|doesn't|don't)\b`,
    ),
  ],
  [
    "value",
    wordPattern(
      String.raw`\bhow (many|much|long|big|large|often|fast)\b|\b(which|what) (port|version|size|value|number|timeout|dimension|limit|threshold)\b|\bwhat('s| is| are) the (\S+ ){0,2}(${ATTRIBUTE})\b|\bwhat (kind|type|sort) of\b|\bby default\b|\bdefault\b`,
    ),
  ],
  [
    "list",
    wordPattern(
      String.raw`\b(which|what) (\w+ ){0,3}(types|kinds|sorts|options|modes|formats|fields|columns|commands|steps|parts|layers|values|ways|features|languages|backends|indexes|indices|metrics)\b|^\s*list\b|\bwhat are the\b|\bname (the|all)\b|\benumerate\b|\bwhich .+ (are|support|supports|exist)\b`,
    ),
  ],
  // "Which middleware serves…?", "For which versions…?": a thing named, not a list of them.
  ["value", wordPattern(String.raw`^\s*(?:\w+\s+)?which\b`)],
  [
    "definition",
    wordPattern(
      String.raw`^\s*(what|who)('s| is| are| was| were)\b|\bwhat does .+ (mean|stand for)\b|^\s*(define|explain what)\b|\bmeaning of\b|\bdefinition of\b`,
    ),
  ],
];

const RUSSIAN: Array<[QuestionType, RegExp]> = [
  [
    "comparison",
    wordPattern(
      String.raw`\bразниц|\bотлича|\bотличи|\bсравн|\bпротив\b|\bили\b.+\bлучше\b|\bлучше\b.+\bили\b`,
    ),
  ],
  ["reason", wordPattern(String.raw`^\s*(а\s+)?(почему|зачем|отчего|для чего)\b|\bв чем причина\b`)],
  [
    "steps",
    wordPattern(
      String.raw`^\s*(а\s+)?как (мне |нам |бы )?\S+(ть|ться)\b|\bшаги\b|\bпо шагам\b|\bпошагов|\bинструкц|\bв каком порядке\b`,
    ),
  ],
  ["yesno", wordPattern(String.raw`\bли\b`)],
  [
    "value",
    wordPattern(
      String.raw`\bпо умолчанию\b|\bсколько\b|\bмаксимальн|\bминимальн|\bлимит|\bпредел|\b(какой|какая|какое|каков|какова) (порт|размер|верси|значени|таймаут|размерност|лимит|порог)`,
    ),
  ],
  ["list", wordPattern(String.raw`\bкакие\b|\bперечисл|\bсписок\b|\bвиды\b|\bтипы\b|\bразновидност`)],
  [
    "definition",
    wordPattern(
      String.raw`^\s*(а\s+)?(что|кто) (такое|такой|такая|такие)\b|^\s*что (значит|означает|есть)\b|\bопределени`,
    ),
  ],
];

/**
 * The question's type. Russian rules apply to text with Cyrillic letters or `language` "rus", English
 * rules otherwise; a question no rule matches is "open" (explanations like "how does X work?").
 */
export function questionType(text: string, language: string): QuestionType {
  const rules = isRussian(text, language) ? RUSSIAN : ENGLISH;
  for (const [type, pattern] of rules) if (pattern.test(text)) return type;
  return "open";
}

/** Question openers that carry no subject, removed by `subjectOf`. */
const OPENER = wordPattern(
  String.raw`^\s*(?:(?:and|so|а|и)\s+)?(?:what|who|which|how|why|where|when|is|are|can|does|do|что|кто|какие|какой|как|почему|зачем|где|когда)\b(?:\s+(?:is|are|was|were|does|do|did|can|should|the|a|an|такое|такой|такая|такие|это|значит|означает)\b)*\s*`,
);

/**
 * The subject of a definition question ("What is the SIFT gate?" → "SIFT gate", "Что такое LanceDB?" →
 * "LanceDB"), or undefined when the question has another shape.
 */
export function subjectOf(question: string): string | undefined {
  const rest = question.replace(OPENER, "").replace(/[?!.\s]+$/u, "");
  if (rest === question.trim() || rest === "") return undefined;
  return (
    rest
      .replace(/^(?:the|a|an)\s+/i, "")
      .replace(/\s+(?:mean|means|stand for|stands for)$/i, "")
      .trim() || undefined
  );
}

/** Russian attribute words (stems with any ending). */
const ATTRIBUTE_RU =
  "по умолчанию|умолчани\\p{L}*|максимальн\\p{L}*|минимальн\\p{L}*|порт\\p{L}*|размер\\p{L}*|верси\\p{L}*|" +
  "таймаут\\p{L}*|лимит\\p{L}*|порог\\p{L}*|значени\\p{L}*";
const ATTRIBUTE_ANY = wordPattern(`\\b(${ATTRIBUTE}|${ATTRIBUTE_RU})s?\\b`);

/** The attribute a value question asks for ("default", "port", "по умолчанию"…), if it names one. */
export function attributeOf(question: string): string | undefined {
  return ATTRIBUTE_ANY.exec(question)?.[1].toLowerCase();
}
