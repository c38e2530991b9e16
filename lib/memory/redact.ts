/**
 * Redaction for the RAW → REDACTED gate (Iskra §3.5.1): finds PII (e-mail, phone, payment cards that pass
 * the Luhn check, IBANs that pass ISO 13616 mod-97), secrets (API keys and tokens of known shapes, generic
 * high-entropy assignments, PEM private keys) and prompt-injection phrases (English and Russian), and
 * replaces each with a typed mask (`[EMAIL]`, `[SECRET:openai]`, …). Offsets are UTF-16 indices into the original text. Masks
 * are never detected again, so redacting twice changes nothing.
 *
 * Obfuscation is undone before scanning, on views mapped back to the original (see `normalize.ts`): HTML
 * entities, zero-width characters, NFKC forms (full-width digits), mixed-script look-alikes, letter-spaced,
 * hyphenated and leet phrases, `name [at] host [dot] com` addresses and base64-encoded injections. A
 * finding made on a view masks the whole stretch of the original it came from.
 */
import { InvalidInputError } from "../errors.js";
import { normalView, squashedView, type TextView, toOriginal } from "./normalize.js";

/** What a finding is about. */
export type FindingCategory = "pii" | "secret" | "injection";

/** Every kind of finding; secrets are replaced by `[SECRET:<kind>]`. */
export type FindingKind =
  | "email"
  | "phone"
  | "card"
  | "iban"
  | "private-key"
  | "anthropic"
  | "openai"
  | "github"
  | "aws-access-key"
  | "aws-secret-key"
  | "slack"
  | "google"
  | "stripe"
  | "jwt"
  | "bearer"
  | "basic-auth"
  | "api-key"
  | "token"
  | "secret"
  | "password"
  | "injection";

/** One span to redact: `[start, end)` in the original text and the mask that replaces it. */
export interface Finding {
  kind: FindingKind;
  category: FindingCategory;
  start: number;
  end: number;
  replacement: string;
}

/** A span a detector found, before overlapping spans are merged. */
interface Span {
  kind: FindingKind;
  start: number;
  end: number;
}

const CATEGORY: Record<FindingKind, FindingCategory> = {
  email: "pii",
  phone: "pii",
  card: "pii",
  iban: "pii",
  "private-key": "secret",
  anthropic: "secret",
  openai: "secret",
  github: "secret",
  "aws-access-key": "secret",
  "aws-secret-key": "secret",
  slack: "secret",
  google: "secret",
  stripe: "secret",
  jwt: "secret",
  bearer: "secret",
  "basic-auth": "secret",
  "api-key": "secret",
  token: "secret",
  secret: "secret",
  password: "secret",
  injection: "injection",
};

/** The category of a finding kind. */
export function categoryOf(kind: FindingKind): FindingCategory {
  return CATEGORY[kind];
}

/** The mask that replaces a finding of `kind`. */
export function maskFor(kind: FindingKind): string {
  switch (kind) {
    case "email":
      return "[EMAIL]";
    case "phone":
      return "[PHONE]";
    case "card":
      return "[CARD]";
    case "iban":
      return "[IBAN]";
    case "private-key":
      return "[PRIVATE_KEY]";
    case "injection":
      return "[INJECTION]";
    default:
      return `[SECRET:${kind}]`;
  }
}

/** Every mask `redact` writes; never reported as a finding. */
const MASK = /\[(?:EMAIL|PHONE|CARD|IBAN|PRIVATE_KEY|INJECTION|SECRET:[a-z-]+)\]/g;

/**
 * Every finding in `text`, sorted by position, overlapping ones merged into one (the union of their spans,
 * labelled by the widest; on a tie, secrets before PII before injections): exactly what `redact` replaces.
 * Detects only.
 */
export function scanText(text: string): Finding[] {
  if (typeof text !== "string") {
    throw new InvalidInputError(`redaction needs a string, got ${text === null ? "null" : typeof text}`);
  }
  let findings = merge(detect(text));
  // Clean text (the common case) is clean: nothing masked, nothing new to find.
  if (findings.length === 0) return findings;
  // A replacement changes its neighbours' context: a key glued to a redacted word is found only once the
  // word is masked. Rescan the redacted text until it holds nothing new, so redaction is idempotent.
  for (;;) {
    const more = detect(applyFindings(text, findings));
    const toOriginal = positionMap(findings);
    const next = merge([
      ...findings,
      ...more.map((span) => ({
        ...span,
        start: toOriginal(span.start, "start"),
        end: toOriginal(span.end, "end"),
      })),
    ]);
    // Stop at a fixed point (each round that changes anything covers more of the text, so one comes).
    if (sameSpans(next, findings)) return findings;
    findings = next;
  }
}

/** Whether two sorted finding lists cover exactly the same spans. */
function sameSpans(a: Finding[], b: Finding[]): boolean {
  return a.length === b.length && a.every((f, i) => f.start === b[i].start && f.end === b[i].end);
}

/** `text` with every finding replaced by its mask, and the findings (offsets in the original). */
export function redact(text: string): { text: string; findings: Finding[] } {
  const findings = scanText(text);
  return { text: applyFindings(text, findings), findings };
}

/** `[start, end)` of every mask in `text`. */
function maskRanges(text: string): number[][] {
  return [...text.matchAll(MASK)].map((m) => [m.index, m.index + m[0].length]);
}

/** Every detector's spans on the text as it is. */
function detectPlain(text: string): Span[] {
  return [
    ...privateKeys(text),
    ...secrets(text),
    ...cards(text),
    ...ibans(text),
    ...emails(text),
    ...obfuscatedEmails(text),
    ...phones(text),
    ...injections(text),
    ...encodedInjections(text),
  ];
}

/** Spans found on the normal and squashed views, as spans of the original. */
function detectObfuscated(text: string): Span[] {
  const view = normalView(text);
  const spans: Span[] = [];
  if (view.text !== text) {
    for (const span of detectPlain(view.text)) {
      const [start, end] = toOriginal(view, span.start, span.end);
      spans.push({ kind: span.kind, start, end });
    }
  }
  for (const [start, end] of squashedInjections(view)) {
    const [from, to] = sentenceAround(text, start, end);
    spans.push({ kind: "injection", start: from, end: to });
  }
  return spans;
}

