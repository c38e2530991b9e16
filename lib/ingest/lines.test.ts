import { test } from "uvu";
import * as assert from "uvu/assert";
import { lineAt, lineRange, lineStarts } from "./lines.js";

test("line starts: one per line, CRLF counted once, a trailing break opens an empty last line", () => {
  assert.equal(lineStarts(""), [0]);
  assert.equal(lineStarts("a\nbc\r\nd\n"), [0, 2, 6, 8]);
});

test("lineAt and lineRange agree with counting the breaks", () => {
  const text = "alpha\n\nbeta gamma\r\ndelta\nepsilon";
  const starts = lineStarts(text);
  for (let i = 0; i <= text.length; i++) {
    assert.is(lineAt(starts, i), text.slice(0, i).split("\n").length, `offset ${i}`);
  }
  const beta = text.indexOf("beta");
  assert.equal(lineRange(starts, beta, beta + "beta gamma\r\n".length), [3, 3], "ends on its own break");
  assert.equal(lineRange(starts, beta, text.length), [3, 5]);
  assert.equal(lineRange(starts, 2, 2), [1, 1], "an empty range is its start's line");
  assert.is(lineAt(starts, 10_000), 5, "past the end: the last line");
});

test.run();
