/**
 * HTML to plain text for ingest: what a reader would see, with block structure kept as line breaks so the
 * chunker can cut at paragraphs. A tolerant single-pass tokenizer, not a DOM parser: good enough for saved
 * pages and exported docs, it never throws on malformed markup, and it runs in linear time on any input.
 *
 * Linear time: the scan position only moves forward, and every search (`indexOf`, the end-tag searches)
 * starts at the scan position and is skipped over afterwards, or, when it fails, is remembered as failed
 * so it is never repeated. Markup left open at the end of the input (a tag, comment or script with no end)
 * hides the rest of the page, as it does in a browser, instead of being rescanned from the next `<`.
 *
 * Why not htmlparser2: where pages go wrong it reads them differently from the rules pinned in the tests
 * (`</>` stays as text; an unclosed `<title>` swallows the rest of the page, which this reader ignores
 * instead), and bending it to those rules means re-parsing the tail after the event, which brings back the
 * quadratic cases this reader is tested against. Entities are decoded by the `entities` package.
 */
import { decodeEntities } from "./entities.js";

/** Visible text and `<title>` of an HTML page. */
export interface HtmlText {
  text: string;
  title?: string;
}

// Elements whose content is raw text (never markup) and never visible.
const RAW_HIDDEN = new Set(["script", "style", "noscript", "iframe", "noembed", "noframes"]);
// Elements whose content is markup but never visible; nesting is counted.
const HIDDEN = new Set(["head", "template", "svg", "object"]);

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

const GT = 0x3e;
const SLASH = 0x2f;
const EQUALS = 0x3d;
const BANG = 0x21;
const QUESTION = 0x3f;

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0c || code === 0x0d;
}

