import { test } from "uvu";
import * as assert from "uvu/assert";
import { caught } from "../../test/helpers/dsl.js";
import { checkProgram, parseDsl } from "./parser.js";
import type { DslProgram } from "./types.js";

/** The error a program fails to parse with: code, position, message. */
async function parseError(text: string) {
  return caught(() => parseDsl(text));
}

test("the issue's example parses into typed steps with defaults and positions", () => {
  const program = parseDsl(
    'INTENT "compare index types" | RETRIEVE k=8 tags=faiss | EXPAND depth=1 | MERGE | INJECT "Answer: {{intent}}"',
  );
  assert.equal(program, [
    { op: "INTENT", text: "compare index types", position: 0 },
    { op: "RETRIEVE", k: 8, mode: "hybrid", tags: ["faiss"], position: 31 },
    { op: "EXPAND", depth: 1, position: 57 },
    { op: "MERGE", dedupe: 0.9, position: 74 },
    { op: "INJECT", template: "Answer: {{intent}}", position: 82 },
  ]);
});

test("operators, keys and enum values are case-insensitive; lists, quoted values and newlines work", () => {
  const program = parseDsl(
    'intent "x"\n| Retrieve K=3 TAGS=a,"b c",2024 MODE=FTS where="id > 3"\n| expand DEPTH=0 limit=7\n| merge k=2 dedupe=1',
  );
  assert.equal(program, [
    { op: "INTENT", text: "x", position: 0 },
    { op: "RETRIEVE", k: 3, mode: "fts", tags: ["a", "b c", "2024"], where: "id > 3", position: 13 },
    { op: "EXPAND", depth: 0, limit: 7, position: 70 },
    { op: "MERGE", k: 2, dedupe: 1, position: 95 },
  ]);
  assert.equal(parseDsl('INTENT "x" | RETRIEVE | MERGE dedupe=.95').at(-1), {
    op: "MERGE",
    dedupe: 0.95,
    position: 24,
  });
});

test("RETRIEVE takes its query positionally or as q=, and may then start the program", () => {
  assert.equal(parseDsl('RETRIEVE "hnsw graphs" k=2'), [
    { op: "RETRIEVE", k: 2, mode: "hybrid", q: "hnsw graphs", position: 0 },
  ]);
  assert.equal(parseDsl("RETRIEVE q=hnsw | MERGE k=1")[0], {
    op: "RETRIEVE",
    k: 5,
    mode: "hybrid",
    q: "hnsw",
    position: 0,
  });
  // A later RETRIEVE may search another text; several RETRIEVEs are allowed.
  assert.is(parseDsl('INTENT "a" | RETRIEVE "b" | RETRIEVE mode=fts | MERGE').length, 4);
});

test("a quoted string is required after INTENT and INJECT", async () => {
  assert.equal(await parseError('INTENT "compare index types" | INTENT foo'), {
    code: "SIGLA_DSL_PARSE",
    message: 'position 38: expected a quoted string after INTENT, got "foo"',
    position: 38,
  });
  assert.equal(await parseError("INTENT"), {
    code: "SIGLA_DSL_PARSE",
    message: "position 6: expected a quoted string after INTENT, got end of input",
    position: 6,
  });
  assert.equal(await parseError('INTENT "x" | RETRIEVE | INJECT k=1'), {
    code: "SIGLA_DSL_PARSE",
    message: 'position 31: expected a quoted string after INJECT, got "k"',
    position: 31,
  });
});

test("INTENT and INJECT take exactly one non-empty string", async () => {
  assert.equal(await parseError('INTENT "a" "b"'), {
    code: "SIGLA_DSL_PARSE",
    message: `position 11: expected "|" or end of input after INTENT's string, got the string "b"`,
    position: 11,
  });
  assert.equal(await parseError('INTENT "  "'), {
    code: "SIGLA_DSL_ARGUMENT",
    message: 'position 7: INTENT text must be a non-empty string, got "  "',
    position: 7,
  });
  assert.equal(await parseError('RETRIEVE ""'), {
    code: "SIGLA_DSL_ARGUMENT",
    message: 'position 9: RETRIEVE query must be a non-empty string, got ""',
    position: 9,
  });
});

