export type CachePolicy = 'lru' | 'fifo' | 'off';

const NONE = -1;

/** A doubly linked list over the cache's slots, head = most recently placed. */
class SlotList {
  head = NONE;
  tail = NONE;

  constructor(
    private readonly prev: Int32Array,
    private readonly next: Int32Array,
  ) {}

  pushHead(s: number): void {
    this.prev[s] = NONE;
    this.next[s] = this.head;
    if (this.head !== NONE) this.prev[this.head] = s;
    this.head = s;
    if (this.tail === NONE) this.tail = s;
  }

  remove(s: number): void {
    const p = this.prev[s] as number;
    const n = this.next[s] as number;
    if (p !== NONE) this.next[p] = n;
    else this.head = n;
    if (n !== NONE) this.prev[n] = p;
    else this.tail = p;
  }
}

/**
 * A fully associative cache of embedding rows (RecNMP's RankCache), sized in 64-byte lines; a
 * row takes as many lines as it has bursts. `lru` promotes rows on hits, `fifo` does not. Rows
 * profiled as hot can be pinned: a pinned row is never evicted until unpinAll (the end of the
 * batch), and when only pinned rows are left a new row bypasses the cache.
 */
export class RowCache {
  private readonly index = new Map<number, number>();
  private readonly keys: Float64Array;
  private readonly sizes: Int32Array;
  private readonly pinned: Uint8Array;
  private readonly free: number[] = [];
  private readonly unpinnedList: SlotList;
  private readonly pinnedList: SlotList;
  private used = 0;

  constructor(
    readonly capacityLines: number,
    readonly policy: CachePolicy,
  ) {
    const slots = policy === 'off' ? 0 : Math.max(0, Math.floor(capacityLines));
    this.keys = new Float64Array(slots);
    this.sizes = new Int32Array(slots);
    this.pinned = new Uint8Array(slots);
    const prev = new Int32Array(slots);
    const next = new Int32Array(slots);
    this.unpinnedList = new SlotList(prev, next);
    this.pinnedList = new SlotList(prev, next);
    for (let s = slots - 1; s >= 0; s--) this.free.push(s);
  }

  get lines(): number {
    return this.used;
  }

  /** Whether `key` is cached; a hit promotes it (lru) and pins it when `pin`. */
  lookup(key: number, pin: boolean): boolean {
    const s = this.index.get(key);
    if (s === undefined) return false;
    if (this.pinned[s] === 1) return true;
    if (pin) {
      this.unpinnedList.remove(s);
      this.pinned[s] = 1;
      this.pinnedList.pushHead(s);
    } else if (this.policy === 'lru') {
      this.unpinnedList.remove(s);
      this.unpinnedList.pushHead(s);
    }
    return true;
  }

  /**
   * Places `key` (`size` lines), evicting unpinned rows from the cold end. False when it
   * cannot fit (bigger than the cache, or the rest is pinned): the row bypasses the cache.
   */
  insert(key: number, size: number, pin: boolean): boolean {
    if (this.policy === 'off' || size > this.capacityLines) return false;
    while (this.used + size > this.capacityLines) {
      const victim = this.unpinnedList.tail;
      if (victim === NONE) return false;
      this.evict(victim);
    }
    const s = this.free.pop();
    if (s === undefined) return false;
    this.keys[s] = key;
    this.sizes[s] = size;
    this.pinned[s] = pin ? 1 : 0;
    (pin ? this.pinnedList : this.unpinnedList).pushHead(s);
    this.index.set(key, s);
    this.used += size;
    return true;
  }

  /** The batch is over: pinned rows become ordinary (most recently used) rows. */
  unpinAll(): void {
    for (let s = this.pinnedList.tail; s !== NONE; s = this.pinnedList.tail) {
      this.pinnedList.remove(s);
      this.pinned[s] = 0;
      this.unpinnedList.pushHead(s);
    }
  }

  private evict(s: number): void {
    this.unpinnedList.remove(s);
    this.index.delete(this.keys[s] as number);
    this.used -= this.sizes[s] as number;
    this.free.push(s);
  }
}
