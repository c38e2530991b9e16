/** How a notebook shows an answer: its Markdown as HTML, with the documents' own tags shown, never run. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { markdownHtml } from "./render.js";

test("%ask's answer renders as Markdown: headings, lists and code, not '## Summary' in a <pre>", () => {
  const html = markdownHtml("## Summary\nIVF splits vectors into `nlist` lists.\n\n- one\n- two\n");
  assert.match(html, /<h2>Summary<\/h2>/);
  assert.match(html, /<code>nlist<\/code>/);
  assert.match(html, /<li>one<\/li>/);
  assert.not.match(html, /## Summary/);
});

test("a quoted tag in an answer is text, not markup", () => {
  const html = markdownHtml(
    "## Summary\nThe page had <script>alert(1)</script> in it.\n\n<img src=x onerror=alert(1)>\n",
  );
  assert.not.match(html, /<script>|<img/);
  assert.match(html, /&#60;script&#62;/);
});

test.run();
