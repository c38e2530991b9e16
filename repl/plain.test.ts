import { EventEmitter } from "node:events";
import { PassThrough, Readable } from "node:stream";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { tempDir, tempPath } from "../test/helpers/temp.js";
import { runPlain } from "./plain.js";
import { openDefault } from "./start.js";
import { waitFor } from "./test-helpers.js";

function collect() {
  const seen = { out: "", err: "" };
  return { seen, out: (t: string) => (seen.out += t), err: (t: string) => (seen.err += t) };
}

test("line mode opens the default start (seeding an empty store) and runs each line with plain output", async () => {
  const io = collect();
  const input = Readable.from([
    "# a comment\n",
    "What is the SIFT gate?\n",
    "\n",
    ":bogus\n",
    `:ingest /no-such-folder/${"y".repeat(3000)}\n`,
    ":query lancedb -k 2\n",
    ":quit\n",
    "never run\n",
  ]);
  const path = tempPath();
  const code = await runPlain({
    input,
    ...io,
    start: (options) => openDefault({ ...options, path, reports: tempDir() }),
  });
  assert.is(code, 1, "a failed line makes the exit code 1");
  assert.match(io.seen.err, /sigla: loaded the sample corpus: \d+ notes, \d+ capsules/);
  assert.match(io.seen.err, /^SIGLA_USAGE: unknown command :bogus/m);
  const long = io.seen.err
    .split("\n")
    .find((line) => line.startsWith("SIGLA_INGEST: cannot read /no-such-folder/"));
  assert.is(long?.length, "SIGLA_INGEST: ".length + 500, "a 3000-character message is cut to 500");
  assert.match(io.seen.out, /^I-Loop: /);
  assert.match(io.seen.out, /SIGLA_USAGE|SIFT gate decides whether a SHADOW node may be promoted/);
  assert.match(io.seen.out, /pain \d\.\d\d {2}trust/);
  assert.is(io.seen.out.match(/^ {0,4}\d+ {2}0\.\d{4} {2}/gm)?.length, 2, "two hits from :query -k 2");
  assert.not.match(io.seen.out, /never run/);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: line mode writes no escape codes.
  assert.not.match(io.seen.out, /\u001b/);

  const again = collect();
  const second = await runPlain({
    input: Readable.from([":store\n"]),
    ...again,
    start: (options) => openDefault({ ...options, path }),
  });
  assert.is(second, 0);
  assert.not.match(again.seen.err, /sample corpus/, "a store with capsules is not seeded again");
  assert.match(again.seen.out, /\d+ capsules, 512-d, embedder use-lite/);
});

test("SIGINT cancels the running line; the next lines still run", async () => {
  const io = collect();
  const input = new PassThrough();
  const signals = new EventEmitter();
  const path = tempPath();
  const run = runPlain({ input, ...io, signals, start: (options) => openDefault({ ...options, path }) });
  input.write(":bench --size 20000 --queries 500\n");
  input.write(":help quit\n");
  input.end();
  await waitFor(() => io.seen.err.includes("loaded the sample corpus"), "the start", 30_000);
  await new Promise((resolve) => setTimeout(resolve, 300));
  signals.emit("SIGINT");
  assert.is(await run, 1);
  assert.match(io.seen.err, /SIGLA_CANCELLED: bench was cancelled/);
  assert.match(io.seen.out, /^:quit\n/m);
});

test.run();
