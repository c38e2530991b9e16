import { Ajv } from "ajv";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { call, testServer } from "../../test/helpers/http.js";
import { SERVED_COMMANDS } from "./command-routes.js";
import type { RunningServer } from "./serve.js";

let running: RunningServer;
// biome-ignore lint/suspicious/noExplicitAny: an OpenAPI document, walked by path in the checks.
let doc: any;

test.before(async () => {
  running = await testServer();
  doc = (await call(`${running.url}/openapi.json`, "GET")).body;
});
test.after(async () => {
  await running.close();
});

/** `/capsules/:id` as OpenAPI writes it: `/capsules/{id}`. */
const openApiPath = (path: string) => path.replace(/:([A-Za-z]+)/g, "{$1}");

test("the OpenAPI document lists exactly the server's routes, each with a summary", () => {
  const served = running.server.routes
    .filter((route) => !route.startsWith("OPTIONS"))
    .map((route) => {
      const [method, path] = route.split(" ");
      return `${method.toLowerCase()} ${openApiPath(path)}`;
    })
    .sort();
  const documented = Object.entries(doc.paths as Record<string, Record<string, { summary?: string }>>)
    .flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => {
        assert.ok(operation.summary, `${method} ${path} has a summary`);
        return `${method} ${path}`;
      }),
    )
    .sort();
  assert.equal(documented, served);
  for (const name of SERVED_COMMANDS) assert.ok(doc.paths[`/commands/${name}`]?.post, name);
});

test("answers match the documented response schemas, and documented bodies are the ones accepted", async () => {
  const ajv = new Ajv({ strict: false });
  const schemaOf = (path: string, method: string, status: number) =>
    doc.paths[path][method].responses[String(status)].content["application/json"].schema;
  const added = await call(`${running.url}/capsules`, "POST", {
    capsules: [{ text: "documented capsule", tags: ["doc"] }, { text: "another one" }],
  });
  const checks: Array<[string, string, number, unknown]> = [
    ["/capsules", "post", 201, added.body],
    ["/capsules/{id}", "get", 200, (await call(`${running.url}/capsules/0`, "GET")).body],
    ["/query", "post", 200, (await call(`${running.url}/query`, "POST", { text: "documented" })).body],
    ["/query", "post", 400, (await call(`${running.url}/query`, "POST", { k: 1 })).body],
    ["/capsules/{id}", "get", 404, (await call(`${running.url}/capsules/77`, "GET")).body],
    [
      "/capsules/{id}/neighbours",
      "get",
      200,
      (await call(`${running.url}/capsules/0/neighbours`, "GET")).body,
    ],
  ];
  for (const [path, method, status, body] of checks) {
    const valid = ajv.validate(schemaOf(path, method, status), body);
    assert.ok(valid, `${method} ${path} ${status}: ${ajv.errorsText()}`);
  }
  const queryBody = doc.paths["/query"].post.requestBody.content["application/json"].schema;
  assert.equal(Object.keys(queryBody.properties).sort(), [
    "effort",
    "k",
    "mode",
    "tags",
    "text",
    "vector",
    "where",
  ]);
  const askBody = doc.paths["/commands/ask"].post.requestBody.content["application/json"].schema;
  assert.ok(askBody.required.includes("message"));
  assert.ok(askBody.properties["max-tokens"], "flags keep their command-line names");
});

test.run();
