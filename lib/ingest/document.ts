/** One piece of text a reader found in a file, before chunking. */
export interface IngestDocument {
  /** The document's text (a front-matter-free body, a record's text field, the visible text of a page). */
  text: string;
  /** Title from front matter, a `title` field or column, `<title>`, or a markdown `# heading`. */
  title?: string;
  /** Tags the document itself declares (front matter, `tags` field or column), already normalised. */
  tags: string[];
  /** Other front-matter keys or scalar record fields. */
  meta: Record<string, unknown>;
  /** Character offset (UTF-16 code units, BOM removed) in the file's text where the document starts. */
  start: number;
  /** Character offset in the file's text where the document ends (exclusive). */
  end: number;
  /**
   * True when `text` is exactly `fileText.slice(start, end)`, so offsets inside `text` map onto the file by
   * adding `start`. False for derived text (HTML, JSON, CSV), whose offsets only locate the whole record.
   */
  verbatim: boolean;
  /** 0-based index of the record inside a JSON array, JSONL or CSV file. */
  record?: number;
  /** 1-based line where the record starts (JSONL and CSV). */
  line?: number;
}

/** Told the reason each time a record (a JSONL line, a CSV row) is skipped instead of failing its file. */
export type SkipRecord = (reason: string) => void;
