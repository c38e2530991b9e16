/**
 * CSV files (RFC 4180: comma-separated, `"`-quoted fields with `""` escapes and line breaks inside quotes,
 * CRLF or LF rows) with a header row. Each data row becomes one document.
 */
import { IngestError } from "../errors.js";
import type { IngestDocument, SkipRecord } from "./document.js";
import { splitTagString } from "./tags.js";

/** One parsed row with where it sits in the text. */
export interface CsvRow {
  fields: string[];
  /** Offset of the row's first character. */
  start: number;
  /** Offset after the row's last character, line break excluded. */
  end: number;
  /** 1-based line the row starts on. */
  line: number;
}

/** Receives the reason for each bad row left out; without one, a bad row throws. */

/**
 * Parses CSV text into rows. Blank lines are skipped. Stray characters after a closing quote are kept
 * literally (as spreadsheet programs do); an unterminated quote is an `IngestError` naming `file` and the
 * line, or, given `skip`, ends the rows there (the rows before it are kept) with its reason passed to `skip`.
 */
export function parseCsv(text: string, file: string, skip?: SkipRecord): CsvRow[] {
  const rows: CsvRow[] = [];
  const n = text.length;
  let i = 0;
  let line = 1;
  while (i < n) {
    const start = i;
    const rowLine = line;
    const fields: string[] = [];
    for (;;) {
      let value = "";
      if (text[i] === '"') {
        const fieldLine = line;
        i++;
        for (;;) {
          const quote = text.indexOf('"', i);
          if (quote === -1) {
            const reason = `${file}: unterminated quoted field starting on line ${fieldLine}`;
            if (!skip) throw new IngestError(reason);
            skip(`${reason}; the rest of the file is left out`);
            return rows;
          }
          const piece = text.slice(i, quote);
          for (let k = piece.indexOf("\n"); k !== -1; k = piece.indexOf("\n", k + 1)) line++;
          value += piece;
          if (text[quote + 1] === '"') {
            value += '"';
            i = quote + 2;
          } else {
            i = quote + 1;
            break;
          }
        }
        while (i < n && text[i] !== "," && text[i] !== "\n" && text[i] !== "\r") value += text[i++];
      } else {
        const from = i;
        while (i < n && text[i] !== "," && text[i] !== "\n" && text[i] !== "\r") i++;
        value = text.slice(from, i);
      }
      fields.push(value);
      if (text[i] !== ",") break;
      i++;
    }
    const end = i;
    if (text[i] === "\r") i++;
    if (text[i] === "\n") i++;
    if (i > end) line++;
    if (fields.length === 1 && fields[0] === "" && end === start) continue;
    rows.push({ fields, start, end, line: rowLine });
  }
  return rows;
}

const TEXT_COLUMNS = ["text", "content", "body", "page_content"];

/**
 * Turns a CSV file into documents, one per data row. The text is the first of the `text`, `content`,
 * `body`, `page_content` columns (matched case-insensitively); without one, every non-empty column is
 * joined as `name: value` lines. A `title` column becomes the title, a `tags` column (split on `,` `;` `|`)
 * the tags, and the other non-empty columns go into meta as strings. A row with more fields than the header
 * is an `IngestError`, or, given `skip`, left out with its reason passed to `skip`.
 */
export function csvDocuments(file: string, text: string, skip?: SkipRecord): IngestDocument[] {
  const [header, ...rows] = parseCsv(text, file, skip);
  if (!header) return [];
  const names = header.fields.map((name, k) => name.trim() || `column${k + 1}`);
  const lower = names.map((name) => name.toLowerCase());
  const textColumn = TEXT_COLUMNS.map((name) => lower.indexOf(name)).find((k) => k !== -1);
  const titleColumn = lower.indexOf("title");
  const tagsColumn = lower.indexOf("tags");

  const documents: IngestDocument[] = [];
  rows.forEach((row, record) => {
    const { fields } = row;
    if (fields.length > names.length && fields.slice(names.length).some((value) => value !== "")) {
      const reason = `${file}: line ${row.line} has ${fields.length} fields but the header has ${names.length}`;
      if (!skip) throw new IngestError(reason);
      skip(reason);
      return;
    }
    const cell = (k: number) => fields[k] ?? "";
    const meta: Record<string, unknown> = {};
    const lines: string[] = [];
    names.forEach((name, k) => {
      const value = cell(k);
      if (value === "" || k === tagsColumn) return;
      if (textColumn === undefined) lines.push(`${name}: ${value}`);
      else if (k !== textColumn && k !== titleColumn) meta[name] = value;
    });
    const title = titleColumn === -1 ? "" : cell(titleColumn).trim();
    documents.push({
      text: textColumn === undefined ? lines.join("\n") : cell(textColumn),
      ...(title !== "" && { title }),
      tags: tagsColumn === -1 ? [] : splitTagString(cell(tagsColumn)),
      meta,
      start: row.start,
      end: row.end,
      verbatim: false,
      record,
      line: row.line,
    });
  });
  return documents;
}
