/**
 * Many small "these queries against those rows" products in a few ORT calls: the batch form of IVF search,
 * where each probed list is scored against the queries that probe it (a batch of 100 clustered queries
 * probes ~300 distinct lists at 50k rows). Groups of similar shape are padded to one shape and run as one
 * batched MatMul + TopK, padding rows masked to -∞: ~30 calls instead of ~300. Gathering the lists' rows
 * from the hot matrix (~0.4 µs a row) is then most of the cost.
 */
import * as ort from "onnxruntime-node";
import type { OnnxGraphBuilder } from "../onnx/onnx-writer.js";
import { kTensor, runKernel } from "./ort-kernels.js";
import { offer, type TopK } from "./top-k.js";

/** Some query rows to be scored against some rows of the base matrix. */
export interface ScoreGroup {
  /** Rows of the query matrix. */
  queries: Int32Array;
  /** Rows of the base matrix. */
  rows: Int32Array;
}

/** Groups in one call share a row count within this factor (the padding it costs). */
const ROW_SPREAD = 1.3;
/** Most floats one call gathers from the base matrix (16 MB), so a call's scratch stays small. */
const MAX_GATHERED = 4 * 1024 * 1024;

/** left[G, P, d] = A[q], right[G, R, d] = B[r]; top-k of left · rightᵀ + mask per (group, query). */
function buildGrouped(g: OnnxGraphBuilder): void {
  g.input("a", "float32", ["m", "d"]).input("q", "int32", ["g", "p"]);
  g.input("b", "float32", ["n", "d"]).input("r", "int32", ["g", "r"]);
  g.input("mask", "float32", ["g", 1, "r"]).input("k", "int64", [1]);
  g.node("Gather", ["a", "q"], ["left"], { axis: 0 });
  g.node("Gather", ["b", "r"], ["right"], { axis: 0 });
  g.node("Transpose", ["right"], ["rightT"], { perm: [0, 2, 1] });
  g.node("MatMul", ["left", "rightT"], ["scores"]);
  g.node("Add", ["scores", "mask"], ["masked"]);
  g.node("TopK", ["masked", "k"], ["values", "indices"], { axis: -1, largest: 1, sorted: 1 });
  g.output("values", "float32", ["g", "p", "k"]).output("indices", "int64", ["g", "p", "k"]);
}

/** Query-count class: 1, 2, 3-4, 5-8… (groups in one call share it, so padding queries stays cheap). */
const queryClass = (count: number) => Math.ceil(Math.log2(Math.max(1, count)));

/** Splits the non-empty groups into calls of similar shape. */
function buckets(groups: readonly ScoreGroup[], dim: number): ScoreGroup[][] {
  const sorted = groups
    .filter((g) => g.rows.length > 0 && g.queries.length > 0)
    .sort(
      (x, y) => queryClass(x.queries.length) - queryClass(y.queries.length) || x.rows.length - y.rows.length,
    );
  const out: ScoreGroup[][] = [];
  let current: ScoreGroup[] = [];
  for (const group of sorted) {
    const first = current[0];
    const fits =
      first !== undefined &&
      queryClass(first.queries.length) === queryClass(group.queries.length) &&
      group.rows.length <= first.rows.length * ROW_SPREAD + 8 &&
      (current.length + 1) * group.rows.length * dim <= MAX_GATHERED;
    if (!fits && current.length > 0) {
      out.push(current);
      current = [];
    }
    current.push(group);
  }
  if (current.length > 0) out.push(current);
  return out;
}

/**
 * For every group, the exact top `out.k` among its rows for each of its queries, offered into `out`
 * (`out.k` slots per row of `queries`; rows index `base`). Queries in several groups keep the best of all;
 * the groups of one query must not share rows (IVF lists do not), or a row could fill two slots.
 */
export async function groupedTopK(
  queries: Float32Array,
  base: Float32Array,
  dim: number,
  groups: readonly ScoreGroup[],
  out: TopK,
): Promise<void> {
  for (const bucket of buckets(groups, dim)) await runBucket(queries, base, dim, bucket, out);
}

async function runBucket(
  queries: Float32Array,
  base: Float32Array,
  dim: number,
  bucket: ScoreGroup[],
  out: TopK,
): Promise<void> {
  const G = bucket.length;
  let P = 0;
  let R = 0;
  for (const group of bucket) {
    P = Math.max(P, group.queries.length);
    R = Math.max(R, group.rows.length);
  }
  const q = new Int32Array(G * P);
  const r = new Int32Array(G * R);
  const mask = new Float32Array(G * R);
  bucket.forEach((group, g) => {
    q.set(group.queries, g * P);
    r.set(group.rows, g * R);
    mask.fill(Number.NEGATIVE_INFINITY, g * R + group.rows.length, (g + 1) * R);
  });
  const kk = Math.min(out.k, R);
  const found = await runKernel("grouped_topk", G * P * R * dim, buildGrouped, {
    a: new ort.Tensor("float32", queries, [queries.length / dim, dim]),
    q: new ort.Tensor("int32", q, [G, P]),
    b: new ort.Tensor("float32", base, [base.length / dim, dim]),
    r: new ort.Tensor("int32", r, [G, R]),
    mask: new ort.Tensor("float32", mask, [G, 1, R]),
    k: kTensor(kk),
  });
  const values = found.values.data as Float32Array;
  const indices = found.indices.data as BigInt64Array;
  bucket.forEach((group, g) => {
    group.queries.forEach((query, i) => {
      const at = (g * P + i) * kk;
      for (let j = at; j < at + kk; j++) {
        if (values[j] === Number.NEGATIVE_INFINITY) break;
        offer(out, query * out.k, r[g * R + Number(indices[j])], values[j]);
      }
    });
  });
}
