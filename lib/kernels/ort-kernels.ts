/**
 * Matrix kernels run by onnxruntime-node (MLAS: multi-threaded, SIMD), several times faster than a JS loop
 * for the dot products behind exact search, IVF probing, k-means and auto-linking. Each kernel is a tiny ONNX
 * graph written by `onnx-writer.ts`, compiled once per process. The store's matrix is handed to the runtime
 * as a view of the hot vectors, not a copy.
 */
import * as ort from "onnxruntime-node";
import { OnnxGraphBuilder } from "../onnx/onnx-writer.js";
import type { TopK } from "./top-k.js";

type Session = ort.InferenceSession;
const sessions = new Map<string, Promise<Session>>();

function session(name: string, build: (g: OnnxGraphBuilder) => void): Promise<Session> {
  let found = sessions.get(name);
  if (!found) {
    const graph = new OnnxGraphBuilder(name);
    build(graph);
    found = ort.InferenceSession.create(graph.toBytes({ opset: 17 }), {
      graphOptimizationLevel: "all",
      executionMode: "sequential",
      // No arena: a kernel's scratch (e.g. a 64 × 50k score block) is returned after each run instead of
      // staying reserved for the life of the process.
      enableCpuMemArena: false,
      enableMemPattern: false,
    });
    sessions.set(name, found);
  }
  return found;
}

/** scores[m, n] = A[m, d] · B[n, d]ᵀ */
const gemmSession = () =>
  session("gemm_abt", (g) => {
    g.input("a", "float32", ["m", "d"]).input("b", "float32", ["n", "d"]);
    g.node("Gemm", ["a", "b"], ["scores"], { transB: 1 });
    g.output("scores", "float32", ["m", "n"]);
  });

/** Top-k of A · Bᵀ per row of A. */
const gemmTopKSession = () =>
  session("gemm_topk", (g) => {
    g.input("a", "float32", ["m", "d"]).input("b", "float32", ["n", "d"]).input("k", "int64", [1]);
    g.node("Gemm", ["a", "b"], ["scores"], { transB: 1 });
    g.node("TopK", ["scores", "k"], ["values", "indices"], { axis: -1, largest: 1, sorted: 1 });
    g.output("values", "float32", ["m", "k"]).output("indices", "int64", ["m", "k"]);
  });

/**
 * Top-k of A · B[rows]ᵀ: scores only the listed rows of B (IVF probing, filtered search). Row indices are
 * int32 (Gather takes them): converting a candidate list to int64 BigInts cost more than the Gather itself.
 */
const gatherTopKSession = () =>
  session("gather_topk", (g) => {
    g.input("a", "float32", ["m", "d"]).input("b", "float32", ["n", "d"]).input("rows", "int32", ["c"]);
    g.input("k", "int64", [1]);
    g.node("Gather", ["b", "rows"], ["picked"], { axis: 0 });
    g.node("Gemm", ["a", "picked"], ["scores"], { transB: 1 });
    g.node("TopK", ["scores", "k"], ["values", "indices"], { axis: -1, largest: 1, sorted: 1 });
    g.output("values", "float32", ["m", "k"]).output("indices", "int64", ["m", "k"]);
  });

/** scores[|q|, |r|] = B[q] · B[r]ᵀ: similarities between two row sets of one matrix (auto-linking). */
const pairSession = () =>
  session("gather_pairs", (g) => {
    g.input("b", "float32", ["n", "d"]).input("q", "int32", ["m"]).input("r", "int32", ["c"]);
    g.node("Gather", ["b", "q"], ["left"], { axis: 0 });
    g.node("Gather", ["b", "r"], ["right"], { axis: 0 });
    g.node("Gemm", ["left", "right"], ["scores"], { transB: 1 });
    g.output("scores", "float32", ["m", "c"]);
  });

function matrix(data: Float32Array, dim: number): ort.Tensor {
  return new ort.Tensor("float32", data, [data.length / dim, dim]);
}

/** A[m, d] · B[n, d]ᵀ as a row-major [m, n] matrix. */
export async function gemmABt(a: Float32Array, b: Float32Array, dim: number): Promise<Float32Array> {
  const s = await gemmSession();
  const out = await s.run({ a: matrix(a, dim), b: matrix(b, dim) });
  return out.scores.data as Float32Array;
}

function topKResult(values: ort.Tensor, indices: ort.Tensor, k: number, rows?: Int32Array): TopK {
  const index = indices.data as BigInt64Array;
  const out: TopK = { k, rows: new Int32Array(index.length), scores: values.data as Float32Array };
  for (let i = 0; i < index.length; i++) out.rows[i] = rows ? rows[Number(index[i])] : Number(index[i]);
  return out;
}

/** Exact top-k rows of `base` for each query (k is clamped to the number of rows). */
export async function gemmTopK(
  queries: Float32Array,
  base: Float32Array,
  dim: number,
  k: number,
): Promise<TopK> {
  const n = base.length / dim;
  const kk = Math.min(k, n);
  const s = await gemmTopKSession();
  const out = await s.run({
    a: matrix(queries, dim),
    b: matrix(base, dim),
    k: new ort.Tensor("int64", BigInt64Array.of(BigInt(kk)), [1]),
  });
  return topKResult(out.values, out.indices, kk);
}

/** Exact top-k among the listed `rows` of `base` for each query; returned rows index `base`. */
export async function gatherTopK(
  queries: Float32Array,
  base: Float32Array,
  dim: number,
  rows: Int32Array,
  k: number,
): Promise<TopK> {
  const kk = Math.min(k, rows.length);
  const s = await gatherTopKSession();
  const out = await s.run({
    a: matrix(queries, dim),
    b: matrix(base, dim),
    rows: new ort.Tensor("int32", rows, [rows.length]),
    k: new ort.Tensor("int64", BigInt64Array.of(BigInt(kk)), [1]),
  });
  return topKResult(out.values, out.indices, kk, rows);
}

/** Similarities between rows `q` and rows `r` of `base`, as a row-major [|q|, |r|] matrix. */
export async function pairScores(
  base: Float32Array,
  dim: number,
  q: Int32Array,
  r: Int32Array,
): Promise<Float32Array> {
  const s = await pairSession();
  const out = await s.run({
    b: matrix(base, dim),
    q: new ort.Tensor("int32", q, [q.length]),
    r: new ort.Tensor("int32", r, [r.length]),
  });
  return out.scores.data as Float32Array;
}
