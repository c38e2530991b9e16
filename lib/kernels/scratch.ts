/**
 * Reusable Int32 buffers for per-query work (the rows a query scores), so a stream of queries does not
 * allocate a fresh array each time. A pool rather than one buffer: searches are async and may overlap, and
 * an ORT call reads its inputs after the caller has moved on, so a buffer is never handed to two at once.
 */
export class ScratchPool {
  private readonly free: Int32Array[] = [];

  /** @param keep how many buffers to hold on to between uses. */
  constructor(private readonly keep = 4) {}

  /** A buffer of at least `length` entries (contents undefined); give it back with `give` when done. */
  take(length: number): Int32Array {
    for (let i = 0; i < this.free.length; i++) {
      if (this.free[i].length >= length) return this.free.splice(i, 1)[0];
    }
    // Grown by half again, so a slowly rising need does not allocate each time.
    return new Int32Array(Math.max(1024, Math.ceil(length * 1.5)));
  }

  /** Returns a buffer from `take`; the smallest one is dropped when the pool is full. */
  give(buffer: Int32Array): void {
    this.free.push(buffer);
    if (this.free.length > this.keep) {
      this.free.sort((a, b) => b.length - a.length);
      this.free.pop();
    }
  }
}
