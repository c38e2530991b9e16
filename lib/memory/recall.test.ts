import { test } from "uvu";
import * as assert from "uvu/assert";
import { codeOf } from "../../test/helpers/errors.js";
import { tempPath } from "../../test/helpers/temp.js";
import { loadUseLite } from "../embed/use-lite.js";
import { CapsuleStore } from "../store/capsule-store.js";
import { parseQueryTime } from "./query-dates.js";
import { type DEFAULT_RECALL_WEIGHTS, recall } from "./recall.js";
import { addTurns, turnKey } from "./turns.js";

type Role = "user" | "assistant";

/** Four sessions over five months: a book the assistant recommended, two films, a running distance that grew. */
const SESSIONS: Array<{ id: string; date: string; turns: Array<[Role, string]> }> = [
  {
    id: "s1",
    date: "2024-02-05",
    turns: [
      ["user", "Morning! Just checking in before work."],
      ["assistant", "Good morning! How are you feeling today?"],
      ["user", "I've started running again, about 10 km a week so far, slow loops of the park."],
      ["assistant", "Great start. Building up slowly keeps injuries away."],
      ["user", "We watched Night Ferry at the cinema. It dragged for the first hour."],
      ["assistant", "Shame about the slow start. Was the ending worth it?"],
      ["user", "My flight to Porto got delayed by three hours, so I read on my phone."],
      ["assistant", "Delays are miserable. At least you had something to read."],
    ],
  },
  {
    id: "s2",
    date: "2024-03-12",
    turns: [
      ["user", "Can you suggest a novel for a long flight? Something gripping but not too heavy."],
      [
        "assistant",
        "Try The Glass Orchard by Mira Talbot: short chapters, a twisty plot and an ending you won't see coming.",
      ],
      ["user", "I burnt the toast this morning, twice."],
      ["assistant", "The toaster wins some days. Maybe lower the setting by one."],
      ["user", "My sister got a dachshund called Olive."],
      ["assistant", "Lovely! Walks together will be fun."],
      ["user", "I finished a cookbook about bread, the recipes are brilliant."],
      ["assistant", "Baking your own bread is very satisfying."],
    ],
  },
  {
    id: "s3",
    date: "2024-05-14",
    turns: [
      ["user", "Happy Friday! I made it through the week."],
      ["assistant", "Well done! Anything fun lined up for the weekend?"],
      ["user", "We watched Low Orbit at the cinema. The lead actor is hilarious."],
      ["assistant", "A comedy in space sounds fun. Would you watch it again?"],
      ["user", "Any tips for sleeping on a plane?"],
      ["assistant", "A neck pillow, an eye mask and no coffee after lunch."],
      ["user", "I read three chapters of a thriller on the train."],
      ["assistant", "Trains are great for reading."],
    ],
  },
  {
    id: "s4",
    date: "2024-06-18",
    turns: [
      ["user", "Running update: I'm up to 25 km a week and my knees are fine."],
      ["assistant", "That's a big jump from where you started. Keep one easy week in four."],
      ["user", "The airport queue was two hours long on Saturday."],
      ["assistant", "Long queues are exhausting. Online check-in helps next time."],
      ["user", "Which podcast should I try on the commute?"],
      ["assistant", "Slow Radio Hour is a calm show about how everyday things are made."],
      ["user", "I want to read more books this year."],
      ["assistant", "Ten pages before bed is a gentle way to build the habit."],
    ],
  },
];
const NOW = "2024-06-20";

let shared: CapsuleStore | undefined;

/** One store for the whole file: embedding 32 turns takes a moment. */
async function store(): Promise<CapsuleStore> {
  if (!shared) {
    shared = await CapsuleStore.open(tempPath(), { embedder: await loadUseLite(), autoLinkK: 3 });
    for (const s of SESSIONS) {
      await addTurns(
        shared,
        s.id,
        s.date,
        s.turns.map(([role, text]) => ({ role, text })),
      );
    }
  }
  return shared;
}

async function keys(query: string, options: Parameters<typeof recall>[2] = {}): Promise<string[]> {
  return (await recall(await store(), query, { now: NOW, ...options })).map((h) => turnKey(h) ?? "");
}

