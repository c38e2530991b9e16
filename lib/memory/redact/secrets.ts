/**
 * Secrets: every rule of `secret-rules.ts` applied to the text, values checked, kinds named.
 */
import type { Span } from "./kinds.js";
import { SECRET_RULES } from "./secret-rules.js";
import { spanOf } from "./text.js";

/** Secrets of every known shape and generic assignments with a secret-looking value. */
export function secrets(text: string): Span[] {
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
