/**
 * Sentence units of a text with exact offsets, so a quoted sentence can always be found again in its evidence
 * (and, through the capsule's provenance, in its file). Markdown blocks are read first: a fenced or indented
 * code block is one unit, a heading (`#` or underlined), a list item or a table row is one unit; only
 * paragraphs are split into sentences. A paragraph splits after `.`, `!`, `?` or `…` followed by white space
 * and a capital, a digit or an opening mark, never inside inline code and never after an abbreviation
 * ("e.g.", "i.e.", "т. е.", an initial); `v1.2`, `file.ts` and URLs have no space after the dot, so they
 * never split. A line break alone does not end a sentence: docs wrap their lines; but a line that opens
 * with an upper-case label (`STEP:`, `DESCRIPTION:`) starts a new unit. Offsets are UTF-16 indices, like
 * `String.prototype.slice`.
 */

/** What a unit is in its Markdown; headings are context, never an answer. */
export type UnitKind = "text" | "heading" | "item" | "row" | "code";

/** One unit: `text.slice(start, end) === sentence`, trimmed of surrounding white space. */
export interface TextUnit {
  sentence: string;
  start: number;
  end: number;
  kind: UnitKind;
}

interface Line {
  start: number;
  /** End of the line's content (before `\r\n` or `\n`). */
  end: number;
  text: string;
}

const FENCE = /^\s*(`{3,}|~{3,})/;
/** A fence without an info string: it may open a block or close one. */
const BARE_FENCE = /^\s*(`{3,}|~{3,})\s*$/;
const HEADING = /^\s{0,3}#{1,6}(?:\s|$)/;
const THEMATIC_BREAK = /^\s{0,3}([-*_])(?:\s*\1){2,}\s*$/;
const SETEXT_UNDERLINE = /^\s{0,3}(?:=+|-+)\s*$/;
const TABLE_ROW = /^\s*\|/;
const LIST_ITEM = /^\s*(?:[-*+•]|\d{1,3}[.)])\s+\S/;
const INDENTED = /^(?: {4}|\t)/;
/**
 * A line that opens with an upper-case section label (`STEP: 2`, `DESCRIPTION: …`, `**CODE**:`): generated
 * documentation writes one field per line, so the label starts a unit of its own, as a blank line would.
 */
