import { existsSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { gaussian, seededRandom } from "../../lib/random.js";
import { tempDir } from "../../test/helpers/temp.js";
import { FILTERS, rowBuckets } from "../filters.js";
import { openChroma } from "./chroma.js";
import type { BenchRows } from "./types.js";

const COUNT = 2_000;
const DIM = 32;

/** Seeded random unit vectors, row-major. */
function unitRows(count: number, dim: number, seed: number): BenchRows {
  const normal = gaussian(seededRandom(seed));
  const vectors = new Float32Array(count * dim);
  for (let i = 0; i < count; i++) {
    const row = vectors.subarray(i * dim, (i + 1) * dim);
    let norm = 0;
    for (let d = 0; d < dim; d++) {
      row[d] = normal();
      norm += row[d] * row[d];
    }
    for (let d = 0; d < dim; d++) row[d] /= Math.sqrt(norm);
  }
  return { count, dim, vectors, buckets: rowBuckets(count) };
}

const rowOf = (rows: BenchRows, i: number) => rows.vectors.subarray(i * rows.dim, (i + 1) * rows.dim);

/** Ids of the k rows nearest to `query` by dot product (cosine, as the rows are unit vectors). */
function exactTop(rows: BenchRows, query: Float32Array, k: number): Set<number> {
  const scores = Array.from({ length: rows.count }, (_, i) => {
    const row = rowOf(rows, i);
    let dot = 0;
    for (let d = 0; d < rows.dim; d++) dot += row[d] * query[d];
    return { i, dot };
  });
  scores.sort((a, b) => b.dot - a.dot);
  return new Set(scores.slice(0, k).map((s) => s.i));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test("chroma: ingest, every sweep point finds each row first, reopen, close", async () => {
  const workDir = tempDir("sigla-chroma-system-");
  const lines: string[] = [];
  const system = await openChroma({ workDir, dim: DIM, log: (line) => lines.push(line) });
  try {
    assert.is(system.name, "chroma");
    assert.match(system.describe(), /ef_construction 100/);
    const rows = unitRows(COUNT, DIM, 7);
    const timing = await system.ingest(rows);
    assert.ok(timing.addMs > 0);
    assert.is(timing.buildMs, 0);
    assert.ok(lines.some((line) => line.startsWith(`added ${COUNT} / ${COUNT}`)));

    const points = system.sweep();
    assert.ok(points.length >= 2);
    // Fresh random queries: recall@10 must rise with ef_search (the server really applies it).
    const queries = unitRows(50, DIM, 99);
    const truth = Array.from({ length: queries.count }, (_, q) => exactTop(rows, rowOf(queries, q), 10));
    const recalls: number[] = [];
    for (const point of points) {
      const found = await system.searchBatch(
        Array.from({ length: queries.count }, (_, q) => rowOf(queries, q)),
        10,
        point,
      );
      const hits = found.reduce((sum, ids, q) => sum + ids.filter((id) => truth[q].has(id)).length, 0);
      recalls.push(hits / (queries.count * 10));
    }
    assert.ok((recalls.at(-1) ?? 0) >= 0.95, `recall at the last point ${recalls.at(-1)}`);
    assert.ok(
      (recalls.at(-1) ?? 0) > recalls[0] + 0.05,
      `recall rises with ef_search: ${recalls.join(", ")}`,
    );

    const probes = Array.from({ length: 50 }, (_, j) => (j * 397) % COUNT);
    for (const point of points) {
      for (const i of probes) {
        const hits = await system.search(rowOf(rows, i), 10, point);
        assert.is(hits.length, 10);
        assert.is(hits[0], i, `${point.label}: row ${i} first`);
      }
      const single = await Promise.all(probes.map((i) => system.search(rowOf(rows, i), 5, point)));
      const batched = await system.searchBatch(
        probes.map((i) => rowOf(rows, i)),
        5,
        point,
      );
      assert.equal(batched, single, `${point.label}: batch = one by one`);
    }

    // Under a filter only kept rows come back, and a kept row finds itself first.
    for (const filter of FILTERS) {
      const kept = probes.filter((i) => rows.buckets[i] < filter.keep).slice(0, 5);
      const other = probes.find((i) => rows.buckets[i] >= filter.keep) ?? 0;
      for (const i of [...kept, other]) {
        const hits = await system.search(rowOf(rows, i), 10, points.at(-1) ?? points[0], filter);
        assert.ok(hits.length > 0 && hits.every((id) => rows.buckets[id] < filter.keep), filter.label);
        if (i !== other) assert.is(hits[0], i, `${filter.label}: row ${i} first`);
      }
    }

    const rss = await system.serverRss();
    assert.ok(rss !== undefined && rss > 0);
    assert.ok((await system.diskBytes()) > COUNT * DIM * 4);

    await system.reopen();
    assert.equal((await system.search(rowOf(rows, 123), 3, points[0]))[0], 123);
  } finally {
    await system.close();
  }
  const pids = lines.flatMap((line) => /\(pid (\d+),/.exec(line)?.[1] ?? []).map(Number);
  assert.ok(pids.length >= 2, "started more than once (sweep, reopen)");
  for (const pid of pids) assert.not.ok(alive(pid), `server ${pid} still running`);
  assert.ok(existsSync(join(workDir, "chroma", "chroma.sqlite3")), "data stays for the harness to delete");
  await system.close();
});

test.run();
