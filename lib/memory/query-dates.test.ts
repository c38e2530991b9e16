import { test } from "uvu";
import * as assert from "uvu/assert";
import { type DateWindow, parseQueryTime } from "./query-dates.js";

const DAY = 86_400_000;
/** Tuesday 20 August 2024, midnight UTC. */
const NOW = Date.UTC(2024, 7, 20);

/** The one window `query` names, as [from, to) ISO days. */
function days(query: string, now: number | undefined = NOW): [string, string] {
  const { windows } = parseQueryTime(query, now);
  assert.is(windows.length, 1, `${query}: ${JSON.stringify(windows)}`);
  const iso = (ms: number | undefined) => (ms === undefined ? "-" : new Date(ms).toISOString().slice(0, 10));
  return [iso(windows[0].from), iso(windows[0].to)];
}

test("chrono reads ranges, weekdays (the latest one) and other date forms", () => {
  assert.equal(days("What did I do from May to July?"), ["2024-05-01", "2024-08-01"]);
  assert.equal(days("Where was I from November to February?"), ["2023-11-01", "2024-03-01"]);
  assert.equal(days("What happened from 2024-03-01 to 2024-03-10?"), ["2024-03-01", "2024-03-11"]);
  // Asked on a Tuesday, "on Friday" is the Friday before.
  assert.equal(days("What did I cook on Friday?"), ["2024-08-16", "2024-08-17"]);
  assert.equal(days("What did I do the day before yesterday?"), ["2024-08-18", "2024-08-19"]);
  assert.equal(days("What did I plan for next week?"), ["2024-08-26", "2024-09-02"]);
});

test("English: spans back are as wide as their unit; vague ones reach up to half a unit ago", () => {
  const [window] = parseQueryTime("What did I watch a few days ago?", NOW).windows as [DateWindow];
  assert.is(window.from, NOW - 4 * DAY);
  assert.is(window.to, NOW - 0.5 * DAY);
  assert.equal(days("What did I buy a month ago?"), ["2024-07-05", "2024-08-04"]);
});

test("Russian: dates, months, ranges, spans back, calendar units, seasons and years", () => {
  assert.equal(days("Что я читал в марте?"), ["2024-03-01", "2024-04-01"]);
  assert.equal(days("Что было 5 марта 2024?"), ["2024-03-05", "2024-03-06"]);
  assert.equal(days("Что было с 3 по 10 марта?"), ["2024-03-03", "2024-03-11"]);
  assert.equal(days("Что я делал вчера?"), ["2024-08-19", "2024-08-20"]);
  const [ago] = parseQueryTime("Что я ел 2 недели назад?", NOW).windows as [DateWindow];
  assert.is(ago.from, NOW - 17.5 * DAY);
  assert.equal(days("Что я делал на прошлой неделе?"), ["2024-08-12", "2024-08-19"]);
  assert.equal(days("Что я купил в прошлом месяце?"), ["2024-07-01", "2024-08-01"]);
  assert.equal(days("Куда мы ездили прошлым летом?"), ["2023-06-01", "2023-09-01"]);
  assert.equal(days("Что случилось в 2023 году?"), ["2023-01-01", "2024-01-01"]);
  const time = parseQueryTime("Что я говорил недавно про max_neighbors?", NOW);
  assert.is(time.windows.length, 1);
  assert.is(time.content, "Что я говорил про max_neighbors?");
});

test("without now only absolute dates are read; everyday words are not months", () => {
  assert.equal(days("What did I do on 2024-03-05?", undefined), ["2024-03-05", "2024-03-06"]);
  assert.is(parseQueryTime("Что я читал в марте?").windows[0].monthOfYear, 2);
  for (const q of ["What did I do yesterday?", "What did I cook on Friday?", "Что я ел 2 недели назад?"]) {
    assert.is(parseQueryTime(q).windows.length, 0, q);
  }
  assert.is(parseQueryTime("Can I march on?", NOW).windows.length, 0);
  assert.is(parseQueryTime("What did I eat at noon?", NOW).windows.length, 0);
  assert.is(parseQueryTime("You may want to rest", NOW).windows.length, 0);
});

test("Russian version cues and order questions", () => {
  assert.is(parseQueryTime("Где я сейчас работаю?").version, "latest");
  assert.is(parseQueryTime("Какая была моя предыдущая машина?").version, "earliest");
  assert.is(parseQueryTime("Что было раньше: переезд или новая работа?").version, undefined);
  assert.is(parseQueryTime("Где я работаю now?").version, "latest");
});

test.run();