test("a missing operator names what was expected, at the start and after a pipe", async () => {
  assert.equal(await parseError(""), {
    code: "SIGLA_DSL_PARSE",
    message: "position 0: expected an operator (INTENT, RETRIEVE, EXPAND, MERGE, INJECT), got end of input",
    position: 0,
  });
  assert.equal(await parseError('INTENT "x" |'), {
    code: "SIGLA_DSL_PARSE",
    message:
      'position 12: expected an operator after "|" (INTENT, RETRIEVE, EXPAND, MERGE, INJECT), got end of input',
    position: 12,
  });
  assert.equal((await parseError('INTENT "x" || MERGE')).position, 12);
  assert.equal(
    (await parseError('"x" | MERGE')).message.startsWith("position 0: expected an operator"),
    true,
  );
});

test("an unknown operator is an argument error naming it and the known ones", async () => {
  assert.equal(await parseError('INTENT "x" | SEARCH k=3'), {
    code: "SIGLA_DSL_ARGUMENT",
    message: 'position 13: unknown operator "SEARCH" (known: INTENT, RETRIEVE, EXPAND, MERGE, INJECT)',
    position: 13,
  });
});

test("an unknown argument key names the operator and the keys it takes", async () => {
  assert.equal(await parseError('INTENT "x" | RETRIEVE kk=1'), {
    code: "SIGLA_DSL_ARGUMENT",
    message: 'position 22: RETRIEVE has no argument "kk" (it takes k, tags, mode, where, q)',
    position: 22,
  });
  assert.equal(await parseError('INTENT "x" | RETRIEVE | EXPAND k=2'), {
    code: "SIGLA_DSL_ARGUMENT",
    message: 'position 31: EXPAND has no argument "k" (it takes depth, limit)',
    position: 31,
  });
  assert.equal(await parseError('INTENT "x" | RETRIEVE | MERGE depth=1'), {
    code: "SIGLA_DSL_ARGUMENT",
    message: 'position 30: MERGE has no argument "depth" (it takes k, dedupe)',
    position: 30,
  });
});

test("argument syntax errors: missing =, missing value, dangling comma, stray string", async () => {
  assert.equal(await parseError('INTENT "x" | RETRIEVE k 8'), {
    code: "SIGLA_DSL_PARSE",
    message: 'position 24: expected "=" after RETRIEVE argument k, got "8"',
    position: 24,
  });
  assert.equal(await parseError('INTENT "x" | RETRIEVE k= | MERGE'), {
    code: "SIGLA_DSL_PARSE",
    message: 'position 25: expected a value for RETRIEVE k, got "|"',
    position: 25,
  });
  assert.equal(await parseError('INTENT "x" | RETRIEVE tags=a,'), {
    code: "SIGLA_DSL_PARSE",
    message: 'position 29: expected a value after ",", got end of input',
    position: 29,
  });
  assert.equal(await parseError('INTENT "x" | RETRIEVE k=2 "more"'), {
    code: "SIGLA_DSL_PARSE",
    message: 'position 26: expected key=value or "|" after RETRIEVE, got the string "more"',
    position: 26,
  });
  assert.equal(
    (await parseError('INTENT "x" | RETRIEVE =3')).message,
    'position 22: expected key=value or "|" after RETRIEVE, got "="',
  );
});

