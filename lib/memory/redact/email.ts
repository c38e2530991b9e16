/**
 * E-mail addresses, in any script, and addresses spelled to dodge scanners (`john [at] example [dot] com`,
 * `ivan собака mail точка ru`).
 */
import type { Span } from "./kinds.js";

/** Addresses in any script: `ivan@почта.рф` and `иван@mail.ru` are addresses too. */
const EMAIL =
  /(?<![\p{L}\p{N}_.%+-])[\p{L}\p{N}_%+-]+(?:\.[\p{L}\p{N}_%+-]+)*@(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+(?:\p{L}{2,24}|xn--[a-z0-9-]{2,59})(?![\p{L}\p{N}_-]|\.[\p{L}\p{N}])/gu;

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

/** E-mail addresses. */
export function emails(text: string): Span[] {
  return [...text.matchAll(EMAIL)].map((m) => ({
    kind: "email",
    start: m.index,
    end: m.index + m[0].length,
  }));
}

/** Addresses written to dodge scanners: `john [at] example [dot] com`, `ivan собака mail точка ru`. */
export function obfuscatedEmails(text: string): Span[] {
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
