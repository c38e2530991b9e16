import { test } from "uvu";
import * as assert from "uvu/assert";
import { caught } from "../../test/helpers/dsl.js";
import { tempPath } from "../../test/helpers/temp.js";
import { loadUseLite } from "../embed/use-lite.js";
import { CapsuleStore } from "../store/capsule-store.js";
import { EXPAND_DECAY, expand, inject, intent, merge, retrieve } from "./operators.js";
import { runDsl } from "./run.js";
import type { DslContext, DslHit, DslStep, DslStore } from "./types.js";

const FAISS = "FAISS is a library for efficient similarity search of dense vectors";
const docs = {
  faiss: { text: FAISS, tags: ["faiss"] },
  faissCopy: { text: FAISS, tags: ["faiss", "copy"] },
  faissNear: { text: "FAISS: a library for efficient similarity search of dense vectors", tags: ["faiss"] },
  hnsw: {
    text: "HNSW builds a navigable small world graph for approximate nearest neighbour search",
    tags: ["faiss", "hnsw"],
  },
  ivf: {
    text: "IVF partitions vectors into inverted lists and probes a few of them per query",
    tags: ["faiss"],
  },
  pq: { text: "Product quantization compresses vectors into short codes", tags: ["faiss", "pq"] },
  lance: {
    text: "LanceDB stores vectors in the Lance columnar format built on Apache Arrow",
    tags: ["lancedb"],
  },
  bread: { text: "Bread is baked in an oven from flour, water, yeast and salt", tags: ["food"] },
  sourdough: { text: "Sourdough rises slowly with a wild yeast starter", tags: ["food"] },
  walks: { text: "Graph walks follow the links between memory capsules", tags: ["graph"] },
  football: { text: "The football match ended in a draw after extra time", tags: ["sport"] },
};
type Name = keyof typeof docs;
const names = Object.keys(docs) as Name[];

// One store for the file: auto-linking off, so the only links are these (a chain hnsw–walks–football).
const embedder = await loadUseLite();
const store = await CapsuleStore.open(tempPath(), { embedder, autoLinkK: 0 });
const added = await store.addCapsules(names.map((name) => docs[name]));
const id = Object.fromEntries(names.map((name, i) => [name, added[i]])) as Record<Name, number>;
const nameOf = new Map(names.map((name) => [id[name], name]));
await store.updateCapsules([
  { id: id.hnsw, link: [id.walks] },
  { id: id.walks, link: [id.football] },
  { id: id.sourdough, link: [id.bread] },
  { id: id.ivf, link: [id.pq] },
]);

const named = (ctx: DslContext) => ctx.hits.map((hit) => nameOf.get(hit.id));
const sorted = (list: unknown[]) => [...list].map(String).sort();

/** A hand-made hit, for merge and inject tests that need exact scores. */
function hit(capsule: number, score: number, extra: Partial<DslHit> = {}): DslHit {
  return {
    id: capsule,
    text: `capsule ${capsule}`,
    tags: [],
    links: [],
    meta: {},
    source: null,
    sha256: `sha256:${capsule}`,
    createdAt: 0,
    score,
    via: "retrieve",
    depth: 0,
    ...extra,
  };
}

test("intent starts an empty context with the trimmed text; empty or non-text is an argument error", async () => {
  assert.equal(intent("  compare index types "), { intent: "compare index types", hits: [] });
  assert.is((await caught(() => intent("   "))).code, "SIGLA_DSL_ARGUMENT");
  assert.is(
    (await caught(() => intent(7 as unknown as string))).message,
    "INTENT text must be a non-empty string, got 7",
  );
});

test("retrieve (vector) finds the exact text and its identical copy first, then the near copy", async () => {
  const ctx = await retrieve(store, intent(FAISS), { k: 3, mode: "vector" });
  assert.equal(sorted(named(ctx).slice(0, 2)), ["faiss", "faissCopy"]);
  assert.is(named(ctx)[2], "faissNear");
  assert.ok(Math.abs(ctx.hits[0].score - 1) < 1e-4, String(ctx.hits[0].score));
  for (const h of ctx.hits) {
    assert.is(h.via, "retrieve");
    assert.is(h.depth, 0);
    assert.is(h.parent, undefined);
  }
});

