import { quantileSorted } from '@recmesh/workload';

export interface Sample {
  readonly latencyMs: number;
  readonly items: number;
  /** performance.now() at completion. */
  readonly at: number;
}

/** The completions of one measurement window. */
export class LatencyWindow {
  private readonly samples: Sample[] = [];
  private readonly opened = performance.now();

  add(sample: Sample): void {
    this.samples.push(sample);
  }

  /** Since the window opened, ms. */
  ageMs(): number {
    return performance.now() - this.opened;
  }

  get size(): number {
    return this.samples.length;
  }

  summary(): { p95Ms: number; p99Ms: number; qps: number; itemsPerS: number } {
    const sorted = Float64Array.from(this.samples, (s) => s.latencyMs).sort();
    const span = Math.max(1, (this.samples.at(-1)?.at ?? performance.now()) - this.opened) / 1000;
    const items = this.samples.reduce((s, x) => s + x.items, 0);
    return {
      p95Ms: quantileSorted(sorted, 0.95),
      p99Ms: quantileSorted(sorted, 0.99),
      qps: this.samples.length / span,
      itemsPerS: items / span,
    };
  }
}
