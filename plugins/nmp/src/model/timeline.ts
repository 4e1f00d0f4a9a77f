/**
 * A resource's reservations over one epoch, one byte per DRAM clock cycle: 0 is free, any other
 * value tags who holds the cycle (a bank group, a rank, a bus direction). Reservations may fill
 * gaps behind the latest one (an idealised out-of-order controller); `floor` skips the cycles
 * below which no reservation of the resource's smallest size can fit any more, so searches stay
 * short however long the epoch grows.
 */
export class Timeline {
  private slots = new Uint8Array(1 << 12);
  /** One past the highest reserved cycle. */
  end = 0;
  /** Every cycle below it is reserved or in a free run shorter than `minRun`. */
  floor = 0;

  /**
   * `minRun`: the shortest free run a reservation on this resource can use; `guard`: idle cycles
   * the resource needs between reservations of different tags (a bus switching ranks).
   */
  constructor(
    private readonly minRun: number,
    private readonly guard = 0,
  ) {}

  reset(): void {
    this.slots.fill(0, 0, Math.min(this.slots.length, this.end + 64));
    this.end = 0;
    this.floor = 0;
  }

  tagAt(t: number): number {
    return t < 0 || t >= this.slots.length ? 0 : (this.slots[t] as number);
  }

  /** Cycles [t, t + len) are all free. */
  isFree(t: number, len = 1): boolean {
    for (let i = t; i < t + len; i++) if (this.tagAt(i) !== 0) return false;
    return true;
  }

  /** [t, t + len) is free and no other tag holds a cycle within the guard of it. */
  fits(t: number, len: number, tag: number): boolean {
    if (!this.isFree(t, len)) return false;
    const guard = this.guard;
    for (let i = t - guard; i < t; i++) {
      const held = this.tagAt(i);
      if (held !== 0 && held !== tag) return false;
    }
    for (let i = t + len; i < t + len + guard; i++) {
      const held = this.tagAt(i);
      if (held !== 0 && held !== tag) return false;
    }
    return true;
  }

  reserve(t: number, len: number, tag: number): void {
    if (t + len + 64 > this.slots.length) {
      let size = this.slots.length;
      while (t + len + 64 > size) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(this.slots);
      this.slots = grown;
    }
    this.slots.fill(tag, t, t + len);
    if (t + len > this.end) this.end = t + len;
    this.advanceFloor();
  }

  /**
   * The first t >= earliest where [t, t + len) fits with `tag`. Each miss jumps past the
   * reservation in the way (and its guard), so a search costs the reservations it passes.
   */
  firstFit(earliest: number, len: number, tag: number): number {
    const guard = this.guard;
    let t = Math.max(earliest, this.floor);
    for (;;) {
      let next = t;
      for (let i = t + len + guard - 1; i >= t - guard; i--) {
        const held = this.tagAt(i);
        if (held === 0) continue;
        if (i >= t && i < t + len) {
          next = i + 1;
          break;
        }
        if (held !== tag) {
          next = i + 1 + guard;
          break;
        }
      }
      if (next === t) return t;
      t = next;
    }
  }

  private advanceFloor(): void {
    while (this.floor < this.end) {
      if (this.slots[this.floor] !== 0) {
        this.floor++;
        continue;
      }
      const limit = this.minRun + this.guard;
      let run = 0;
      while (run < limit && this.floor + run < this.end && this.slots[this.floor + run] === 0) {
        run++;
      }
      if (this.floor + run >= this.end) return;
      // A run between two tags can hold a reservation of either; between different tags it
      // loses one guard (the reservation takes the tag of one side).
      const left = this.tagAt(this.floor - 1);
      const right = this.slots[this.floor + run] as number;
      const needed = this.minRun + (left !== 0 && left !== right ? this.guard : 0);
      if (run >= needed) return;
      this.floor += run;
    }
  }
}
