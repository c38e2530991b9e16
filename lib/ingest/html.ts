/**
 * HTML to plain text for ingest: what a reader would see, with block structure kept as line breaks so the
 * chunker can cut at paragraphs. A tolerant tag scanner, not a DOM parser: good enough for saved pages and
 * exported docs, and it never throws on malformed markup.
 */
import { decodeEntities } from "./entities.js";

/** Visible text and `<title>` of an HTML page. */
export interface HtmlText {
  text: string;
  title?: string;
}

// Elements whose content is never visible text.
const DROPPED = ["script", "style", "head", "noscript", "template", "svg", "object", "iframe"];

// Elements that start a new line; the ones in PARAGRAPH also leave a blank line (a paragraph break).
const BLOCK = new Set([
  "address",
  "article",
  "aside",
  "blockquote",
  "br",
  "caption",
  "dd",
  "details",
  "dialog",
  "div",
  "dl",
  "dt",
  "fieldset",
  "figcaption",
  "figure",
  "footer",
  "form",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "header",
  "hr",
  "li",
  "main",
  "nav",
  "ol",
  "p",
  "pre",
  "section",
  "summary",
  "table",
  "tbody",
  "thead",
  "tfoot",
  "tr",
  "ul",
]);
const PARAGRAPH = new Set(["p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "hr"]);
const CELL = new Set(["td", "th"]);

// A tag, allowing `>` inside quoted attribute values; group 1 = "/" for end tags, group 2 = name.
const TAG = /<(\/?)([A-Za-z][A-Za-z0-9:-]*)(?:[^>"']|"[^"]*"|'[^']*')*>/g;

/** Extracts the decoded, whitespace-collapsed content of the first `<title>`. */
export function htmlTitle(html: string): string | undefined {
  const match = /<title\b[^>]*>([\s\S]*?)<\/title\s*>/i.exec(html);
  if (!match) return undefined;
  const title = decodeEntities(match[1].replace(/<[^>]*>/g, ""))
    .replace(/\s+/g, " ")
    .trim();
  return title === "" ? undefined : title;
}

/** Removes comments, doctype/processing instructions, and dropped elements with their content. */
function stripInvisible(html: string): string {
  let out = html.replace(/<!--[\s\S]*?(?:-->|$)/g, " ").replace(/<![^>]*>|<\?[^>]*>/g, " ");
  for (const name of DROPPED) {
    // An unclosed <script> hides everything after it in a browser too.
    out = out.replace(new RegExp(`<${name}\\b[^>]*?(?:/>|>[\\s\\S]*?(?:</${name}\\s*>|$))`, "gi"), " ");
  }
  return out;
}

/**
 * Converts an HTML page to text: drops script/style/head (and similar), turns block elements into line
 * breaks, list items into `- ` lines, strips remaining tags, decodes entities, collapses whitespace
 * (except inside `<pre>`), and takes the title from `<title>`.
 */
export function htmlToText(html: string): HtmlText {
  const title = htmlTitle(html);
  const body = stripInvisible(html);
  // Pieces are collected in an array: reading the last character of a growing `+=` string flattens it
  // every time, which turns large pages quadratic.
  const parts: string[] = [];
  let endsWithSpace = true;
  const push = (piece: string) => {
    if (piece === "") return;
    parts.push(piece);
    endsWithSpace = /\s/.test(piece[piece.length - 1]);
  };
  let pre = 0;
  let last = 0;
  const emitText = (raw: string) => {
    if (pre > 0) return push(decodeEntities(raw));
    // Outside <pre> whitespace is collapsed, also across element boundaries ("a <b> b</b>" → "a b").
    const text = raw.replace(/\s+/g, " ");
    push(decodeEntities(endsWithSpace ? text.trimStart() : text));
  };
  for (const match of body.matchAll(TAG)) {
    emitText(body.slice(last, match.index));
    last = match.index + match[0].length;
    const closing = match[1] === "/";
    const name = match[2].toLowerCase();
    if (name === "pre") pre = Math.max(0, pre + (closing ? -1 : 1));
    if (PARAGRAPH.has(name)) push("\n\n");
    else if (name === "li") push(closing ? "" : "\n- ");
    else if (BLOCK.has(name)) push("\n");
    else if (CELL.has(name) && !closing) push(" ");
  }
  emitText(body.slice(last));
  return { text: tidy(parts.join("")), title };
}

/** Drops trailing spaces on every line, keeps at most one blank line in a row, trims the ends. */
function tidy(text: string): string {
  return text
    .replace(/\r\n?/g, "\n")
    .replace(/[ \t\f\v]+\n/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}