test("neighbour-turn expansion finds the assistant's reply that neither baseline has in its top 5", async () => {
  const s = await store();
  const question = "Which book did you recommend for my flight?";
  const evidence = "s2#1";
  for (const mode of ["vector", "fts"] as const) {
    const baseline = (await s.search(question, { mode, topK: 5 })).map(turnKey);
    assert.not.ok(baseline.includes(evidence), `${mode} found it: ${baseline.join(" ")}`);
  }
  const hits = await recall(s, question, { k: 5, now: NOW });
  const hit = hits.find((h) => turnKey(h) === evidence);
  assert.ok(hit, hits.map((h) => turnKey(h)).join(" "));
  assert.ok(hit?.via.includes("neighbour-turn"));
  assert.ok(hit?.text.includes("The Glass Orchard"));
});

test("a month in the query picks the session of that month", async () => {
  assert.is((await keys("Which film did I watch in May?"))[0], "s3#2");
  assert.is((await keys("Which film did I watch in February?"))[0], "s1#4");
  const [first] = await recall(await store(), "Which film did I watch in May?", { now: NOW });
  assert.ok(first.via.includes("date"));
  // Without a date the later film wins on words alone: February's answer comes from the date.
  assert.is((await keys("Which film did I watch?"))[0], "s3#2");
});

test("relative dates count from now", async () => {
  assert.is((await keys("Which film did I see last month?", { now: "2024-06-03" }))[0], "s3#2");
});

test("for a current fact the latest of two versions ranks first, for the first fact the earlier one wins", async () => {
  const now = await keys("How far do I run per week now?");
  assert.is(now[0], "s4#0");
  assert.ok(!now.includes("s1#2") || now.indexOf("s1#2") > now.indexOf("s4#0"));
  const first = await keys("How far did I run per week at first?");
  assert.ok(first.indexOf("s1#2") >= 0 && first.indexOf("s1#2") < first.indexOf("s4#0"), first.join(" "));
  // A plain vector search puts the older version first: the preference is recall's own.
  const plain = (
    await (await store()).search("How far do I run per week now?", { mode: "vector", topK: 2 })
  ).map(turnKey);
  assert.is(plain[0], "s1#2");
});

test("tags and where filters hold for every hit, neighbours included", async () => {
  const hits = await recall(await store(), "Which book did you recommend for my flight?", {
    tags: ["session:s2"],
    now: NOW,
  });
  assert.ok(hits.length > 0);
  for (const h of hits) assert.ok(h.tags.includes("session:s2"), JSON.stringify(h));
  const users = await recall(await store(), "Which book did you recommend for my flight?", {
    where: `meta LIKE '%"role":"user"%'`,
  });
  for (const h of users) assert.is((h.meta as { role: string }).role, "user");
});

test("recall is deterministic and returns k hits at most", async () => {
  const a = await recall(await store(), "What did I read on the train?", { k: 4, now: NOW });
  const b = await recall(await store(), "What did I read on the train?", { k: 4, now: NOW });
  assert.is(a.length, 4);
  assert.equal(
    a.map((h) => [h.id, h.score]),
    b.map((h) => [h.id, h.score]),
  );
  for (let i = 1; i < a.length; i++) assert.ok(a[i - 1].score >= a[i].score);
});

test("plain capsules (not turns) are recalled without neighbour-turn expansion", async () => {
  const s = await CapsuleStore.open(tempPath(), { embedder: await loadUseLite(), autoLinkK: 2 });
  await s.addCapsules([
    { text: "FAISS does similarity search over dense vectors", tags: ["note"] },
    { text: "LanceDB keeps tables in the Lance columnar format", tags: ["note"] },
    { text: "Tantivy is a full-text search engine library", tags: ["note"], meta: { at: "2024-03-02" } },
    { text: "FAISS does similarity search over dense vectors", tags: ["note"] },
  ]);
  const hits = await recall(s, "Which library does full-text search?", { k: 4, now: NOW });
  // Four capsules, three texts: the copy takes no second place.
  assert.is(hits.length, 3);
  assert.ok(hits[0].text.startsWith("Tantivy"));
  for (const h of hits) assert.not.ok(h.via.includes("neighbour-turn"));
  // A capsule with a meta.at still gets the date boost.
  const dated = await recall(s, "What did I note in March?", { k: 4, now: NOW });
  assert.ok(dated.find((h) => h.text.startsWith("Tantivy"))?.via.includes("date"));
  await s.close();
});

