import { test } from "uvu";
import * as assert from "uvu/assert";
import { tempPath } from "../test/helpers/temp.js";
import { runStress } from "./stress.js";

test("three writer processes, stale locks planted, one writer killed each round: nothing lost, torn or duplicated", async () => {
  const report = await runStress({
    path: tempPath(),
    writers: 3,
    rounds: 2,
    perWriter: 20,
    killsPerRound: 1,
  });
  const t = report.totals;
  // A victim that finished before its kill is not counted; most rounds kill one.
  assert.ok(t.killed >= 1, "writers were killed");
  assert.is(t.failedWriters, 0);
  assert.is(t.found, t.expected, "rows expected vs found");
  assert.ok(t.expected >= 60, `${t.expected} rows: the surviving writers finished their work`);
  assert.equal(
    {
      missing: t.missing,
      unexpected: t.unexpected,
      duplicateIds: t.duplicateIds,
      brokenLinks: t.brokenLinks,
    },
    { missing: 0, unexpected: 0, duplicateIds: 0, brokenLinks: 0 },
  );
  assert.ok(report.doctorOk, "doctor finds the store healthy");
});

test.run();
