/**
 * The DSL's lexer: turns program text into tokens, each with its 0-based offset, so parse errors can point
 * at the exact character. Operator words and argument keys are plain `word` tokens; the parser decides
 * what a word means where it stands.
 */
import { dslError } from "./dsl-error.js";

/** The kinds of token. `end` closes every token list, at the text's length. */
export type TokenKind = "word" | "string" | "number" | "equals" | "comma" | "pipe" | "end";

/** One token. */
export interface Token {
  kind: TokenKind;
  /** The decoded value: a string's content without quotes and escapes, otherwise the source text. */
  value: string;
  /** 0-based offset of the token's first character (a string's opening quote). */
  offset: number;
  /** The source text of the token, quotes and escapes included. */
  raw: string;
}

const PUNCTUATION: Record<string, TokenKind> = { "|": "pipe", ",": "comma", "=": "equals" };
/** What ends a bare word or number. */
const DELIMITER = /[\s|,="]/;
const NUMBER = /^-?(?:\d+(?:\.\d+)?|\.\d+)$/;
/** Escapes a quoted string may hold: `\"` and `\\`, and `\n`, `\t` so templates can span lines. */
const ESCAPES: Record<string, string> = { '"': '"', "\\": "\\", n: "\n", t: "\t" };

/**
 * Splits a program into tokens. Whitespace (newlines included) separates tokens; a run of characters up
 * to whitespace or one of `| , = "` is a number when it reads as one (`8`, `-1`, `0.9`, `.9`), otherwise a bare
 * word. Throws `SIGLA_DSL_PARSE` for an unterminated string or an unknown escape.
 */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const char = text[i];
    if (/\s/.test(char)) {
      i++;
    } else if (char in PUNCTUATION) {
      tokens.push({ kind: PUNCTUATION[char], value: char, offset: i, raw: char });
      i++;
    } else if (char === '"') {
      const token = readString(text, i);
      tokens.push(token);
      i += token.raw.length;
    } else {
      let end = i;
      while (end < text.length && !DELIMITER.test(text[end])) end++;
      const raw = text.slice(i, end);
      tokens.push({ kind: NUMBER.test(raw) ? "number" : "word", value: raw, offset: i, raw });
      i = end;
    }
  }
  tokens.push({ kind: "end", value: "", offset: text.length, raw: "" });
  return tokens;
}

/** Reads the quoted string whose opening quote is at `start`. */
function readString(text: string, start: number): Token {
  let value = "";
  for (let i = start + 1; i < text.length; i++) {
    const char = text[i];
    if (char === '"') return { kind: "string", value, offset: start, raw: text.slice(start, i + 1) };
    if (char === "\\") {
      const next = text[i + 1];
      if (next === undefined) break;
      if (!(next in ESCAPES)) {
        throw dslError(
          "SIGLA_DSL_PARSE",
          `expected one of the escapes \\" \\\\ \\n \\t in a string, got "\\${next}"`,
          { position: i },
        );
      }
      value += ESCAPES[next];
      i++;
    } else {
      value += char;
    }
  }
  throw dslError("SIGLA_DSL_PARSE", `expected a closing " for the string opened here, got end of input`, {
    position: start,
  });
}

/** How a token reads in an error message: `"foo"`, `"|"`, or `end of input`. */
export function describeToken(token: Token): string {
  if (token.kind === "end") return "end of input";
  const text = token.kind === "string" ? token.value : token.raw;
  // JSON quoting keeps newlines inside a string out of the one-line message.
  const shown = JSON.stringify(text.length > 40 ? `${text.slice(0, 37)}...` : text);
  return token.kind === "string" ? `the string ${shown}` : shown;
}
