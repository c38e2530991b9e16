import { test } from "uvu";
import * as assert from "uvu/assert";
import { caught } from "../../test/helpers/dsl.js";
import { describeToken, tokenize } from "./lexer.js";

const shape = (text: string) => tokenize(text).map((t) => [t.kind, t.value, t.offset]);

test("tokens keep their kind, decoded value and 0-based offset", () => {
  assert.equal(shape('INTENT "a b" | RETRIEVE k=8 tags=faiss,hnsw'), [
    ["word", "INTENT", 0],
    ["string", "a b", 7],
    ["pipe", "|", 13],
    ["word", "RETRIEVE", 15],
    ["word", "k", 24],
    ["equals", "=", 25],
    ["number", "8", 26],
    ["word", "tags", 28],
    ["equals", "=", 32],
    ["word", "faiss", 33],
    ["comma", ",", 38],
    ["word", "hnsw", 39],
    ["end", "", 43],
  ]);
});

test("an empty or blank program is just the end token, at the text's length", () => {
  assert.equal(shape(""), [["end", "", 0]]);
  assert.equal(shape(" \n\t "), [["end", "", 4]]);
});

test("numbers are integers or decimals, optionally negative; anything else is a bare word", () => {
  const kinds = tokenize("8 -1 0.9 1abc v2 1.2.3 - .5 1. -.5x").map((t) => `${t.kind}:${t.value}`);
  assert.equal(kinds, [
    "number:8",
    "number:-1",
    "number:0.9",
    "word:1abc",
    "word:v2",
    "word:1.2.3",
    "word:-",
    "number:.5",
    "word:1.",
    "word:-.5x",
    "end:",
  ]);
});

test("bare words stop at whitespace, |, comma, = and quotes but keep other punctuation", () => {
  assert.equal(
    tokenize('session:a-1/x.y|b"c"').map((t) => [t.kind, t.value, t.offset]),
    [
      ["word", "session:a-1/x.y", 0],
      ["pipe", "|", 15],
      ["word", "b", 16],
      ["string", "c", 17],
      ["end", "", 20],
    ],
  );
});

test('strings decode \\" \\\\ \\n \\t and keep their raw text; newlines may sit inside', () => {
  const [token] = tokenize('"say \\"hi\\" \\\\ now\\n\\tok\nline"');
  assert.is(token.kind, "string");
  assert.is(token.value, 'say "hi" \\ now\n\tok\nline');
  assert.is(token.raw, '"say \\"hi\\" \\\\ now\\n\\tok\nline"');
  assert.is(tokenize('x "" y')[1].value, "");
  assert.is(tokenize('x "" y')[2].offset, 5);
});

test("whitespace and newlines separate tokens and do not shift offsets", () => {
  assert.equal(
    tokenize('INTENT\n  "x"\r\n| MERGE').map((t) => t.offset),
    [0, 9, 14, 16, 21],
  );
});

test("an unterminated string is a parse error at its opening quote", async () => {
  const error = await caught(() => tokenize('INTENT "abc'));
  assert.equal(error, {
    code: "SIGLA_DSL_PARSE",
    message: 'position 7: expected a closing " for the string opened here, got end of input',
    position: 7,
  });
  // A trailing backslash escapes nothing: still unterminated.
  assert.is((await caught(() => tokenize('"ab\\'))).position, 0);
  // An escaped quote does not close the string.
  assert.is((await caught(() => tokenize('x "a\\"'))).position, 2);
});

test("an unknown escape is a parse error at its backslash", async () => {
  const error = await caught(() => tokenize('INTENT "a\\qb"'));
  assert.is(error.code, "SIGLA_DSL_PARSE");
  assert.is(error.position, 9);
  assert.is(error.message, 'position 9: expected one of the escapes \\" \\\\ \\n \\t in a string, got "\\q"');
});

test("describeToken names tokens for messages, shortening long ones", () => {
  const [word, str, pipe, end] = tokenize('foo "bar" |');
  assert.is(describeToken(word), '"foo"');
  assert.is(describeToken(str), 'the string "bar"');
  assert.is(describeToken(pipe), '"|"');
  assert.is(describeToken(end), "end of input");
  const long = tokenize(`"${"x".repeat(60)}"`)[0];
  assert.is(describeToken(long), `the string "${"x".repeat(37)}..."`);
  assert.is(describeToken(tokenize('"a\nb"')[0]), 'the string "a\\nb"');
});

test.run();
