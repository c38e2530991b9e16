import { test } from "uvu";
import * as assert from "uvu/assert";
import { call, testServer } from "../../test/helpers/http.js";
import { keyChecker } from "./auth.js";
import { serverSettings, storageOptions } from "./settings.js";

test("the key check: only the exact key passes, of any length; no key set lets everything through", () => {
  const check = keyChecker("s3cret");
  assert.ok(check?.("s3cret"));
  for (const given of ["s3cre", "s3cret ", "S3CRET", "", undefined, ["s3cret"], 5]) {
    assert.not.ok(check?.(given), String(given));
  }
  assert.is(keyChecker(undefined), undefined);
});

test("settings: loopback by default, origins checked, storage options from SIGLA_STORAGE_*", () => {
  const plain = serverSettings({});
  assert.is(plain.host, "127.0.0.1");
  assert.is(plain.port, 8700);
  assert.equal(plain.corsOrigins, []);
  assert.is(plain.apiKey, undefined);
  const set = serverSettings({
    SIGLA_CORS_ORIGINS: "https://a.example, http://localhost:3000",
    SIGLA_RATE_LIMIT: "0",
  });
  assert.equal(set.corsOrigins, ["https://a.example", "http://localhost:3000"]);
  assert.is(set.rateLimit, 0);
  assert.throws(() => serverSettings({ SIGLA_CORS_ORIGINS: "a.example/path" }), /SIGLA_CORS_ORIGINS/);
  assert.throws(() => serverSettings({ SIGLA_PORT: "http" }), /SIGLA_PORT/);
  assert.equal(
    storageOptions({
      SIGLA_STORAGE_AWS_ENDPOINT: "http://127.0.0.1:9000",
      SIGLA_STORAGE_ALLOW_HTTP: "true",
      SIGLA_HOME: "/x",
    }),
    {
      aws_endpoint: "http://127.0.0.1:9000",
      allow_http: "true",
    },
  );
});

test("rate limit: the request past the limit is 429 with Retry-After; health is never limited", async () => {
  const running = await testServer({ rateLimit: 3 });
  try {
    for (let i = 0; i < 3; i++) assert.is((await call(`${running.url}/stats`, "GET")).status, 200);
    const limited = await call(`${running.url}/stats`, "GET");
    assert.is(limited.status, 429);
    assert.is(limited.body.error.code, "SIGLA_RATE_LIMITED");
    assert.ok(Number(limited.headers.get("retry-after")) > 0, "Retry-After in seconds");
    assert.is((await call(`${running.url}/health`, "GET")).status, 200);
  } finally {
    await running.close();
  }
});

test("CORS is off by default and answers only the configured origins", async () => {
  const closed = await testServer();
  try {
    const answer = await call(`${closed.url}/stats`, "GET", undefined, { origin: "https://a.example" });
    assert.is(answer.headers.get("access-control-allow-origin"), null);
  } finally {
    await closed.close();
  }
  const open = await testServer({ corsOrigins: ["https://a.example"], apiKey: "k" });
  try {
    const preflight = await call(`${open.url}/query`, "OPTIONS", undefined, {
      origin: "https://a.example",
      "access-control-request-method": "POST",
      "access-control-request-headers": "content-type,x-api-key",
    });
    assert.is(preflight.status, 204, "a preflight carries no key and still passes");
    assert.is(preflight.headers.get("access-control-allow-origin"), "https://a.example");
    assert.match(preflight.headers.get("access-control-allow-headers") ?? "", /x-api-key/);
    const other = await call(`${open.url}/stats`, "GET", undefined, {
      origin: "https://evil.example",
      "x-api-key": "k",
    });
    assert.is(other.headers.get("access-control-allow-origin"), null);
  } finally {
    await open.close();
  }
});

test("a body over the limit is 413 and writes nothing", async () => {
  const running = await testServer({ bodyLimit: 2048 });
  try {
    const big = await call(`${running.url}/capsules`, "POST", { capsules: [{ text: "x".repeat(4096) }] });
    assert.is(big.status, 413);
    assert.is(big.body.error.code, "SIGLA_TOO_LARGE");
    assert.is((await call(`${running.url}/stats`, "GET")).body.count, 0);
  } finally {
    await running.close();
  }
});

test.run();
