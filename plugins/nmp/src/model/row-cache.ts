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
 * profiled as hot are pinned for the batch that found them hot (the pin's owner): a pinned row
 * is never evicted until its owner is unpinned, and when only pinned rows are left a new row
 * bypasses the cache.
 */
export class RowCache {
  private readonly index = new Map<number, number>();
  private readonly keys: Float64Array;
  private readonly sizes: Int32Array;
  /** 0: not pinned; else the owner + 1. */
  private readonly pinned: Int32Array;
  private readonly free: number[] = [];
  private readonly prev: Int32Array;
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
    this.pinned = new Int32Array(slots);
    const prev = new Int32Array(slots);
    const next = new Int32Array(slots);
    this.prev = prev;
    this.unpinnedList = new SlotList(prev, next);
    this.pinnedList = new SlotList(prev, next);
    for (let s = slots - 1; s >= 0; s--) this.free.push(s);
  }

  get lines(): number {
    return this.used;
  }

  /**
   * Whether `key` is cached; a hit promotes it (lru), and pins it for `owner` when that is 0 or
   * more (a row pinned already passes to the latest batch that found it hot).
   */
  lookup(key: number, owner = -1): boolean {
    const s = this.index.get(key);
    if (s === undefined) return false;
    if (this.pinned[s] !== 0) {
      if (owner >= 0) this.pinned[s] = owner + 1;
      return true;
    }
    if (owner >= 0) {
      this.unpinnedList.remove(s);
      this.pinned[s] = owner + 1;
      this.pinnedList.pushHead(s);
    } else if (this.policy === 'lru') {
      this.unpinnedList.remove(s);
      this.unpinnedList.pushHead(s);
    }
    return true;
  }

  /**
   * Places `key` (`size` lines), pinned for `owner` when that is 0 or more, evicting unpinned
   * rows from the cold end. False when it cannot fit (bigger than the cache, or the rest is
   * pinned): the row bypasses the cache.
   */
  insert(key: number, size: number, owner = -1): boolean {
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
    this.pinned[s] = owner + 1;
    (owner >= 0 ? this.pinnedList : this.unpinnedList).pushHead(s);
    this.index.set(key, s);
    this.used += size;
    return true;
  }

  /**
   * `owner`'s batch is over (all owners when omitted): its pinned rows become ordinary, most
   * recently used rows.
   */
  unpin(owner?: number): void {
    let s = this.pinnedList.tail;
    while (s !== NONE) {
      const before = this.prevOf(s);
      if (owner === undefined || this.pinned[s] === owner + 1) {
        this.pinnedList.remove(s);
        this.pinned[s] = 0;
        this.unpinnedList.pushHead(s);
      }
      s = before;
    }
  }

  private prevOf(s: number): number {
    return this.prev[s] as number;
  }

  private evict(s: number): void {
    this.unpinnedList.remove(s);
    this.index.delete(this.keys[s] as number);
    this.used -= this.sizes[s] as number;
    this.free.push(s);
  }
}