function isLetter(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

/** A start or end tag: its lowercase name, whether it ends in `/>`, and the offset after its `>`. */
interface Tag {
  name: string;
  closing: boolean;
  selfClosing: boolean;
  end: number;
}

/**
 * Reads the tag whose `<` is at `at` (followed by a letter, or `/` and a letter), or undefined when the
 * input ends inside it. Quotes count only around attribute values (after `=`), as in HTML, so a stray `"`
 * in a tag cannot swallow the page.
 */
function readTag(html: string, at: number): Tag | undefined {
  const n = html.length;
  const closing = html.charCodeAt(at + 1) === SLASH;
  let i = at + (closing ? 2 : 1);
  const nameStart = i;
  for (let c = html.charCodeAt(i); i < n && !isSpace(c) && c !== SLASH && c !== GT; )
    c = html.charCodeAt(++i);
  const name = html.slice(nameStart, i).toLowerCase();
  let selfClosing = false;
  while (i < n) {
    const c = html.charCodeAt(i);
    if (c === GT) return { name, closing, selfClosing, end: i + 1 };
    selfClosing = c === SLASH;
    i++;
    if (c !== EQUALS) continue;
    while (i < n && isSpace(html.charCodeAt(i))) i++;
    const quote = html[i];
    if (quote === '"' || quote === "'") {
      const close = html.indexOf(quote, i + 1);
      if (close === -1) return undefined;
      i = close + 1;
    }
  }
  return undefined;
}

/**
 * Finds end tags (`</name` followed by a space, `/` or `>`) case-insensitively. A search that fails is
 * remembered: no later search for that name can succeed, so it returns at once.
 */
class EndTags {
  private readonly patterns = new Map<string, RegExp>();
  private readonly missingFrom = new Map<string, number>();

  constructor(private readonly html: string) {}

  /** Offset of the next `</name` at or after `from`, or -1. */
  find(name: string, from: number): number {
    const missing = this.missingFrom.get(name);
    if (missing !== undefined && from >= missing) return -1;
    let pattern = this.patterns.get(name);
    if (!pattern) {
      pattern = new RegExp(`</${name}[\\s/>]`, "gi");
      this.patterns.set(name, pattern);
    }
    pattern.lastIndex = from;
    const match = pattern.exec(this.html);
    if (match) return match.index;
    this.missingFrom.set(name, from);
    return -1;
  }
}

/** The text of a title element: tags dropped, entities decoded, whitespace collapsed. */
function titleText(raw: string): string | undefined {
  const title = decodeEntities(raw.replace(/<[^<>]*>/g, ""))
    .replace(/\s+/g, " ")
    .trim();
  return title === "" ? undefined : title;
}

/** Offset of the `>` that ends the comment opened at `at`, or -1. `<!-->` and `<!--->` are empty comments. */
function commentEnd(html: string, at: number): number {
  if (html.startsWith(">", at + 4)) return at + 4;
  if (html.startsWith("->", at + 4)) return at + 5;
  const close = html.indexOf("-->", at + 4);
  return close === -1 ? -1 : close + 2;
}

/**
 * The text of a page as the scan emits it: visible pieces (entities decoded, whitespace collapsed outside
 * `<pre>`), line breaks for block tags, the hidden elements open around the scan position, and the title.
 */
class PageText {
  private readonly endTags: EndTags;
  // Pieces are collected in an array: reading the last character of a growing `+=` string flattens it
  // every time, which turns large pages quadratic.
  private readonly parts: string[] = [];
  private endsWithSpace = true;
  private title: string | undefined;
  private pre = 0;
  // Open hidden elements by name, and their total: text shows only while the total is 0.
  private readonly hidden = new Map<string, number>();
  private hiddenDepth = 0;

  constructor(private readonly html: string) {
    this.endTags = new EndTags(html);
  }

  private push(piece: string): void {
    if (piece === "") return;
    this.parts.push(piece);
    this.endsWithSpace = /\s/.test(piece[piece.length - 1]);
  }

  private setHidden(name: string, count: number): void {
    this.hiddenDepth += count - (this.hidden.get(name) ?? 0);
    this.hidden.set(name, count);
  }

  /** Emits the text between two offsets (no markup in it), unless inside a hidden element. */
  emitText(from: number, to: number): void {
    if (to <= from || this.hiddenDepth > 0) return;
    const raw = this.html.slice(from, to);
    if (this.pre > 0) {
      this.push(decodeEntities(raw));
      return;
    }
    // Outside <pre> whitespace is collapsed, also across element boundaries ("a <b> b</b>" → "a b").
    const text = raw.replace(/\s+/g, " ");
    this.push(decodeEntities(this.endsWithSpace ? text.trimStart() : text));
  }

  /** Applies a tag; returns the offset of the last character it covers (its `>`, or its end tag's). */
  handleTag(tag: Tag): number {
    const { name, closing } = tag;
    if (!closing && !tag.selfClosing && (RAW_HIDDEN.has(name) || name === "title")) {
      // Raw text: the content is not markup, so jump to the end tag.
      const close = this.endTags.find(name, tag.end);
      // An unclosed <script> hides everything after it in a browser too; an unclosed <title> is ignored.
      if (close === -1) return name === "title" ? tag.end - 1 : -1;
      if (name === "title" && this.title === undefined && !this.hidden.get("svg")) {
        this.title = titleText(this.html.slice(tag.end, close));
      }
      return this.html.indexOf(">", close);
    }
    if (HIDDEN.has(name)) {
      const open = this.hidden.get(name) ?? 0;
      if (closing) this.setHidden(name, Math.max(0, open - 1));
      else if (!tag.selfClosing) this.setHidden(name, name === "head" ? 1 : open + 1);
    } else if (name === "body" && !closing) {
      // The head ends where the body starts, even when `</head>` is left out.
      this.setHidden("head", 0);
    } else if (this.hiddenDepth === 0) {
      if (name === "pre") this.pre = Math.max(0, this.pre + (closing ? -1 : 1));
      if (PARAGRAPH.has(name)) this.push("\n\n");
      else if (name === "li") this.push(closing ? "" : "\n- ");
      else if (BLOCK.has(name)) this.push("\n");
      else if (CELL.has(name) && !closing) this.push(" ");
    }
    return tag.end - 1;
  }

  /** The tidied text and the title. */
  result(): HtmlText {
    const title = this.title;
    return { text: tidy(this.parts.join("")), ...(title !== undefined && { title }) };
  }
}

/**
 * Converts an HTML page to text: drops script/style/head (and similar), turns block elements into line
 * breaks, list items into `- ` lines, strips remaining tags, decodes entities, collapses whitespace
 * (except inside `<pre>`), and takes the title from the first `<title>` outside inline SVG.
 */
export function htmlToText(html: string): HtmlText {
  const n = html.length;
  const page = new PageText(html);
  // `text` is where the text not yet emitted starts, `i` the next `<` to look at. Markup that runs to the
  // end of the input hides the rest (`text = n`).
  let text = 0;
  let i = html.indexOf("<");
  while (i !== -1) {
    const next = html.charCodeAt(i + 1);
    const endTag = next === SLASH && isLetter(html.charCodeAt(i + 2));
    if (!isLetter(next) && next !== SLASH && next !== BANG && next !== QUESTION) {
      // A `<` that starts no markup is text.
      i = html.indexOf("<", i + 1);
      continue;
    }
    page.emitText(text, i);
    let close: number;
    if (html.startsWith("<!--", i)) close = commentEnd(html, i);
    else if (isLetter(next) || endTag) {
      const tag = readTag(html, i);
      close = tag ? page.handleTag(tag) : -1;
    }
    // Doctype, CDATA, processing instructions and `</>`-like junk run to the next `>`.
    else close = html.indexOf(">", i + 2);
    if (close === -1) {
      text = n;
      break;
    }
    text = close + 1;
    i = html.indexOf("<", text);
  }
  page.emitText(text, n);
  return page.result();
}

/** Drops trailing spaces on every line, keeps at most one blank line in a row, trims the ends. */
function tidy(text: string): string {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  for (let k = 0; k < lines.length; k++) {
    const line = lines[k];
    let end = line.length;
    // A loop, not /[ \t]+\n/: that regex retries every start inside a long run of spaces.
    while (end > 0 && " \t\f\v".includes(line[end - 1])) end--;
    if (end < line.length) lines[k] = line.slice(0, end);
  }
  return lines
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}
