/**
 * Buffers of a few recurring sizes, reused: the tensors of a steady workload come in a few sizes
 * (its batch sizes), and each fresh one is megabytes of memory outside V8's heap whose growth
 * sets off its full collections (measured in the orchestrator over two-stage RecPipe queries:
 * an incremental mark of its whole heap every nine queries, 25 ms of marking). A buffer is given
 * back only when nothing reads it any more; at most `maxBytes` are kept, the sizes least recently
 * given back dropped first.
 */
export class BufferPool {
  private readonly free = new Map<number, Buffer[]>();
  private bytes = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly perSize = 4,
  ) {}

  /** A buffer of exactly `size` bytes, its contents left from before (as allocUnsafe's). */
  take = (size: number): Buffer => {
    const reused = this.free.get(size)?.pop();
    if (reused === undefined) return Buffer.allocUnsafe(size);
    this.bytes -= size;
    return reused;
  };

  /** `buffer` is no longer read or written by anyone: keep it for a later take. */
  give(buffer: Buffer): void {
    const size = buffer.length;
    // Only buffers over memory of their own (small ones share Node's pool slab).
    if (size > this.maxBytes || buffer.buffer.byteLength !== size) return;
    const list = this.free.get(size) ?? [];
    if (list.length >= this.perSize) return;
    // Most recently given sizes last, so eviction drops the size given back longest ago.
    this.free.delete(size);
    this.free.set(size, [...list, buffer]);
    this.bytes += size;
    for (const [s, l] of this.free) {
      if (this.bytes <= this.maxBytes) break;
      this.bytes -= s * l.length;
      this.free.delete(s);
    }
  }

  /** Bytes held for reuse. */
  held(): number {
    return this.bytes;
  }
}