test("retrieve filters by tags (all of them) and by a where clause", async () => {
  const faissOnly = await retrieve(store, intent("bread baked in an oven"), {
    k: 20,
    tags: ["faiss"],
    mode: "vector",
  });
  assert.equal(sorted(named(faissOnly)), sorted(["faiss", "faissCopy", "faissNear", "hnsw", "ivf", "pq"]));
  const both = await retrieve(store, intent("vectors"), { k: 20, tags: ["faiss", "hnsw"], mode: "vector" });
  assert.equal(named(both), ["hnsw"]);
  const food = await retrieve(store, intent("vectors"), {
    k: 5,
    mode: "vector",
    where: "array_has(tags, 'food')",
  });
  assert.equal(sorted(named(food)), ["bread", "sourdough"]);
});

/** The hits of `call`, or undefined when it refused with `SIGLA_INVALID_INPUT` (any other failure fails). */
async function hitsOrRefusal(
  call: () => Promise<{ hits: DslHit[] }>,
  what: string,
): Promise<DslHit[] | undefined> {
  try {
    return (await call()).hits;
  } catch (error) {
    assert.is((error as { code?: string }).code, "SIGLA_INVALID_INPUT", `${what}: ${String(error)}`);
    return undefined;
  }
}

test("a where clause cannot widen the tag filter: every hit carries the tag, or the filter is refused", async () => {
  // The injection: joined to the tag filter as text, `id = 1) OR (1=1` returned every capsule. The
  // DSL hands tags and where to the store as separate options; the store may refuse the unbalanced one
  // with a typed error, and must AND a balanced one (`… OR 1=1`) with the tags as a whole.
  const wheres = [`id = ${id.bread}) OR (1=1`, `id = ${id.bread} OR 1=1`];
  const untagged = (hits: DslHit[] = []) =>
    hits.filter((h) => !h.tags.includes("faiss")).map((h) => nameOf.get(h.id));
  const question = intent("bread baked in an oven");
  for (const where of wheres) {
    for (const mode of ["vector", "fts", "hybrid"] as const) {
      const what = `${mode} ${where}`;
      const hits = await hitsOrRefusal(
        () => retrieve(store, question, { k: 20, tags: ["faiss"], mode, where }),
        what,
      );
      assert.equal(untagged(hits), [], `${what}: hits without the tag`);
    }
    const program = `INTENT "bread baked in an oven" | RETRIEVE k=20 tags=faiss where="${where}" | MERGE`;
    const hits = await hitsOrRefusal(() => runDsl(store, program), `runDsl ${where}`);
    assert.equal(untagged(hits), [], `runDsl ${where}: hits without the tag`);
  }
  // The balanced one is a valid filter, so it must run, and find only (and all) the tagged capsules.
  const balanced = await retrieve(store, question, {
    k: 20,
    tags: ["faiss"],
    mode: "vector",
    where: wheres[1],
  });
  assert.equal(sorted(named(balanced)), sorted(["faiss", "faissCopy", "faissNear", "hnsw", "ivf", "pq"]));
});

test("retrieve (fts) returns only word matches; hybrid ranks capsules matching both ways first", async () => {
  const fts = await retrieve(store, intent("sourdough"), { mode: "fts", k: 5 });
  assert.equal(named(fts), ["sourdough"]);
  const hybrid = await retrieve(store, intent("yeast"), { k: 2 });
  assert.equal(sorted(named(hybrid)), ["bread", "sourdough"]);
});

test("retrieve appends to the context, searches q instead of the intent, and never changes its input", async () => {
  const start = intent("bread");
  const first = await retrieve(store, start, { q: "sourdough", mode: "fts" });
  const second = await retrieve(store, first, { mode: "fts" });
  assert.equal(named(second), ["sourdough", "bread"]);
  assert.is(second.intent, "bread");
  assert.equal(start, { intent: "bread", hits: [] });
  assert.is(first.hits.length, 1);
});

