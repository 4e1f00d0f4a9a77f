import { resourceExhausted } from '@recmesh/errors';

/**
 * Load shedding: a query is refused (RESOURCE_EXHAUSTED) when the items already in flight, at
 * the rate the mesh has been finishing items while busy, would keep it waiting past its
 * deadline. Refusing early keeps queues bounded instead of letting every query miss its deadline.
 */
export class Admission {
  private inFlightItems = 0;
  /** Items finished per second of busy time (some query in flight), smoothed. */
  private rate = 0;
  private busySince: number | undefined;
  private busyMs = 0;
  private finishedItems = 0;
  shed = 0;

  constructor(
    /** Hard cap on items in flight (0 = none). */
    private readonly maxInFlightItems: number,
    /** Busy time that makes one throughput sample, ms. */
    private readonly sampleMs = 1000,
    /** Weight of the newest sample. */
    private readonly alpha = 0.3,
  ) {}

  /** Admits `items` with `budgetMs` left before their deadline, or throws RESOURCE_EXHAUSTED. */
  admit(items: number, budgetMs: number): () => void {
    if (this.maxInFlightItems > 0 && this.inFlightItems + items > this.maxInFlightItems) {
      this.shed++;
      throw resourceExhausted(
        'items.count',
        items,
        `${this.inFlightItems} items already in flight (limit ${this.maxInFlightItems}); retry later`,
      );
    }
    if (this.rate > 0 && this.inFlightItems > 0) {
      const waitMs = ((this.inFlightItems + items) / this.rate) * 1000;
      if (waitMs > budgetMs) {
        this.shed++;
        throw resourceExhausted(
          'items.count',
          items,
          `overloaded: ${this.inFlightItems} items in flight, finishing ${Math.round(this.rate)} items/s, would take ~${Math.round(waitMs)} ms, past the deadline (${Math.round(budgetMs)} ms left)`,
        );
      }
    }
    if (this.inFlightItems === 0) this.busySince = performance.now();
    this.inFlightItems += items;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlightItems -= items;
      this.finishedItems += items;
      if (this.inFlightItems === 0 && this.busySince !== undefined) {
        this.busyMs += performance.now() - this.busySince;
        this.busySince = undefined;
      }
      this.sample();
    };
  }

  private sample(): void {
    const now = performance.now();
    const busy = this.busyMs + (this.busySince === undefined ? 0 : now - this.busySince);
    if (busy < this.sampleMs) return;
    const observed = (this.finishedItems / busy) * 1000;
    this.rate = this.rate === 0 ? observed : this.alpha * observed + (1 - this.alpha) * this.rate;
    this.finishedItems = 0;
    this.busyMs = 0;
    if (this.busySince !== undefined) this.busySince = now;
  }
}
