import { resourceExhausted } from '@recmesh/errors';

/**
 * Load shedding: a query is refused (RESOURCE_EXHAUSTED) when the items already in flight, at
 * the item throughput measured over the last seconds, would keep it waiting past its deadline.
 * Refusing early keeps queues bounded instead of letting every query miss its deadline.
 */
export class Admission {
  private inFlightItems = 0;
  private rate = 0; // items/s, EWMA
  private windowStart = performance.now();
  private windowItems = 0;
  shed = 0;

  constructor(
    /** Hard cap on items in flight (0 = none). */
    private readonly maxInFlightItems: number,
    /** Smoothing of the throughput estimate per 250 ms window. */
    private readonly alpha = 0.3,
  ) {}

  /** Admits `items` with `budgetMs` left before their deadline, or throws RESOURCE_EXHAUSTED. */
  admit(items: number, budgetMs: number): () => void {
    this.roll();
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
          `overloaded: ${this.inFlightItems} items in flight at ${Math.round(this.rate)} items/s would finish in ~${Math.round(waitMs)} ms, past the deadline (${Math.round(budgetMs)} ms left)`,
        );
      }
    }
    this.inFlightItems += items;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlightItems -= items;
      this.windowItems += items;
      this.roll();
    };
  }

  private roll(): void {
    const now = performance.now();
    const span = now - this.windowStart;
    if (span < 250) return;
    const observed = (this.windowItems / span) * 1000;
    // Only a busy window says what the mesh can do; an idle one says nothing about capacity.
    if (this.windowItems > 0)
      this.rate = this.rate === 0 ? observed : this.alpha * observed + (1 - this.alpha) * this.rate;
    this.windowStart = now;
    this.windowItems = 0;
  }
}