test("retrieve rejects bad options as argument errors, and passes the store's own errors through", async () => {
  const ctx = intent("vectors");
  const bad: Array<[object, string]> = [
    [{ k: 0 }, "RETRIEVE k must be an integer from 1 to 10000, got 0"],
    [{ k: 2.5 }, "RETRIEVE k must be an integer from 1 to 10000, got 2.5"],
    [{ k: 99_999_999_999 }, "RETRIEVE k must be an integer from 1 to 10000, got 99999999999"],
    [{ mode: "semantic" }, 'RETRIEVE mode must be one of hybrid, vector, fts, got "semantic"'],
    [{ tags: "faiss" }, 'RETRIEVE tags must be a list of non-empty strings, got "faiss"'],
    [{ where: " " }, 'RETRIEVE where must be a non-empty string, got " "'],
    [{ topK: 3 }, 'RETRIEVE has no argument "topK" (it takes k, tags, mode, where, q)'],
  ];
  for (const [options, message] of bad) {
    assert.equal(await caught(() => retrieve(store, ctx, options)), {
      code: "SIGLA_DSL_ARGUMENT",
      message,
      position: undefined,
    });
  }
  const noQuery = await caught(() => retrieve(store, { intent: "", hits: [] }));
  assert.equal(noQuery.message, 'RETRIEVE needs a query: an INTENT "..." before it, or q="..."');
  const badContext = await caught(() => retrieve(store, {} as DslContext));
  assert.is(badContext.code, "SIGLA_DSL_ARGUMENT");
  assert.is(
    (await caught(() => retrieve(store, ctx, { where: "no_such_column > 1" }))).code,
    "SIGLA_INVALID_INPUT",
  );
});

test("expand follows links to the given depth, marking hop depth, parent and decayed score", async () => {
  const seed = await retrieve(store, intent("navigable"), { mode: "fts", k: 1 });
  assert.equal(named(seed), ["hnsw"]);
  const score = seed.hits[0].score;

  const one = await expand(store, seed);
  assert.equal(named(one), ["hnsw", "walks"]);
  assert.equal(
    { via: one.hits[1].via, depth: one.hits[1].depth, parent: one.hits[1].parent, score: one.hits[1].score },
    { via: "expand", depth: 1, parent: id.hnsw, score: score * EXPAND_DECAY },
  );
  assert.is(one.hits[1].text, docs.walks.text);

  const two = await expand(store, seed, { depth: 2 });
  assert.equal(named(two), ["hnsw", "walks", "football"]);
  assert.equal(
    { depth: two.hits[2].depth, parent: two.hits[2].parent, score: two.hits[2].score },
    { depth: 2, parent: id.walks, score: score * EXPAND_DECAY ** 2 },
  );

  assert.equal(named(await expand(store, seed, { depth: 2, limit: 1 })), ["hnsw", "walks"]);
  assert.equal(named(await expand(store, seed, { depth: 0 })), ["hnsw"]);
  assert.equal(named(seed), ["hnsw"]);
});

test("expand does not re-add capsules in the context and keeps the best score for one reached twice", async () => {
  let ctx = await retrieve(store, intent("navigable"), { mode: "fts", k: 1 });
  ctx = await retrieve(store, ctx, { q: "football", mode: "fts", k: 1 });
  assert.equal(named(ctx), ["hnsw", "football"]);
  const [hnsw, football] = ctx.hits;
  const grown = await expand(store, ctx, { depth: 2 });
  // walks is one hop from both seeds; hnsw and football are two hops from each other but already present.
  assert.equal(named(grown), ["hnsw", "football", "walks"]);
  const best = hnsw.score >= football.score ? hnsw : football;
  assert.is(grown.hits[2].parent, best.id);
  assert.is(grown.hits[2].score, best.score * EXPAND_DECAY);
  assert.is(grown.hits[2].depth, 1);
});

test("expand counts hops from the retrieved capsule when it grows from an expanded one", async () => {
  const seed = await retrieve(store, intent("navigable"), { mode: "fts", k: 1 });
  const twice = await expand(store, await expand(store, seed));
  assert.equal(named(twice), ["hnsw", "walks", "football"]);
  assert.equal([twice.hits[2].depth, twice.hits[2].parent], [2, id.walks]);
  assert.is(twice.hits[2].score, seed.hits[0].score * EXPAND_DECAY ** 2);
});

test("expand rejects bad options and passes an unknown capsule id through as the store's error", async () => {
  const seed = await retrieve(store, intent("navigable"), { mode: "fts", k: 1 });
  const bad: Array<[object, string]> = [
    [{ depth: 65 }, "EXPAND depth must be an integer from 0 to 64, got 65"],
    [{ depth: -1 }, "EXPAND depth must be an integer from 0 to 64, got -1"],
    [{ depth: "2" }, 'EXPAND depth must be an integer from 0 to 64, got "2"'],
    [{ limit: 0 }, "EXPAND limit must be an integer from 1 to 10000, got 0"],
    [{ limit: 10_001 }, "EXPAND limit must be an integer from 1 to 10000, got 10001"],
    [{ hops: 1 }, 'EXPAND has no argument "hops" (it takes depth, limit)'],
  ];
  for (const [options, message] of bad) {
    const error = await caught(() => expand(store, seed, options));
    assert.equal([error.code, error.message], ["SIGLA_DSL_ARGUMENT", message]);
  }
  const ghost = { intent: "x", hits: [hit(99_999, 1)] };
  assert.is((await caught(() => expand(store, ghost))).code, "SIGLA_UNKNOWN_ID");
});

