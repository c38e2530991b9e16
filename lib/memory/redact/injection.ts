/**
 * Prompt injections: the phrases of `injection-patterns.ts` found as written, spelled out to dodge scanners
 * (`i g n o r e`, `1gn0r3`, look-alike letters) or hidden in base64; each masks its whole sentence.
 */
import { normalView, squashedView, type TextView, toOriginal } from "../normalize.js";
import { INJECTION_PATTERNS, SQUASHED } from "./injection-patterns.js";
import { maskRanges, type Span } from "./kinds.js";
import { sentenceAround } from "./text.js";

/** Runs of base64 (or base64url) long enough to hide a sentence. */
const BASE64 = /(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/_-]{16,}={0,2}(?![A-Za-z0-9+/=_-])/g;
const PRINTABLE = /[\p{L}\p{N}\p{P}\p{S}\p{Zs}\n\t]/u;

/** Prompt-injection phrases, each widened to its whole sentence. */
export function injections(text: string): Span[] {
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

/** `[start, end)` in the original of every squashed-view injection phrase. */
export function squashedInjections(view: TextView): Array<[number, number]> {
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
export function encodedInjections(text: string): Span[] {
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