/** Every detector's spans, unmerged, leaving out those inside one of our own masks. */
function detect(text: string): Span[] {
  const masks = maskRanges(text);
  const spans = [...detectPlain(text), ...detectObfuscated(text)];
  return spans.filter((span) => span.end > span.start && !insideMask(masks, span));
}

/** Replaces sorted, disjoint findings by their masks. */
function applyFindings(text: string, findings: Finding[]): string {
  let out = "";
  let at = 0;
  for (const finding of findings) {
    out += text.slice(at, finding.start) + finding.replacement;
    at = finding.end;
  }
  return out + text.slice(at);
}

/**
 * Maps a position in the redacted text back to the original: unchanged text shifts, and a span edge inside
 * a mask widens to the whole finding it replaced.
 */
function positionMap(findings: Finding[]): (position: number, edge: "start" | "end") => number {
  const outStarts: number[] = [];
  let shift = 0;
  for (const finding of findings) {
    outStarts.push(finding.start - shift);
    shift += finding.end - finding.start - finding.replacement.length;
  }
  return (position, edge) => {
    // The last finding whose mask starts before `position` (at or before it, for a start).
    let low = 0;
    let high = findings.length - 1;
    let index = -1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      if (edge === "start" ? outStarts[mid] <= position : outStarts[mid] < position) {
        index = mid;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    if (index < 0) return position;
    const finding = findings[index];
    const outEnd = outStarts[index] + finding.replacement.length;
    if (edge === "start" ? position < outEnd : position <= outEnd) {
      return edge === "start" ? finding.start : finding.end;
    }
    return finding.end + (position - outEnd);
  };
}

/** Whether `span` lies within one of `masks` (sorted, disjoint `[start, end)` pairs). */
function insideMask(masks: number[][], span: Span): boolean {
  let low = 0;
  let high = masks.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const [start, end] = masks[mid];
    if (span.start < start) high = mid - 1;
    else if (span.start >= end) low = mid + 1;
    else return span.end <= end;
  }
  return false;
}

