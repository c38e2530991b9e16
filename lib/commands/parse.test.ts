import { test } from "uvu";
import * as assert from "uvu/assert";
import { caught } from "../../test/helpers/dsl.js";
import { parseCommand, splitCommand, tokenize } from "./parse.js";

test("plain text is a message for the pipeline, kept as typed", () => {
  const parsed = parseCommand("  what's a vector -k 5?  ");
  assert.equal(parsed, {
    name: "ask",
    text: "what's a vector -k 5?",
    words: ["what's a vector -k 5?"],
    flags: {},
  });
});

test("quoted arguments, short and long flags, = values and lists", () => {
  const parsed = parseCommand(':query "vector search" -k 5 --tags a,b --mode=hybrid');
  assert.is(parsed.name, "query");
  assert.is(parsed.text, "vector search");
  assert.equal(parsed.flags, { k: 5, tags: ["a", "b"], mode: "hybrid" });
});

test("bare words join into the text and flags may come first", () => {
  const parsed = parseCommand(":query -k 2 lance db versions");
  assert.is(parsed.text, "lance db versions");
  assert.is(parsed.flags.k, 2);
});

test("tokenize: quotes only open at a word start, escapes in double quotes, unclosed quotes are marked", () => {
  assert.equal(
    tokenize(`it's "a \\"b\\"" 'c d'`).map((t) => t.value),
    ["it's", 'a "b"', "c d"],
  );
  const [open] = tokenize(`"abc`);
  assert.ok(open.open);
  assert.is(open.value, "abc");
  assert.is(tokenize("a  bc")[1].start, 3);
});

test("a quoted word that looks like a flag is a word", () => {
  assert.is(parseCommand(':query "-k" -k 1').text, "-k");
});

test(":dsl and :ask take the rest of the line untouched (one pair of outer quotes removed)", () => {
  const program = 'INTENT "x" | RETRIEVE k=3 tags=a,b | INJECT "{{context}}"';
  assert.is(parseCommand(`:dsl ${program}`).text, program);
  assert.is(parseCommand(`:dsl '${program}'`).text, program);
  assert.is(parseCommand(":ask   is it -k 3 or not?").text, "is it -k 3 or not?");
});

test(":ingest takes several paths", () => {
  const parsed = parseCommand(":ingest docs/ 'my notes' --tags x");
  assert.equal(parsed.words, ["docs/", "my notes"]);
  assert.equal(parsed.flags.tags, ["x"]);
});

test("splitCommand names the command and keeps the rest", () => {
  assert.equal(splitCommand(":chart   metrics --out r"), { name: "chart", rest: "metrics --out r" });
  assert.equal(splitCommand("hello"), { name: "ask", rest: "hello" });
});

test("usage errors name the command, the problem and the usage", async () => {
  const cases: Array<[string, RegExp]> = [
    [":bogus", /unknown command :bogus — commands: :store .* :quit/],
    [":", /a command name must follow/],
    [":query", /^:query: needs an argument — usage: :query "<text>"/],
    [":query x -k 0", /^:query: -k must be an integer from 1 to 10000, got "0"/],
    [
      ":query x -k 99999999999",
      /^:query: -k must be an integer from 1 to 10000, got "99999999999" — usage: /,
    ],
    [":query x -k 10001", /^:query: -k must be an integer from 1 to 10000, got "10001"/],
    [":query x -k", /^:query: -k needs a value/],
    [":query x --mode fuzzy", /^:query: --mode must be one of vector, fts, hybrid, got "fuzzy"/],
    [":query x --nope 1", /^:query: unknown flag --nope/],
    [':query "x', /^:query: a quote is not closed/],
    [":ingest", /^:ingest: needs at least one path/],
    [":quit now", /^:quit: takes no argument, got "now"/],
    [":chart pie", /^:chart: "pie" is not one of metrics, recall, latency/],
    [":memory archive shadow", /^:memory: takes one argument, got 2/],
    [":dsl", /^:dsl: needs an argument — usage: :dsl INTENT/],
    [":bench --size 10", /^:bench: --size must be an integer from 100 to 50000/],
  ];
  for (const [line, expected] of cases) {
    const error = await caught(() => parseCommand(line));
    assert.is(error.code, "SIGLA_USAGE", line);
    assert.match(error.message, expected, line);
  }
});

test.run();