test("bad input is an InvalidInputError", async () => {
  const s = await store();
  assert.is(await codeOf(recall(s, "")), "SIGLA_INVALID_INPUT");
  assert.is(await codeOf(recall(s, "   ")), "SIGLA_INVALID_INPUT");
  assert.is(await codeOf(recall(s, 42 as unknown as string)), "SIGLA_INVALID_INPUT");
  assert.is(await codeOf(recall(s, "film", { k: 0 })), "SIGLA_INVALID_INPUT");
  assert.is(await codeOf(recall(s, "film", { k: 2.5 })), "SIGLA_INVALID_INPUT");
  assert.is(await codeOf(recall(s, "film", { now: "not a date" })), "SIGLA_INVALID_INPUT");
  assert.is(await codeOf(recall(s, "film", { tags: "turn" as unknown as string[] })), "SIGLA_INVALID_INPUT");
  assert.is(await codeOf(recall(s, "film", { where: "" })), "SIGLA_INVALID_INPUT");
  assert.is(await codeOf(recall(s, "film", { where: "no_such_column = 1" })), "SIGLA_INVALID_INPUT");
  assert.is(
    await codeOf(recall(s, "film", { weights: { fts: -1 } as Partial<typeof DEFAULT_RECALL_WEIGHTS> })),
    "SIGLA_INVALID_INPUT",
  );
  assert.is(
    await codeOf(recall(s, "film", { weights: { nope: 1 } as Partial<typeof DEFAULT_RECALL_WEIGHTS> })),
    "SIGLA_INVALID_INPUT",
  );
  assert.is(await codeOf(recall(s, "film", { budget: { maxCandidates: 0 } })), "SIGLA_INVALID_INPUT");
});

test("parseQueryTime reads months, seasons, years, days, relative spans and version cues", () => {
  const now = Date.UTC(2024, 7, 20);
  const one = (q: string, at: number | undefined = now) => {
    const { windows } = parseQueryTime(q, at);
    assert.is(windows.length, 1, q);
    return windows[0];
  };
  assert.equal(one("What did I plan in March?"), {
    phrase: "in March",
    from: Date.UTC(2024, 2, 1),
    to: Date.UTC(2024, 3, 1),
  });
  // A month after now's month means last year's; without now, that month of any year.
  assert.is(one("What happened in December?").from, Date.UTC(2023, 11, 1));
  assert.is(parseQueryTime("What did I plan in March?").windows[0].monthOfYear, 2);
  assert.equal(one("What did we do last summer?").from, Date.UTC(2023, 5, 1));
  assert.equal(one("What happened in 2023?").to, Date.UTC(2024, 0, 1));
  assert.equal(one("What did I do on 2024-03-05?").from, Date.UTC(2024, 2, 5));
  assert.equal(one("What did I do on March 5th?").from, Date.UTC(2024, 2, 5));
  // 2024-08-20 is a Tuesday: last week is Monday 12 to Sunday 18.
  assert.equal(one("Which film did I see last week?"), {
    phrase: "last week",
    from: Date.UTC(2024, 7, 12),
    to: Date.UTC(2024, 7, 19),
  });
  assert.is(one("What did I eat two weeks ago?").from, now - 17.5 * 86_400_000);
  // "May" the verb and a bare season are not dates; relative spans need now.
  assert.is(parseQueryTime("May I ask about the summer holiday?", now).windows.length, 0);
  assert.is(parseQueryTime("What did I do last week?").windows.length, 0);
  assert.is(parseQueryTime("Where do I work now?").version, "latest");
  assert.is(parseQueryTime("What was my previous car?").version, "earliest");
  assert.is(parseQueryTime("Which came first, the car or the move?").version, undefined);
  assert.is(parseQueryTime("Which book did I finish in May?", now).content, "Which book did I finish?");
});

test.after(async () => {
  await shared?.close();
});

test.run();
