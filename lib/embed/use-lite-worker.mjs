// One ONNX Runtime session of the use-lite graph on a worker thread (started by use-lite-pool.ts).
// Plain JavaScript on purpose: worker threads do not inherit tsx's loader, and this needs nothing but
// onnxruntime-node. One intra-op thread per worker: several workers each running whole calls keep every
// core busy without the per-operator barrier of a multi-threaded session, which stalls whenever one of
// its threads is descheduled on a shared machine.
//
// Protocol: workerData { model: Uint8Array }. Posts { ready: true } or { startError } once; then answers
// each { id, ids: Int32Array, mask: Float32Array, rows, width } with { id, data: Float32Array } or
// { id, error }.
import { parentPort, workerData } from "node:worker_threads";

const port = parentPort;
let session;
let ort;
try {
  ort = await import("onnxruntime-node");
  session = await ort.InferenceSession.create(workerData.model, {
    graphOptimizationLevel: "all",
    executionMode: "sequential",
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  });
  port.postMessage({ ready: true });
} catch (error) {
  port.postMessage({ startError: error instanceof Error ? error.message : String(error) });
}

port.on("message", async ({ id, ids, mask, rows, width }) => {
  try {
    const feeds = {
      ids: new ort.Tensor("int32", ids, [rows, width]),
      mask: new ort.Tensor("float32", mask, [rows, width]),
    };
    const { embedding } = await session.run(feeds);
    const [count, dim] = embedding.dims;
    if (count !== rows) throw new Error(`the graph returned ${count} rows for ${rows}`);
    const data = new Float32Array(embedding.data.subarray(0, count * dim));
    embedding.dispose();
    port.postMessage({ id, data }, [data.buffer]);
  } catch (error) {
    port.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
