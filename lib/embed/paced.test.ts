import { test } from "uvu";
import * as assert from "uvu/assert";
import { CancelledError, isSiglaError } from "../errors.js";
import type { Embedder } from "./embedder.js";
import { embedPaced } from "./paced.js";
import { loadUseLite } from "./use-lite.js";

const WORDS = "vector index recall speed bread yeast river stone garden lamp window orbit signal".split(" ");

/** `n` distinct texts of about `chars` characters. */
function texts(n: number, chars: number): string[] {
  return Array.from({ length: n }, (_, i) => {
    const words: string[] = [];
    for (let k = i, length = 0; length < chars; k = (k * 7 + 3) % 1009) {
      words.push(WORDS[k % WORDS.length]);
      length += words[words.length - 1].length + 1;
    }
    return `${i} ${words.join(" ")}`;
  });
}

// A fresh embedder object per test: pacing remembers the measured speed per embedder object.
const fresh = async (): Promise<Embedder> => ({ ...(await loadUseLite({ batch: 64 })) });

test("returns the vectors in input order, equal to one embed call", async () => {
  const embedder = await fresh();
  const input = texts(6, 200);
  const paced = await embedPaced(embedder, input, { targetMs: 50 });
  const whole = await embedder.embed(input);
  assert.is(paced.length, input.length);
  paced.forEach((vector, i) => {
    const diff = Math.max(...vector.map((x, k) => Math.abs(x - whole[i][k])));
    assert.ok(diff < 1e-4, `text ${i} differs by ${diff}`);
  });
  assert.equal(await embedPaced(embedder, []), []);
});

test("call sizes follow the measured time: one text first, then about targetMs worth, within maxBatch", async () => {
  const slow = await fresh();
  const sizes: number[] = [];
  const perText: number[] = [];
  await embedPaced(slow, texts(16, 1000), {
    targetMs: 250,
    onCall: (size, ms) => {
      sizes.push(size);
      perText.push(ms / size);
    },
  });
  assert.is(sizes[0], 1, "the first call measures one text");
  // Every call holds about 250 ms worth of texts at the typical speed (the median, robust to a busy
  // machine), never a fixed batch of 64 that runs for many seconds.
  const median = [...perText].sort((a, b) => a - b)[perText.length >> 1];
  const bound = Math.max(1, Math.ceil((2 * 250) / median));
  assert.ok(
    sizes.every((size) => size <= bound),
    `sizes ${sizes.join(",")} at ${median.toFixed(0)} ms a text`,
  );

  // A generous target grows the calls (at most doubling) up to maxBatch.
  const fast = await fresh();
  const growing: number[] = [];
  await embedPaced(fast, texts(40, 20), {
    targetMs: 1e9,
    maxBatch: 16,
    onCall: (size) => growing.push(size),
  });
  assert.equal(growing, [1, 2, 4, 8, 16, 9]);
  // The speed is remembered: the next run on that embedder starts at the full size.
  const next: number[] = [];
  await embedPaced(fast, texts(20, 20), { targetMs: 1e9, maxBatch: 16, onCall: (size) => next.push(size) });
  assert.equal(next, [16, 4]);
});

test("an abort is seen within one short call: SIGLA_CANCELLED soon after a 1 s timeout", async () => {
  const embedder = await fresh();
  const done: number[] = [];
  const started = performance.now();
  const signal = AbortSignal.timeout(1000);
  try {
    await embedPaced(embedder, texts(200, 1000), {
      signal,
      what: "test embedding",
      onProgress: (n) => done.push(n),
    });
    assert.unreachable("not cancelled");
  } catch (error) {
    assert.ok(isSiglaError(error) && error.code === "SIGLA_CANCELLED", String(error));
    assert.instance(error, CancelledError);
    assert.match((error as Error).message, /^test embedding was cancelled/);
  }
  // Before pacing, one 64-text call ran 10–25 s and the timeout could not even fire during it.
  const late = performance.now() - started - 1000;
  assert.ok(late < 2000, `rejected ${late.toFixed(0)} ms after the abort`);
  assert.ok(done.length > 0 && done[done.length - 1] < 200, `progress ${done.join(",")}`);
});

test("bad options are typed errors", async () => {
  const embedder = await fresh();
  for (const options of [{ maxBatch: 0 }, { maxBatch: 1.5 }, { targetMs: 0 }]) {
    try {
      await embedPaced(embedder, ["x"], options);
      assert.unreachable();
    } catch (error) {
      assert.is((error as { code: string }).code, "SIGLA_INVALID_INPUT");
    }
  }
});

test.run();
