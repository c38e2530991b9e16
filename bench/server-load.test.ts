import { test } from "uvu";
import * as assert from "uvu/assert";
import { tempPath } from "../test/helpers/temp.js";
import { runServerLoad } from "./server-load.js";

test("the load test drives a real server through its phases, on a local store and on S3, and reads every acknowledged write back", async () => {
  const lines: string[] = [];
  const report = await runServerLoad({
    size: 300,
    seconds: 1,
    connections: 2,
    writers: 1,
    store: tempPath(),
    log: (l) => lines.push(l),
  });
  assert.is(report.kind, "server-load");
  assert.is(report.size, 300);
  assert.equal(
    report.phases.map((p) => p.name),
    [
      "query by vector",
      "query by text (embedding included)",
      "query by vector with concurrent writers",
      "two servers on one S3 store (writer + forwarding reader), query by vector with concurrent writers",
    ],
  );
  for (const phase of report.phases) {
    assert.ok(phase.requests > 0, phase.name);
    assert.is(phase.errors + phase.non2xx + phase.timeouts, 0, phase.name);
    assert.ok(phase.latencyMs.p50 <= phase.latencyMs.p99, phase.name);
  }
  for (const phase of report.phases.slice(2)) {
    assert.ok(phase.writes && phase.writes.acknowledged > 0, `${phase.name}: the writers wrote`);
    assert.is(phase.writes?.unreadable, 0, phase.name);
    for (const server of phase.servers ?? [])
      assert.ok(server.requests > 0, `${phase.name}: every server answered`);
  }
  assert.is(report.phases[3].servers?.length, 2, "the S3 phase counts each server's reads");
  assert.is(report.targets.length, 4);
  assert.ok(lines.some((l) => l.startsWith("server at http://127.0.0.1:")));
});

test.run();
