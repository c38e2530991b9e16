/**
 * Secret shapes, as data: known key formats (OpenAI, GitHub, AWS, Slack, …), authorization headers and
 * generic assignments in English and Russian.
 */
import type { FindingKind } from "./kinds.js";
import { assignmentKind, secretValue } from "./secret-values.js";
import { NOT_A_VALUE } from "./secret-words.js";
import { characterClasses, looksRandom } from "./text.js";

/** A secret of a known shape: the pattern, which group is the secret (0 = all), and an optional check. */
export interface SecretRule {
  kind: FindingKind;
  pattern: RegExp;
  group?: number;
  accept?: (value: string, match: RegExpExecArray) => boolean;
  /** The kind when it depends on the match (generic assignments are named by their key). */
  kindOf?: (match: RegExpExecArray) => FindingKind;
}

/** Every secret shape, in the order they are tried (earlier rules label a tie when spans are merged). */
export const SECRET_RULES: SecretRule[] = [
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