/** Merges overlapping spans: the union of the spans, the kind of the widest (earliest detector on a tie). */
function merge(spans: Span[]): Finding[] {
  const ordered = spans
    .map((span, order) => ({ ...span, order }))
    .sort((a, b) => a.start - b.start || b.end - a.end || a.order - b.order);
  const out: Finding[] = [];
  let group: { start: number; end: number; label: (typeof ordered)[number] } | undefined;
  const flush = () => {
    if (!group) return;
    const { kind } = group.label;
    out.push({
      kind,
      category: CATEGORY[kind],
      start: group.start,
      end: group.end,
      replacement: maskFor(kind),
    });
  };
  for (const span of ordered) {
    if (group && span.start < group.end) {
      const width = span.end - span.start;
      const labelWidth = group.label.end - group.label.start;
      if (width > labelWidth || (width === labelWidth && span.order < group.label.order)) group.label = span;
      group.end = Math.max(group.end, span.end);
    } else {
      flush();
      group = { start: span.start, end: span.end, label: span };
    }
  }
  flush();
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Shared helpers

/** Start and end of a match, or of one of its capture groups (the pattern needs the `d` flag for that). */
function spanOf(match: RegExpExecArray, group: number): [number, number] | undefined {
  if (group === 0) return [match.index, match.index + match[0].length];
  return match.indices?.[group];
}

/** Shannon entropy in bits per character. */
function entropy(value: string): number {
  const counts = new Map<string, number>();
  for (const char of value) counts.set(char, (counts.get(char) ?? 0) + 1);
  const length = [...value].length;
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** How many of lower case, upper case, digits and other characters `value` mixes. */
function characterClasses(value: string): number {
  return [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((re) => re.test(value)).length;
}

/** Key material looks random: letters and digits mixed, not a word. */
function looksRandom(value: string): boolean {
  return /[0-9]/.test(value) && /[A-Za-z]/.test(value) && entropy(value) >= 3;
}

// ---------------------------------------------------------------------------------------------------------
// Secrets

const PEM_BEGIN = /-----BEGIN ((?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?)-----/g;
const PEM_END = /-----END ((?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?)-----/g;
/** Line breaks, real or JSON-escaped (a key pasted into a JSON string is one line of text). */
const LINE_BREAK = /\r?\n|\\r?\\n/;
const LINE_BREAKS = new RegExp(LINE_BREAK.source, "g");
/** A whole line of a PEM body: base64 (a short line only when it is not a word), an armour header, or blank. */
const PEM_LINE =
  /^[ \t]*(?:[A-Za-z0-9+/]{16,}={0,2}|(?![A-Z]?[a-z]*[ \t]*$)[A-Za-z0-9+/]+={0,2}|(?:Proc-Type|DEK-Info|Version|Comment|Hash):.*)?[ \t]*$/;
/** A line cut by a chunk boundary: any base64. */
const PEM_CUT_LINE = /^[ \t]*[A-Za-z0-9+/]+={0,2}[ \t]*$/;

/** PEM lines are 64–76 characters; a longer "line" is not part of a key body (and bounds the search). */
const MAX_LINE = 4096;

/**
 * PEM private key blocks, whole. A block cut by a chunk boundary is still caught: a BEGIN without its END
 * runs to the end of the key body, an END without its BEGIN from the start of the body above it.
 */
function privateKeys(text: string): Span[] {
  const spans: Span[] = [];
  const paired = new Set<number>();
  const begins = [...text.matchAll(PEM_BEGIN)];
  for (const [i, begin] of begins.entries()) {
    const start = begin.index;
    const after = start + begin[0].length;
    const endMarker = `-----END ${begin[1]}-----`;
    // Only up to the next BEGIN: each stretch of text is searched once.
    const close = text.slice(after, begins[i + 1]?.index ?? text.length).indexOf(endMarker);
    if (close >= 0) paired.add(after + close);
    const end = close >= 0 ? after + close + endMarker.length : bodyEnd(text, after);
    spans.push({ kind: "private-key", start, end });
  }
  for (const end of text.matchAll(PEM_END)) {
    if (paired.has(end.index)) continue;
    spans.push({ kind: "private-key", start: bodyStart(text, end.index), end: end.index + end[0].length });
  }
  return spans;
}

/** The line that starts at `at`: where it ends and where the next one starts (none at the end of the text). */
function lineFrom(text: string, at: number): { end: number; next?: number } | undefined {
  const window = text.slice(at, at + MAX_LINE);
  const br = window.match(LINE_BREAK);
  if (br?.index !== undefined) return { end: at + br.index, next: at + br.index + br[0].length };
  return at + window.length >= text.length ? { end: text.length } : undefined;
}

/** The line that ends at `stop`: where it starts and where the line break before it starts (none at 0). */
function lineTo(text: string, stop: number): { start: number; previous?: number } | undefined {
  const from = Math.max(0, stop - MAX_LINE);
  let last: RegExpExecArray | undefined;
  for (const br of text.slice(from, stop).matchAll(LINE_BREAKS)) last = br;
  if (last) return { start: from + last.index + last[0].length, previous: from + last.index };
  return from === 0 ? { start: 0 } : undefined;
}

/** Where the key body after a BEGIN marker (ending at `from`) ends: after its last base64 line. */
function bodyEnd(text: string, from: number): number {
  let end = from;
  let at = from;
  for (let first = true; ; first = false) {
    const line = lineFrom(text, at);
    if (!line) break;
    const content = text.slice(at, line.end);
    // The first piece is the rest of the BEGIN line; the last may be cut short by the chunk's end.
    const edge = line.next === undefined && PEM_CUT_LINE.test(content);
    if (first ? content.trim() : !(PEM_LINE.test(content) || edge)) break;
    if (content.trim()) end = line.end;
    if (line.next === undefined) break;
    at = line.next;
  }
  return end;
}

/** Where the key body before an END marker (starting at `to`) starts: at its first base64 line. */
function bodyStart(text: string, to: number): number {
  let start = to;
  let stop = to;
  for (let first = true; ; first = false) {
    const line = lineTo(text, stop);
    if (!line) break;
    const content = text.slice(line.start, stop);
    // The last piece is what precedes END on its line; the first may be cut short by the chunk's start.
    const edge = line.previous === undefined && PEM_CUT_LINE.test(content);
    if (first ? content.trim() : !(PEM_LINE.test(content) || edge)) break;
    if (content.trim()) start = line.start + (content.length - content.trimStart().length);
    if (line.previous === undefined) break;
    stop = line.previous;
  }
  return start;
}

/** A secret of a known shape: the pattern, which group is the secret (0 = all), and an optional check. */
interface SecretRule {
  kind: FindingKind;
  pattern: RegExp;
  group?: number;
  accept?: (value: string, match: RegExpExecArray) => boolean;
  /** The kind when it depends on the match (generic assignments are named by their key). */
  kindOf?: (match: RegExpExecArray) => FindingKind;
}

/**
 * Words that fill a secret's slot in documentation and config templates without being a secret
 * (`password: required`, `пароль: не указан`). One of them, alone, as the value of an assignment is not
 * masked; `xxx…` and `***…` runs count too.
 */
const TEMPLATE_WORDS = [
  "null",
  "none",
  "nil",
  "undefined",
  "true",
  "false",
  "string",
  "number",
  "default",
  "example",
  "required",
  "optional",
  "mandatory",
  "changeme",
  "redacted",
  "secret",
  "password",
  "hidden",
  "masked",
  "empty",
  "blank",
  "unset",
  "placeholder",
  "forgotten",
  "reset",
  "expired",
  "invalid",
  "incorrect",
  "missing",
  "enabled",
  "disabled",
  "encrypted",
  "hashed",
  "xxx+",
  "\\*+",
  "обязательн\\p{L}*",
  "скрыт\\p{L}*",
  "пуст\\p{L}*",
  "не",
  "нет",
  "любой",
  "любая",
  "указан\\p{L}*",
  "задан\\p{L}*",
];
/** A value that is not a secret: one of `TEMPLATE_WORDS`, or a reference opening with `[ < { $ % * . … «`. */
const NOT_A_VALUE = new RegExp(`^(?:[[<{$%*.…«]|(?:${TEMPLATE_WORDS.join("|")})$)`, "iu");
/** A (dotted) identifier with no digits: `config.apiKey`, `getToken`, `DB_PASSWORD`. */
const IDENTIFIER = /^[A-Za-z_]+(?:\.[A-Za-z_]+)*(?:\(\))?$/;
/** A reference rather than a value: dotted or called (`config.password`, `getPassword()`), or an env name (`DB_PASSWORD`). */
const REFERENCE = /^(?:[A-Za-z_]+(?:\.[A-Za-z_]+)+(?:\(\))?|[A-Za-z_]+\(\)|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)$/;

/** The generic kind of an assignment from its key name (English or Russian). */
function assignmentKind(key: string): FindingKind {
  const name = key.toLowerCase();
  if (/pass(?:word|wd|phrase|code)|pwd|парол|(?<![a-z])pass(?![a-z])/.test(name)) return "password";
  if (/api[_ -]?key|apikey|access[_-]?key|ключ/.test(name)) return "api-key";
  if (/token|токен/.test(name)) return "token";
  return "secret";
}

/** A generic assignment's value is a secret: passwords when not a plain word, the rest when high-entropy. */
function secretValue(value: string, key: string): boolean {
  if (NOT_A_VALUE.test(value)) return false;
  // A password may well be a plain word (`DB_PASSWORD=SuperSecret`); only references are not values.
  if (assignmentKind(key) === "password") return !REFERENCE.test(value) && [...value].length >= 6;
  if (IDENTIFIER.test(value)) return false;
  return value.length >= 10 && characterClasses(value) >= 2 && entropy(value) >= 3;
}

const SECRET_RULES: SecretRule[] = [
  { kind: "anthropic", pattern: /(?<![\w-])sk-ant-[A-Za-z0-9_-]{20,}/g, accept: looksRandom },
  {
    kind: "openai",
    pattern: /(?<![\w-])sk-(?!ant-)(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}/g,
    accept: looksRandom,
  },
  {
    kind: "github",
    pattern: /(?<!\w)(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})(?!\w)/g,
  },
  { kind: "aws-access-key", pattern: /(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])/g },
  {
    kind: "aws-secret-key",
    pattern:
      /(?:aws_?secret_?(?:access_?)?key|secret_?access_?key)["']?\s*(?:=|:|=>)\s*["']?([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])/dgi,
    group: 1,
  },
  { kind: "slack", pattern: /(?<![\w-])xox[baprs]-[A-Za-z0-9-]{10,}/g },
  { kind: "slack", pattern: /https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9_/]+/g },
  { kind: "google", pattern: /(?<![\w-])AIza[0-9A-Za-z_-]{35}(?![\w-])/g },
  { kind: "stripe", pattern: /(?<!\w)(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{16,}(?!\w)/g },
  { kind: "jwt", pattern: /(?<![\w-])eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g },
  {
    kind: "bearer",
    pattern: /\bAuthorization["']?\s*:\s*["']?(?:Bearer|Token)\s+([A-Za-z0-9._~+/=-]{8,})/dgi,
    group: 1,
  },
  {
    kind: "bearer",
    pattern: /\bBearer\s+([A-Za-z0-9._~+/=-]{20,})/dg,
    group: 1,
    accept: looksRandom,
  },
  {
    kind: "basic-auth",
    pattern: /\bAuthorization["']?\s*:\s*["']?Basic\s+([A-Za-z0-9+/=]{8,})/dgi,
    group: 1,
  },
  {
    kind: "secret",
    pattern:
      /(?<![A-Za-z0-9_.[-])([A-Za-z0-9_.-]*?(?:api[_-]?key|apikey|access[_-]?key|secret[_-]?key|client[_-]?secret|secret|access[_-]?token|auth[_-]?token|refresh[_-]?token|token|password|passwd|pwd|passphrase|private[_-]?key|(?<![A-Za-z])pass))["']?\s*(?:=|:|=>)\s*["'`]?([^\s"'`,;<>()[\]{}]+)/dgi,
    group: 2,
    // `password = getPassword()`: a call, not a value.
    accept: (value, match) =>
      secretValue(value, match[1]) && match.input[match.index + match[0].length] !== "(",
    kindOf: (match) => assignmentKind(match[1]),
  },
  // A quoted password with spaces in it: the whole quoted value.
  {
    kind: "password",
    pattern:
      /(?<![A-Za-z0-9_.[-])[A-Za-z0-9_.-]*?(?:password|passwd|pwd|passphrase)["']?\s*(?:=|:|=>)\s*(["'`])([^"'`\n]{6,200})\1/dgi,
    group: 2,
    accept: (value) => !NOT_A_VALUE.test(value.trim()),
  },
  // Russian keys: `пароль: …`, `пароль от почты — …`, `токен=…`, `ключ API: …`.
  {
    kind: "secret",
    pattern:
      /(?<![\p{L}\p{N}_])(пароль|пароля|парольчик|токен|токена|секретный\s+ключ|ключ\s+api|api[- ]?ключ|ключ\s+доступа|секрет)(?:\s+(?:от|для|к)\s+[\p{L}\p{N}_.@-]+){0,2}\s*(?:[:=]|—|–|\s-\s)\s*["'«`]?([^\s"'»`,;<>()[\]{}]+)/dgiu,
    group: 2,
    accept: (value, match) => secretValue(value, match[1]),
    kindOf: (match) => assignmentKind(match[1]),
  },
  // "the password is …", "пароль такой …": said, not assigned; the value must not be a plain word.
  {
    kind: "password",
    pattern:
      /(?<![\p{L}\p{N}_])(?:password|passphrase|passcode|пароль)\s+(?:is|was|will\s+be|это|был|будет|такой)\s*:?\s+["'«“]?([^\s"'»”,;<>()[\]{}]+?)["'»”]?(?=[\s,;.!?]*(?:\s|$))/dgiu,
    group: 1,
    accept: (value) => !NOT_A_VALUE.test(value) && [...value].length >= 6 && characterClasses(value) >= 2,
  },
];

/** Secrets of every known shape and generic assignments with a secret-looking value. */
function secrets(text: string): Span[] {
  const spans: Span[] = [];
  for (const rule of SECRET_RULES) {
    for (const match of text.matchAll(rule.pattern)) {
      const span = spanOf(match, rule.group ?? 0);
      if (!span) continue;
      // A full stop after an assigned value ends the sentence, it is not part of the value.
      if (rule.kindOf && text[span[1] - 1] === "." && /\s|^$/.test(text[span[1]] ?? "")) span[1]--;
      const value = text.slice(span[0], span[1]);
      if (rule.accept && !rule.accept(value, match)) continue;
      spans.push({ kind: rule.kindOf?.(match) ?? rule.kind, start: span[0], end: span[1] });
    }
  }
  return spans;
}

// ---------------------------------------------------------------------------------------------------------
// PII

/** Addresses in any script: `ivan@почта.рф` and `иван@mail.ru` are addresses too. */
const EMAIL =
  /(?<![\p{L}\p{N}_.%+-])[\p{L}\p{N}_%+-]+(?:\.[\p{L}\p{N}_%+-]+)*@(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+(?:\p{L}{2,24}|xn--[a-z0-9-]{2,59})(?![\p{L}\p{N}_-]|\.[\p{L}\p{N}])/gu;

/** E-mail addresses. */
function emails(text: string): Span[] {
  return [...text.matchAll(EMAIL)].map((m) => ({
    kind: "email",
    start: m.index,
    end: m.index + m[0].length,
  }));
}

/** `[at]`, `(at)`, ` at `, `собака` for `@`; `[dot]`, ` dot `, `точка` for `.`. */
const AT = String.raw`(?:\s*[[({<]\s*(?:at|@|собака)\s*[\])}>]\s*|\s+(?:at|собака)\s+)`;
const DOT = String.raw`(?:\s*[[({<]\s*(?:dot|\.|точка)\s*[\])}>]\s*|\s+(?:dot|точка)\s+|\.)`;
const OBFUSCATED_EMAIL = new RegExp(
  String.raw`(?<![\p{L}\p{N}_.%+-])([\p{L}\p{N}_%+-]+(?:\.[\p{L}\p{N}_%+-]+)*)(${AT})((?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?${DOT})+)(\p{L}{2,24})(?![\p{L}\p{N}_-])`,
  "giu",
);
/** Words that end up before a plain " at " in ordinary sentences ("look at this dot com"). */
const NOT_A_MAILBOX =
  /^(?:look|looking|looked|meet|met|arrive|arrived|stay|stayed|be|is|are|was|were|am|me|us|him|her|them|it|this|that|here|there|good|bad|great|best|work|works|home|aim|aimed|laugh|laughed|smile|smiled|point|pointed|stare|stared|only|even|just|and|or|not|all)$/i;

/** Addresses written to dodge scanners: `john [at] example [dot] com`, `ivan собака mail точка ru`. */
function obfuscatedEmails(text: string): Span[] {
  const spans: Span[] = [];
  for (const match of text.matchAll(OBFUSCATED_EMAIL)) {
    const [whole, local, at, domain] = match;
    // A bare " at " needs a spelled-out dot as well, and a name that is not a common word.
    const plain = !/[[({<]|собака/iu.test(at);
    if (plain && (!/\s(?:dot|точка)\s|[[({<]/iu.test(domain) || NOT_A_MAILBOX.test(local))) continue;
    spans.push({ kind: "email", start: match.index, end: match.index + whole.length });
  }
  return spans;
}

/** 13–19 digits, optionally grouped by single spaces, dashes or dots, not part of a longer number. */
const CARD = /(?<![\p{L}\p{N}_+]|\d[ .-])\d(?:[ .-]?\d){12,18}(?![\p{L}\p{N}_]|[ .-]\d)/gu;

/** The Luhn (mod 10) checksum over a string of digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let digit = digits.charCodeAt(i) - 48;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return sum % 10 === 0;
}

/**
 * Payment card numbers that pass Luhn. An ungrouped run of digits must also start like a card (issuer
 * prefixes 22–27 and 3–6), so a millisecond timestamp or an order number that happens to pass Luhn stays.
 */
function cards(text: string): Span[] {
  const spans: Span[] = [];
  for (const match of text.matchAll(CARD)) {
    const digits = match[0].replace(/\D/g, "");
    if (!luhnValid(digits) || /^(\d)\1*$/.test(digits)) continue;
    const dotted = match[0].includes(".");
    // A dotted run is a card only in groups of three or more that start like one (not 3.14159265358979).
    if (dotted && match[0].split(".").some((g) => g.replace(/\D/g, "").length < 3)) continue;
    if ((digits === match[0] || dotted) && !/^(?:2[2-7]|[3-6])/.test(digits)) continue;
    spans.push({ kind: "card", start: match.index, end: match.index + match[0].length });
  }
  return spans;
}

/** IBAN length by country (SWIFT IBAN registry). */
const IBAN_LENGTH: ReadonlyMap<string, number> = new Map(
  (
    "AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BI27 BR29 BY28 CH21 CR22 CY28 CZ24 DE22 DJ27 DK18 DO28 " +
    "EE20 EG29 ES24 FI18 FK18 FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28 HR21 HU28 IE22 IL23 IQ23 IS26 IT27 " +
    "JO30 KW30 KZ20 LB28 LC32 LI21 LT20 LU20 LV21 LY25 MC27 MD24 ME22 MK19 MN20 MR27 MT31 MU30 NI28 NL18 " +
    "NO15 OM23 PK24 PL28 PS29 PT25 QA29 RO24 RS22 RU33 SA24 SC31 SD18 SE24 SI19 SK24 SM27 SO23 ST25 SV28 " +
    "TL23 TN24 TR26 UA29 VA22 VG24 XK20 YE30"
  )
    .split(" ")
    .map((entry) => [entry.slice(0, 2), Number(entry.slice(2))]),
);

const IBAN_START = /(?<![\p{L}\p{N}_])([A-Za-z]{2})\d{2}(?= ?[A-Za-z0-9])/gu;

/** ISO 13616 / ISO 7064 mod 97-10: the rearranged IBAN, letters as 10–35, leaves remainder 1. */
export function ibanValid(iban: string): boolean {
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const char of rearranged) {
    const value = char >= "A" ? char.charCodeAt(0) - 55 : char.charCodeAt(0) - 48;
    remainder = (remainder * (value > 9 ? 100 : 10) + value) % 97;
  }
  return remainder === 1;
}

/** IBANs, with or without single spaces, of their country's length, that pass mod-97. */
function ibans(text: string): Span[] {
  const spans: Span[] = [];
  for (const match of text.matchAll(IBAN_START)) {
    const length = IBAN_LENGTH.get(match[1].toUpperCase());
    if (!length) continue;
    // Lower case too (`de89 3704 …`): the country's length, mod-97 and a mostly numeric account decide.
    let compact = match[0].toUpperCase();
    let at = match.index + match[0].length;
    while (compact.length < length && at < text.length) {
      const char = text[at];
      if (/[A-Za-z0-9]/.test(char)) compact += char.toUpperCase();
      else if (!(char === " " && /[A-Za-z0-9]/.test(text[at + 1] ?? ""))) break;
      at++;
    }
    if (compact.length < length || /[\p{L}\p{N}_]/u.test(text[at] ?? "") || !ibanValid(compact)) continue;
    const account = compact.slice(4);
    if (account.replace(/\D/g, "").length < account.length * 0.6) continue;
    spans.push({ kind: "iban", start: match.index, end: at });
  }
  return spans;
}

/**
 * Phone candidates: `+` and country code, or national groups joined by single spaces, dots or dashes, with
 * an optional area code in parentheses; not glued to letters, digits or a longer number on either side.
 */
const PHONE =
  /(?<![\p{L}\p{N}_+./#-]|\d:|\d[ .-])(?:\+\d{1,15}|\+?\(\d{1,5}\)[ .-]?\d{1,12}|\d{1,12})(?:[ .-]?\(\d{1,5}\)[ .-]?\d{1,12}|[ .-]\d{1,12}){0,7}(?![\p{L}\p{N}_]|[./:-]\d| \d)/gu;

/** A calendar date written with `-`, `.` or spaces: `2024-05-17`, `17.05.2024`, `05-17-2024`. */
function isDate(candidate: string): boolean {
  const ymd = candidate.match(/^(\d{4})[-. ](\d{1,2})[-. ](\d{1,2})$/);
  if (ymd) return +ymd[2] >= 1 && +ymd[2] <= 12 && +ymd[3] >= 1 && +ymd[3] <= 31;
  const dmy = candidate.match(/^(\d{1,2})[-. ](\d{1,2})[-. ](\d{4})$/);
  if (!dmy) return false;
  const [a, b] = [+dmy[1], +dmy[2]];
  return a >= 1 && b >= 1 && ((a <= 31 && b <= 12) || (a <= 12 && b <= 31));
}

/** Whether a phone candidate is a phone number rather than a date, year, version, amount or range. */
function isPhone(candidate: string): boolean {
  const digits = candidate.replace(/\D/g, "");
  if (digits.length < 7 || digits.length > 15) return false;
  if (candidate.startsWith("+")) return true;
  const separators = new Set(candidate.match(/[ .-]/g) ?? []);
  const parens = candidate.includes("(");
  if (!parens && separators.size === 0) return false; // a bare run of digits is an id, not a phone
  if (isDate(candidate)) return false;
  const groups = candidate.split(/\D+/).filter(Boolean);
  if (groups.every((g) => g.length === 4 && +g >= 1800 && +g <= 2199)) return false; // years: 2020-2024
  // A range (1000-2000) or a number in thousands (10 000 000, 1.000.000).
  const [first, ...rest] = groups;
  const range =
    groups.length === 2 && separators.has("-") && first.length === rest[0].length && +first < +rest[0];
  const thousands = !parens && !separators.has("-") && first.length <= 3 && rest.every((g) => g.length === 3);
  if (range || thousands) return false;
  if (separators.has(".")) {
    // Dotted phones use dots only and have a long group; otherwise a version, an IP or decimals.
    return !parens && separators.size === 1 && groups.length >= 3 && groups.some((g) => g.length >= 4);
  }
  if (!parens && !separators.has("-")) {
    // Spaces only: a trunk prefix (0…, 8 800…, 1 800…) or the North American 3-3-4 shape.
    return (
      first.startsWith("0") ||
      (/^[18]$/.test(first) && rest[0]?.length === 3) ||
      groups.map((g) => g.length).join("-") === "3-3-4"
    );
  }
  return true;
}

/** Words right before a number that say what it is when it is not a phone: ISBN 978-…, build 10.0.19045. */
const NOT_A_PHONE_BEFORE =
  /(?:isbn(?:-1[03])?|issn|doi|build|builds|version|ver|release|revision|rev|firmware|patch|invoice|order|ticket|ref|reference|case|сборк\p{L}*|верси\p{L}*|релиз\p{L}*|ревизи\p{L}*|артикул\p{L}*|заказ\p{L}*|сч[её]т\p{L}*|накладн\p{L}*)\s*(?:no\.?|number|№|#)?\s*[:#№]?\s*$/iu;

/** ISBN-13 (978/979) check digit, hyphenated or not. */
function isbn13(candidate: string): boolean {
  const digits = candidate.replace(/\D/g, "");
  if (digits.length !== 13 || !/^97[89]/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < 13; i++) sum += (digits.charCodeAt(i) - 48) * (i % 2 ? 3 : 1);
  return sum % 10 === 0;
}

/** A dotted version or build number: four or more groups with a short first one (10.0.19045.3803). */
function isVersion(candidate: string): boolean {
  const groups = candidate.split(".");
  return groups.length >= 4 && /^[1-9]\d?$/.test(groups[0]) && !/^1$/.test(groups[0]);
}

/** Phone numbers, international and national. */
function phones(text: string): Span[] {
  const spans: Span[] = [];
  for (const match of text.matchAll(PHONE)) {
    const candidate = match[0];
    if (!isPhone(candidate) || isbn13(candidate) || (!candidate.startsWith("+") && isVersion(candidate))) {
      continue;
    }
    if (NOT_A_PHONE_BEFORE.test(text.slice(Math.max(0, match.index - 24), match.index))) continue;
    spans.push({ kind: "phone", start: match.index, end: match.index + candidate.length });
  }
  return spans;
}

// ---------------------------------------------------------------------------------------------------------
// Prompt injection

/** Not inside a (Cyrillic or Latin) word: `\b` only knows ASCII. */
const B = String.raw`(?<![\p{L}\p{N}_])`;
const E = String.raw`(?![\p{L}\p{N}_])`;

/** Builds a case-insensitive Unicode pattern from pieces, with word boundaries on both ends. */
function phrase(...pieces: string[]): RegExp {
  return new RegExp(B + pieces.join("") + E, "giu");
}

const INJECTION_PATTERNS: RegExp[] = [
  // ignore / disregard (all) previous instructions
  phrase(
    String.raw`(?:ignore|disregard|forget|override|bypass|skip|drop)\s+(?:(?:all|any|every)\s+)?(?:of\s+)?`,
    String.raw`(?:(?:the|your|my|these|those)\s+)?`,
    String.raw`(?:(?:previous|prior|above|earlier|preceding|foregoing|former|original|initial|old|existing|system|developer|safety)\s+)+`,
    "(?:instructions?|prompts?|directions|directives?|rules|commands?|guidelines|guidance|constraints|orders|programming|context)",
  ),
  phrase(
    String.raw`(?:ignore|disregard|forget)\s+(?:all\s+)?(?:of\s+)?(?:your|all)\s+`,
    "(?:instructions|rules|guidelines|programming|training|restrictions|constraints)",
  ),
  // disregard the above / ignore everything before / forget everything you were told
  phrase(
    String.raw`(?:disregard|ignore|forget)\s+(?:(?:all|everything)\s+)?(?:of\s+)?`,
    String.raw`(?:the\s+|that\s+|what\s+(?:was|is)\s+(?:said|written)\s+)?(?:above|before)`,
  ),
  phrase(String.raw`forget\s+(?:everything|all)\s+(?:that\s+)?you\s+(?:were|have\s+been|'ve\s+been)\s+told`),
  // you are now …
  phrase(
    String.raw`you\s+are\s+now\s+(?:[\p{L}'-]+\s+){0,5}?`,
    String.raw`(?:DAN|AI|assistant|model|chatbot|bot|jailbroken|unrestricted|unfiltered|uncensored|unlimited|evil|persona|character|mode|freed|no\s+longer)`,
  ),
  phrase(
    String.raw`you\s+are\s+no\s+longer\s+(?:bound|restricted|limited|required\s+to\s+follow|`,
    String.raw`an?\s+(?:AI|assistant|language\s+model)|ChatGPT|Claude)`,
  ),
  phrase(
    String.raw`from\s+now\s+on,?\s+you\s+(?:are|will\s+be|must\s+be)\s+`,
    String.raw`(?:DAN|an?\s+(?:unrestricted|unfiltered|uncensored|jailbroken|evil))`,
  ),
  // system prompt / reveal your instructions
  phrase(
    String.raw`(?:reveal|show|print|display|output|repeat|leak|dump|expose|share|recite|give|tell|send|write\s+out|spell\s+out)`,
    String.raw`\s+(?:me\s+|us\s+)?(?:(?:all|back)\s+)?(?:of\s+)?your\s+`,
    String.raw`(?:(?:full|exact|entire|whole|complete|hidden|secret|original|initial|internal|system|developer|verbatim)\s+)*`,
    String.raw`(?:system\s+prompt|system\s+message|prompt|instructions|rules|guidelines|directives|programming|configuration)`,
  ),
  phrase(
    String.raw`(?:reveal|show|print|display|output|repeat|leak|dump|expose|share|recite|give|tell|send|write\s+out|spell\s+out)`,
    String.raw`\s+(?:me\s+|us\s+)?(?:(?:all|back)\s+)?(?:of\s+)?the\s+(?:(?:full|exact|entire|whole|complete|verbatim)\s+)*`,
    String.raw`(?:system|hidden|secret|original|initial|internal|developer)\s+(?:prompt|message|instructions)`,
  ),
  phrase(
    String.raw`what\s+(?:is|are|was|were)\s+(?:your|the)\s+(?:(?:system|initial|original|hidden|secret)\s+)`,
    "(?:prompt|instructions|message)",
  ),
  phrase(String.raw`what\s+(?:is|are|was|were)\s+your\s+(?:prompt|instructions)`),
  phrase(String.raw`(?:new|updated|override|real|true|actual)\s+system\s+prompt`),
  /<\|im_start\|>\s*system|<<SYS>>|<\|system\|>/gi,
  // act as DAN / developer mode
  phrase(
    String.raw`(?:act|behave|respond|roleplay|role-play)\s+as\s+(?:an?\s+)?`,
    String.raw`(?:DAN|(?:unrestricted|unfiltered|uncensored|jailbroken|evil)\s+(?:AI|assistant|model|chatbot|bot))`,
  ),
  phrase(String.raw`(?:DAN|jailbreak|jailbroken)\s+mode`),
  phrase(String.raw`do\s+anything\s+now`),
  phrase(String.raw`developer\s+mode\s+(?:enabled|activated|output|response)`),
  phrase(
    String.raw`(?:you\s+are|you're|act|respond|answer|pretend|simulate|stay)\s+(?:now\s+)?(?:[\p{L}'-]+\s+){0,3}?`,
    String.raw`(?:in|with)\s+developer\s+mode`,
  ),
  phrase(
    String.raw`(?:enable|activate|enter)\s+developer\s+mode\s+(?:and|to)\s+`,
    "(?:ignore|bypass|answer|respond|generate|output|disable)",
  ),
  phrase(
    String.raw`pretend\s+(?:that\s+)?you\s+(?:are|have)\s+(?:no|not\s+bound\s+by)\s+(?:\p{L}+\s+)?`,
    "(?:restrictions|rules|filters|guidelines|limitations|limits)",
  ),
  // Russian: забудь / игнорируй предыдущие инструкции
  phrase(
    String.raw`(?:забудь|игнорируй|проигнорируй|отбрось|отмени|нарушь|обойди|не\s+обращай\s+внимания\s+на|не\s+слушай)(?:те)?\s+`,
    String.raw`(?:(?:все|всё|любые)\s+)?(?:(?:свои|твои|ваши|эти|мои)\s+)?`,
    String.raw`(?:(?:предыдущие|прошлые|прежние|ранее\s+(?:данные|полученные)|вышеизложенные|вышеуказанные|вышеприведённые|вышеприведенные|предшествующие|старые|исходные|изначальные|первоначальные|системные)\s+)?`,
    "(?:инструкции|указания|правила|команды|установки|ограничения|промп?ты|настройки|директивы)",
  ),
  phrase(
    String.raw`(?:забудь|игнорируй|проигнорируй)(?:те)?\s+(?:всё|все),?\s+(?:что|чему)\s+(?:тебе\s+|вам\s+)?(?:было\s+)?`,
    "(?:сказано|написано|говорили|сказали|учили|указано)",
  ),
  phrase(
    String.raw`(?:забудь|игнорируй|проигнорируй|отбрось)(?:те)?\s+(?:(?:всё|все)\s+)?`,
    String.raw`(?:вышесказанное|вышеизложенное|вышенаписанное|предыдущее|сказанное\s+(?:выше|ранее))`,
  ),
  // ты теперь … / теперь ты …
  phrase(
    String.raw`(?:ты\s+теперь|теперь\s+ты)\s+(?:[\p{L}-]+\s+){0,4}?`,
    String.raw`(?:DAN|ДАН|ИИ|бот|модель|ассистент|без\s+(?:ограничений|правил|цензуры|фильтров)|неограниченн\p{L}*|в\s+режиме)`,
  ),
  // системный промпт / покажи свои инструкции
  phrase(
    String.raw`(?:покажи|раскрой|выведи|напиши|повтори|сообщи|расскажи|назови|открой|выдай|перечисли|процитируй)(?:те)?\s+`,
    String.raw`(?:мне\s+|нам\s+)?(?:(?:все|всё|полностью)\s+)?`,
    String.raw`(?:(?:свои|твои|ваши|свой|твой|ваш|системные|скрытые|исходные|изначальные|секретные)\s+)+`,
    String.raw`(?:инструкции|промп?т|указания|правила|настройки|системный\s+промп?т)`,
  ),
  phrase(
    String.raw`(?:покажи|раскрой|выведи|напиши|повтори|сообщи|расскажи|назови|открой|выдай|процитируй)(?:те)?\s+`,
    String.raw`(?:мне\s+|нам\s+)?(?:системный\s+промп?т|системное\s+сообщение|системные\s+инструкции)`,
  ),
  phrase(
    String.raw`(?:какой|какие|каков|каковы)\s+(?:у\s+тебя\s+|твой\s+|твои\s+)`,
    String.raw`(?:системный\s+промп?т|системные\s+инструкции|инструкции)`,
  ),
  phrase(String.raw`(?:новый|настоящий|обновлённый|обновленный)\s+системный\s+промп?т`),
  // режим разработчика / действуй как DAN
  phrase(
    String.raw`(?:включи|активируй|перейди\s+в|войди\s+в|ты\s+в|работай\s+в)(?:те)?\s+режим\p{L}*\s+`,
    String.raw`(?:разработчика|DAN|ДАН|без\s+ограничений)`,
  ),
  phrase(
    String.raw`(?:действуй|веди\s+себя|притворись|выступай)(?:те)?\s+(?:как\s+)?`,
    String.raw`(?:DAN|ДАН|ИИ\s+без\s+ограничений)`,
  ),
];

const TERMINATOR = /[.!?…]/;
const SPACE = /\s/;

/** The sentence around `[start, end)`: back to the previous sentence end or line break, on to the next one. */
function sentenceAround(text: string, start: number, end: number): [number, number] {
  let from = start;
  while (from > 0) {
    const before = text[from - 1];
    if (before === "\n" || (TERMINATOR.test(before) && SPACE.test(text[from]))) break;
    from--;
  }
  while (from < start && SPACE.test(text[from])) from++;
  let to = end;
  while (to < text.length && text[to] !== "\n") {
    if (TERMINATOR.test(text[to])) {
      while (to < text.length && TERMINATOR.test(text[to])) to++;
      if (to === text.length || SPACE.test(text[to])) break;
    } else {
      to++;
    }
  }
  while (to > end && SPACE.test(text[to - 1])) to--;
  return [from, to];
}

/** Prompt-injection phrases, each widened to its whole sentence. */
function injections(text: string): Span[] {
  const spans: Span[] = [];
  for (const pattern of INJECTION_PATTERNS) {
    let covered = 0;
    for (const match of text.matchAll(pattern)) {
      const stop = match.index + match[0].length;
      // Another phrase in a sentence already taken: widening it again would only repeat the work.
      if (stop <= covered) continue;
      const [start, end] = sentenceAround(text, match.index, stop);
      spans.push({ kind: "injection", start, end });
      covered = end;
    }
  }
  return spans;
}

/**
 * Injection phrases on the squashed views (letters only, look-alikes and leet undone): `i g n o r e`,
 * `ig-nore`, `1gn0r3 pr3v10us 1nstruct10ns`. Only the unmistakable phrases: without spaces, a looser one
 * would match across words.
 */
const SQUASHED: Record<"latin" | "cyrillic", RegExp[]> = {
  latin: [
    /(?:ignore|disregard|forget|bypass|override|paynoattentionto)(?:all|any|every|of|the|your|my|these|those)*(?:previous|prior|above|earlier|preceding|foregoing|former|original|initial|system|developer)+(?:instructions?|prompts?|directions?|directives?|rules|commands?|guidelines|constraints)/g,
    /forget(?:everything|all)(?:that)?you(?:were|havebeen|vebeen)told/g,
    /youarenow(?:dan|jailbroken|unrestricted|unfiltered|uncensored)/g,
    /developermode(?:enabled|activated)/g,
    /(?:reveal|show|print|display|leak|dump|repeat|output)(?:me|us)?(?:all|back)?(?:of)?(?:your|the)(?:full|exact|entire|whole|complete|hidden|secret|original|initial|internal|verbatim)*(?:systemprompt|systemmessage|hiddeninstructions|secretinstructions|initialinstructions)/g,
  ],
  cyrillic: [
    /(?:забудь|игнорируй|проигнорируй|отбрось|необращайвниманияна|неслушай)(?:те)?(?:все|всё|любые)?(?:свои|твои|ваши|эти|мои)?(?:предыдущие|прошлые|прежние|системные|исходные|изначальные|первоначальные|вышеизложенные|старые)?(?:инструкции|указания|правила|команды|установки|промпты|промты|ограничения|директивы)/g,
    /(?:забудь|игнорируй|проигнорируй)(?:те)?(?:всё|все)(?:что|чему)(?:тебе|вам)?(?:было)?(?:сказано|написано|говорили|сказали|учили|указано)/g,
    /(?:включи|активируй)(?:те)?режимразработчика/g,
    /(?:покажи|раскрой|выведи|повтори|выдай)(?:те)?(?:мне|нам)?(?:свой|твой|ваш)?системныйпромп?т/g,
  ],
};

/** `[start, end)` in the original of every squashed-view injection phrase. */
function squashedInjections(view: TextView): Array<[number, number]> {
  const masks = maskRanges(view.text);
  const out: Array<[number, number]> = [];
  for (const script of ["latin", "cyrillic"] as const) {
    const squashed = squashedView(view, script, masks);
    for (const pattern of SQUASHED[script]) {
      for (const match of squashed.text.matchAll(pattern)) {
        out.push(toOriginal(squashed, match.index, match.index + match[0].length));
      }
    }
  }
  return out;
}

/** Runs of base64 (or base64url) long enough to hide a sentence. */
const BASE64 = /(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/_-]{16,}={0,2}(?![A-Za-z0-9+/=_-])/g;
const PRINTABLE = /[\p{L}\p{N}\p{P}\p{S}\p{Zs}\n\t]/u;

/** The text a base64 run encodes, when it is readable UTF-8 with words in it. */
function decodeBase64Text(run: string): string | undefined {
  const body = run.replace(/=+$/, "");
  if (body.length % 4 === 1 || !/[a-z]/.test(body) || !/[A-Z]/.test(body)) return undefined;
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(body, "base64"));
  } catch {
    return undefined;
  }
  const chars = [...text];
  const printable = chars.filter((c) => PRINTABLE.test(c)).length;
  return chars.length >= 8 && printable >= chars.length * 0.95 && /\s/.test(text) ? text : undefined;
}

/** Injections hidden in base64 ("decode this and do it: aWdub3Jl…"): the sentence holding the run. */
function encodedInjections(text: string): Span[] {
  const spans: Span[] = [];
  for (const match of text.matchAll(BASE64)) {
    const decoded = decodeBase64Text(match[0]);
    if (decoded === undefined) continue;
    const found = injections(decoded).length > 0 || squashedInjections(normalView(decoded)).length > 0;
    if (!found) continue;
    const [start, end] = sentenceAround(text, match.index, match.index + match[0].length);
    spans.push({ kind: "injection", start, end });
  }
  return spans;
}
