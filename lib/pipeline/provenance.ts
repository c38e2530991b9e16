/**
 * A citation's provenance: the evidence's file or reference, the line (or character) range of the very
 * sentence quoted (`locatorOf` reads it from the chunk's `meta.source`), its layer, and the sentence.
 */
import { locatorOf, type UsedSentence } from "../answer/index.js";
import type { Citation, Evidence } from "./types.js";

/** `lines 12-14`, `line 12` or `chars 100-180` of the quoted range, or the evidence's own locator. */
function placeOf(e: Evidence, used: UsedSentence): { file?: string; locator?: string } {
  const found = locatorOf(e.meta, e.text, used.start, used.end);
  const file = found.file ?? found.ref;
  if (found.lines) {
    const [a, b] = found.lines;
    return { file, locator: a === b ? `line ${a}` : `lines ${a}-${b}` };
  }
  if (found.chars) return { file, locator: `chars ${found.chars[0]}-${found.chars[1]}` };
  return { file, locator: e.locator };
}

/** The citation of a piece of evidence, quoting `used` (the sentence the answer rests on) when given. */
export function citationOf(e: Evidence, used?: UsedSentence): Citation {
  const place = used ? placeOf(e, used) : { locator: e.locator };
  const source = e.source ?? place.file;
  return {
    evidenceId: e.evidenceId,
    text: (used?.sentence ?? e.text.slice(0, 200)).replace(/\s+/g, " ").trim(),
    layer: e.layer,
    ...(source ? { source } : {}),
    ...(place.locator ? { locator: place.locator } : {}),
  };
}
