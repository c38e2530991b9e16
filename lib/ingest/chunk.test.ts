import { test } from "uvu";
import * as assert from "uvu/assert";
import { InvalidInputError } from "../errors.js";
import { type Chunk, chunkText, DEFAULT_CHUNK_SIZE, DEFAULT_OVERLAP } from "./chunk.js";

/** Checks every promise chunkText makes about its output. */
function checkInvariants(text: string, chunks: Chunk[], size: number, overlap: number): void {
  const covered = new Uint8Array(text.length);
  chunks.forEach((chunk, i) => {
    assert.is(chunk.text, text.slice(chunk.start, chunk.end), `chunk ${i} text matches its offsets`);
    assert.ok(chunk.text.length > 0, `chunk ${i} is not empty`);
    assert.ok(chunk.text.trim() === chunk.text, `chunk ${i} is trimmed`);
    const length = chunk.end - chunk.start;
    // Only degenerate windows may grow by one unit, and only to keep an emoji whole.
    const degenerate = size === 1 || overlap === size - 1;
    const allowed = degenerate && /[\uD800-\uDBFF][\uDC00-\uDFFF]$/.test(chunk.text) ? size + 1 : size;
    assert.ok(length <= allowed, `chunk ${i} fits the window (${length} > ${size})`);
    assert.not.ok(
      /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(chunk.text),
      `chunk ${i} has no split emoji`,
    );
    covered.fill(1, chunk.start, chunk.end);
    if (i > 0) {
      const previous = chunks[i - 1];
      assert.ok(chunk.start > previous.start, `chunk ${i} progresses`);
      assert.ok(chunk.end > previous.end, `chunk ${i} ends later`);
      assert.ok(previous.end - chunk.start <= overlap, `chunk ${i} overlaps at most ${overlap}`);
    }
  });
  for (let i = 0; i < text.length; i++) {
    if (!/\s/.test(text[i])) assert.ok(covered[i], `character ${i} (${JSON.stringify(text[i])}) is covered`);
  }
}

/** Deterministic pseudo-random text: words, sentences, paragraphs. */
function prose(length: number, seed: number): string {
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const words = [
    "alpha",
    "beta",
    "gamma",
    "delta",
    "capsule",
    "memory",
    "vector",
    "x",
    "longerwordhere",
    "🙂",
  ];
  let text = "";
  while (text.length < length) {
    text += words[Math.floor(next() * words.length)];
    const r = next();
    text += r < 0.08 ? ". " : r < 0.1 ? ".\n\n" : r < 0.12 ? "\n" : " ";
  }
  return text;
}

test("defaults follow the seed design: 1024 characters with 200 overlap", () => {
  assert.is(DEFAULT_CHUNK_SIZE, 1024);
  assert.is(DEFAULT_OVERLAP, 200);
  const text = prose(5000, 1);
  const chunks = chunkText(text);
  assert.ok(chunks.length >= 5);
  checkInvariants(text, chunks, 1024, 200);
});

test("a short text is one chunk, a blank text none", () => {
  assert.equal(chunkText("  hello world \n"), [{ text: "hello world", start: 2, end: 13 }]);
  assert.equal(chunkText("exactly ten", { size: 11, overlap: 2 }), [
    { text: "exactly ten", start: 0, end: 11 },
  ]);
  assert.equal(chunkText(""), []);
  assert.equal(chunkText(" \n\t "), []);
});

test("invariants hold across sizes, overlaps and texts", () => {
  const cases: Array<[number, number]> = [
    [1, 0],
    [2, 1],
    [5, 4],
    [10, 3],
    [50, 0],
    [64, 20],
    [200, 199],
    [1024, 200],
  ];
  for (const [size, overlap] of cases) {
    for (let seed = 1; seed <= 4; seed++) {
      const text = prose(3000, seed * 7 + size);
      checkInvariants(text, chunkText(text, { size, overlap }), size, overlap);
    }
    const solid = "a".repeat(777);
    checkInvariants(solid, chunkText(solid, { size, overlap }), size, overlap);
  }
});

test("overlap is real: consecutive chunks share text when words allow it", () => {
  const text = prose(4000, 3);
  const chunks = chunkText(text, { size: 300, overlap: 80 });
  for (let i = 1; i < chunks.length; i++) {
    const shared = chunks[i - 1].end - chunks[i].start;
    assert.ok(shared > 40 && shared <= 80, `chunks ${i - 1}/${i} share ${shared} characters`);
  }
});

test("without whitespace the window is cut hard with exact overlap", () => {
  const text = "abcdefghij".repeat(10);
  const chunks = chunkText(text, { size: 30, overlap: 10 });
  assert.equal(
    chunks.map((c) => [c.start, c.end]),
    [
      [0, 30],
      [20, 50],
      [40, 70],
      [60, 90],
      [80, 100],
    ],
  );
});

test("cuts prefer a sentence end near the window end over a mid-sentence space", () => {
  const first = `${"word ".repeat(14)}end of sentence.`; // 86 characters
  const text = `${first} ${"more words follow here ".repeat(6)}`;
  const [chunk] = chunkText(text, { size: 100, overlap: 10 });
  assert.is(chunk.text, first);
});

test("cuts prefer a paragraph break over a later sentence end", () => {
  const paragraph = `${"p ".repeat(40)}done.`;
  const text = `${paragraph}\n\nNext one. ${"q ".repeat(10)}Later sentence. ${"r ".repeat(60)}`;
  const [chunk] = chunkText(text, { size: 110, overlap: 10 });
  assert.is(chunk.text, paragraph);
});

test("cuts fall back to a space, never splitting a word when a space is near", () => {
  const text = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor ".repeat(5);
  for (const chunk of chunkText(text, { size: 60, overlap: 15 })) {
    assert.ok(text[chunk.end] === undefined || /\s/.test(text[chunk.end]), `cut after "${chunk.text}"`);
    assert.ok(chunk.start === 0 || /\s/.test(text[chunk.start - 1]), `start of "${chunk.text}"`);
  }
});

test("surrogate pairs are not split on a hard cut", () => {
  const text = "🙂".repeat(50);
  for (const chunk of chunkText(text, { size: 7, overlap: 2 })) {
    assert.not.ok(chunk.text.includes("\uFFFD"));
    assert.ok(/^(?:🙂)+$/u.test(chunk.text), `chunk ${JSON.stringify(chunk.text)} holds whole emoji`);
  }
});

test("bad options are InvalidInputError naming the option", () => {
  const bad: Array<[{ size?: number; overlap?: number }, RegExp]> = [
    [{ size: 0 }, /size/],
    [{ size: -5 }, /size/],
    [{ size: 10.5 }, /size/],
    [{ size: Number.NaN }, /size/],
    [{ size: 10, overlap: -1 }, /overlap/],
    [{ size: 10, overlap: 1.5 }, /overlap/],
    [{ size: 10, overlap: 10 }, /smaller/],
    [{ overlap: 2000 }, /smaller/],
  ];
  for (const [options, message] of bad) {
    try {
      chunkText("some text", options);
      assert.unreachable(`accepted ${JSON.stringify(options)}`);
    } catch (error) {
      assert.instance(error, InvalidInputError);
      assert.is((error as InvalidInputError).code, "SIGLA_INVALID_INPUT");
      assert.match((error as Error).message, message);
    }
  }
});

test.run();
