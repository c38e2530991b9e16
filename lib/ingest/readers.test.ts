import { execFileSync } from "node:child_process";
import { closeSync, constants, openSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { tempDir } from "../../test/helpers/temp.js";
import { loadConfig } from "../config.js";
import { IngestError, isSiglaError } from "../errors.js";
import { parseCsv } from "./csv.js";
import type { IngestDocument } from "./document.js";
import { decodeEntities } from "./entities.js";
import { htmlToText } from "./html.js";
import { arrayElementSpans } from "./json.js";
import {
  decodeText,
  isSupported,
  parseDocuments,
  readDocuments,
  readSource,
  SUPPORTED_EXTENSIONS,
} from "./readers.js";

const dir = tempDir("sigla-readers-");

/** Writes a fixture file and returns its path. */
function fixture(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** Runs `fn` and returns the IngestError it throws. */
async function ingestError(fn: () => Promise<unknown>): Promise<IngestError> {
  try {
    await fn();
  } catch (error) {
    assert.instance(error, IngestError);
    assert.is((error as IngestError).code, "SIGLA_INGEST");
    return error as IngestError;
  }
  throw new Error("expected an IngestError");
}

/** For records: the slice of the file at the document's offsets. */
function sliceOf(text: string, doc: IngestDocument): string {
  return text.slice(doc.start, doc.end);
}

test("markdown front matter: title, inline tags, meta, body offsets", async () => {
  const text =
    '---\ntitle: "Vector Notes"\ntags: [ANN, search , ann]\nauthor: Ada\nyear: 2024\ndraft: false\ndate: 2024-05-01\n---\n# Heading\n\nBody text.\n';
  const [doc] = await readDocuments(fixture("note.md", text));
  assert.is(doc.title, "Vector Notes");
  assert.equal(doc.tags, ["ann", "search"]);
  assert.equal(doc.meta, { author: "Ada", year: 2024, draft: false, date: "2024-05-01" });
  assert.is(doc.text, "# Heading\n\nBody text.\n");
  assert.is(sliceOf(text, doc), doc.text);
  assert.ok(doc.verbatim);
});

test("front matter tags as a dash list or a comma string; block text; CRLF", async () => {
  const listed =
    "---\r\ntags:\r\n  - Alpha\r\n  - beta # a comment\r\nsummary: >\r\n  folded\r\n  text\r\n---\r\nbody";
  const [a] = await readDocuments(fixture("listed.md", listed));
  assert.equal(a.tags, ["alpha", "beta"]);
  assert.is(a.meta.summary, "folded text");
  assert.is(a.text, "body");
  assert.is(sliceOf(listed, a), "body");

  const [b] = await readDocuments(
    fixture("plain.txt", "---\ntags: one, Two\nnested:\n  key: v\n---\ntext body"),
  );
  assert.equal(b.tags, ["one", "two"]);
  assert.equal(b.meta.nested, { key: "v" }, "nested mappings are kept (yaml parser)");
  assert.is(b.title, undefined);
  assert.is(b.text, "text body");
});

test("markdown title falls back to the opening heading; an unclosed --- is not front matter", async () => {
  const [titled] = await readDocuments(fixture("titled.md", "\n# The Title #\n\ntext"));
  assert.is(titled.title, "The Title");
  const [notTitled] = await readDocuments(fixture("later.md", "intro\n\n# Later heading"));
  assert.is(notTitled.title, undefined);
  const rule = "---\nnot: front matter because it never closes\n";
  const [open] = await readDocuments(fixture("rule.md", rule));
  assert.is(open.text, rule);
  assert.equal(open.meta, {});
  assert.is(open.start, 0);
});

test("front matter keeps nested keys and lists as JSON; numbers only when plainly decimal", async () => {
  const text =
    "---\ntitle: Deep\nauthor:\n  name: Ada\n  links:\n    - a\n    - b: 1\nid: 007\nhex: 0x1F\nratio: 0.5\nversion: 1.2.3\n---\nbody";
  const [doc] = await readDocuments(fixture("nested.md", text));
  assert.is(doc.title, "Deep");
  assert.equal(doc.meta, {
    author: { name: "Ada", links: ["a", { b: 1 }] },
    id: "007",
    hex: "0x1F",
    ratio: 0.5,
    version: "1.2.3",
  });
  assert.is(doc.text, "body");
});

test("malformed front matter: the note still ingests, kept as text, with a warning", () => {
  const text = "---\ntitle: [unclosed\ntags: a\n---\n# Heading\n\nbody";
  const warnings: string[] = [];
  const [doc] = parseDocuments("bad.md", text, (reason) => warnings.push(reason));
  assert.is(doc.text, text, "the front matter stays in the text");
  assert.is(doc.start, 0);
  assert.equal(doc.meta, {});
  assert.is(warnings.length, 1);
  assert.match(warnings[0], /front matter is not valid YAML/);
  // Strict reading (no skip callback) does not throw either: front matter is not a record.
  const [strict] = parseDocuments("bad.md", text);
  assert.is(strict.text, text);
});

test("front matter aliases are bounded: an alias bomb is a warning, not a hang", () => {
  const levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
  for (let i = 1; i < 9; i++) {
    const prev = String.fromCharCode(96 + i);
    const name = String.fromCharCode(97 + i);
    levels.push(`${name}: &${name} [${Array(10).fill(`*${prev}`).join(", ")}]`);
  }
  const text = `---\n${levels.join("\n")}\n---\nbody`;
  const warnings: string[] = [];
  const [doc] = parseDocuments("bomb.md", text, (reason) => warnings.push(reason));
  assert.is(doc.text, text);
  assert.is(warnings.length, 1);
});

test("txt: plain text, BOM dropped, offsets into the decoded text", async () => {
  const [doc] = await readDocuments(fixture("bom.txt", "\uFEFFhello there"));
  assert.is(doc.text, "hello there");
  assert.is(doc.start, 0);
  assert.is(doc.end, 11);
});

test("JSON array of strings and objects: text fields, tags, scalar meta, record offsets", async () => {
  const text = `[
  "just a string",
  {"text": "with text", "tags": ["A", "b"], "title": "T", "n": 3, "nested": {"x": 1}, "list": [1]},
  {"content": "with \\"content\\"", "tags": "x, y", "lang": "en"},
  {"page_content": "langchain", "metadata": {"source": "web", "page": 2, "deep": {"no": 1}}}
]`;
  const file = fixture("data.json", text);
  const docs = await readDocuments(file);
  assert.is(docs.length, 4);
  assert.equal(
    docs.map((d) => d.text),
    ["just a string", "with text", 'with "content"', "langchain"],
  );
  assert.equal(docs[1].tags, ["a", "b"]);
  assert.is(docs[1].title, "T");
  assert.equal(docs[1].meta, { n: 3 });
  assert.equal(docs[2].tags, ["x", "y"]);
  assert.equal(docs[2].meta, { lang: "en" });
  assert.equal(docs[3].meta, { source: "web", page: 2 });
  const parsed = JSON.parse(text);
  docs.forEach((doc, i) => {
    assert.is(doc.record, i);
    assert.not.ok(doc.verbatim);
    assert.equal(JSON.parse(sliceOf(text, doc)), parsed[i], `record ${i} offsets`);
  });
});

test("JSON single object; bad JSON and records without text are IngestErrors naming the place", async () => {
  const [one] = await readDocuments(fixture("one.json", '{"body": "single", "kind": "memo"}'));
  assert.is(one.text, "single");
  assert.equal(one.meta, { kind: "memo" });
  assert.is(one.record, undefined);

  const broken = fixture("broken.json", '{"text": ');
  assert.match((await ingestError(() => readDocuments(broken))).message, /broken\.json: invalid JSON/);
  const noText = fixture("notext.json", '[{"text": "ok"}, {"name": "no text"}]');
  const error = await ingestError(() => readDocuments(noText));
  assert.match(
    error.message,
    /notext\.json: record 1 has no text field \(one of text, content, body, page_content\)/,
  );
  const wrongType = fixture("number.json", "[42]");
  assert.match((await ingestError(() => readDocuments(wrongType))).message, /record 0 is a number/);
});

test("arrayElementSpans finds top-level elements with nested brackets and escaped quotes", () => {
  const text = ' [ {"a": "]\\"[,"}, [1, [2]] , "x,y", 3.5, null ] ';
  const spans = arrayElementSpans(text);
  assert.equal(
    spans.map((s) => text.slice(s.start, s.end)),
    ['{"a": "]\\"[,"}', "[1, [2]]", '"x,y"', "3.5", "null"],
  );
  assert.equal(arrayElementSpans("[]"), []);
});

test("JSONL: one record per line, blank lines skipped, line numbers and offsets", async () => {
  const text = '{"text": "first", "tags": ["t"]}\n\n  "second"  \r\n{"content": "third", "id": 7}\n';
  const docs = await readDocuments(fixture("lines.jsonl", text));
  assert.equal(
    docs.map((d) => [d.text, d.record, d.line]),
    [
      ["first", 0, 1],
      ["second", 1, 3],
      ["third", 2, 4],
    ],
  );
  assert.is(sliceOf(text, docs[1]), '"second"');
  assert.equal(docs[2].meta, { id: 7 });
});

test("JSONL: a bad line is an IngestError naming the file and the line number", async () => {
  const file = fixture("bad.jsonl", '{"text": "ok"}\n{"text": "also ok"}\n{"text": oops}\n');
  const error = await ingestError(() => readDocuments(file));
  assert.ok(error.message.includes(`${file}: line 3: invalid JSON`), error.message);
  const noText = fixture("notext.jsonl", '{"text": "ok"}\n{"title": "only a title"}\n');
  assert.match(
    (await ingestError(() => readDocuments(noText))).message,
    /notext\.jsonl: line 2 has no text field/,
  );
});

test("CSV parser: quotes, escaped quotes, newlines and commas in quotes, CRLF, offsets", () => {
  const text = 'a,b,c\r\n"x, y","say ""hi""","multi\nline"\r\nplain,,last\n\n"",tail,\n';
  const rows = parseCsv(text, "t.csv");
  assert.equal(
    rows.map((r) => r.fields),
    [
      ["a", "b", "c"],
      ["x, y", 'say "hi"', "multi\nline"],
      ["plain", "", "last"],
      ["", "tail", ""],
    ],
  );
  assert.equal(
    rows.map((r) => r.line),
    [1, 2, 4, 6],
  );
  assert.is(text.slice(rows[1].start, rows[1].end), '"x, y","say ""hi""","multi\nline"');
  try {
    parseCsv('a\n"never closed\n', "t.csv");
    assert.unreachable();
  } catch (error) {
    assert.instance(error, IngestError);
    assert.match((error as Error).message, /t\.csv: unterminated quoted field starting on line 2/);
  }
});

test("CSV documents: text column, title, tags column, other columns as meta", async () => {
  const text = 'Title,Text,tags,author\nFirst,"Hello, world","a; B",ann\nSecond,"He said ""no""",,\n';
  const docs = await readDocuments(fixture("table.csv", text));
  assert.is(docs.length, 2);
  assert.equal(docs[0], {
    text: "Hello, world",
    title: "First",
    tags: ["a", "b"],
    meta: { author: "ann" },
    start: text.indexOf("First"),
    end: text.indexOf("\nSecond"),
    verbatim: false,
    record: 0,
    line: 2,
  });
  assert.is(docs[1].text, 'He said "no"');
  assert.equal(docs[1].meta, {});
  assert.equal(docs[1].tags, []);
});

test("CSV without a text column joins all columns as name: value; ragged rows are errors", async () => {
  const docs = await readDocuments(fixture("people.csv", "name,city,tags\nAda,London,math\nAlan,,\n"));
  assert.is(docs[0].text, "name: Ada\ncity: London");
  assert.equal(docs[0].tags, ["math"]);
  assert.is(docs[1].text, "name: Alan");
  const ragged = fixture("ragged.csv", "a,b\n1,2\n1,2,3\n");
  assert.match((await ingestError(() => readDocuments(ragged))).message, /ragged\.csv: line 3 has 3 fields/);
  assert.equal(await readDocuments(fixture("header-only.csv", "text,tags\n")), []);
});

test("HTML: script/style/head dropped, blocks become lines, entities decoded, title taken", async () => {
  const html = `<!DOCTYPE html>
<html><head><title>Caf&eacute; &amp; Co</title><style>p { color: red }</style>
<script>var hidden = "<p>not text</p>";</script></head>
<body>
<!-- a comment -->
<h1>Menu</h1>
<p>Fish &amp; chips &lt;3 &#233;&#x1F600; &nbsp;&hellip; &unknown; <a href="/x?a=1&b=2" title="a > b">link</a></p>
<ul><li>One</li><li>Two <b>bold</b></li></ul>
<script type="module">alert(1)</script>
<pre>  keep
    indent</pre>
<div>last<br>line</div>
</body></html>`;
  const [doc] = await readDocuments(fixture("page.html", html));
  assert.is(doc.title, "Café & Co");
  assert.not.ok(doc.text.includes("hidden"));
  assert.not.ok(doc.text.includes("color"));
  assert.not.ok(doc.text.includes("alert"));
  assert.not.ok(doc.text.includes("comment"));
  assert.not.ok(/<\/?[a-z!]/i.test(doc.text), "no markup left");
  assert.is(
    doc.text,
    "Menu\n\nFish & chips <3 é😀 \u00a0… &unknown; link\n\n- One\n- Two bold\n\n  keep\n    indent\n\nlast\nline",
  );
  assert.is(doc.start, 0);
  assert.is(doc.end, html.length);
  const [htm] = await readDocuments(fixture("bare.HTM", "plain <i>words</i>"));
  assert.is(htm.text, "plain words");
  assert.is(htm.title, undefined);
});

test("entities: numeric edge cases and legacy bare names", () => {
  assert.is(decodeEntities("&#0;&#xD800;&#1114112;"), "\uFFFD\uFFFD\uFFFD");
  assert.is(decodeEntities("&#150;&#x93;"), "\u2013\u201c");
  assert.is(decodeEntities("a &amp b &copy c &eacute d"), "a & b © c &eacute d");
  assert.is(decodeEntities("&yuml;&nbsp;&iexcl;"), "ÿ\u00a0¡");
  assert.is(htmlToText("<p>a</p><p>b</p>").text, "a\n\nb");
});

test("entities: the full HTML5 table with `;`, bare numeric references, Windows-1252 bytes", () => {
  assert.is(decodeEntities("&check; &Acirc; &hellip; &NotEqualTilde;"), "\u2713 \u00c2 \u2026 \u2242\u0338");
  assert.is(decodeEntities("&#65&#x42 &#150x"), "AB \u2013x");
  assert.is(decodeEntities("&ampx &notit &unknown;"), "&ampx &notit &unknown;");
  const [latin] = parseDocuments(
    "w.txt",
    decodeText("w.txt", Uint8Array.from([0x93, 0x68, 0x69, 0x94, 0x81])),
  );
  assert.is(latin.text, "\u201chi\u201d\u0081");
});

test("unknown extension, missing file, binary data: IngestErrors naming the file", async () => {
  const odd = fixture("data.xyz", "x");
  const unknown = await ingestError(() => readDocuments(odd));
  assert.ok(unknown.message.includes(odd), unknown.message);
  for (const ext of SUPPORTED_EXTENSIONS) assert.ok(unknown.message.includes(ext), `lists ${ext}`);
  assert.match((await ingestError(() => readDocuments(join(dir, "noext")))).message, /\(none\)/);

  const missing = join(dir, "missing.md");
  const error = await ingestError(() => readDocuments(missing));
  assert.ok(error.message.includes(missing) && error.message.includes("no such file"), error.message);
  assert.ok(isSiglaError(error));

  const binary = fixture("binary.txt", new Uint8Array([0x68, 0x69, 0xff, 0xfe, 0x00]));
  assert.match(
    (await ingestError(() => readDocuments(binary))).message,
    /binary\.txt: binary data \(NUL bytes\)/,
  );
});

test("text that is not UTF-8 is decoded: Latin-1 / Windows-1252, UTF-16 with a BOM; binary data is refused", async () => {
  const latin1 = fixture(
    "latin1.md",
    Buffer.from("# Caf\xe9\n\nCr\xe8me br\xfbl\xe9e \x93quoted\x94 \x80 5\n", "latin1"),
  );
  const [doc] = await readDocuments(latin1);
  assert.is(doc.title, "Café");
  assert.is(doc.text, "# Café\n\nCrème brûlée \u201cquoted\u201d € 5\n");
  const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("Grüße aus UTF-16", "utf16le")]);
  assert.is(decodeText("u.txt", utf16), "Grüße aus UTF-16");
  assert.is(decodeText("bom.txt", Buffer.from("\ufeffplain", "utf8")), "plain");
  // Invalid UTF-8 full of control bytes is binary even without a NUL.
  const noise = Buffer.from(Array.from({ length: 400 }, (_, i) => (i * 37 + 1) % 256 || 1));
  assert.match(
    (await ingestError(async () => decodeText("noise.txt", noise))).message,
    /noise\.txt: binary data/,
  );
});

