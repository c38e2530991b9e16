/** The pipeline's parts that need no model: perception, sessions, the trace channel, folder connectors. */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { tempDir } from "../../test/helpers/temp.js";
import { isSiglaError } from "../errors.js";
import { chunkStillThere, searchFolders } from "./connectors.js";
import { loadSession, newSession, saveSession } from "./session.js";
import { languageOf, stripControl } from "./steps/01-perception.js";
import { clarifyingQuestions, intentOf } from "./steps/03-telos.js";
import { TraceChannel } from "./trace.js";
import type { TraceEvent } from "./types.js";

test("perception strips ANSI sequences and control characters, keeps newlines and tabs", () => {
  assert.is(stripControl("\u001b[31mred\u001b[0m text\u0007\nnext\tline\u0000"), "red text\nnext\tline");
  assert.is(stripControl("\u001b]0;title\u0007plain"), "plain");
  assert.is(languageOf("Which index type gives the best recall on fifty thousand vectors?"), "eng");
  assert.is(languageOf("Какой индекс лучше для пятидесяти тысяч векторов?"), "rus");
  assert.is(languageOf("Какое значение max_neighbors по умолчанию?"), "rus");
  assert.is(languageOf("What does the word индекс mean in LanceDB docs?"), "eng");
  assert.is(languageOf("How does an IVF index work?"), "eng");
  assert.is(languageOf("Wie funktioniert ein Index für Vektoren in der Datenbank?"), "deu");
  assert.is(languageOf("Comment fonctionne un index de vecteurs dans la base de données ?"), "fra");
});

test("telos: intent words and clarifying questions in the user's language", () => {
  assert.is(intentOf("Which LanceDB index should I use?"), "lancedb index use");
  assert.is(clarifyingQuestions("help me", "eng").length, 2);
  assert.ok(clarifyingQuestions("помоги", "rus")[0].startsWith("Что"));
});

test("sessions save atomically, reload the same, and a damaged file is a typed error", async () => {
  const dir = tempDir();
  const session = newSession({ id: "s1" });
  session.messages.push({ role: "user", text: "hi", at: new Date(0).toISOString() });
  await saveSession(dir, session);
  assert.equal(await loadSession(dir, "s1"), session);
  assert.equal((await loadSession(dir, "fresh")).messages, []);
  await writeFile(join(dir, "sessions", "s1.json"), "{ not json");
  try {
    await loadSession(dir, "s1");
    assert.unreachable();
  } catch (error) {
    assert.ok(isSiglaError(error));
    assert.is((error as { code: string }).code, "SIGLA_SESSION");
  }
  assert.throws(
    () => newSession({ id: "../escape" }),
    (e: unknown) => (e as { code: string }).code === "SIGLA_INVALID_INPUT",
  );
});

test("the trace channel delivers to every subscriber in order and ends on close", async () => {
  const channel = new TraceChannel();
  const a = channel.subscribe();
  const b = channel.subscribe();
  const seen: string[] = [];
  const off = channel.on((e) => seen.push(e.step));
  const event = (step: TraceEvent["step"], index: number): TraceEvent => ({
    turn: 1,
    step,
    index,
    status: "end",
    startedAt: 0,
    ms: 1,
    summary: step,
    data: {},
  });
  channel.emit(event("perception", 1));
  channel.emit(event("context", 2));
  off();
  channel.emit(event("telos", 3));
  channel.close();
  const read = async (it: AsyncIterableIterator<TraceEvent>) => {
    const out: string[] = [];
    for await (const e of it) out.push(e.step);
    return out;
  };
  assert.equal(await read(a), ["perception", "context", "telos"]);
  assert.equal(await read(b), ["perception", "context", "telos"]);
  assert.equal(seen, ["perception", "context"]);
});

test("connectors: the best chunks by words, a file budget that names what it skipped, SIFT on re-read", async () => {
  const dir = tempDir();
  await mkdir(join(dir, "a"));
  await writeFile(join(dir, "a", "1.md"), "Sourdough starter needs flour and water every day.");
  await writeFile(join(dir, "a", "2.md"), "The oven should be very hot for sourdough bread.");
  await writeFile(join(dir, "a", "3.txt"), "Unrelated notes about football.");
  const all = await searchFolders([dir], "sourdough oven temperature", {
    maxFiles: 10,
    budgetMs: 5000,
    minScore: 0.3,
  });
  assert.is(all.scanned, 3);
  assert.equal(all.skipped, []);
  assert.ok(all.chunks[0].file.endsWith("2.md"), all.chunks[0].file);
  assert.ok(await chunkStillThere(all.chunks[0]));
  await writeFile(all.chunks[0].file, "Changed since.");
  assert.not.ok(await chunkStillThere(all.chunks[0]));
  const narrow = await searchFolders([dir], "sourdough oven", { maxFiles: 1, budgetMs: 5000 });
  assert.is(narrow.scanned, 1);
  assert.equal(narrow.skipped.length, 2);
  assert.equal(await searchFolders([join(dir, "missing")], "x", { maxFiles: 5, budgetMs: 100 }), {
    chunks: [],
    scanned: 0,
    skipped: [],
  });
});

test.run();