const LABEL_LINE = /^\s{0,3}\**[A-Z][A-Z ]{2,}[A-Z]\**\s*:(?:\s|$)/;
const TERMINATOR = /[.!?…]/;
/** Closing quotes and brackets that stay with the sentence they end. */
const CLOSER = /["'”’»)\]]/;
/** What may open a sentence: a capital, a digit, an opening quote or bracket, Markdown emphasis or code. */
const OPENER = /[\p{Lu}\p{N}"'“«([*_`]/u;
const CONTENT = /[\p{L}\p{N}]/u;
/** Words that end in a dot without ending the sentence (lower case, without the final dot). */
const ABBREVIATIONS = new Set(
  (
    "e.g i.e cf vs approx fig figs no nos vol pp mr mrs ms dr prof st jr sr inc ltd co al resp " +
    "т.е т.д т.п т.к др см напр рис стр гл ср ок тыс млн млрд руб г гг"
  ).split(" "),
);

function linesOf(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  while (start <= text.length) {
    const newline = text.indexOf("\n", start);
    const stop = newline === -1 ? text.length : newline;
    const end = stop > start && text[stop - 1] === "\r" ? stop - 1 : stop;
    lines.push({ start, end, text: text.slice(start, end) });
    if (newline === -1) break;
    start = newline + 1;
  }
  return lines;
}

/** Whether the dot at `dot` ends an abbreviation or an initial rather than a sentence. */
function isAbbreviation(text: string, from: number, dot: number): boolean {
  let begin = dot;
  while (begin > from && /[\p{L}.]/u.test(text[begin - 1])) begin--;
  const word = text.slice(begin, dot).toLowerCase();
  if (word.length === 0) return false;
  // "J. Smith", "т. е.", "U.S.": one letter, or letters with inner dots.
  return word.length === 1 || word.includes(".") || ABBREVIATIONS.has(word);
}

/**
 * Where a chunk that starts inside a code block (the window cut through it) closes that block: the first
 * fence is bare and must be a closer when the fences are odd in number, or when the next one carries an info
 * string (which only an opening fence can). -1 when the text does not start inside a block.
 */
function closerOfCutBlock(lines: readonly Line[]): number {
  const fences = lines.flatMap((line, i) => (FENCE.test(line.text) ? [i] : []));
  if (fences.length === 0 || !BARE_FENCE.test(lines[fences[0]].text)) return -1;
  const next = fences[1];
  const odd = fences.length % 2 === 1;
  return odd || (next !== undefined && !BARE_FENCE.test(lines[next].text)) ? fences[0] : -1;
}

/**
 * Splits every unit of `text`: code blocks, headings, list items and table rows whole, paragraphs into
 * sentences. Units without a letter or digit (table separators, stray punctuation) are left out.
 */
export function splitSentences(text: string): TextUnit[] {
  const units: TextUnit[] = [];
  const push = (start: number, end: number, kind: UnitKind) => {
    // Blockquote markers and surrounding space are not part of a sentence; code keeps its indentation.
    if (kind !== "code") while (start < end && /[\s>]/.test(text[start])) start++;
    while (end > start && /\s/.test(text[end - 1])) end--;
    const sentence = text.slice(start, end);
    if (kind === "code" ? sentence.trim() !== "" : CONTENT.test(sentence)) {
      units.push({ sentence, start, end, kind });
    }
  };
  const lines = linesOf(text);
  let paragraph: { start: number; end: number } | undefined;
  let item: { start: number; end: number } | undefined;
  let afterBlank = true;
  let inList = false;
  const flush = () => {
    if (paragraph) splitParagraph(text, paragraph.start, paragraph.end, push);
    if (item) push(item.start, item.end, "item");
    paragraph = item = undefined;
  };

  const closer = closerOfCutBlock(lines);
  if (closer >= 0) push(0, lines[closer].end, "code");
  for (let i = closer + 1; i < lines.length; i++) {
    const line = lines[i];
    if (line.text.trim() === "") {
      flush();
      afterBlank = true;
      continue;
    }
    const fence = FENCE.exec(line.text);
    if (fence) {
      flush();
      // The block runs to a closing fence of the same character, at least as long, or to the end.
      const marker = fence[1];
      const closing = new RegExp(`^\\s*${marker[0] === "`" ? "`" : "~"}{${marker.length},}\\s*$`);
      let j = i + 1;
      while (j < lines.length && !closing.test(lines[j].text)) j++;
      const last = lines[Math.min(j, lines.length - 1)];
      push(line.start, last.end, "code");
      i = j;
      afterBlank = false;
      continue;
    }
    if (INDENTED.test(line.text) && !paragraph && !item && !inList) {
      // Indented code cannot interrupt a paragraph; it runs over blank lines until a line is not indented.
      let j = i;
      let last = i;
      while (j < lines.length && (INDENTED.test(lines[j].text) || lines[j].text.trim() === "")) {
        if (lines[j].text.trim() !== "") last = j;
        j++;
      }
      push(line.start, lines[last].end, "code");
      i = last;
      afterBlank = false;
      continue;
    }
    if (paragraph && !afterBlank && SETEXT_UNDERLINE.test(line.text)) {
      // "Title\n=====": the paragraph above was a heading.
      push(paragraph.start, paragraph.end, "heading");
      paragraph = undefined;
      inList = false;
    } else if (HEADING.test(line.text) || THEMATIC_BREAK.test(line.text) || TABLE_ROW.test(line.text)) {
      flush();
      if (!THEMATIC_BREAK.test(line.text)) {
        push(line.start, line.end, TABLE_ROW.test(line.text) ? "row" : "heading");
      }
      if (!TABLE_ROW.test(line.text)) inList = false;
    } else if (LIST_ITEM.test(line.text)) {
      flush();
      item = { start: line.start, end: line.end };
      inList = true;
    } else if (item && !afterBlank && !LABEL_LINE.test(line.text)) {
      item.end = line.end;
    } else if (paragraph && !afterBlank && !LABEL_LINE.test(line.text)) {
      paragraph.end = line.end;
    } else {
      flush();
      paragraph = { start: line.start, end: line.end };
      // A paragraph at the margin ends the list; an indented one continues its item.
      if (!/^\s/.test(line.text)) inList = false;
    }
    afterBlank = false;
  }
  flush();
  return units;
}

/** Splits the paragraph `text[start, end)` into sentences and hands each to `push`. */
function splitParagraph(
  text: string,
  start: number,
  end: number,
  push: (start: number, end: number, kind: UnitKind) => void,
): void {
  let from = start;
  let inCode = false;
  for (let k = start; k < end; k++) {
    const c = text[k];
    if (c === "`") inCode = !inCode;
    if (inCode || !TERMINATOR.test(c)) continue;
    let last = k;
    while (last + 1 < end && TERMINATOR.test(text[last + 1])) last++;
    while (last + 1 < end && CLOSER.test(text[last + 1])) last++;
    const gap = last + 1;
    if (gap >= end || !/\s/.test(text[gap])) {
      k = last;
      continue;
    }
    let next = gap;
    while (next < end && /\s/.test(text[next])) next++;
    const abbreviation = c === "." && last === k && isAbbreviation(text, from, k);
    if (next >= end || !OPENER.test(text[next]) || abbreviation) {
      k = last;
      continue;
    }
    push(from, gap, "text");
    from = next;
    k = next - 1;
  }
  push(from, end, "text");
}
