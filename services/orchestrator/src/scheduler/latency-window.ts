import { quantileSorted } from '@recmesh/workload';

export interface Sample {
  readonly latencyMs: number;
  readonly items: number;
  /** The window's clock at completion, ms. */
  readonly at: number;
}

/** The completions of one measurement window, on a clock in ms (monotonic by default). */
export class LatencyWindow {
  private readonly samples: Sample[] = [];
  private readonly opened: number;

  constructor(private readonly now: () => number = () => performance.now()) {
    this.opened = now();
  }

  add(sample: Sample): void {
    this.samples.push(sample);
  }

  /** Since the window opened, ms. */
  ageMs(): number {
    return this.now() - this.opened;
  }

  get size(): number {
    return this.samples.length;
  }

  /**
   * The latency a query of `items` items would see under this window's configuration: the least
   * squares line latency = a + b x items through the window's queries, at `items`. With
   * heavy-tailed query sizes a window's p95 is mostly luck (which large queries arrived); the
   * line through every query compares configurations at one size. NaN when the window's sizes
   * barely vary (then only the p95 says anything).
   */
  latencyAt(items: number): number {
    const n = this.samples.length;
    if (n < 2) return NaN;
    let sx = 0;
    let sy = 0;
    for (const q of this.samples) {
      sx += q.items;
      sy += q.latencyMs;
    }
    const mx = sx / n;
    const my = sy / n;
    let sxx = 0;
    let sxy = 0;
    for (const q of this.samples) {
      sxx += (q.items - mx) ** 2;
      sxy += (q.items - mx) * (q.latencyMs - my);
    }
    // Sizes within about 10% of each other: no slope to fit.
    if (sxx / n < (0.1 * mx) ** 2) return NaN;
    const b = sxy / sxx;
    return my + b * (items - mx);
  }

  summary(): { p95Ms: number; p99Ms: number; qps: number; itemsPerS: number } {
    const sorted = Float64Array.from(this.samples, (s) => s.latencyMs).sort();
    const span = Math.max(1, (this.samples.at(-1)?.at ?? this.now()) - this.opened) / 1000;
    const items = this.samples.reduce((s, x) => s + x.items, 0);
    return {
      p95Ms: quantileSorted(sorted, 0.95),
      p99Ms: quantileSorted(sorted, 0.99),
      qps: this.samples.length / span,
      itemsPerS: items / span,
    };
  }
}

/** The last `capacity` query sizes (a ring), and their 95th percentile. */
export class RecentSizes {
  private readonly ring: Float64Array;
  private count = 0;

  constructor(capacity: number) {
    this.ring = new Float64Array(capacity);
  }

  add(items: number): void {
    this.ring[this.count % this.ring.length] = items;
    this.count++;
  }

  p95(): number {
    const n = Math.min(this.count, this.ring.length);
    if (n === 0) return 0;
    return quantileSorted(this.ring.slice(0, n).sort(), 0.95);
  }
}
