/**
 * YAML front matter for markdown and text notes, parsed with `yaml` (YAML 1.2). Nested mappings and lists
 * are kept as nested JSON (capsule meta is JSON). Scalars follow the notes' conventions rather than the full
 * core schema: only plain decimal numbers become numbers, so dates, versions and ids with leading zeros
 * (`007`, `0x1F`, `1e3`) stay strings. Parsing is bounded (aliases, size) and never throws: front matter
 * that is not valid YAML stays in the body as text, with a warning, so the note still ingests.
 */
import { parseDocument, Scalar, type ScalarTag, type Tags, visit } from "yaml";

/** Result of splitting a text into front matter and body. */
export interface FrontMatter {
  /** Parsed keys; empty when the text has no (valid) front matter. */
  data: Record<string, unknown>;
  /** The text after the closing `---` line (the whole text when there is no valid front matter). */
  body: string;
  /** Offset of `body` in the original text. */
  bodyStart: number;
  /** Why a fenced block was not used as front matter (invalid YAML, too large); absent when all went well. */
  warning?: string;
}

/** Front matter longer than this is not parsed (a note's header is a few lines; this is a runaway fence). */
export const MAX_FRONT_MATTER_CHARS = 64 * 1024;
/** Aliases resolved per front matter: enough for real notes, far too few for a "billion laughs" expansion. */
export const MAX_FRONT_MATTER_ALIASES = 100;

const OPEN = /^---[ \t]*(?:\r?\n|$)/;
const CLOSE = /^(?:---|\.\.\.)[ \t]*$/;

/** Plain decimal numbers only (the core schema would also read `007`, `0x1F`, `1e3`, `.inf`). */
const decimal: ScalarTag = {
  tag: "tag:yaml.org,2002:float",
  default: true,
  identify: (value) => typeof value === "number",
  test: /^-?(?:0|[1-9]\d*)(?:\.\d+)?$/,
  resolve: (source) => Number(source),
};

/** The core schema's map, seq, str, null and bool, with `decimal` for numbers. */
function noteTags(tags: Tags): Tags {
  const kept = tags.filter((tag) => {
    const name = typeof tag === "string" ? tag : tag.tag;
    return !/:(?:int|float)$/.test(name);
  });
  return [...kept, decimal];
}

/** Where the fenced block is: its YAML source and where the body starts; null when the text has none. */
function fence(text: string): { yaml: string; bodyStart: number } | null {
  const open = OPEN.exec(text);
  if (!open) return null;
  let pos = open[0].length;
  while (pos < text.length) {
    const newline = text.indexOf("\n", pos);
    const lineEnd = newline === -1 ? text.length : newline;
    const next = newline === -1 ? text.length : newline + 1;
    if (CLOSE.test(text.slice(pos, lineEnd).replace(/\r$/, ""))) {
      return { yaml: text.slice(open[0].length, pos), bodyStart: next };
    }
    pos = next;
  }
  return null;
}

/**
 * Splits `text` into front matter and body. A text without a closed `---` block, or whose block is not a
 * `key: value` mapping (two horizontal rules around a line of prose), has no front matter. Invalid YAML or
 * an oversized block leaves the whole text as body and sets `warning`.
 */
export function parseFrontMatter(text: string): FrontMatter {
  const none: FrontMatter = { data: {}, body: text, bodyStart: 0 };
  const found = fence(text);
  if (!found) return none;
  const { yaml, bodyStart } = found;
  const rest = { body: text.slice(bodyStart), bodyStart };
  if (yaml.length > MAX_FRONT_MATTER_CHARS) {
    return { ...none, warning: `front matter is over ${MAX_FRONT_MATTER_CHARS} characters; kept as text` };
  }
  let data: unknown;
  try {
    data = parseYaml(yaml);
  } catch (error) {
    const why = (error as Error).message.split("\n")[0].replace(/:$/, "");
    return { ...none, warning: `front matter is not valid YAML (${why}); kept as text` };
  }
  if (data === null || data === undefined) return { data: {}, ...rest };
  if (typeof data !== "object" || Array.isArray(data)) return none;
  return { data: data as Record<string, unknown>, ...rest };
}

/** Parses a front-matter block; throws the first YAML error (syntax, too many aliases). */
function parseYaml(source: string): unknown {
  const document = parseDocument(source, {
    schema: "core",
    customTags: noteTags,
    // A repeated key keeps its last value, as most note tools do, instead of failing the block.
    uniqueKeys: false,
    // Unknown `!tags` resolve as plain strings; nothing is printed.
    logLevel: "silent",
  });
  if (document.errors.length > 0) throw document.errors[0];
  // A `|` or `>` block ends with a line break in YAML; as a meta value it is one field, so it is dropped.
  visit(document, {
    Scalar(_key, node) {
      const block = node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED;
      if (block && typeof node.value === "string") node.value = node.value.replace(/\n+$/, "");
    },
  });
  return document.toJS({ maxAliasCount: MAX_FRONT_MATTER_ALIASES });
}
