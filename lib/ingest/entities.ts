/**
 * HTML character references, decoded by the `entities` package (the full HTML5 table, numeric references
 * with the browsers' Windows-1252 reading of `&#128;`–`&#159;`, U+FFFD for NUL, surrogates and values past
 * U+10FFFF). Named references need their `;`, except a bare few that pages write without one
 * (`&amp`, `&lt`, `&gt`, `&quot`, `&nbsp`, `&copy`, `&reg`); a bare numeric reference is decoded too.
 * Browsers accept ~100 bare legacy names, but in ingested prose `&eacute d` is far more often a literal
 * than a reference, so the rest stay as written.
 */
import { DecodingMode, decodeHTML } from "entities";
import { replaceCodePoint } from "entities/decode";

/** Bare references accepted without `;` (numeric ones, and the few names): they get one before decoding. */
const BARE =
  /&(#[0-9]+(?![0-9;])|#[xX][0-9a-fA-F]+(?![0-9a-fA-F;])|(?:amp|lt|gt|quot|nbsp|copy|reg)(?![A-Za-z0-9;]))/g;

/** Replaces character references in `text`; unknown names and malformed references stay as they are. */
export function decodeEntities(text: string): string {
  if (!text.includes("&")) return text;
  // A replacement string, not a callback: a callback per match makes a page of `&amp`s superlinear.
  return decodeHTML(text.replace(BARE, "&$1;"), DecodingMode.Strict);
}

/**
 * The character a C1 control byte (0x80–0x9F) stands for in Windows-1252 (0x93 is `“`), as browsers read
 * numeric references; other code points are returned as they are.
 */
export function windows1252CodePoint(code: number): number {
  return replaceCodePoint(code);
}
