/** Tuning of hedged sub-calls; every field has its default in DEFAULT_HEDGE. */
export interface HedgeOptions {
  /** A hedge goes out once the first attempt has been waiting this percentile of latency. */
  readonly percentile: number;
  /** Never hedge sooner than this, ms: below it a second copy buys nothing but load. */
  readonly minDelayMs: number;
  /** Hedge delay while a target has fewer than `minSamples` latencies, ms. */
  readonly initialDelayMs: number;
  readonly minSamples: number;
  /** Latencies kept per target (a ring): the percentile follows the last this many calls. */
  readonly window: number;
  /** Hedges allowed per first attempt, on average: the extra load hedging may add. */
  readonly budget: number;
  /** Largest burst of hedges (token bucket size), e.g. every call in flight to a host cut off. */
  readonly burst: number;
}

/**
 * Defaults. The 95th percentile is "The Tail at Scale" (Dean and Barroso, CACM 2013): deferring
 * the second request until the first has been out that long hedges about 5% of calls. The budget
 * (10% extra calls) is gRPC's retry throttling ratio (gRFC A6: token ratio 0.1). The burst is
 * larger than A6's example of 10 tokens because one query fans out into several sub-calls: in
 * test/multihost a host cut with 11 queries in flight left about 16 lookups waiting on it, and
 * with 10 tokens the last of them waited ~0.5 s for the budget to refill.
 */
export const DEFAULT_HEDGE: HedgeOptions = {
  percentile: 0.95,
  minDelayMs: 10,
  initialDelayMs: 100,
  minSamples: 20,
  window: 128,
  budget: 0.1,
  burst: 32,
};

/**
 * When to send a second copy of an idempotent sub-call (a lookup, a prediction) to another
 * replica, per target (a shard group, a model's worker pool), and how many such copies the budget
 * still allows.
 */
export class HedgePolicy {
  private readonly latencies = new Map<string, { ring: Float64Array; n: number }>();
  /** Hedge tokens in thousandths (as gRFC A6 counts them), so that ten 0.1s make exactly one. */
  private milliTokens: number;

  constructor(readonly options: HedgeOptions = DEFAULT_HEDGE) {
    this.milliTokens = options.burst * 1000;
  }

  /** Whether hedging is on at all (a zero budget turns it off). */
  get enabled(): boolean {
    return this.options.budget > 0;
  }

  /** Latency of a completed attempt to `target`, ms. */
  record(target: string, ms: number): void {
    let entry = this.latencies.get(target);
    if (entry === undefined) {
      entry = { ring: new Float64Array(this.options.window), n: 0 };
      this.latencies.set(target, entry);
    }
    entry.ring[entry.n % entry.ring.length] = ms;
    entry.n++;
  }

  /** How long a first attempt to `target` may wait before a hedge goes out, ms. */
  delayMs(target: string): number {
    const entry = this.latencies.get(target);
    const { minSamples, initialDelayMs, minDelayMs, percentile } = this.options;
    if (entry === undefined || entry.n < minSamples) return Math.max(minDelayMs, initialDelayMs);
    const kept = Math.min(entry.n, entry.ring.length);
    const sorted = entry.ring.slice(0, kept).sort();
    const at = Math.min(kept - 1, Math.ceil(percentile * kept) - 1);
    return Math.max(minDelayMs, sorted[at] as number);
  }

  /** A first attempt started: the budget earns `budget` tokens, up to `burst`. */
  onAttempt(): void {
    this.milliTokens = Math.min(
      this.options.burst * 1000,
      this.milliTokens + Math.round(this.options.budget * 1000),
    );
  }

  /** Takes a token for a hedge; false when the budget is spent. */
  tryHedge(): boolean {
    if (!this.enabled || this.milliTokens < 1000) return false;
    this.milliTokens -= 1000;
    return true;
  }
}