test("wrong types and out-of-range values name operator, argument and value, at the value", async () => {
  const cases: Array<[string, number, string]> = [
    ["RETRIEVE k=0", 24, "RETRIEVE k must be an integer from 1 to 10000, got 0"],
    ["RETRIEVE k=10001", 24, "RETRIEVE k must be an integer from 1 to 10000, got 10001"],
    ["RETRIEVE k=2.5", 24, "RETRIEVE k must be an integer from 1 to 10000, got 2.5"],
    ["RETRIEVE k=eight", 24, 'RETRIEVE k must be an integer from 1 to 10000, got "eight"'],
    ['RETRIEVE k="8"', 24, 'RETRIEVE k must be an integer from 1 to 10000, got "8"'],
    ["RETRIEVE k=1,2", 24, "RETRIEVE k takes one value, got a list"],
    ["RETRIEVE mode=semantic", 27, 'RETRIEVE mode must be one of hybrid, vector, fts, got "semantic"'],
    ['RETRIEVE where=""', 28, 'RETRIEVE where must be a non-empty string, got ""'],
    ['RETRIEVE tags=a,""', 27, 'RETRIEVE tags must be a list of non-empty strings, got ["a",""]'],
    ["RETRIEVE | EXPAND depth=65", 37, "EXPAND depth must be an integer from 0 to 64, got 65"],
    ["RETRIEVE | EXPAND depth=-1", 37, "EXPAND depth must be an integer from 0 to 64, got -1"],
    ["RETRIEVE | EXPAND limit=0", 37, "EXPAND limit must be an integer from 1 to 10000, got 0"],
    ["RETRIEVE | MERGE dedupe=0", 37, "MERGE dedupe must be a number above 0 and at most 1, got 0"],
    ["RETRIEVE | MERGE dedupe=1.5", 37, "MERGE dedupe must be a number above 0 and at most 1, got 1.5"],
    ["RETRIEVE | MERGE k=0", 32, "MERGE k must be an integer from 1 to 10000, got 0"],
  ];
  for (const [tail, position, message] of cases) {
    const error = await parseError(`INTENT "x" | ${tail}`);
    assert.equal(
      error,
      { code: "SIGLA_DSL_ARGUMENT", message: `position ${position}: ${message}`, position },
      tail,
    );
  }
});

test("an argument given twice is an error at its second key", async () => {
  assert.equal(await parseError('INTENT "x" | RETRIEVE k=1 k=2'), {
    code: "SIGLA_DSL_ARGUMENT",
    message: "position 26: RETRIEVE k is given twice",
    position: 26,
  });
  assert.equal((await parseError('RETRIEVE "a" q=b')).message, "position 13: RETRIEVE q is given twice");
});

test("INJECT templates are checked at parse time: unknown and unclosed fields", async () => {
  assert.equal(parseDsl('INTENT "x" | INJECT "{{ intent }} {{context}} {{count}} {{ids}}"')[1], {
    op: "INJECT",
    template: "{{ intent }} {{context}} {{count}} {{ids}}",
    position: 13,
  });
  assert.equal(await parseError('INTENT "x" | RETRIEVE | INJECT "Q: {{question}}"'), {
    code: "SIGLA_DSL_ARGUMENT",
    message:
      "position 31: INJECT template has an unknown field {{question}} at template offset 3 (known: {{intent}}, {{context}}, {{count}}, {{ids}})",
    position: 31,
  });
  assert.equal(await parseError('INTENT "x" | INJECT "{{intent}} {{count}"'), {
    code: "SIGLA_DSL_ARGUMENT",
    message: 'position 20: INJECT template opens "{{" at template offset 11 and never closes it',
    position: 20,
  });
  assert.is((await parseError('INTENT "x" | INJECT "{{}}"')).code, "SIGLA_DSL_ARGUMENT");
});

test("structure: the program starts with INTENT or RETRIEVE with a query", async () => {
  assert.equal(await parseError("RETRIEVE k=3 | MERGE"), {
    code: "SIGLA_DSL_PARSE",
    message:
      'position 0: expected INTENT "..." or RETRIEVE "query" as the first step, got RETRIEVE without a query (write RETRIEVE "..." or q="...")',
    position: 0,
  });
  assert.equal(await parseError('  MERGE | INJECT "x"'), {
    code: "SIGLA_DSL_PARSE",
    message: 'position 2: expected INTENT "..." or RETRIEVE "query" as the first step, got MERGE',
    position: 2,
  });
});

