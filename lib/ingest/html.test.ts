import { test } from "uvu";
import * as assert from "uvu/assert";
import { htmlToText } from "./html.js";

/** One run of `htmlToText`, in ms. */
function runTime(html: string): number {
  const start = performance.now();
  htmlToText(html);
  return performance.now() - start;
}

/** Fastest of five runs, in ms: the minimum filters out GC pauses and JIT warm-up. */
function timeOf(html: string): number {
  let best = Number.POSITIVE_INFINITY;
  for (let run = 0; run < 5; run++) best = Math.min(best, runTime(html));
  return best;
}

/**
 * Whether some run of `html` takes at most `allowed` ms (up to five tries, so one slow run is not a
 * failure); gives up early on a run far over the limit, so a quadratic reader fails fast. Returns the
 * fastest run.
 */
function within(html: string, allowed: number): number {
  let best = Number.POSITIVE_INFINITY;
  for (let run = 0; run < 5; run++) {
    best = Math.min(best, runTime(html));
    if (best <= allowed || best > 3 * allowed) break;
  }
  return best;
}

const FLOOR_MS = 20;

// Each unit repeated makes input a backtracking or rescanning tokenizer handles in quadratic time.
const ADVERSARIAL = [
  "<script ",
  "<a ",
  '<a "',
  "<a x='",
  '<a x="y" ',
  "<a =",
  "<title ",
  "<title>",
  "<title><",
  "<script>",
  "<style>x</styl",
  "<svg>",
  "<!x",
  "<!--",
  "<![CDATA[",
  "</",
  "</a ",
  "<?",
  "<<",
  "<p>x",
  "&amp",
  "&#1234567",
  "<pre>        \t",
];

test("HTML: time grows linearly on adversarial input (4× the input, at most ~10× the time)", () => {
  const sizes = [40_000, 160_000, 640_000];
  for (const unit of ADVERSARIAL) {
    const input = (size: number) => unit.repeat(Math.ceil(size / unit.length));
    let previous = timeOf(input(sizes[0]));
    for (const size of sizes.slice(1)) {
      // Quadratic work grows 16×; 10× leaves room for a busy machine. The 20 ms floor keeps timer noise
      // and garbage collection (a 640 KB page of `&amp` makes 160,000 strings) from reading as growth; the
      // old reader took seconds at 40 KB.
      const allowed = 10 * Math.max(previous, FLOOR_MS);
      const time = within(input(size), allowed);
      assert.ok(
        time <= allowed,
        `${JSON.stringify(unit)}: ${size / 4} chars in ${previous.toFixed(1)} ms, ${size} in ${time.toFixed(1)} ms`,
      );
      if (size !== sizes[sizes.length - 1]) previous = timeOf(input(size));
    }
  }
});

test("HTML: a large ordinary page is read in linear time and keeps all its text", () => {
  const block =
    '<div class="x"><p>Para <b>bold</b> &amp; <a href="/a?b=1&c=2">link</a></p><script>var s = "<p>";</script></div>\n';
  const small = block.repeat(500);
  const large = block.repeat(2000);
  const { text } = htmlToText(large);
  assert.is(text.split("Para bold & link").length - 1, 2000);
  assert.not.ok(text.includes("var s"));
  const allowed = 10 * Math.max(timeOf(small), FLOOR_MS);
  assert.ok(within(large, allowed) <= allowed);
});

test("HTML: tags, quotes and raw text follow browser rules", () => {
  const cases: Array<[string, string, string?]> = [
    // `>` inside a quoted attribute value does not end the tag; a stray quote elsewhere does not open one.
    ['<a title="a > b">x</a> <a "odd>y</a>', "x y"],
    ["<p title='it''s'>z</p>", "z"],
    // End tags match case-insensitively and may carry spaces.
    ["a<SCRIPT>x</script >b<Style>p{}</STYLE>c", "abc"],
    // `</scripty>` does not end a script.
    ["<script>1</scripty>2</script>ok", "ok"],
    // An unclosed script hides the rest, as in a browser.
    ["before<script>never", "before"],
    // A tag open at the end of the input hides the rest too.
    ["keep <a href='x", "keep"],
    ["keep<b", "keep"],
    // A `<` that starts no tag is text.
    ["1 < 2 and 3 <= 4", "1 < 2 and 3 <= 4"],
    // Comments, including the empty `<!-->`, CDATA and processing instructions leave nothing.
    ["a<!-->b<!--->c<!-- x -->d<![CDATA[e]]>f<?php g ?>h", "abcdfh"],
    ["a<!-- never closed", "a"],
    ["a</>b</ x>c", "abc"],
    // A head without `</head>` ends at `<body>`.
    ["<html><head><title>T</title><meta x><body><p>Body text</p>", "Body text", "T"],
    // An SVG's title is not the page's; hidden elements nest.
    ["<svg><title>icon</title><svg>in</svg>still</svg><title>Page</title><p>shown</p>", "shown", "Page"],
    // An unclosed title is ignored, not a black hole.
    ["<title>Oops<p>text", "Oops\n\ntext"],
    ["<object/>after<template>t</template>", "after"],
  ];
  for (const [html, text, title] of cases) {
    const result = htmlToText(html);
    assert.is(result.text, text, html);
    assert.is(result.title, title, html);
  }
});

test("HTML: trailing spaces and blank lines in <pre> are tidied in linear time", () => {
  const html = `<pre>${" ".repeat(200_000)}x${" ".repeat(200_000)}\n\n\n\ny</pre>`;
  assert.is(htmlToText(html).text, "x\n\ny");
});

test.run();