/** Resolves with what `promise` settles to, or rejects when it is still pending after `ms`, then `unblock`s. */
async function settlesWithin<T>(promise: Promise<T>, ms: number, unblock: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      unblock();
      reject(new Error(`still pending after ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

test("only regular files are read: a fifo or a link to /dev/zero is refused at once, never read", async () => {
  const fifo = join(dir, "pipe.txt");
  execFileSync("mkfifo", [fifo]);
  // If the reader blocks on the fifo, opening its write end (and closing it) lets it see EOF and finish.
  const unblock = () => {
    try {
      closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
    } catch {}
  };
  const fromFifo = await settlesWithin(
    ingestError(() => readDocuments(fifo)),
    3000,
    unblock,
  );
  assert.is(fromFifo.message, `cannot read ${fifo}: is a named pipe (fifo), not a regular file`);

  const zero = join(dir, "zero.txt");
  symlinkSync("/dev/zero", zero);
  const fromZero = await settlesWithin(
    ingestError(() => readSource(zero)),
    3000,
    () => {},
  );
  assert.is(fromZero.message, `cannot read ${zero}: is a character device, not a regular file`);
  assert.match((await ingestError(() => readSource(dir))).message, /: is a folder$/);
});

test("files over the size limit (SIGLA_MAX_FILE_BYTES) are refused with the limit named", async () => {
  const file = fixture("big.txt", "x".repeat(1000));
  assert.is((await readSource(file, { maxBytes: 1000 })).bytes.length, 1000);
  const error = await ingestError(() => readSource(file, { maxBytes: 999 }));
  assert.is(
    error.message,
    `cannot read ${file}: 1000 bytes is over the 999-byte limit (SIGLA_MAX_FILE_BYTES)`,
  );
  assert.is(loadConfig({ SIGLA_MAX_FILE_BYTES: "4096" }).maxFileBytes, 4096);
  assert.is(loadConfig({}).maxFileBytes, 32 * 1024 * 1024);
  try {
    loadConfig({ SIGLA_MAX_FILE_BYTES: "lots" });
    assert.unreachable();
  } catch (error) {
    assert.is((error as { code: string }).code, "SIGLA_CONFIG");
  }
});

test("bad records: thrown without a skip callback, else left out with their reasons", () => {
  const cases: Array<[string, string, string[], string[]]> = [
    [
      "mixed.json",
      '[{"text": "one"}, {"title": "no text"}, 3, "four"]',
      ["one", "four"],
      ["mixed.json: record 1 has no text field", "mixed.json: record 2 is a number"],
    ],
    ["lines.jsonl", '"a"\n{oops\n"b"\n', ["a", "b"], ["lines.jsonl: line 2: invalid JSON"]],
    [
      "ragged.csv",
      "text,tags\nfirst,x\nsecond,y,extra\nthird,z\n",
      ["first", "third"],
      ["ragged.csv: line 3 has 3 fields but the header has 2"],
    ],
    [
      "open.csv",
      'text\nfirst\n"never closed\nmore\n',
      ["first"],
      ["open.csv: unterminated quoted field starting on line 3; the rest of the file is left out"],
    ],
  ];
  for (const [file, text, texts, reasons] of cases) {
    const skipped: string[] = [];
    const docs = parseDocuments(file, text, (reason) => skipped.push(reason));
    assert.equal(
      docs.map((doc) => doc.text),
      texts,
      file,
    );
    assert.is(skipped.length, reasons.length, file);
    reasons.forEach((reason, k) => {
      assert.ok(skipped[k].startsWith(reason), skipped[k]);
    });
    assert.throws(
      () => parseDocuments(file, text),
      (error: unknown) => error instanceof IngestError,
    );
  }
  // Records keep their place in the file.
  const [, four] = parseDocuments("mixed.json", '[{"text": "one"}, {"title": "x"}, 3, "four"]', () => {});
  assert.is(four.record, 3);
  // No readable record at all: the file itself is the error, and nothing is passed to `skip`.
  const none: string[] = [];
  assert.throws(
    () => parseDocuments("nav.json", '[{"title": "a"}, {"title": "b"}]', (reason) => none.push(reason)),
    /nav\.json: no readable record \(2 bad, the first: nav\.json: record 0 has no text field/,
  );
  assert.throws(
    () => parseDocuments("numbers.json", "[1, 2]", (reason) => none.push(reason)),
    /numbers\.json: no readable record/,
  );
  assert.throws(() => parseDocuments("open.csv", 'text\n"never', () => {}), /unterminated quoted field/);
  assert.equal(none, []);
  assert.equal(
    parseDocuments("empty.json", "[]", () => {}),
    [],
  );
});

test("supported extensions are matched case-insensitively", () => {
  assert.ok(isSupported("/x/README.MD"));
  assert.ok(isSupported("a.JsonL"));
  assert.not.ok(isSupported("a.pdf"));
  assert.not.ok(isSupported("Makefile"));
});

test.run();
