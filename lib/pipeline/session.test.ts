import { existsSync } from "node:fs";
import { appendFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { tempDir } from "../../test/helpers/temp.js";
import { isSiglaError } from "../errors.js";
import { loadSession, newSession, type Session, saveSession } from "./session.js";
import type { TraceEvent } from "./types.js";

const logOf = (dir: string, id: string) => join(dir, "sessions", `${id}.jsonl`);
const linesOf = async (file: string) =>
  (await readFile(file, "utf8")).split("\n").filter((line) => line !== "");

/** One turn as the pipeline records it: two messages, one trace, a phase change. */
function turn(session: Session, n: number): void {
  const at = new Date(n * 1000).toISOString();
  session.messages.push({ role: "user", text: `question ${n}`, at, capsuleId: 2 * n });
  session.messages.push({ role: "assistant", text: `answer ${n}`, at, capsuleId: 2 * n + 1 });
  const event = { turn: n, step: "perception", index: 0, status: "end", startedAt: n, ms: 1, summary: "ok" };
  session.traces.push([event as TraceEvent]);
  session.phase = n > 1 ? "exploring" : "opening";
  session.turnsOnTopic = n;
  session.goal = [n, 0, 0];
}

async function caughtCode(call: () => Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await call();
  } catch (error) {
    assert.ok(isSiglaError(error), String(error));
    return error;
  }
  throw new Error("did not throw");
}

test("each save appends one line; earlier lines stay byte for byte; a reload is the same session", async () => {
  const dir = tempDir();
  const session = await loadSession(dir, "talk");
  const file = logOf(dir, "talk");
  turn(session, 1);
  await saveSession(dir, session);
  const first = await readFile(file, "utf8");
  assert.is((await linesOf(file)).length, 1);
  for (const n of [2, 3]) {
    const before = await readFile(file, "utf8");
    turn(session, n);
    await saveSession(dir, session);
    const after = await readFile(file, "utf8");
    assert.ok(after.startsWith(before), "earlier lines untouched");
    assert.ok(after.length > before.length, "the file grows");
  }
  const lines = await linesOf(file);
  assert.is(lines.length, 3);
  assert.ok((await readFile(file, "utf8")).startsWith(first));
  const third = JSON.parse(lines[2]);
  assert.is(third.kind, "turn");
  assert.equal(
    third.messages.map((m: { text: string }) => m.text),
    ["question 3", "answer 3"],
    "a turn line holds only what the turn added",
  );
  assert.equal(Object.keys(third.set).sort(), ["goal", "turnsOnTopic"], "and the fields it changed");
  assert.equal(await loadSession(dir, "talk"), session);

  await saveSession(dir, session);
  assert.is((await linesOf(file)).length, 3, "a save with nothing new writes nothing");
});

test("a field the session drops is dropped on reload; a reloaded session appends where it left off", async () => {
  const dir = tempDir();
  const session = await loadSession(dir, "s");
  turn(session, 1);
  session.telos = "learn felting";
  await saveSession(dir, session);
  const again = await loadSession(dir, "s");
  delete again.telos;
  turn(again, 2);
  await saveSession(dir, again);
  assert.is((await linesOf(logOf(dir, "s"))).length, 2);
  const reloaded = await loadSession(dir, "s");
  assert.equal(reloaded, again);
  assert.not.ok("telos" in reloaded);
});

test("an unfinished last line (a killed save) is left out with a note, and the next save cuts it off", async () => {
  const dir = tempDir();
  const session = await loadSession(dir, "crash");
  turn(session, 1);
  await saveSession(dir, session);
  turn(session, 2);
  await saveSession(dir, session);
  const whole = structuredClone(session);
  const file = logOf(dir, "crash");
  await appendFile(file, '{"kind":"turn","messages":[{"role":"user","te');

  const notes: string[] = [];
  const loaded = await loadSession(dir, "crash", { onNote: (note) => notes.push(note) });
  assert.equal(loaded, whole);
  assert.is(notes.length, 1);
  assert.match(notes[0], /crash\.jsonl: its last line was not finished/);

  turn(loaded, 3);
  await saveSession(dir, loaded);
  const text = await readFile(file, "utf8");
  assert.ok(text.endsWith("\n") && !text.includes('"te{'), "the unfinished line is gone");
  assert.is((await linesOf(file)).length, 3);
  const quiet: string[] = [];
  assert.equal(await loadSession(dir, "crash", { onNote: (note) => quiet.push(note) }), loaded);
  assert.equal(quiet, []);
});

test("a damaged line before the last is a SIGLA_SESSION error naming the line", async () => {
  const dir = tempDir();
  const session = await loadSession(dir, "bad");
  turn(session, 1);
  await saveSession(dir, session);
  await appendFile(logOf(dir, "bad"), "{ not json\n");
  turn(session, 2);
  await saveSession(dir, session);
  const error = await caughtCode(() => loadSession(dir, "bad"));
  assert.is(error.code, "SIGLA_SESSION");
  assert.match(error.message, /bad\.jsonl is damaged at line 2/);
  await writeFile(logOf(dir, "bad"), `${JSON.stringify({ kind: "turn", messages: [] })}\n`);
  assert.match((await caughtCode(() => loadSession(dir, "bad"))).message, /a turn before any snapshot/);
});

test("a session saved in the old whole-file format loads, and its first save moves it into the log", async () => {
  const dir = tempDir();
  const old = newSession({ id: "legacy" });
  turn(old, 1);
  turn(old, 2);
  await mkdir(join(dir, "sessions"));
  const legacy = join(dir, "sessions", "legacy.json");
  await writeFile(legacy, JSON.stringify(old));
  const loaded = await loadSession(dir, "legacy");
  assert.equal(loaded, old);

  turn(loaded, 3);
  await saveSession(dir, loaded);
  assert.not.ok(existsSync(legacy), "the old file is retired…");
  assert.equal(JSON.parse(await readFile(`${legacy}.bak`, "utf8")), old, "…and kept as .bak");
  const lines = await linesOf(logOf(dir, "legacy"));
  assert.equal(
    lines.map((line) => JSON.parse(line).kind),
    ["snapshot"],
  );
  turn(loaded, 4);
  await saveSession(dir, loaded);
  assert.is((await linesOf(logOf(dir, "legacy"))).length, 2);
  const reloaded = await loadSession(dir, "legacy");
  assert.equal(reloaded, loaded);
  assert.is(reloaded.messages.length, 8);
});

test("a session object that was not loaded from the store is saved whole, and is what loads next", async () => {
  const dir = tempDir();
  const first = await loadSession(dir, "same");
  turn(first, 1);
  await saveSession(dir, first);
  const other = newSession({ id: "same", shared: true });
  turn(other, 7);
  await saveSession(dir, other);
  const lines = await linesOf(logOf(dir, "same"));
  assert.equal(
    lines.map((line) => JSON.parse(line).kind),
    ["snapshot", "snapshot"],
  );
  assert.equal(await loadSession(dir, "same"), other);
});

test.run();
