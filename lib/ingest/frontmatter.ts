/**
 * YAML-style front matter for markdown and text notes. Only the flat subset notes actually use is
 * understood (no YAML dependency): `key: scalar`, `key: [a, b]`, `key:` followed by `- item` lines, and
 * `key: |` / `key: >` block text. Nested mappings and anything else unrecognised are skipped, not fatal,
 * so a folder of notes written for another tool still ingests.
 */

/** Result of splitting a text into front matter and body. */
export interface FrontMatter {
  /** Parsed keys; empty when the text has no front matter. */
  data: Record<string, unknown>;
  /** The text after the closing `---` line (the whole text when there is no front matter). */
  body: string;
  /** Offset of `body` in the original text. */
  bodyStart: number;
}

const OPEN = /^---[ \t]*(?:\r?\n|$)/;
const CLOSE = /^(?:---|\.\.\.)[ \t]*$/;
const KEY_VALUE = /^([A-Za-z_][\w.-]*|"[^"]*"|'[^']*')[ \t]*:(?:[ \t]+(.*))?$/;
const LIST_ITEM = /^[ \t]*-(?:[ \t]+(.*))?$/;

/** Splits `text` into front matter and body; a text without a closed `---` block has no front matter. */
export function parseFrontMatter(text: string): FrontMatter {
  const open = OPEN.exec(text);
  if (!open) return { data: {}, body: text, bodyStart: 0 };
  // Walk lines keeping offsets, to find the closing fence and where the body starts.
  const lines: string[] = [];
  let pos = open[0].length;
  while (pos < text.length) {
    const newline = text.indexOf("\n", pos);
    const lineEnd = newline === -1 ? text.length : newline;
    const line = text.slice(pos, lineEnd).replace(/\r$/, "");
    const next = newline === -1 ? text.length : newline + 1;
    if (CLOSE.test(line)) return { data: parseYamlSubset(lines), body: text.slice(next), bodyStart: next };
    lines.push(line);
    if (newline === -1) break;
    pos = next;
  }
  return { data: {}, body: text, bodyStart: 0 };
}

/** Parses the flat YAML subset described at the top of this file. */
export function parseYamlSubset(lines: string[]): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    const match = /^\S/.test(line) && !line.startsWith("#") ? KEY_VALUE.exec(line.trimEnd()) : null;
    i++;
    if (!match) continue;
    const key = unquote(match[1]);
    const raw = stripComment(match[2] ?? "").trim();
    if (raw === "|" || raw === ">" || raw === "|-" || raw === ">-") {
      const block: string[] = [];
      while (i < lines.length && (lines[i].trim() === "" || /^[ \t]/.test(lines[i]))) block.push(lines[i++]);
      data[key] = blockScalar(block, raw[0] === "|");
    } else if (raw === "") {
      const items: unknown[] = [];
      while (i < lines.length) {
        const item = LIST_ITEM.exec(lines[i]);
        if (item) {
          items.push(scalar(stripComment(item[1] ?? "").trim()));
        } else if (lines[i].trim() !== "" && !/^[ \t]/.test(lines[i])) {
          break;
        }
        // Blank lines and indented non-item lines (a nested mapping we do not model) are skipped.
        i++;
      }
      data[key] = items.length > 0 ? items : null;
    } else if (raw.startsWith("[") && raw.endsWith("]")) {
      data[key] = splitFlow(raw.slice(1, -1)).map(scalar);
    } else {
      data[key] = scalar(raw);
    }
  }
  return data;
}

/** Joins an indented block: `|` keeps line breaks, `>` folds them into spaces. */
function blockScalar(block: string[], literal: boolean): string {
  const indents = block.filter((l) => l.trim() !== "").map((l) => /^[ \t]*/.exec(l)?.[0].length ?? 0);
  const indent = indents.length > 0 ? Math.min(...indents) : 0;
  const stripped = block.map((l) => l.slice(indent).trimEnd());
  while (stripped.length > 0 && stripped[stripped.length - 1] === "") stripped.pop();
  if (literal) return stripped.join("\n");
  return stripped
    .join("\n")
    .split(/\n{2,}/)
    .map((paragraph) => paragraph.replace(/\n/g, " "))
    .join("\n");
}

/** Splits the inside of `[a, "b, c", 'd']` on top-level commas. */
function splitFlow(inner: string): string[] {
  const parts: string[] = [];
  let current = "";
  let quote = "";
  for (const ch of inner) {
    if (quote) {
      current += ch;
      if (ch === quote) quote = "";
    } else if (ch === '"' || ch === "'") {
      current += ch;
      quote = ch;
    } else if (ch === ",") {
      parts.push(current.trim());
      current = "";
    } else {
      current += ch;
    }
  }
  if (current.trim() !== "" || parts.length > 0) parts.push(current.trim());
  return parts.filter((part) => part !== "");
}

/** Drops a ` # comment` tail outside quotes. */
function stripComment(value: string): string {
  if (value.startsWith('"') || value.startsWith("'")) return value;
  const hash = value.search(/[ \t]#/);
  return hash === -1 ? value : value.slice(0, hash);
}

function unquote(value: string): string {
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    return value
      .slice(1, -1)
      .replace(/\\(["\\/nt])/g, (_, c: string) => (c === "n" ? "\n" : c === "t" ? "\t" : c));
  }
  if (value.length >= 2 && value.startsWith("'") && value.endsWith("'")) {
    return value.slice(1, -1).replace(/''/g, "'");
  }
  return value;
}

/** A plain or quoted YAML scalar: quoted → string, true/false, null/~, plain numbers, else the string. */
function scalar(raw: string): unknown {
  if ((raw.startsWith('"') && raw.endsWith('"')) || (raw.startsWith("'") && raw.endsWith("'"))) {
    if (raw.length >= 2) return unquote(raw);
  }
  if (raw === "" || raw === "~" || raw === "null" || raw === "Null" || raw === "NULL") return null;
  if (/^(?:true|True|TRUE)$/.test(raw)) return true;
  if (/^(?:false|False|FALSE)$/.test(raw)) return false;
  // Only plain decimal numbers; dates, versions and ids with leading zeros stay strings.
  if (/^-?(?:0|[1-9]\d*)(?:\.\d+)?$/.test(raw)) return Number(raw);
  return raw;
}