test("structure: INTENT only first, EXPAND and MERGE after a RETRIEVE, INJECT last", async () => {
  assert.equal(await parseError('INTENT "x" | RETRIEVE | INTENT "y"'), {
    code: "SIGLA_DSL_PARSE",
    message:
      "position 24: expected RETRIEVE, EXPAND, MERGE or INJECT, got INTENT (INTENT can only be the first step)",
    position: 24,
  });
  assert.equal(await parseError('INTENT "x" | EXPAND | RETRIEVE'), {
    code: "SIGLA_DSL_PARSE",
    message: "position 13: expected a RETRIEVE before EXPAND: it works on retrieved results",
    position: 13,
  });
  assert.equal(await parseError('INTENT "x" | MERGE'), {
    code: "SIGLA_DSL_PARSE",
    message: "position 13: expected a RETRIEVE before MERGE: it works on retrieved results",
    position: 13,
  });
  assert.equal(await parseError('INTENT "x" | RETRIEVE | INJECT "{{ids}}" | MERGE'), {
    code: "SIGLA_DSL_PARSE",
    message:
      "position 43: expected the program to end after INJECT, got MERGE (INJECT must be the last step)",
    position: 43,
  });
  // INJECT straight after INTENT is allowed: it renders an empty context.
  assert.is(parseDsl('INTENT "x" | INJECT "{{count}}"').length, 2);
});

test("lexer errors surface through parseDsl with their position", async () => {
  assert.equal((await parseError('INTENT "x" | INJECT "oops')).position, 20);
  assert.equal((await parseError('INTENT "a\\x"')).position, 9);
});

test("a non-string program is an argument error", async () => {
  assert.is((await caught(() => parseDsl(42 as unknown as string))).code, "SIGLA_DSL_ARGUMENT");
});

test("checkProgram fills defaults in hand-built programs and upper-cases operators", () => {
  const program = checkProgram([
    { op: "intent", text: "x" } as unknown as DslProgram[number],
    { op: "RETRIEVE", tags: ["a"] },
    { op: "EXPAND" },
    { op: "MERGE", k: 3 },
  ]);
  assert.equal(program, [
    { op: "INTENT", text: "x" },
    { op: "RETRIEVE", k: 5, mode: "hybrid", tags: ["a"] },
    { op: "EXPAND", depth: 1 },
    { op: "MERGE", dedupe: 0.9, k: 3 },
  ]);
});

test("checkProgram names the step number when a hand-built step has no position", async () => {
  const bad = async (program: unknown) => caught(() => checkProgram(program as DslProgram));
  assert.equal(await bad([]), {
    code: "SIGLA_DSL_PARSE",
    message: "expected a program of at least one step (INTENT, RETRIEVE, EXPAND, MERGE, INJECT)",
    position: undefined,
  });
  assert.equal(
    await bad([
      { op: "INTENT", text: "x" },
      { op: "RETRIEVE", k: 0 },
    ]),
    {
      code: "SIGLA_DSL_ARGUMENT",
      message: "step 2: RETRIEVE k must be an integer from 1 to 10000, got 0",
      position: undefined,
    },
  );
  assert.equal(
    (
      await bad([
        { op: "INTENT", text: "x" },
        { op: "RETRIEVE", topK: 3 },
      ])
    ).message,
    'step 2: RETRIEVE has no argument "topK" (it takes k, tags, mode, where, q)',
  );
  assert.equal(
    (await bad([{ op: "INTENT", text: "x", k: 3 }])).message,
    'step 1: INTENT has no argument "k" (it takes text)',
  );
  assert.equal(
    (await bad([{ op: "INTENT", text: "x" }, { op: "RANK" }])).message,
    'step 2: unknown operator "RANK" (known: INTENT, RETRIEVE, EXPAND, MERGE, INJECT)',
  );
  assert.equal(
    (await bad([{ op: "INTENT", text: "x" }, null])).message,
    'step 2: a step must be an object with an "op" (INTENT, RETRIEVE, EXPAND, MERGE, INJECT)',
  );
  assert.equal(
    (
      await bad([
        { op: "INTENT", text: "x" },
        { op: "INJECT", template: "{{nope}}" },
      ])
    ).code,
    "SIGLA_DSL_ARGUMENT",
  );
  assert.equal(await bad([{ op: "EXPAND", position: 4 }]), {
    code: "SIGLA_DSL_PARSE",
    message: 'position 4: expected INTENT "..." or RETRIEVE "query" as the first step, got EXPAND',
    position: 4,
  });
  assert.equal(
    (await bad([{ op: "INTENT", text: "x" }, { op: "MERGE" }])).message,
    "step 2: expected a RETRIEVE before MERGE: it works on retrieved results",
  );
});

test.run();
