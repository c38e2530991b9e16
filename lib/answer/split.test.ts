import { test } from "uvu";
import * as assert from "uvu/assert";
import { splitSentences } from "./split.js";

/** Every unit is the exact slice at its offsets and never starts or ends inside a word. */
function checkOffsets(text: string) {
  const units = splitSentences(text);
  for (const u of units) {
    assert.is(text.slice(u.start, u.end), u.sentence);
    assert.not.match(text.slice(u.start - 1, u.start), /[\p{L}\p{N}]/u, `starts mid-word: ${u.sentence}`);
    assert.not.match(text.slice(u.end, u.end + 1), /[\p{L}\p{N}]/u, `ends mid-word: ${u.sentence}`);
  }
  return units;
}

const show = (text: string) => checkOffsets(text).map((u) => [u.kind, u.sentence]);

test("sentences split after . ! ? … before a capital, with exact offsets", () => {
  assert.equal(
    show('LanceDB is embedded.  It has no server! Does it scale? Yes… "Quoted." (Aside.) 3 more.'),
    [
      ["text", "LanceDB is embedded."],
      ["text", "It has no server!"],
      ["text", "Does it scale?"],
      ["text", "Yes…"],
      ["text", '"Quoted."'],
      ["text", "(Aside.)"],
      ["text", "3 more."],
    ],
  );
});

test("abbreviations, initials, versions, file names, URLs and inline code do not split", () => {
  const text =
    "Use a small model, e.g. MiniLM, i.e. one that fits. J. Smith wrote v1.2 of file.ts, see " +
    "https://example.org/docs/a.b?x=1. Run `npm test. Then` once. Ask Dr. Who. Done etc. and more.";
  assert.equal(show(text), [
    ["text", "Use a small model, e.g. MiniLM, i.e. one that fits."],
    ["text", "J. Smith wrote v1.2 of file.ts, see https://example.org/docs/a.b?x=1."],
    ["text", "Run `npm test. Then` once."],
    ["text", "Ask Dr. Who."],
    ["text", "Done etc. and more."],
  ]);
});

test("Russian: splits before a capital, not after т. е. or a lowercase continuation", () => {
  assert.equal(
    show("LanceDB — это встраиваемая база, т. е. без сервера. Индексы строятся по требованию! Да."),
    [
      ["text", "LanceDB — это встраиваемая база, т. е. без сервера."],
      ["text", "Индексы строятся по требованию!"],
      ["text", "Да."],
    ],
  );
});

test("a wrapped line does not end a sentence; a blank line does", () => {
  assert.equal(show("Docs wrap their\nlines mid-sentence. Next one\nends here\n\nNew paragraph"), [
    ["text", "Docs wrap their\nlines mid-sentence."],
    ["text", "Next one\nends here"],
    ["text", "New paragraph"],
  ]);
});

test("Markdown: headings, list items (with continuation lines) and table rows are units", () => {
  const text = [
    "# Install",
    "",
    "To install:",
    "1. Clone the repository. It is small.",
    "2. Run the tests",
    "   with `npm test`.",
    "- a bullet",
    "",
    "| option | default |",
    "|--------|---------|",
    "| k      | 5       |",
    "",
    "---",
    "> A quote. Two sentences.",
    "",
    "Underlined title",
    "================",
    "Body.",
  ].join("\n");
  assert.equal(show(text), [
    ["heading", "# Install"],
    ["text", "To install:"],
    ["item", "1. Clone the repository. It is small."],
    ["item", "2. Run the tests\n   with `npm test`."],
    ["item", "- a bullet"],
    ["row", "| option | default |"],
    ["row", "| k      | 5       |"],
    ["text", "A quote."],
    ["text", "Two sentences."],
    ["heading", "Underlined title"],
    ["text", "Body."],
  ]);
});

test("fenced code stays whole, blank lines and sentence ends inside it included; an unclosed fence runs to the end", () => {
  const code = "```ts\nconst a = 1. + 2;\n\n// Done. Next.\nconsole.log(a);\n```";
  const text = `Before the code. Run this:\n\n${code}\n\nAfter it.\n\n~~~\nunclosed. Fence.`;
  const units = checkOffsets(text);
  assert.equal(
    units.map((u) => u.kind),
    ["text", "text", "code", "text", "code"],
  );
  assert.is(units[2].sentence, code);
  assert.is(units[4].sentence, "~~~\nunclosed. Fence.");
});

test("a chunk cut inside a code block closes it at its first bare fence, so the prose after is prose", () => {
  // Odd fences, the first bare: the window started inside a block.
  const cut = "  url: env:TARGET_URL\n```\n\n**STEP**: 4 — Configure it.\n\nThe wizard writes the manifest.";
  assert.equal(show(cut), [
    ["code", "  url: env:TARGET_URL\n```"],
    ["text", "**STEP**: 4 — Configure it."],
    ["text", "The wizard writes the manifest."],
  ]);
  // Even fences, but the second carries an info string, which only an opening fence can.
  const both = "a: 1\n```\nProse between. Here.\n```json\n{}\n```";
  assert.equal(
    show(both).map(([kind]) => kind),
    ["code", "text", "text", "code"],
  );
  // A whole block with a bare opener is still one block.
  assert.equal(show("Run:\n```\nnpm test\n```")[1], ["code", "```\nnpm test\n```"]);
});

test("indented code is one unit when it does not continue a paragraph or a list", () => {
  const text = "Example:\n\n    store.add(text)\n\n    store.search(text)\nBack to prose. Yes.";
  assert.equal(show(text), [
    ["text", "Example:"],
    ["code", "    store.add(text)\n\n    store.search(text)"],
    ["text", "Back to prose."],
    ["text", "Yes."],
  ]);
  assert.equal(show("Prose line\n    still the paragraph."), [
    ["text", "Prose line\n    still the paragraph."],
  ]);
});

test("a line opening with an upper-case label starts a unit: templated docs write one field a line", () => {
  const text =
    "STEP: Prerequisites\nDESCRIPTION: Enable the launchpad parameter INPUTFIELD_HISTORY so the values\n" +
    "are stored. Verify it first.\nLANGUAGE: Link\n**CODE**:\n```text\nManage Launchpad Settings\n```\n" +
    "- an item\nNOTE: a label ends the item too\nNote: a word in mixed case does not.";
  assert.equal(show(text), [
    ["text", "STEP: Prerequisites"],
    ["text", "DESCRIPTION: Enable the launchpad parameter INPUTFIELD_HISTORY so the values\nare stored."],
    ["text", "Verify it first."],
    ["text", "LANGUAGE: Link"],
    ["text", "**CODE**:"],
    ["code", "```text\nManage Launchpad Settings\n```"],
    ["item", "- an item"],
    ["text", "NOTE: a label ends the item too\nNote: a word in mixed case does not."],
  ]);
});

test("CRLF text keeps exact offsets; empty or punctuation-only text gives nothing", () => {
  const text = "First line.\r\nSecond one.\r\n\r\n- item\r\n";
  assert.equal(show(text), [
    ["text", "First line."],
    ["text", "Second one."],
    ["item", "- item"],
  ]);
  assert.equal(splitSentences(""), []);
  assert.equal(splitSentences("---\n\n|---|---|\n..."), []);
});

test.run();
