/**
 * A bounded request queue (a controller's per-rank transaction queue, a rank-NMP unit's
 * instruction buffer): an entry holds its slot until it completes, slots free in the order they
 * were taken. It bounds how far ahead of the data the requests can run.
 */
export class SlotQueue {
  private readonly done: Float64Array;
  private taken = 0;

  constructor(readonly depth: number) {
    this.done = new Float64Array(depth);
  }

  restart(): void {
    this.done.fill(0);
    this.taken = 0;
  }

  /** The cycle at which `need` (at most depth) more entries fit. */
  spaceAt(need: number): number {
    let at = 0;
    const n = Math.min(need, this.depth);
    for (let i = 0; i < n; i++) {
      const entry = this.taken + i - this.depth;
      if (entry >= 0) at = Math.max(at, this.done[entry % this.depth] as number);
    }
    return at;
  }

  /** Takes `need` entries that complete at `done`. */
  push(need: number, done: number): void {
    const n = Math.min(need, this.depth);
    for (let i = 0; i < n; i++) this.done[(this.taken + i) % this.depth] = done;
    this.taken += n;
  }
}