test("merge drops the identical copy (same sha256) and the near copy, ordering by score", async () => {
  const ctx = await retrieve(store, intent(FAISS), { k: 4, mode: "vector" });
  assert.equal(sorted(named(ctx).slice(0, 3)), ["faiss", "faissCopy", "faissNear"]);
  const fourth = named(ctx)[3];
  // faiss and faissCopy tie on score: the lower id (faiss, added first) is kept.
  assert.equal(named(merge(ctx)), ["faiss", fourth]);
  assert.equal(named(merge(ctx, { dedupe: 0.99 })), ["faiss", "faissNear", fourth]);
  assert.equal(named(merge(ctx, { k: 1 })), ["faiss"]);
  assert.is(ctx.hits.length, 4);
});

test("merge keeps the best scored copy of a repeated id and orders retrieved before expanded on ties", () => {
  const ctx: DslContext = {
    intent: "x",
    hits: [
      hit(1, 0.2),
      hit(2, 0.9),
      hit(1, 0.7, { via: "expand", depth: 1, parent: 2 }),
      hit(3, 0.5, { via: "expand", depth: 1, parent: 2 }),
      hit(4, 0.5),
      hit(5, 0.5, { sha256: "sha256:2" }),
    ],
  };
  const merged = merge(ctx);
  assert.equal(
    merged.hits.map((h) => [h.id, h.score, h.via]),
    [
      [2, 0.9, "retrieve"],
      [1, 0.7, "expand"],
      [4, 0.5, "retrieve"],
      [3, 0.5, "expand"],
    ],
  );
  assert.equal(
    merge(ctx, { k: 2 }).hits.map((h) => h.id),
    [2, 1],
  );
});

test("merge rejects bad options", async () => {
  const ctx: DslContext = { intent: "x", hits: [] };
  const bad: Array<[object, string]> = [
    [{ dedupe: 0 }, "MERGE dedupe must be a number above 0 and at most 1, got 0"],
    [{ dedupe: 1.5 }, "MERGE dedupe must be a number above 0 and at most 1, got 1.5"],
    [{ dedupe: Number.NaN }, "MERGE dedupe must be a number above 0 and at most 1, got NaN"],
    [{ k: 0 }, "MERGE k must be an integer from 1 to 10000, got 0"],
    [{ topK: 1 }, 'MERGE has no argument "topK" (it takes k, dedupe)'],
  ];
  for (const [options, message] of bad) {
    const error = await caught(() => merge(ctx, options));
    assert.equal([error.code, error.message], ["SIGLA_DSL_ARGUMENT", message]);
  }
});

test("inject renders intent, numbered evidence lines, count and ids into ctx.prompt", () => {
  const ctx: DslContext = {
    intent: "compare index types",
    hits: [hit(4, 0.9, { text: "HNSW is a graph\nindex" }), hit(9, 0.5, { text: "IVF uses lists" })],
  };
  const out = inject(ctx, "Q: {{ intent }}\n{{context}}\n({{count}} items: {{ids}})");
  assert.is(
    out.prompt,
    "Q: compare index types\n1. [ev:4] HNSW is a graph index\n2. [ev:9] IVF uses lists\n(2 items: 4, 9)",
  );
  assert.is(ctx.prompt, undefined);
  assert.equal(out.hits, ctx.hits);
  assert.is(inject({ intent: "x", hits: [] }, "[{{context}}] {{count}}").prompt, "[] 0");
});

test("inject rejects unknown, empty and unclosed fields and empty templates", async () => {
  const ctx: DslContext = { intent: "x", hits: [] };
  assert.equal(await caught(() => inject(ctx, "Answer {{answer}}")), {
    code: "SIGLA_DSL_ARGUMENT",
    message:
      "INJECT template has an unknown field {{answer}} at template offset 7 (known: {{intent}}, {{context}}, {{count}}, {{ids}})",
    position: undefined,
  });
  assert.is((await caught(() => inject(ctx, "{{}}"))).code, "SIGLA_DSL_ARGUMENT");
  assert.is(
    (await caught(() => inject(ctx, "{{intent}} {{ids"))).message,
    'INJECT template opens "{{" at template offset 11 and never closes it',
  );
  assert.is(
    (await caught(() => inject(ctx, ""))).message,
    'INJECT template must be a non-empty string, got ""',
  );
});

