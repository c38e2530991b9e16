/**
 * Worker threads that each hold one single-threaded ONNX Runtime session of the use-lite graph
 * (use-lite-worker.mjs), and hand out calls to whichever is idle. Calls are independent, so N workers keep
 * N cores busy with no per-operator barrier: a multi-threaded session waits at every operator for its
 * slowest thread, which on a shared 2-core machine (load 5–8) made 2 threads slower than 1. Inputs and
 * outputs move between threads by transfer, not copy. Idle workers do not keep the process alive.
 */
import { Worker } from "node:worker_threads";
import { EmbedderError } from "../errors.js";

interface Job {
  ids: Int32Array;
  mask: Float32Array;
  rows: number;
  width: number;
  resolve(vectors: Float32Array): void;
  reject(error: Error): void;
}

type Reply = { ready: true } | { startError: string } | { id: number; data?: Float32Array; error?: string };

const WORKER_URL = new URL("./use-lite-worker.mjs", import.meta.url);

/** The pool could not start (the runtime does not load in a worker, or the graph does not compile). */
export class PoolUnavailable extends Error {}

function spawn(model: Uint8Array): Promise<Worker> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_URL, { workerData: { model } });
    const onError = (error: Error) => fail(error.message);
    const onExit = (code: number) => fail(`the worker exited with code ${code} while starting`);
    const fail = (why: string) => {
      worker.off("error", onError).off("exit", onExit);
      void worker.terminate();
      reject(new PoolUnavailable(why));
    };
    worker.once("error", onError).once("exit", onExit);
    worker.once("message", (reply: Reply) => {
      if ("startError" in reply) return fail(reply.startError);
      worker.off("error", onError).off("exit", onExit);
      resolve(worker);
    });
  });
}

/** A fixed set of session workers; `run` calls go to the first idle one, in order of arrival. */
export class OrtWorkerPool {
  private readonly idle: Worker[];
  private readonly busy = new Map<Worker, Job>();
  private readonly queue: Job[] = [];
  private alive: number;
  private stopped = "";

  private constructor(workers: Worker[]) {
    this.idle = [...workers];
    this.alive = workers.length;
    for (const worker of workers) {
      worker.on("message", (reply: Reply) => this.answer(worker, reply));
      worker.on("error", (error) => this.lose(worker, error.message));
      worker.on("exit", (code) => this.lose(worker, `it exited with code ${code}`));
      worker.unref();
    }
  }

  /**
   * Starts `size` workers on the serialised graph (each compiles its own session).
   * @throws PoolUnavailable when a worker cannot start; the others are stopped.
   */
  static async start(model: Uint8Array, size: number): Promise<OrtWorkerPool> {
    const started = await Promise.allSettled(Array.from({ length: size }, () => spawn(model)));
    const workers = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
    const failure = started.find((s) => s.status === "rejected");
    if (failure) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw failure.reason;
    }
    return new OrtWorkerPool(workers);
  }

  /** Workers running or ready. */
  get size(): number {
    return this.alive;
  }

  /** Runs one padded [rows, width] call; resolves with its [rows, 512] output, row-major. */
  run(ids: Int32Array, mask: Float32Array, rows: number, width: number): Promise<Float32Array> {
    return new Promise((resolve, reject) => {
      if (this.alive === 0) {
        reject(this.unavailable(this.stopped));
        return;
      }
      this.queue.push({ ids, mask, rows, width, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const worker = this.idle.pop() as Worker;
      const job = this.queue.shift() as Job;
      this.busy.set(worker, job);
      // Referenced while it works: a pending call must keep the process alive.
      worker.ref();
      const { ids, mask, rows, width } = job;
      worker.postMessage({ id: 0, ids, mask, rows, width }, [ids.buffer, mask.buffer] as ArrayBuffer[]);
    }
  }

  private answer(worker: Worker, reply: Reply): void {
    const job = this.busy.get(worker);
    if (!job || !("id" in reply)) return;
    this.busy.delete(worker);
    worker.unref();
    this.idle.push(worker);
    if (reply.data) job.resolve(reply.data);
    else
      job.reject(
        new EmbedderError("SIGLA_EMBEDDER_UNAVAILABLE", `use-lite: onnxruntime failed: ${reply.error}`),
      );
    this.dispatch();
  }

  /** A worker died: its call fails; when none is left, so do the queued calls and every later one. */
  private lose(worker: Worker, why: string): void {
    const index = this.idle.indexOf(worker);
    if (index !== -1) this.idle.splice(index, 1);
    const job = this.busy.get(worker);
    if (index === -1 && !job) return; // already counted (an exit after an error)
    this.busy.delete(worker);
    this.alive--;
    job?.reject(this.unavailable(why));
    if (this.alive === 0) {
      this.stopped = why;
      for (const queued of this.queue.splice(0)) queued.reject(this.unavailable(why));
    }
  }

  private unavailable(why: string): EmbedderError {
    return new EmbedderError(
      "SIGLA_EMBEDDER_UNAVAILABLE",
      `use-lite: an ONNX Runtime worker stopped (${why})`,
    );
  }

  /** Stops every worker (for tests and benchmarks; the embedder itself keeps its pool for the process). */
  async stop(): Promise<void> {
    await Promise.all([...this.idle, ...this.busy.keys()].map((w) => w.terminate()));
  }
}
