/**
 * Matrix kernels run by onnxruntime-node (MLAS: multi-threaded, SIMD), several times faster than a JS loop
 * for the dot products behind exact search, IVF probing, k-means and auto-linking. Each kernel is a tiny ONNX
 * graph written by `onnx-writer.ts`, compiled once per process. The store's matrix is handed to the runtime
 * as a view of the hot vectors, not a copy.
 *
 * Every kernel has two sessions, picked by the size of the call:
 * - serial (one thread): small calls, such as one query against a few IVF lists. A second thread costs more
 *   to wake than it saves here, and each multi-threaded session keeps its own pool whose workers spin after
 *   a run: with several pools on two cores, the spinning workers of one took the core another call needed,
 *   and single queries of 0.3 ms had a p99 of 8-17 ms (measured by `scripts/probe-search.ts`).
 * - parallel (every core, workers sleep instead of spinning): large calls such as a batch scan, milliseconds
 *   long, where waking a worker is noise.
 * The smallest calls do not reach ORT at all: a JS loop beats the fixed cost of a run (`JS_MAX_WORK`).
 */
import * as ort from "onnxruntime-node";
import { OnnxGraphBuilder } from "../onnx/onnx-writer.js";
import { exactTopK, type TopK } from "./top-k.js";

/** Multiply-adds below which a JS loop beats an ORT call (measured crossover: ~100 rows of 384 dims). */
export const JS_MAX_WORK = 48 * 1024;
/** Multiply-adds from which a call runs on every core (≈ one query against 10k rows of 384 dims). */
export const PARALLEL_WORK = 4 * 1024 * 1024;

type Session = ort.InferenceSession;
type Tier = "serial" | "parallel";
const sessions = new Map<string, Promise<Session>>();

const TIER_OPTIONS: Record<Tier, ort.InferenceSession.SessionOptions> = {
  serial: { intraOpNumThreads: 1, interOpNumThreads: 1 },
  parallel: { interOpNumThreads: 1, extra: { session: { intra_op: { allow_spinning: "0" } } } },
};

function session(name: string, tier: Tier, build: (g: OnnxGraphBuilder) => void): Promise<Session> {
  const key = `${name}/${tier}`;
  let found = sessions.get(key);
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
      ...TIER_OPTIONS[tier],
    });
    sessions.set(key, found);
  }
  return found;
}

const tierOf = (work: number): Tier => (work >= PARALLEL_WORK ? "parallel" : "serial");

/**
 * Runs the kernel `name` (its graph made by `build` the first time) on `feeds`, in the session that suits
 * `work` multiply-adds: for kernels defined beside this module (`grouped-topk.ts`).
 */
export async function runKernel(
  name: string,
  work: number,
  build: (g: OnnxGraphBuilder) => void,
  feeds: Record<string, ort.Tensor>,
): Promise<Record<string, ort.Tensor>> {
  const s = await session(name, tierOf(work), build);
  return s.run(feeds);
}

/** scores[m, n] = A[m, d] · B[n, d]ᵀ */
const gemmSession = (tier: Tier) =>
  session("gemm_abt", tier, (g) => {
    g.input("a", "float32", ["m", "d"]).input("b", "float32", ["n", "d"]);
    g.node("Gemm", ["a", "b"], ["scores"], { transB: 1 });
    g.output("scores", "float32", ["m", "n"]);
  });

/** Top-k of A · Bᵀ per row of A. */
const gemmTopKSession = (tier: Tier) =>
  session("gemm_topk", tier, (g) => {
    g.input("a", "float32", ["m", "d"]).input("b", "float32", ["n", "d"]).input("k", "int64", [1]);
    g.node("Gemm", ["a", "b"], ["scores"], { transB: 1 });
    g.node("TopK", ["scores", "k"], ["values", "indices"], { axis: -1, largest: 1, sorted: 1 });
    g.output("values", "float32", ["m", "k"]).output("indices", "int64", ["m", "k"]);
  });

/**
 * Top-k of A · B[rows]ᵀ: scores only the listed rows of B (IVF probing, filtered search). Row indices are
 * int32 (Gather takes them): converting a candidate list to int64 BigInts cost more than the Gather itself.
 */
const gatherTopKSession = (tier: Tier) =>
  session("gather_topk", tier, (g) => {
    g.input("a", "float32", ["m", "d"]).input("b", "float32", ["n", "d"]).input("rows", "int32", ["c"]);
    g.input("k", "int64", [1]);
    g.node("Gather", ["b", "rows"], ["picked"], { axis: 0 });
    g.node("Gemm", ["a", "picked"], ["scores"], { transB: 1 });
    g.node("TopK", ["scores", "k"], ["values", "indices"], { axis: -1, largest: 1, sorted: 1 });
    g.output("values", "float32", ["m", "k"]).output("indices", "int64", ["m", "k"]);
  });

/** scores[|q|, |r|] = B[q] · B[r]ᵀ: similarities between two row sets of one matrix (auto-linking). */
const pairSession = (tier: Tier) =>
  session("gather_pairs", tier, (g) => {
    g.input("b", "float32", ["n", "d"]).input("q", "int32", ["m"]).input("r", "int32", ["c"]);
    g.node("Gather", ["b", "q"], ["left"], { axis: 0 });
    g.node("Gather", ["b", "r"], ["right"], { axis: 0 });
    g.node("Gemm", ["left", "right"], ["scores"], { transB: 1 });
    g.output("scores", "float32", ["m", "c"]);
  });

function matrix(data: Float32Array, dim: number): ort.Tensor {
  return new ort.Tensor("float32", data, [data.length / dim, dim]);
}

const kTensors = new Map<number, ort.Tensor>();

/** The `k` input of a TopK graph (one tensor per value, reused: ORT does not keep or change inputs). */
export function kTensor(k: number): ort.Tensor {
  let found = kTensors.get(k);
  if (!found) {
    found = new ort.Tensor("int64", BigInt64Array.of(BigInt(k)), [1]);
    if (kTensors.size < 256) kTensors.set(k, found);
  }
  return found;
}

const rowTensor = (rows: Int32Array) => new ort.Tensor("int32", rows, [rows.length]);

/** A[m, d] · B[n, d]ᵀ as a row-major [m, n] matrix. */
export async function gemmABt(a: Float32Array, b: Float32Array, dim: number): Promise<Float32Array> {
  const s = await gemmSession(tierOf((a.length * b.length) / dim));
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
  const work = (queries.length * base.length) / dim;
  if (work < JS_MAX_WORK) return exactTopK(base, n, dim, queries, kk);
  const s = await gemmTopKSession(tierOf(work));
  const out = await s.run({ a: matrix(queries, dim), b: matrix(base, dim), k: kTensor(kk) });
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
  const work = queries.length * rows.length;
  if (work < JS_MAX_WORK) return exactTopK(base, 0, dim, queries, kk, rows);
  const s = await gatherTopKSession(tierOf(work));
  const out = await s.run({
    a: matrix(queries, dim),
    b: matrix(base, dim),
    rows: rowTensor(rows),
    k: kTensor(kk),
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
  const s = await pairSession(tierOf(q.length * r.length * dim));
  const out = await s.run({ b: matrix(base, dim), q: rowTensor(q), r: rowTensor(r) });
  return out.scores.data as Float32Array;
}
