import { test } from "uvu";
import * as assert from "uvu/assert";
import { SiglaError } from "../lib/index.js";
import { magicErrorLine, parseMagic } from "./magics.js";
import { helpBundle, magicUsage, resultBundle, VEGA_LITE_MIME } from "./render.js";
import { translateCell } from "./translate.js";

test("a magic line becomes one awaited call with the name and the rest of the line", () => {
  assert.is(translateCell('%query "x" -k 3'), 'await siglaMagic("query", "\\"x\\" -k 3");');
  assert.is(translateCell("%help"), 'await siglaMagic("help", "");');
  assert.is(
    translateCell("const a = 1;\n%store open ./s\nconsole.log(a);"),
    'const a = 1;\nawait siglaMagic("store", "open ./s");\nconsole.log(a);',
  );
});

test("code lines, a % in a string and a modulo expression are left as they are", () => {
  const code = [
    "const r = 7 % 3;",
    'const s = "%query not a magic";',
    "const t = `50%`;",
    "const u = a",
    "% b;",
    "  %indented(stays)",
    "const pct = '%d';",
  ].join("\n");
  assert.is(translateCell(code), code);
});

test("a % line inside a template literal or a block comment is not a magic", () => {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: TypeScript source for the kernel, not a template
  const template = "const t = `first\n%query inside\n${`nested\n%help`}\nend`;\n%help";
  assert.is(
    translateCell(template),
    // biome-ignore lint/suspicious/noTemplateCurlyInString: TypeScript source for the kernel, not a template
    'const t = `first\n%query inside\n${`nested\n%help`}\nend`;\nawait siglaMagic("help", "");',
  );
  const comment = "/* a comment\n%query no\n*/\n%query yes";
  assert.is(translateCell(comment), '/* a comment\n%query no\n*/\nawait siglaMagic("query", "yes");');
  assert.is(translateCell("// `\n%help"), '// `\nawait siglaMagic("help", "");');
});

test("an unknown magic is translated, and fails at run time with one line naming it and the magics", () => {
  assert.is(translateCell("%nope 1 2"), 'await siglaMagic("nope", "1 2");');
  const line = magicErrorLine(
    "nope",
    caught(() => parseMagic("nope", "1 2")),
  );
  assert.match(line, /^%nope: unknown magic — magics: %store %ingest %query .* %help/);
  assert.not.match(line, /\n/);
});

test("a bad argument is one line naming the magic and its usage, with % for :", () => {
  const line = magicErrorLine(
    "query",
    caught(() => parseMagic("query", '"x" -k zero')),
  );
  assert.is(
    line,
    '%query: -k must be an integer from 1 to 10000, got "zero" — usage: %query "<text>" [-k 5] [--tags a,b] [--mode vector|fts|hybrid]',
  );
  const long = magicErrorLine(
    "dsl",
    new SiglaError("SIGLA_INVALID_INPUT", `bad filter "${"x".repeat(3000)}"\n  Caused by: sql.rs:113:22`),
  );
  assert.ok(long.startsWith("%dsl: SIGLA_INVALID_INPUT: bad filter"));
  assert.not.match(long, /\n|Caused by/);
  assert.ok(long.length <= "%dsl: SIGLA_INVALID_INPUT: ".length + 500, `${long.length} characters`);
  assert.is(
    magicErrorLine("ask", new SiglaError("SIGLA_STORE_LOCKED", "locked")),
    "%ask: SIGLA_STORE_LOCKED: locked",
  );
  assert.equal(parseMagic("store", "open ./s").words, ["./s"]);
  assert.equal(parseMagic("query", '"a b" -k 3 --tags x,y').flags, { k: 3, tags: ["x", "y"] });
});

test("results render as HTML tables, charts as a Vega-Lite object plus a PNG", () => {
  assert.is(magicUsage(':query "<text>" [-k 5]'), '%query "<text>" [-k 5]');
  const help = helpBundle();
  assert.match(String(help["text/html"]), /<td>%ingest &#60;paths…&#62; \[--tags a,b\] \[--strict\]<\/td>/);
  assert.not.match(String(help["text/plain"]), /%quit/);
  const hit = { id: 4, score: 0.5, text: "a <b> & c", tags: ["t"], links: [], meta: {} };
  const query = resultBundle({ kind: "query", text: "q", mode: "vector", hits: [hit] } as never);
  assert.match(
    String(query["text/html"]),
    /<td>4<\/td><td>0\.5000<\/td><td>a &#60;b&#62; &#38; c<\/td><td>t<\/td>/,
  );
  const spec = { $schema: "s", data: { values: [] }, mark: "line" };
  const chart = { kind: "metrics", title: "T", spec, lines: ["x"], source: "s", png: "p", bytes: 3 };
  const bundle = resultBundle({ kind: "chart", chart } as never, new Uint8Array([1, 2, 3]));
  assert.is(bundle[VEGA_LITE_MIME], spec);
  assert.is(bundle["image/png"], "AQID");
});

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}

test.run();
