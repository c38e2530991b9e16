/** The server with a language model loaded (the tiny random-weight GGUF): tokens stream as Server-Sent Events. */
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { writeTinyGguf } from "../../bench/fixtures/random-gguf.js";
import { call, testServer } from "../../test/helpers/http.js";
import { tempDir } from "../../test/helpers/temp.js";

test("ask?stream=1 with a model: trace events, the model's tokens as they come, then the turn", async () => {
  const model = join(tempDir(), "tiny.gguf");
  await writeTinyGguf(model);
  const running = await testServer({}, undefined, model);
  try {
    await call(`${running.url}/capsules`, "POST", {
      capsules: [{ text: "LanceDB is a columnar vector database" }],
    });
    const response = await fetch(`${running.url}/commands/ask?stream=1`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ message: "What is LanceDB?", "max-tokens": 16 }),
    });
    const events = (await response.text())
      .split("\n\n")
      .filter(Boolean)
      .map((block) => block.match(/^event: (.*)$/m)?.[1]);
    const tokens = events.filter((event) => event === "token").length;
    assert.ok(tokens > 0, `tokens streamed: ${events.join(",")}`);
    assert.ok(events.indexOf("trace") < events.indexOf("token"), "the steps before the answer come first");
    assert.is(events.at(-1), "result");
    const metrics = (await call(`${running.url}/metrics`, "GET")).body as string;
    assert.match(metrics, /sigla_generate_duration_seconds_count\{what="ask"\} 1/);
    const run = await call(`${running.url}/commands/run`, "POST", {
      model,
      prompt: "Hello",
      "max-tokens": 8,
    });
    assert.is(run.status, 200, JSON.stringify(run.body));
  } finally {
    await running.close();
  }
});

test.run();
