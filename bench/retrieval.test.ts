import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { CapsuleStore } from "../lib/store/capsule-store.js";
import { codeOf } from "../test/helpers/errors.js";
import { tempDir } from "../test/helpers/temp.js";
import { loadFiori } from "./datasets/fiori.js";
import { meanReciprocalRank, type RetrievalReport, runRetrieval } from "./retrieval.js";

const SIZE = 120;
const workDir = join(tempDir("sigla-retrieval-"), "store");
let report: Promise<RetrievalReport> | undefined;
/** One real run (use-lite, 120 documents, about 10 s) shared by the tests below. */
const measured = () => {
  report ??= runRetrieval({ size: SIZE, workDir });
  return report;
};

test("meanReciprocalRank: first relevant hit within k, 0 when none", () => {
  assert.is(meanReciprocalRank([[5]], [[5, 1, 2]]), 1);
  assert.is(meanReciprocalRank([[2, 9]], [[7, 9, 2]]), 1 / 2);
  assert.is(meanReciprocalRank([[3]], [[1, 2, 3]], 2), 0);
  assert.is(meanReciprocalRank([[1], [4]], [[1], [0, 0, 0, 4]]), (1 + 1 / 4) / 2);
  assert.is(meanReciprocalRank([], []), 0);
});

test("bad size, k or workDir are typed errors, raised before anything is stored", async () => {
  for (const size of [0, -1, 779, Number.NaN]) {
    assert.is(await codeOf(runRetrieval({ size, workDir: join(tempDir(), "s") })), "SIGLA_INVALID_INPUT");
  }
  assert.is(
    await codeOf(runRetrieval({ size: 5, k: 0, workDir: join(tempDir(), "s") })),
    "SIGLA_INVALID_INPUT",
  );
  const busy = tempDir();
  mkdirSync(join(busy, "old"));
  writeFileSync(join(busy, "old", "file.txt"), "not a store");
  assert.is(await codeOf(runRetrieval({ size: 5, workDir: busy })), "SIGLA_INVALID_INPUT");
});

test("reports every mode with MRR and recall in [0, 1] on 120 real documents", async () => {
  const r = await measured();
  assert.equal(r.dataset, {
    name: "fiori-docs-embeddings",
    documents: SIZE,
    queries: 120,
    embedder: "use-lite",
  });
  assert.is(r.k, 10);
  assert.equal(
    r.modes.map((m) => m.mode),
    ["vector", "fts", "hybrid"],
  );
  for (const m of r.modes) {
    assert.ok(m.mrr >= 0 && m.mrr <= 1, `${m.mode} mrr ${m.mrr}`);
    assert.ok(m.recall >= 0 && m.recall <= 1, `${m.mode} recall ${m.recall}`);
    assert.ok(m.meanMs > 0 && Number.isFinite(m.meanMs), `${m.mode} latency ${m.meanMs}`);
    // The first 120 records have distinct titles, one relevant record per query: then MRR ≤ recall.
    assert.ok(m.mrr <= m.recall + 1e-9, m.mode);
  }
  assert.ok(r.ingestMs > 0);
  assert.ok(r.notes.some((n) => n.includes("use-lite") && n.includes("all-MiniLM-L6-v2")));
});

test("search finds documents by title far better than chance", async () => {
  const r = await measured();
  const by = Object.fromEntries(r.modes.map((m) => [m.mode, m]));
  // A random ranking of 120 documents scores MRR@10 ≈ 0.024 and recall@10 ≈ 0.083. Measured with use-lite:
  // vector 0.52 / 0.74, fts 0.77 / 0.96, hybrid 0.71 / 0.93 (MRR / recall).
  assert.ok(by.vector.mrr > 0.3, `vector mrr ${by.vector.mrr}`);
  assert.ok(by.vector.recall > 0.5, `vector recall ${by.vector.recall}`);
  assert.ok(by.fts.mrr > 0.5, `fts mrr ${by.fts.mrr}`);
  assert.ok(by.fts.recall > 0.8, `fts recall ${by.fts.recall}`);
  assert.ok(by.hybrid.mrr > 0.5, `hybrid mrr ${by.hybrid.mrr}`);
  assert.ok(by.hybrid.recall > 0.8, `hybrid recall ${by.hybrid.recall}`);
  // Fusing in the full-text ranking lifts hybrid above vector search alone.
  assert.ok(by.hybrid.mrr > by.vector.mrr, "hybrid mrr > vector mrr");
  assert.ok(by.hybrid.recall > by.vector.recall, "hybrid recall > vector recall");
});

test("the store left in workDir holds the documents' texts in dataset order", async () => {
  await measured();
  const { documents } = await loadFiori({ size: SIZE });
  const store = await CapsuleStore.open(workDir);
  try {
    assert.is(await store.count(), SIZE);
    const capsules = await store.list();
    capsules.forEach((capsule) => {
      const i = capsule.meta.index as number;
      assert.is(capsule.meta.fioriId, documents[i].id);
      assert.is(capsule.text, documents[i].text);
    });
    assert.equal(
      capsules.map((c) => c.meta.index).sort((a, b) => (a as number) - (b as number)),
      documents.map((_, i) => i),
    );
  } finally {
    await store.close();
  }
});

test.run();
