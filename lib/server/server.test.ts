import { test } from "uvu";
import * as assert from "uvu/assert";
import { call, testServer } from "../../test/helpers/http.js";
import type { RunningServer } from "./serve.js";

const KEY = "correct horse battery staple";
let running: RunningServer;
let url: string;
const auth = { "x-api-key": KEY };
const post = (path: string, body: unknown) => call(`${url}${path}`, "POST", body, auth);
const get = (path: string) => call(`${url}${path}`, "GET", undefined, auth);

test.before(async () => {
  running = await testServer({ apiKey: KEY });
  url = running.url;
});
test.after(async () => {
  await running.close();
});

test("health needs no key; every other route, known or not, is 401 without the right one and says nothing more", async () => {
  const health = await call(`${url}/health`, "GET");
  assert.is(health.status, 200);
  assert.is(health.body.status, "ok");
  for (const [path, headers] of [
    ["/stats", {}],
    ["/stats", { "x-api-key": "wrong" }],
    ["/stats", { "x-api-key": `${KEY}x` }],
    ["/no/such/route", {}],
    ["/metrics", {}],
  ] as const) {
    const answer = await call(`${url}${path}`, "GET", undefined, headers);
    assert.is(answer.status, 401, path);
    assert.equal(answer.body, {
      error: { code: "SIGLA_UNAUTHORIZED", message: "a valid X-API-Key header is required" },
    });
  }
  const added = await call(`${url}/capsules`, "POST", { capsules: [{ text: "sneaky" }] });
  assert.is(added.status, 401);
  assert.is((await get("/stats")).body.count, 0, "a refused write wrote nothing");
});

test("capsules: add, get, patch, list, neighbours, walks, delete", async () => {
  const added = await post("/capsules", {
    capsules: [
      { text: "LanceDB keeps the capsules in Arrow tables", tags: ["storage"] },
      { text: "The pipeline runs ten steps for every message", tags: ["pipeline"] },
      { text: "Graph walks follow the links between capsules", meta: { page: 3 } },
    ],
  });
  assert.is(added.status, 201);
  assert.equal(added.body.ids, [0, 1, 2]);
  const one = await get("/capsules/2");
  assert.is(one.status, 200);
  assert.is(one.body.text, "Graph walks follow the links between capsules");
  assert.equal(one.body.meta, { page: 3 });
  assert.ok(one.body.links.length > 0, "auto-linked to its neighbours");
  const patched = await call(`${url}/capsules/2`, "PATCH", { tags: ["graph"] }, auth);
  assert.equal(patched.body.tags, ["graph"]);
  const listed = await get(`/capsules?where=${encodeURIComponent("id >= 1")}&limit=10`);
  assert.equal(
    listed.body.capsules.map((c: { id: number }) => c.id),
    [1, 2],
  );
  const neighbours = await get("/capsules/2/neighbours");
  assert.equal(neighbours.body.capsules.map((c: { id: number }) => c.id).sort(), [...one.body.links].sort());
  const bfs = await get("/capsules/0/walk?depth=1");
  assert.is(bfs.body.nodes[0].id, 0);
  const walk = await get("/capsules/0/walk?steps=4&seed=7");
  assert.is(walk.body.walk.length, 5);
  assert.equal((await get("/capsules/0/walk?steps=4&seed=7")).body.walk, walk.body.walk, "seeded");
  const deleted = await call(`${url}/capsules/1`, "DELETE", undefined, auth);
  assert.equal(deleted.body, { deleted: 1 });
  const gone = await get("/capsules/1");
  assert.is(gone.status, 404);
  assert.is(gone.body.error.code, "SIGLA_UNKNOWN_ID");
  assert.is((await call(`${url}/capsules/1`, "DELETE", undefined, auth)).status, 404);
});

test("query: vector, full text, hybrid, tags and where filters, a raw vector", async () => {
  await post("/capsules", {
    capsules: [
      { text: "Apache Arrow is a columnar memory format", tags: ["storage"] },
      { text: "Bananas are yellow fruit", tags: ["food"] },
    ],
  });
  const vector = await post("/query", { text: "columnar data format", k: 2 });
  assert.is(vector.status, 200);
  assert.is(vector.body.hits[0].text, "Apache Arrow is a columnar memory format");
  const fts = await post("/query", { text: "bananas", mode: "fts" });
  assert.equal(
    fts.body.hits.map((h: { text: string }) => h.text),
    ["Bananas are yellow fruit"],
  );
  const hybrid = await post("/query", { text: "arrow tables", mode: "hybrid", k: 3 });
  assert.ok(hybrid.body.hits.length > 0);
  const tagged = await post("/query", { text: "fruit", tags: ["storage"], k: 10 });
  assert.ok(tagged.body.hits.every((h: { tags: string[] }) => h.tags.includes("storage")));
  const where = await post("/query", { text: "fruit", where: "id = 0", k: 10 });
  assert.equal(
    where.body.hits.map((h: { id: number }) => h.id),
    [0],
  );
  const stats = await get("/stats");
  const byVector = await post("/query", {
    vector: Array.from({ length: stats.body.dim }, (_, i) => (i === 0 ? 1 : 0)),
    k: 1,
  });
  assert.is(byVector.body.hits.length, 1);
});

