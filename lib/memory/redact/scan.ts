/**
 * The scanner: runs every detector on the text and on its de-obfuscated views, merges overlapping spans
 * into findings, and rescans the redacted text until nothing new turns up (so redacting twice changes
 * nothing).
 */
import { InvalidInputError } from "../../errors.js";
import { normalView, toOriginal } from "../normalize.js";
import { cards } from "./cards.js";
import { emails, obfuscatedEmails } from "./email.js";
import { ibans } from "./iban.js";
import { encodedInjections, injections, squashedInjections } from "./injection.js";
import { type Finding, maskRanges, type Span } from "./kinds.js";
import { phones } from "./phone.js";
import { privateKeys } from "./private-keys.js";
import { secrets } from "./secrets.js";
import { applyFindings, insideMask, merge, positionMap, sameSpans } from "./spans.js";
import { sentenceAround } from "./text.js";

/**
 * Every detector's spans on the text as it is. The order matters: on a tie in width, the earlier detector
 * labels a merged finding (secrets before PII before injections).
 */
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

/** `text` with every finding replaced by its mask, and the findings (offsets in the original). */
export function redact(text: string): { text: string; findings: Finding[] } {
  const findings = scanText(text);
  return { text: applyFindings(text, findings), findings };
}