test("runDsl runs the issue's example end to end", async () => {
  const seen: string[] = [];
  let retrieved: DslContext | undefined;
  const result = await runDsl(
    store,
    'INTENT "compare index types" | RETRIEVE k=8 tags=faiss | EXPAND depth=1 | MERGE | INJECT "Answer: {{intent}}\\n{{context}}"',
    {
      onStep: (step, ctx) => {
        seen.push(`${step.op}:${ctx.hits.length}`);
        if (step.op === "RETRIEVE") retrieved = ctx;
      },
    },
  );
  assert.is(result.intent, "compare index types");
  // RETRIEVE finds the six faiss capsules; of the three FAISS texts MERGE keeps the best scored one only.
  assert.equal(
    sorted(named(retrieved as DslContext)),
    sorted(["faiss", "faissCopy", "faissNear", "hnsw", "ivf", "pq"]),
  );
  const copies = (retrieved as DslContext).hits.filter((h) => h.text.includes("similarity search of dense"));
  const survivor = copies.reduce((a, b) =>
    b.score > a.score || (b.score === a.score && b.id < a.id) ? b : a,
  );
  // EXPAND adds walks (linked to hnsw); ivf and pq are linked to each other but both already present.
  assert.equal(sorted(named(result)), sorted([nameOf.get(survivor.id), "hnsw", "ivf", "pq", "walks"]));
  assert.equal(
    result.steps.map((s) => [s.op, s.count]),
    [
      ["INTENT", 0],
      ["RETRIEVE", 6],
      ["EXPAND", 7],
      ["MERGE", 5],
      ["INJECT", 5],
    ],
  );
  assert.equal(seen, ["INTENT:0", "RETRIEVE:6", "EXPAND:7", "MERGE:5", "INJECT:5"]);
  assert.ok(result.steps.every((s) => s.ms >= 0));
  const lines = (result.prompt ?? "").split("\n");
  assert.is(lines[0], "Answer: compare index types");
  assert.equal(
    lines.slice(1),
    result.hits.map((h, i) => `${i + 1}. [ev:${h.id}] ${h.text}`),
  );
  const scores = result.hits.map((h) => h.score);
  assert.equal(
    scores,
    [...scores].sort((a, b) => b - a),
  );
});

test("runDsl takes a typed program that starts with RETRIEVE q=", async () => {
  const program: DslStep[] = [{ op: "RETRIEVE", q: "sourdough", mode: "fts", k: 1 }, { op: "EXPAND" }];
  const result = await runDsl(store, program);
  assert.is(result.intent, "sourdough");
  assert.equal(named(result), ["sourdough", "bread"]);
  assert.equal(result.hits[1].parent, id.sourdough);
  assert.is(result.prompt, undefined);
});

test("runDsl checks the whole program before it searches anything", async () => {
  let searches = 0;
  const counting: DslStore = {
    search: (text, options) => {
      searches++;
      return store.search(text, options);
    },
    bfs: (start, options) => store.bfs(start, options),
    get: (capsule) => store.get(capsule),
  };
  const late = await caught(() => runDsl(counting, 'INTENT "x" | RETRIEVE | MERGE k=0'));
  assert.equal(late, {
    code: "SIGLA_DSL_ARGUMENT",
    message: "position 32: MERGE k must be an integer from 1 to 10000, got 0",
    position: 32,
  });
  const typed = await caught(() =>
    runDsl(counting, [
      { op: "INTENT", text: "x" },
      { op: "RETRIEVE" },
      { op: "INJECT", template: "{{nope}}" },
    ]),
  );
  assert.is(typed.code, "SIGLA_DSL_ARGUMENT");
  assert.ok(typed.message.startsWith("step 3: INJECT template has an unknown field {{nope}}"), typed.message);
  assert.is((await caught(() => runDsl(counting, [{ op: "MERGE" }]))).code, "SIGLA_DSL_PARSE");
  assert.is(searches, 0);
  await runDsl(counting, 'RETRIEVE "yeast" mode=fts');
  assert.is(searches, 1);
});

test.run();
