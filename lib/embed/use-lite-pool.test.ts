/** The ONNX Runtime worker pool: calls spread over workers, a graph that does not compile, stopped workers. */
import assert from "node:assert/strict";
import { test } from "uvu";
import { EmbedderError } from "../errors.js";
import { readUseLiteFiles } from "./use-lite-files.js";
import { buildUseLiteGraph } from "./use-lite-graph.js";
import { OrtWorkerPool, PoolUnavailable } from "./use-lite-pool.js";

let graph: Uint8Array | undefined;
const model = async () => {
  graph ??= buildUseLiteGraph((await readUseLiteFiles()).weights);
  return graph;
};

/** One padded call of `rows` copies of the same 3 token ids. */
const call = (pool: OrtWorkerPool, rows: number) =>
  pool.run(
    new Int32Array(rows * 3).map((_, i) => 100 + (i % 3)),
    new Float32Array(rows * 3).fill(1),
    rows,
    3,
  );

test("concurrent calls on two workers give identical rows for identical input", async () => {
  const pool = await OrtWorkerPool.start(await model(), 2);
  try {
    assert.equal(pool.size, 2);
    const outputs = await Promise.all([call(pool, 1), call(pool, 2), call(pool, 3), call(pool, 1)]);
    assert.deepEqual(
      outputs.map((o) => o.length),
      [512, 1024, 1536, 512],
    );
    for (const out of outputs) {
      for (let r = 1; r < out.length / 512; r++) {
        assert.deepEqual(out.subarray(r * 512, (r + 1) * 512), out.subarray(0, 512));
      }
    }
    assert.ok(outputs[0].every(Number.isFinite));
  } finally {
    await pool.stop();
  }
});

test("a graph that does not compile fails the start with PoolUnavailable, naming the reason", async () => {
  await assert.rejects(OrtWorkerPool.start(new Uint8Array([1, 2, 3, 4]), 2), (error: unknown) => {
    assert.ok(error instanceof PoolUnavailable);
    assert.ok(error.message.length > 0);
    return true;
  });
});

test("once its workers are gone, a call fails with a typed EmbedderError", async () => {
  const pool = await OrtWorkerPool.start(await model(), 1);
  await pool.stop();
  await new Promise((resolve) => setTimeout(resolve, 50)); // the exit event arrives after terminate()
  assert.equal(pool.size, 0);
  await assert.rejects(call(pool, 1), (error: unknown) => {
    assert.ok(error instanceof EmbedderError);
    assert.equal(error.code, "SIGLA_EMBEDDER_UNAVAILABLE");
    assert.match(error.message, /worker stopped/);
    return true;
  });
});

test.run();