test("bad input is 400 naming the field, and writes nothing", async () => {
  const before = (await get("/stats")).body.count;
  const cases: Array<[string, unknown, string]> = [
    ["/query", { txt: "x" }, "body/txt is not a known field"],
    ["/query", { text: "x", k: 0 }, "body/k must be >= 1"],
    ["/query", { text: "x", mode: "fuzzy" }, "body/mode must be equal to one of the allowed values"],
    ["/query", {}, "body must have text or vector"],
    ["/capsules", { capsules: [] }, "body/capsules must NOT have fewer than 1 items"],
    ["/capsules", { capsules: [{ text: "ok" }, { tags: ["no text"] }] }, "body/capsules/1/text is required"],
    ["/capsules", "{not json", "Body is not valid JSON"],
    ["/commands/query", { text: "x", k: "many" }, "body/k must be integer"],
    ["/commands/memory", { view: "summary", n: -1 }, "body/n must be >= "],
  ];
  for (const [path, body, message] of cases) {
    const answer = await post(path, body);
    assert.is(answer.status, 400, `${path} ${JSON.stringify(body)}`);
    assert.is(answer.body.error.code, "SIGLA_INVALID_INPUT");
    assert.ok(answer.body.error.message.includes(message), `${answer.body.error.message} ∌ ${message}`);
  }
  // Valid shape, but one capsule links to a capsule that does not exist: the whole add is refused.
  const dangling = await post("/capsules", {
    capsules: [{ text: "fine" }, { text: "bad link", links: [9999] }],
  });
  assert.is(dangling.status, 404);
  assert.is(dangling.body.error.code, "SIGLA_UNKNOWN_ID");
  const wrongDim = await post("/query", { vector: [1, 0, 0] });
  assert.is(wrongDim.status, 400);
  assert.is(wrongDim.body.error.code, "SIGLA_DIMENSION_MISMATCH");
  const badDsl = await post("/commands/dsl", { program: "FROBNICATE everything" });
  assert.is(badDsl.status, 400);
  assert.match(badDsl.body.error.code, /^SIGLA_DSL_/);
  assert.is((await get("/stats")).body.count, before);
});

test("commands: dsl, ask, memory, help as JSON; ask streams Server-Sent Events", async () => {
  const dsl = await post("/commands/dsl", { program: 'INTENT "columnar format" | RETRIEVE k=2' });
  assert.is(dsl.status, 200);
  assert.ok(dsl.body.hits.length > 0);
  const ask = await post("/commands/ask", { message: "What is Apache Arrow?" });
  assert.is(ask.status, 200);
  assert.type(ask.body.answer, "string");
  const memory = await post("/commands/memory", { view: "summary" });
  assert.is(memory.status, 200);
  const help = await post("/commands/help", {});
  assert.ok(JSON.stringify(help.body).includes("query"));
  const response = await fetch(`${url}/commands/ask?stream=1`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify({ message: "Which fruit is yellow?" }),
  });
  assert.is(response.status, 200);
  assert.ok(response.headers.get("content-type")?.startsWith("text/event-stream"));
  const events = (await response.text())
    .split("\n\n")
    .filter(Boolean)
    .map((block) => ({
      event: block.match(/^event: (.*)$/m)?.[1],
      data: JSON.parse(block.match(/^data: (.*)$/m)?.[1] ?? "null"),
    }));
  const steps = events.filter((e) => e.event === "trace" && e.data.status === "end").map((e) => e.data.step);
  assert.is(steps.length, 10, `ten pipeline steps traced, got ${steps.join(",")}`);
  const last = events.at(-1);
  assert.is(last?.event, "result");
  assert.type(last?.data.answer, "string");
  const bad = await call(`${url}/commands/ask?stream=1`, "POST", { message: "" }, auth);
  assert.is(bad.status, 400, "a bad body is refused before the stream opens");
});

test("metrics: requests per route, encode and search durations, the store's size, index and version", async () => {
  const text = (await get("/metrics")).body as string;
  assert.match(text, /sigla_http_requests_total\{method="POST",route="\/query",status="200"\} \d+/);
  assert.match(text, /sigla_http_requests_total\{method="GET",route="\/stats",status="401"\} 3/);
  assert.match(
    text,
    /sigla_http_request_duration_seconds_bucket\{le="0.005",method="POST",route="\/query"\}/,
  );
  assert.match(text, /sigla_encode_duration_seconds_count\{what="add"\} \d+/);
  assert.match(text, /sigla_search_duration_seconds_count\{what="fts"\} 1/);
  assert.match(text, /sigla_generate_duration_seconds_count\{what="ask"\} 2/);
  assert.match(text, /sigla_http_requests_total\{method="POST",route="\/commands\/ask",status="200"\} 2/);
  const stats = (await get("/stats")).body;
  assert.match(text, new RegExp(`sigla_store_capsules ${stats.count}\\b`));
  assert.match(text, new RegExp(`sigla_store_table_version ${stats.tableVersion}\\b`));
  assert.match(text, new RegExp(`sigla_store_index_info\\{kind="${stats.indexKind}",precision="f32"\\} 1`));
});

test("a client that hangs up in the middle of a stream leaves the server answering", async () => {
  const controller = new AbortController();
  const response = await fetch(`${url}/commands/ask?stream=1`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify({ message: "Tell me about columnar formats" }),
    signal: controller.signal,
  });
  const reader = response.body?.getReader();
  await reader?.read(); // the first event
  controller.abort();
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.is((await call(`${url}/health`, "GET")).status, 200);
  const next = await post("/commands/ask", { message: "Still there?" });
  assert.is(next.status, 200);
});

test.run();
